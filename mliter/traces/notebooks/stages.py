"""Label each code cell with a workflow stage from a rule table kept as data.

The rules live in `coding/stage_rules.csv` (pattern, stage, precedence, rationale) so a
reader can see and change them without touching code. Each feature of a cell (see
`mliter.traces.notebooks.code`) takes the stage of the highest-precedence rule whose glob pattern
matches it; the cell then takes the latest stage among its features in the study's
order setup < load < EDA < DPR < LI < PPR, and `other` when no rule matches. Evidence
comes in precedence bands (`BANDS`): a generic signal (a bare numpy call), a name hint
(a variable called `submission`) or a fallback (any top-level assignment) decides only
when no stronger band has a match, so a weak hint of a later stage cannot outvote a
specific call of an earlier one.
"""

from __future__ import annotations

from mliter.errors import MliterError
import csv
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from mliter.paths import CODING

if TYPE_CHECKING:
    from mliter.traces.notebooks.code import CellCode

#: Stages in workflow order; `other` ranks below all of them.
STAGES: tuple[str, ...] = ("other", "setup", "load", "EDA", "DPR", "LI", "PPR")
STAGE_RANK = {s: i for i, s in enumerate(STAGES)}
DEFAULT_RULES = CODING / "stage_rules.csv"
#: Precedence bands, strongest first: specific calls (>= 30), generic signals (10-29),
#: name hints (3-9), fallbacks (< 3). The first band with a match decides.
BANDS = (30, 10, 3, -(10**9))


@dataclass(frozen=True)
class Rule:
    pattern: str
    stage: str
    precedence: int
    rationale: str


class RuleError(MliterError, ValueError):
    pass


class StageRules:
    """A compiled rule table with a per-feature memo (features repeat across cells)."""

    def __init__(self, rules: Iterable[Rule]):
        # highest precedence first; file order breaks ties (sorted is stable)
        self.rules = sorted(rules, key=lambda r: -r.precedence)
        self._memo: dict[str, Rule | None] = {}

    @classmethod
    def from_csv(cls, path: str | Path = DEFAULT_RULES) -> "StageRules":
        rules = []
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            need = {"pattern", "stage", "precedence", "rationale"}
            if not reader.fieldnames or not need <= set(reader.fieldnames):
                raise RuleError(f"{path}: header must contain {sorted(need)}, found {reader.fieldnames}")
            for rowno, row in enumerate(reader, start=2):
                if None in row or any(v is None for v in row.values()):
                    raise RuleError(f"{path}, row {rowno}: expected 4 fields (quote a rationale that has a comma)")
                if row["stage"] not in STAGE_RANK:
                    raise RuleError(f"{path}, row {rowno}: stage {row['stage']!r} not one of {list(STAGES)}")
                try:
                    prec = int(row["precedence"])
                except ValueError:
                    raise RuleError(f"{path}, row {rowno}: precedence {row['precedence']!r} is not an integer") from None
                if ":" not in row["pattern"]:
                    raise RuleError(f"{path}, row {rowno}: pattern {row['pattern']!r} lacks a 'kind:' prefix")
                rules.append(Rule(row["pattern"], row["stage"], prec, row["rationale"]))
        return cls(rules)

    def feature_rule(self, feature: str) -> Rule | None:
        try:
            return self._memo[feature]
        except KeyError:
            pass
        untyped = feature.split("@", 1)[0]  # `method:fit@cls` also matches rules for `method:fit`
        rule = next((r for r in self.rules if fnmatchcase(feature, r.pattern) or fnmatchcase(untyped, r.pattern)), None)
        self._memo[feature] = rule
        return rule

    def feature_stage(self, feature: str) -> str | None:
        rule = self.feature_rule(feature)
        return rule.stage if rule else None

    def label(self, features: Iterable[str]) -> str:
        """Latest stage within the highest precedence band that has a matching feature."""
        best: dict[int, str] = {}
        for f in features:
            rule = self.feature_rule(f)
            if rule is None:
                continue
            band = next(i for i, floor in enumerate(BANDS) if rule.precedence >= floor)
            if STAGE_RANK[rule.stage] > STAGE_RANK[best.get(band, "other")]:
                best[band] = rule.stage
        return best[min(best)] if best else "other"

    def label_cells(self, cells: Sequence["CellCode"]) -> list[str]:
        """Stages of a notebook's code cells, in order.

        A call of a function or class the notebook defines adds the features of its
        body (followed transitively), so a cell that runs `train()` takes the stage of
        what `train` does: the rule "a function takes the stage of what it does",
        applied where the function is used as well as where it is defined.
        """
        defs: dict[str, set[str]] = {}
        for c in cells:
            for name, feats in c.defs.items():
                defs.setdefault(name, set()).update(feats)
        out = []
        for c in cells:
            if c.status == "empty":
                out.append("other")
                continue
            feats = set(c.features())
            todo = [n for n in c.local_calls if n in defs]
            seen: set[str] = set()
            while todo:
                name = todo.pop()
                if name in seen:
                    continue
                seen.add(name)
                feats |= defs[name]
                todo.extend(f[6:] for f in defs[name] if f.startswith("local:") and f[6:] in defs)
            out.append(self.label(feats))
        return out
