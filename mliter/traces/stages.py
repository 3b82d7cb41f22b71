"""Label each code cell with a workflow stage from a rule table kept as data.

The rules live in `coding/stage_rules.csv` (pattern, stage, precedence, rationale) so a
reader can see and change them without touching code. Each feature of a cell (see
`mliter.traces.code`) takes the stage of the highest-precedence rule whose glob pattern
matches it; the cell then takes the latest stage among its features in the study's
order setup < load < EDA < DPR < LI < PPR, and `other` when no rule matches.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Iterable

from mliter.paths import CODING

#: Stages in workflow order; `other` ranks below all of them.
STAGES: tuple[str, ...] = ("other", "setup", "load", "EDA", "DPR", "LI", "PPR")
STAGE_RANK = {s: i for i, s in enumerate(STAGES)}
DEFAULT_RULES = CODING / "stage_rules.csv"


@dataclass(frozen=True)
class Rule:
    pattern: str
    stage: str
    precedence: int
    rationale: str


class RuleError(ValueError):
    pass


class StageRules:
    """A compiled rule table with a per-feature memo (features repeat across cells)."""

    def __init__(self, rules: Iterable[Rule]):
        # highest precedence first; file order breaks ties (sorted is stable)
        self.rules = sorted(rules, key=lambda r: -r.precedence)
        self._memo: dict[str, str | None] = {}

    @classmethod
    def from_csv(cls, path: str | Path = DEFAULT_RULES) -> "StageRules":
        rules = []
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            need = {"pattern", "stage", "precedence", "rationale"}
            if not reader.fieldnames or not need <= set(reader.fieldnames):
                raise RuleError(f"{path}: header must contain {sorted(need)}, found {reader.fieldnames}")
            for rowno, row in enumerate(reader, start=2):
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

    def feature_stage(self, feature: str) -> str | None:
        try:
            return self._memo[feature]
        except KeyError:
            pass
        stage = next((r.stage for r in self.rules if fnmatchcase(feature, r.pattern)), None)
        self._memo[feature] = stage
        return stage

    def label(self, features: Iterable[str]) -> str:
        best = "other"
        for f in features:
            s = self.feature_stage(f)
            if s is not None and STAGE_RANK[s] > STAGE_RANK[best]:
                best = s
        return best
