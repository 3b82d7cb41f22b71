"""Label each code cell with a workflow stage: its purpose, from a def-use index and rules kept as data.

Two tables decide, both data: `coding/api_catalogue.csv` (library, API pattern, role, stage;
`mliter.traces.catalogue`) and `coding/stage_rules.csv` (pattern, stage, precedence, rationale)
for what the catalogue does not hold (syntax markers, name hints, generic signals). Catalogue
rows become rules of precedence 50 (exact names), 45 (wildcards), 30 (methods of unknown
values) and 20 (display and plot roles); a pattern the rule table also has keeps the table's row. Each feature of a
cell (see `mliter.traces.notebooks.code`) takes the stage of the highest-precedence rule whose
glob matches it. Evidence comes in precedence bands (`BANDS`): a generic signal, a name hint or a
fallback decides only when no stronger band has a match.

Globs are compiled once: the rules of one feature kind (`call:`, `method:`, ...) become one
regular expression whose alternatives are in precedence order, so a feature costs one match on
first sight and a dict probe after (memo); no per-call glob matching.

A cell's primary stage is its purpose (`coding/stages.md`): the stage of the statements that
define what later cells read (`label_notebook`, using each cell's def-use summary); display-only
statements decide only when the cell defines nothing. Calls of notebook-defined functions and
classes, and of functions of modules beside the notebook when their file was summarised, take
the features of the body (followed transitively up to `MAX_CALL_DEPTH`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from mliter.errors import MliterError
from mliter.paths import CODING
from mliter.traces.catalogue import DISPLAY_ROLES

if TYPE_CHECKING:
    from mliter.traces.catalogue import Catalogue
    from mliter.traces.notebooks.code import CellCode

#: Stages in workflow order; `other` ranks below all of them.
STAGES: tuple[str, ...] = ("other", "setup", "load", "EDA", "DPR", "LI", "PPR")
STAGE_RANK = {s: i for i, s in enumerate(STAGES)}
DEFAULT_RULES = CODING / "stage_rules.csv"
#: Precedence bands, strongest first: specific calls (>= 30), generic signals (10-29),
#: name hints (3-9), fallbacks (< 3). The first band with a match decides.
BANDS = (30, 10, 3, -(10**9))
_NO_RULE = 1 << 20  # `label_band`'s key of a feature no rule matches (above every band's keys)



def _lower_index(reads_from: dict[str, int]) -> dict[str, int]:
    """`reads_from` keyed by lower-case name. Names that differ only in case (`KFold`, `kfold`) map to the
    latest cell that defined either, so the result never depends on set or hash order (PYTHONHASHSEED)."""
    out: dict[str, int] = {}
    for n, j in reads_from.items():
        k = n.lower()
        if j > out.get(k, -1):
            out[k] = j
    return out

@dataclass(frozen=True)
class Rule:
    pattern: str
    stage: str
    precedence: int
    rationale: str

    def __reduce__(self) -> tuple[type, tuple[str, str, int, str]]:
        """Pickled by its fields (a compiled frozen dataclass cannot restore its state by assignment)."""
        return (Rule, (self.pattern, self.stage, self.precedence, self.rationale))


class RuleError(MliterError, ValueError):
    pass


def _glob_regex(pattern: str) -> str:
    out = []
    for ch in pattern:
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
    return "".join(out)


#: The head of a pattern or feature body: the text before its first `.`, `@`, `*` or `?` (`_match`).
_HEAD = re.compile(r"[^.@*?]*")

def _alternatives(rules: Sequence[Rule], idx: Sequence[int]) -> re.Pattern[str]:
    """One regular expression of the globs of `rules[i]` for `i` in `idx`, in that order (a group each)."""
    return re.compile("|".join(f"({_glob_regex(rules[i].pattern)})" for i in idx), re.S)


#: How deep calls of notebook-defined functions are followed.
MAX_CALL_DEPTH = 8
#: Precedence of rules made from catalogue rows (see the module docstring).
CATALOGUE_PRECEDENCE = {"exact": 50, "wild": 45, "method": 30, "display": 20}


def catalogue_rules(catalogue: "Catalogue") -> list[Rule]:
    """The catalogue as stage rules: `call:<pattern>` or `method:<name>` with the row's stage."""
    out = []
    for e in catalogue.entries:
        if e.role in ("display", "plot"):
            prec = CATALOGUE_PRECEDENCE["display"]
        elif e.pattern.startswith("."):
            prec = CATALOGUE_PRECEDENCE["method"]
        else:
            prec = CATALOGUE_PRECEDENCE["wild" if "*" in e.pattern else "exact"]
        pattern = f"method:{e.pattern[1:]}" if e.pattern.startswith(".") else f"call:{e.pattern}"
        out.append(Rule(pattern, e.stage, prec, f"{e.library}: {e.role} (api_catalogue.csv)"))
    return out


@dataclass
class CellStage:
    """The stages of one code cell: its primary stage (purpose) and every stage it touches."""

    stage: str
    stages: frozenset[str] = frozenset()
    reads_from: dict[str, int] = field(default_factory=dict)  # name -> code-cell index that last defined it


class StageRules:
    """A compiled rule table (one regex per feature kind) with a per-feature memo."""

    def __init__(self, rules: Iterable[Rule], catalogue: "Catalogue | None" = None):
        own = list(rules)
        self._given = own  # the rule table as given, without the catalogue's rules (`__reduce__`)
        extra = catalogue_rules(catalogue) if catalogue is not None else []
        mine = {r.pattern for r in own}
        self._own = mine
        extra = [r for r in extra if r.pattern not in mine]  # the rule table's own row for a pattern wins
        # highest precedence first; the rule table before the catalogue, then file order (sorted is stable)
        self.rules = sorted(own + extra, key=lambda r: -r.precedence)
        self.catalogue = catalogue
        self._memo: dict[str, Rule | None] = {}
        self._band_keys: dict[str, int] = {}  # feature -> band and stage as one number (`label_band`)
        self._roles: dict[str, str | None] = {}
        # rules filed by feature kind and by the literal head of their pattern (`call:xgboost.*` under
        # ("call", "xgboost"); `local:*eval*` under the kind's generic list), so a feature is matched against
        # one regular expression of the rules that can match it, compiled on first sight of its head
        self._keyed: dict[str, tuple[dict[str, list[int]], list[int]]] = {}
        for i, r in enumerate(self.rules):
            kind, _, body = r.pattern.partition(":")
            keyed, generic = self._keyed.setdefault(kind, ({}, []))
            head = _HEAD.match(body).group(0)  # type: ignore[union-attr]
            stop = body[len(head):len(head) + 1]
            if stop in ("*", "?"):
                generic.append(i)
            else:
                keyed.setdefault(head, []).append(i)
        self._compiled: dict[str, tuple[re.Pattern[str], list[int]] | None] = {}
        self._generic: dict[str, tuple[re.Pattern[str], list[int]]] = {
            kind: (_alternatives(self.rules, generic), generic) for kind, (_, generic) in self._keyed.items() if generic}

    def __reduce__(self) -> tuple[type, tuple[list[Rule], "Catalogue | None"]]:
        """Pickled (Dask sends the rules to its workers) as the rule table as given and the catalogue, from
        which the same table is rebuilt (the memos refill): a compiled `StageRules` has no `__dict__` to pickle.
        Not the merged list: rebuilt from it, the catalogue's rows would count as the table's own and
        outrank more specific catalogue entries (Dask-mined stages differed from sequential ones)."""
        return (StageRules, (self._given, self.catalogue))

    @classmethod
    def from_csv(cls, path: str | Path = DEFAULT_RULES, catalogue: "Catalogue | str | Path | None" = "default") -> "StageRules":
        """Read a rule table; `catalogue` is the API catalogue to merge ('default': coding/api_catalogue.csv)."""
        from mliter.traces.catalogue import Catalogue, default_catalogue

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
        cat: Catalogue | None
        if catalogue == "default":
            cat = default_catalogue()
        elif catalogue is None or isinstance(catalogue, Catalogue):
            cat = catalogue
        else:
            cat = Catalogue.from_csv(catalogue)
        return cls(rules, cat)

    def _match(self, feature: str) -> int | None:
        """Index of the highest-precedence rule whose glob matches `feature`, or None. Only the rules filed
        under the feature's kind and head (the text before its first `.` or `@`: a literal head followed by `.`,
        `@` or the end fixes the feature's head) and the kind's rules whose head has a wildcard can match; each
        group is one regular expression (the generic ones compiled with the table, a head's on first sight)."""
        kind, _, body = feature.partition(":")
        key = kind + ":" + _HEAD.match(body).group(0)  # type: ignore[union-attr]
        try:
            compiled = self._compiled[key]
        except KeyError:
            filed = self._keyed.get(kind)
            idx = filed[0].get(key[len(kind) + 1:], []) if filed is not None else []
            compiled = (_alternatives(self.rules, idx), idx) if idx else None
            self._compiled[key] = compiled
        best = None
        if compiled is not None:
            m = compiled[0].fullmatch(feature)
            if m:
                best = compiled[1][m.lastindex - 1]
        generic = self._generic.get(kind)
        if generic is not None:
            m = generic[0].fullmatch(feature)
            if m:
                other = generic[1][m.lastindex - 1]
                if best is None or other < best:
                    best = other
        return best

    def feature_rule(self, feature: str) -> Rule | None:
        try:
            return self._memo[feature]
        except KeyError:
            pass
        best = self._match(feature)
        if "@" in feature:  # `method:fit@cls` also matches rules for `method:fit`
            other = self._match(feature.split("@", 1)[0])
            if other is not None and (best is None or other < best):
                best = other
        rule = self.rules[best] if best is not None else None
        if feature[:5] == "call:" and self.catalogue is not None:
            cat = self._catalogue_rule(feature[5:].split("@", 1)[0])
            # a more specific catalogue entry beats a library-wide glob (`call:fastai.*`); the rule
            # table's own rows for a pattern (`call:pandas.DataFrame`, deliberately generic) keep theirs
            if cat is not None and cat.pattern not in self._own and (rule is None or (
                    "*" in rule.pattern and len(rule.pattern) < len(cat.pattern) and cat.precedence > rule.precedence)):
                rule = cat
        elif feature[:7] == "method:" and "@" in feature and self.catalogue is not None:
            made_by = feature.split("@", 1)[1]
            if made_by[:4] != "var:" and made_by[:6] != "local:":
                e = self.catalogue.call(made_by)
                if e is not None and e.role == "explain":
                    # a method of an explainer (`exp.fit(X)`, `exp.explain(x)`): what the explainer does, PPR
                    # also when it fits a model of its own (codebook decision 9)
                    rule = Rule(f"method:*@{e.pattern}", e.stage, CATALOGUE_PRECEDENCE["wild"],
                                f"{e.library}: a method of an {e.role} object (api_catalogue.csv)")
                elif e is not None and e.role == "transform" and rule is not None and rule.stage == "LI" \
                        and feature[7:].split("@", 1)[0] in _FITS:
                    # fitting a catalogued transformation of any library (`shapelets.fit(X, y)` on an sktime
                    # transformation, a feature extractor's `.fit`): its parameters serve the features, DPR
                    # (codebook: fitting an encoder or scaler is pre-processing), not training a model
                    rule = Rule(f"method:*@{e.pattern}", e.stage, CATALOGUE_PRECEDENCE["exact"] + 5,
                                f"{e.library}: fitting a {e.role} object (api_catalogue.csv)")
        self._memo[feature] = rule
        return rule

    def _catalogue_rule(self, name: str) -> Rule | None:
        """The catalogue's entry for a resolved call as a rule, found the way the catalogue resolves names
        (`fastai.vision.all.Resize` -> `fastai.Resize`), or through the class of a class method
        (`ImageDataLoaders.from_folder` -> `ImageDataLoaders`). A glob of the rule table only sees the
        spelled-out name, so a library-wide row (`call:fastai.*`) would otherwise outrank the catalogue."""
        cat = self.catalogue
        assert cat is not None
        e = cat.call(name)
        if e is None and name.count(".") > 1:
            e = cat.call(name.rsplit(".", 1)[0])
        if e is None or e.pattern.startswith("."):
            return None
        prec = CATALOGUE_PRECEDENCE["display" if e.role in DISPLAY_ROLES else "wild" if "*" in e.pattern else "exact"]
        return Rule(f"call:{e.pattern}", e.stage, prec, f"{e.library}: {e.role} (api_catalogue.csv)")

    def feature_stage(self, feature: str) -> str | None:
        rule = self.feature_rule(feature)
        return rule.stage if rule else None

    def _banded(self, features: Iterable[str]):
        """(band, stage) of every feature a rule matches; band 0 is the strongest (see `BANDS`)."""
        memo = self._memo
        for f in features:
            rule = memo[f] if f in memo else self.feature_rule(f)
            if rule is not None:
                p = rule.precedence
                yield (0 if p >= 30 else 1 if p >= 10 else 2 if p >= 3 else 3), rule.stage

    def label_band(self, features: Iterable[str]) -> tuple[str, int]:
        """Latest stage within the strongest band that has a match, and that band (9: nothing matched).

        Called for every statement of every cell, so each feature's (band, stage) is memoised as one
        number, `band * 16 + 15 - rank`: the smallest over the features is the strongest band's latest
        stage (an `other` rule counts as evidence of its band too). The smallest is found in one typed
        loop (compiled: unboxed integers; `min(..., default=)` over a list cost about three times as much)."""
        keys = self._band_keys
        best = _NO_RULE
        for f in features:
            k = keys.get(f, -1)
            if k < 0:
                k = self._band_key(f)
            if k < best:
                best = k
        if best == _NO_RULE:
            return "other", 9
        return STAGES[15 - best % 16], best // 16

    def _band_key(self, feature: str) -> int:
        """`label_band`'s number for a feature seen for the first time (memoised)."""
        rule = self.feature_rule(feature)
        if rule is None:
            key = _NO_RULE
        else:
            p = rule.precedence
            band = 0 if p >= 30 else 1 if p >= 10 else 2 if p >= 3 else 3
            key = band * 16 + 15 - STAGE_RANK[rule.stage]
        self._band_keys[feature] = key
        return key

    def label(self, features: Iterable[str]) -> str:
        """Latest stage within the highest precedence band that has a matching feature."""
        return self.label_band(features)[0]

    def label_cells(self, cells: Sequence["CellCode"], module_defs: Mapping[str, set[str]] | None = None) -> list[str]:
        """Primary stages of a notebook's code cells, in order (see `label_notebook`)."""
        return [c.stage for c in self.label_notebook(cells, module_defs)]

    def label_notebook(self, cells: Sequence["CellCode"],
                       module_defs: Mapping[str, set[str]] | None = None) -> list[CellStage]:
        """Stages of every code cell from the def-use index of the notebook.

        `module_defs` maps a qualified function name of a module beside the notebook
        (`src.features.add_features`) to the features of its body, when the file was summarised.
        """
        defs: dict[str, set[str]] = {}
        for c in cells:
            for name, feats in c.defs.items():
                defs.setdefault(name, set()).update(feats)
        module_defs = module_defs or {}
        closure: dict[str, frozenset[str]] = {}
        # feature -> the function it calls whose body is known (`local:<name>` of a notebook-defined
        # function, `call:<module.name>` of a summarised module's), one dict probe per feature
        callee_of = {"local:" + n: n for n in defs}
        callee_of.update({"call:" + n: n for n in module_defs})

        def body(name: str, depth: int) -> frozenset[str]:
            hit = closure.get(name)
            if hit is not None:
                return hit
            closure[name] = frozenset()  # a recursive call sees an empty body
            feats = set(defs.get(name) or module_defs.get(name) or ())
            if depth < MAX_CALL_DEPTH:
                for f in list(feats):
                    callee = callee_of.get(f)
                    if callee is not None:
                        feats |= body(callee, depth + 1)
            closure[name] = out = frozenset(feats)
            return out

        staged: dict[str, tuple[frozenset[str], str, int]] = {}

        def callees(feats: Iterable[str]) -> list[tuple[frozenset[str], str, int]]:
            """(body features, stage, band) of the notebook- or module-defined functions a statement calls."""
            if not defs and not module_defs:
                return []
            out = []
            for f in feats:
                if f[:6] == "local:":
                    callee = f[6:]
                    if callee not in defs:
                        continue
                elif module_defs and f[:5] == "call:" and f[5:] in module_defs:
                    callee = f[5:]
                else:
                    continue
                hit = staged.get(callee)
                if hit is None:
                    b = body(callee, 1)
                    staged[callee] = hit = (b, self.function_stage(callee, b), self.label_band(b)[1])
                out.append(hit)
            return out

        def expand(feats: set[str]) -> set[str]:
            if callee_of.keys().isdisjoint(feats):
                return feats  # calls nothing the notebook defines: the features are what they are
            out = set(feats)
            for f in feats:
                callee = callee_of.get(f)
                if callee is not None:
                    out |= body(callee, 1)
            return out

        later: list[set[str]] = [set() for _ in cells]
        seen_reads: set[str] = set()
        for i in range(len(cells) - 1, -1, -1):
            later[i] = seen_reads.copy() if i < len(cells) - 1 else set()
            seen_reads |= cells[i].reads
        last_def: dict[str, int] = {}
        out: list[CellStage] = []
        weak: list[set[str]] = []  # names a cell defines by weak evidence only (literals, plain assignments)
        for i, c in enumerate(cells):
            reads_from = {n: last_def[n] for n in sorted(c.reads) if n in last_def}
            if c.status == "empty" or not c.stmt_kind:
                fallback = self.label(expand(set(c.features()))) if c.status not in ("empty",) else "other"
                out.append(CellStage(fallback, frozenset({fallback}) if c.status != "empty" else frozenset(), reads_from))
                weak.append(set())
            else:
                st, w = self._cell_stage(c, later[i], expand, reads_from, out, callees)
                out.append(st)
                weak.append(w)
            for n in c.defined:
                last_def[n] = i
        # a cell whose products are weak (a list of columns, a dict of settings, a toggle) serves the
        # cells that read them: it takes the primary stage of its first reader
        for i, names in enumerate(weak):
            if not names:
                continue
            for j in range(i + 1, len(cells)):
                if cells[j].reads & names and not weak[j]:
                    if out[j].stage not in ("other",):
                        stage = "setup" if out[j].stage == "load" else out[j].stage
                        if stage in ("LI", "PPR") and _chooses_columns(cells[i], names):
                            stage = "DPR"  # a list of column or label names chosen for a model (codebook: DPR)
                        out[i].stage = stage
                        out[i].stages = frozenset(out[i].stages | {out[i].stage})
                    break
        self._follow_readers(cells, out)
        self._handed_to_training(cells, out)
        return out

    def _handed_to_training(self, cells: Sequence["CellCode"], out: list[CellStage]) -> None:
        """A metric or loss that a cell defines (a function or class staged PPR) and that later code only
        hands to a model, a trainer or a training call as an argument (`eval_metric=MyMetric()`,
        `Learner(..., metrics=acc)`) is LI: the loop decides (codebook 2.1, decision 3). A metric helper
        that code calls itself to compute a score stays PPR, also when a training loop calls it too."""
        for i, (st, c) in enumerate(zip(out, cells)):
            if st.stage != "PPR" or not c.defined or not all(n.lower() in c.defs for n in c.defined):
                continue
            names = {n.lower() for n in c.defined}
            # a function is handed over by name (`metrics=acc`); a class by an instance made in the argument
            # (`eval_metric=MyMetric()`, named in CapWords): a call of a function is code calling it itself
            classes = {n.lower() for n in c.defined if n[:1].isupper()}
            passed = called = False
            for j in range(i + 1, len(cells)):
                if not any(out[j].reads_from.get(n) == i for n in c.defined):
                    continue
                for feats in cells[j].stmt_feats:
                    mine = {f for f in feats if f[6:] in names and f[:6] == "local:" or f[4:] in names and f[:4] == "var:"}
                    if not mine:
                        continue
                    own, band = self.label_band(feats - mine)
                    if own == "LI" and band == 0 and all(f[:4] == "var:" or f[6:] in classes for f in mine):
                        passed = True  # named inside a statement that builds or trains a model: handed to it
                    else:
                        called = True
            if passed and not called:
                st.stage = "LI"
                st.stages = frozenset(st.stages | {"LI"})

    @staticmethod
    def _follow_readers(cells: Sequence["CellCode"], out: list[CellStage]) -> None:
        """Purpose is what later cells read (codebook 2.0, rule 1), applied across cells.

        - A cell that only looked at data (EDA) but defines values that later pre-processing, modelling
          or post-processing cells read serves them: data handed on towards a model is DPR (`labels =
          ds.features[...]` shown, then used to encode), values handed to post-processing are PPR.
        - A pre-processing cell whose values are read only by exploration cells (a scratch frame made
          for plots) is exploration: nothing of it reaches a model. Walked from the last cell back, so a
          chain of scratch frames ending in plots is exploration throughout.
        Readers are found through each cell's def-use links (`reads_from`), so a name redefined in between
        is not followed."""
        readers: list[list[int]] = [[] for _ in cells]
        for j, st in enumerate(out):
            for i in sorted(set(st.reads_from.values())):
                if i != j:
                    readers[i].append(j)
        # a notebook without a model: its data work serves later notebooks (or files), not only its plots
        models = any(st.stage == "LI" for st in out)
        picks = [_picks_a_sample(c) for c in cells]
        reaches = [False] * len(cells)  # does a value of the cell flow, through readers, into a model cell?
        for i in range(len(cells) - 1, -1, -1):
            reaches[i] = out[i].stage == "LI" or any(reaches[j] for j in readers[i])
        first_def: dict[str, int] = {}
        for i, c in enumerate(cells):
            for n in c.defined:
                first_def.setdefault(n, i)
        StageRules._mark_demonstrations(cells, out, reaches)
        for i in range(len(cells) - 1, -1, -1):
            st, c = out[i], cells[i]
            if not c.defined:
                continue
            if st.stage == "EDA" and readers[i] and not all(n.lower() in c.defs for n in c.defined) and not picks[i]:
                # values (not functions) that readers make something of: handed on to post-processing, or
                # on a path of values into a model (a sample picked out to look at, then decoded for a look, is not)
                first = min((j for j in readers[i] if cells[j].defined and (
                    (out[j].stage == "PPR" and readers[j]) or (out[j].stage in ("DPR", "LI") and reaches[j]))), default=None)
                if first is not None:
                    st.stage = "PPR" if out[first].stage == "PPR" else "DPR"
                    st.stages = frozenset(st.stages | {st.stage})
            elif st.stage == "DPR" and not reaches[i] and not any(k in ("save", "effect") for k in c.stmt_kind) \
                    and any(picks[j] for j in set(st.reads_from.values())):
                # work on one example or batch picked out to look at (decoding its labels, running the
                # tokenizer on it) that nothing carries into a model: a look at the data
                st.stage = "EDA"
                st.stages = frozenset(st.stages | {"EDA"})
            elif st.stage == "DPR" and readers[i] and models and not st.stages & {"LI", "PPR"} \
                    and {out[j].stage for j in readers[i]} == {"EDA"} \
                    and all(first_def[n] == i for n in c.defined) and not any(k in ("save", "effect") for k in c.stmt_kind):
                # new values only (no frame of the workflow changed in place), nothing written
                st.stage = "EDA"
                st.stages = frozenset(st.stages | {"EDA"})

    @staticmethod
    def _mark_demonstrations(cells: Sequence["CellCode"], out: list[CellStage], reaches: list[bool]) -> None:
        """Tutorial demonstrations are `other` (codebook: tutorial code unrelated to the workflow).

        Data lineage through the def-use links: a cell holds data when it loads something or reads a
        value of a cell that does (transitively). A cell that explores or prepares values descending
        from no loaded data (literals, `np.linspace`, random toy arrays, a colour map) and whose values
        flow into no model cell demonstrates a library; it is not a step of a workflow."""
        for i, st in enumerate(out):
            c = cells[i]
            if st.stage == "DPR" and reaches[i] and c.defined and not c.defs and _generates_values(c) and not any(
                    k in ("save", "effect") for k in c.stmt_kind) and all(
                    out[j].stage in ("setup", "other") or (cells[j].defined and all(
                        n.lower() in cells[j].defs for n in cells[j].defined)) for j in st.reads_from.values()):
                # values made from nothing the notebook loaded or prepared (random or literal arrays, a
                # generator of the notebook's own) that a model is fitted on: generating the dataset is loading
                st.stage = "load"
                st.stages = frozenset(st.stages | {"load"})
        if not any("load" in st.stages for st in out):
            return  # no data loaded that the rules can see (a fragment, data from elsewhere): lineage tells nothing
        readers: list[list[int]] = [[] for _ in cells]
        for j, st in enumerate(out):
            for i in set(st.reads_from.values()):
                if i < j:
                    readers[i].append(j)
        data = [False] * len(cells)
        for i, st in enumerate(out):
            data[i] = bool(st.stages & {"load", "LI", "PPR"}) or any(data[j] for j in st.reads_from.values() if j < i)
        demo = [False] * len(cells)
        for i in range(len(cells) - 1, -1, -1):
            st, c = out[i], cells[i]
            demo[i] = st.stage in ("EDA", "DPR", "other") and not data[i] and not reaches[i] and not c.defs \
                and bool(c.stmt_kind) and not any(k == "save" for k in c.stmt_kind) \
                and all(demo[j] for j in readers[i])
        for i, st in enumerate(out):
            if demo[i] and st.stage != "other":
                st.stage = "other"
                st.stages = frozenset(st.stages | {"other"})

    def feature_role(self, feature: str) -> str | None:
        """The catalogue role of a call or method feature (`method:fit@...` -> fit), None when uncatalogued."""
        try:
            return self._roles[feature]
        except KeyError:
            pass
        role = None
        if self.catalogue is not None:
            kind, _, name = feature.partition(":")
            if kind == "call":
                e = self.catalogue.call(name)
                role = e.role if e is not None else None
            elif kind == "method":
                e = self.catalogue.method(name.split("@", 1)[0])
                role = e.role if e is not None else None
        self._roles[feature] = role
        return role

    def trains(self, features: Iterable[str]) -> bool:
        """Does a statement build, fit or tune a model (a strong LI call that is not a prediction)?

        Predicting and then scoring is evaluation, not training: only model work other than
        predicting makes a statement that also computes a metric count as training (codebook: a
        training loop that logs a metric is LI; scoring predictions is PPR)."""
        for f in features:
            if f[:5] == "attr:" or f[:4] == "var:":
                continue  # reading a fitted model's attribute or naming a model is no training
            role = self.feature_role(f)
            if role in ("predict", "metric", "explain"):
                continue
            rule = self.feature_rule(f)
            if rule is not None and rule.stage == "LI" and rule.precedence >= BANDS[0]:
                return True
        return False

    def band_stages(self, features: Iterable[str], band: int) -> set[str]:
        """The stages of the features that fall in one precedence band."""
        return {stage for b, stage in self._banded(features) if b == band}

    @staticmethod
    def _reads_results(feats: Iterable[str], reads_from: dict[str, int], done: list[CellStage],
                       lower: dict[str, int] | None = None) -> bool:
        """Does a statement use a value made by a post-processing cell, or a variable named for results?

        `lower` is `reads_from` keyed by lower-case name (the caller may pass it, built once per cell)."""
        if not reads_from:
            return False
        if lower is None:
            lower = _lower_index(reads_from)
        for f in feats:
            name = _read_name(f)
            if name is not None:
                j = lower.get(name)
                # a plain read of a value a post-processing cell made, or any read of one named for results
                # (a method call on it, `test_preds.tolist()`, counts by its name only: the name is the evidence)
                if j is not None and ((f[:4] == "var:" and j < len(done) and done[j].stage == "PPR")
                                      or (_is_result_name(name) and not _is_path_name(name))):
                    return True
        return False

    def function_stage(self, name: str, body: Iterable[str]) -> str:
        """The stage of a notebook-defined function: a reliable name decides (`evaluate_model`,
        `compute_score`: a rule of precedence >= 30 on `local:<name>`), else what its body mostly does."""
        rule = self.feature_rule(f"local:{name}")
        if rule is not None and rule.precedence >= BANDS[0] and rule.stage != "other":
            return rule.stage
        if self._is_training_code(body):
            return "LI"
        shown = self._shows_what(body)
        if shown is not None:
            return shown
        return self.label_majority(body)

    def _set_up_receiver(self, feature: str) -> bool:
        """Is `feature` a method of an object a catalogued set-up call made (`method:whoami@huggingface_hub.HfApi`)?"""
        if feature[:7] != "method:":
            return False
        at = feature.find("@")
        if at == -1 or feature[at + 1:at + 5] in ("var:", "loca"):
            return False
        return self.feature_stage("call:" + feature[at + 1:]) == "setup"

    def _is_training_code(self, body: Iterable[str]) -> bool:
        """Is a notebook-defined function or class a model or a training loop whatever else it logs or scores:
        a subclass of a model or training-loop class (`base:` evidence staged LI in the strongest band:
        `nn.Module`, a toolkit's `Brain` or task class), or a body that takes gradient steps (a `backward` and an
        optimiser `step`)? Its metric helpers and printed accuracies serve the loop (codebook 2.0, decision 3),
        so counting the body's features (`label_majority`) must not make it evaluation."""
        back = step = False
        for f in body:
            if f[:5] == "base:":
                rule = self.feature_rule(f)
                if rule is not None and rule.stage == "LI" and rule.precedence >= BANDS[0]:
                    return True
            elif f[:7] == "method:":
                m = f[7:].split("@", 1)[0]
                back = back or m == "backward"
                step = step or m == "step"
        return back and step

    def _shows_what(self, body: Iterable[str]) -> str | None:
        """A helper whose body draws or shows (plot or display calls) and trains nothing is a display helper
        (codebook: what its body does for the caller): PPR when what it draws is model output (it predicts,
        scores, runs a model or reads values named for results), else EDA. None for any other body."""
        feats = body if isinstance(body, (set, frozenset)) else set(body)
        plots = work = 0
        for f in feats:
            if f[:5] == "call:" or f[:7] == "method:":
                role = self.feature_role(f)
                if role == "plot" or (role == "display" and f.split("@", 1)[0] not in _PRINTS):
                    plots += 1
                else:
                    rule = self.feature_rule(f)
                    if rule is not None and rule.precedence >= BANDS[0] and rule.stage not in ("setup", "other"):
                        work += 1
        if plots == 0 or plots < work or self.trains(feats):
            return None  # mostly other work: a feature function that also prints, a training loop that plots
        for f in feats:
            name = _read_name(f)
            if name is not None and _is_result_name(name):
                return "PPR"
            role = self.feature_role(f) if f[:5] == "call:" or f[:7] == "method:" else None
            if role in ("predict", "metric", "explain"):
                return "PPR"
            rule = self.feature_rule(f)
            if rule is not None and rule.precedence >= BANDS[0] and rule.stage in ("LI", "PPR"):
                return "PPR"
        return "EDA"

    def label_majority(self, features: Iterable[str]) -> str:
        """The most frequent stage among the strongest band's features (ties: the latest stage).

        Used for the bodies of functions and classes: a training function that also logs a metric
        is training, a feature function with one model-looking call is still feature code."""
        counts: dict[int, dict[str, int]] = {}
        for band, stage in self._banded(features):
            d = counts.setdefault(band, {})
            d[stage] = d.get(stage, 0) + 1
        if not counts:
            return "other"
        d = counts[min(counts)]
        real = {k: v for k, v in d.items() if k not in ("setup", "other")} or d
        return max(real, key=lambda s: (real[s], STAGE_RANK[s]))

    def _cell_stage(self, c: "CellCode", later: set[str], expand, reads_from: dict[str, int],
                    done: list[CellStage], callees=lambda f: []) -> tuple[CellStage, set[str]]:
        stmt_stage, stmt_band = [], []
        lower = _lower_index(reads_from)
        local_defs = c.defs
        made_here: dict[str, str] = {}  # lower-case name -> LI or PPR: values this cell made by model work
        results_here: set[str] = set()  # lower-case names this cell made by predicting or post-processing
        predicts: list[bool] = []  # per statement: runs a model (predicts, calls a fitted model) and trains nothing
        defines_training = False  # does the cell define a model class or a training loop (`_is_training_code`)?
        loaded_here: set[str] = set()  # lower-case names this cell made by a load call (bands 0-1)
        set_up_here: set[str] = set()  # lower-case names this cell made by set-up calls (a session, a client)
        for f, kind, d in zip(c.stmt_feats, c.stmt_kind, c.stmt_defs):
            if not f:
                stmt_stage.append("other")
                stmt_band.append(9)
                predicts.append(False)
                continue
            called = None
            bodies = callees(f)
            feats = f.union(*(b for b, _, _ in bodies)) if bodies else f
            stage, band = self.label_band(feats)
            if band > 0:
                called = self._called_value_stage(f, made_here, lower, done)
                if called is not None:
                    stage, band = called, 0  # calling a value a model or an explainer made: what that value does
            elif stage == "LI" and self._fits_a_result(f, made_here, lower, done):
                stage = "PPR"  # fitting an explainer made by post-processing: it explains (codebook decision 9)
            defines_local = bool(local_defs) and bool(d) and any(n.lower() in local_defs for n in d)
            is_def = defines_local and kind == "define" and all(n.lower() in local_defs for n in d)
            if bodies and not defines_local:
                # a call of a notebook-defined function: what that function mostly does (codebook rule 4)
                made = [st for _, st, _ in bodies if st != "other"]
                if made:
                    own, own_band = self.label_band(f)
                    if own_band == 0 and own != "other":
                        made.append(own)
                    stage = max(made, key=STAGE_RANK.__getitem__)
                    band = min(own_band, min(b for _, _, b in bodies))
                    if stage == "PPR" and self.trains(f):
                        stage = "LI"  # a training loop that calls a metric function to log it is training
            if stage == "PPR" and band == 0 and self.band_stages(feats, 0) >= {"LI", "PPR"} and not _result_names(d) \
                    and self.trains(feats):
                stage = "LI"  # training that also scores itself is training (codebook 2.0)
            elif stage == "DPR" and (self._reads_results(f, reads_from, done, lower) or (results_here and any(
                    _read_name(x) in results_here for x in f if x[:4] == "var:"))):
                stage = "PPR"  # a table built from results or predictions (of this cell or earlier) is post-processing
            if is_def and any(x[:6] == "local:" and x[6:] in local_defs for x in f):  # a definition: its body
                stage = self.function_stage(sorted(d)[0].lower(), feats) if len(d) == 1 else self.label_majority(feats)
                if stage == "LI" and band == 0 and self._is_training_code(feats):
                    defines_training = True
            if stage == "PPR" and band >= 1 and kind == "define" and (loaded_here or d):
                # `result = pyreadr.read_r(path)` then `df = result["table"]`: a name that sounds like results, but
                # the value was read from a file in this cell: the name is no evidence (what the cell leaves is data)
                named = loaded_here | {n.lower() for n in d}
                rest = [x for x in feats if not (x[:4] == "var:" and x[4:] in named)]
                if len(rest) < len(feats):
                    own, own_band = self.label_band(rest)
                    if own == "load" and own_band <= 1 or (own != "PPR" and any(
                            x[:4] == "var:" and x[4:] in loaded_here for x in feats)):
                        stage, band = own, own_band
                    elif all(x[:7] == "syntax:" for x in rest):
                        band = 3  # `CLEANUP_RESULTS = True`: a literal whose name is its only evidence, a name hint
            if stage == "load" and band <= 1 and kind == "define" and d:
                loaded_here.update(n.lower() for n in d)
            if band >= 2 and stage != "setup" and kind == "define" and any(
                    _read_name(x) in set_up_here or self._set_up_receiver(x) for x in f):
                # a value read off a set-up object by weak evidence only (`region = session.region_name`,
                # `user = api.whoami()["name"]`): part of the configuration (codebook: setup), kept as set-up
                # whoever reads it (band 1: not a weak product that takes its first reader's stage)
                stage, band = "setup", 1
            if stage == "setup" and kind == "define" and d and (band == 0 or set_up_here) and not all(
                    x[:7] == "import:" for x in f):
                set_up_here.update(n.lower() for n in d)
            stmt_stage.append(stage)
            stmt_band.append(band)
            predicts.append(stage == "LI" and not bodies and called == "LI")  # calls a model; predict calls: below
            if band == 0 and stage in ("LI", "PPR"):
                for n in d:
                    made_here[n.lower()] = stage
            if d and kind == "define" and stage == "LI" and band == 0 and any(
                    self.feature_role(x) == "predict" for x in f if x[:7] == "method:" or x[:5] == "call:"):
                results_here.update(n.lower() for n in d)  # predictions made here
        source_stages = {done[j].stage for j in reads_from.values() if j < len(done)}
        kinds = list(c.stmt_kind)
        for i, k in enumerate(kinds):
            if k == "define" and self._plots_only(c.stmt_feats[i]):
                kinds[i] = "display"  # `fig, ax = plt.subplots()`: a figure to draw in is a display part
            elif k in ("none", "effect") and stmt_stage[i] != "other" and stmt_band[i] <= 1:
                bodies = callees(c.stmt_feats[i])
                if self._plots_only(c.stmt_feats[i].union(*(b for b, _, _ in bodies)), known_only=True):
                    kinds[i] = "display"  # a loop of plots, a call of a plotting helper: shown, nothing left
                else:
                    kinds[i] = "effect"  # a loop or block that does work in place (`for d in frames: d["x"] = ...`)
        products = [i for i, k in enumerate(kinds)
                    if k == "define" or (k == "effect" and stmt_stage[i] != "other")]
        saves = [i for i, k in enumerate(kinds) if k == "save"]
        # what later cells read, and work done in place or on disk (an effect leaves no name, but its result)
        read_later = [i for i in products if c.stmt_defs[i] & later or (kinds[i] == "effect" and stmt_band[i] <= 1)]
        kept = read_later or products
        imports_only = bool(kept) and all(
            stmt_stage[i] == "setup" and all(f.startswith("import:") for f in c.stmt_feats[i]) for i in kept)
        if imports_only:
            work = [i for i in products if stmt_band[i] == 0 and stmt_stage[i] not in ("setup", "other")]
            if work:
                # the names later cells read are imports, but the cell also does library work nothing reads by
                # name (`env = Environment(...)` that a library finds by itself): the work is the product, the
                # imports are set-up touched on the way (codebook rule 2: what the code works towards)
                kept = work
            elif any(k == "display" for k in kinds):
                kept = []  # imports made for what the cell shows: the display decides
        touched = {s for s, b in zip(stmt_stage, stmt_band) if s != "other" and b <= 1}  # name hints touch nothing
        if c.imports:
            touched.add("setup")
        weak: set[str] = set()
        if kept:
            cand = [stmt_stage[i] for i in kept]
            strong = [i for i in kept if stmt_stage[i] not in ("setup", "other")]
            # the strongest evidence decides: a name hint (`model_id = "bert"`) does not outrank a call
            top = min((stmt_band[i] for i in strong), default=9)
            pool = [stmt_stage[i] for i in strong if stmt_band[i] == top] or cand
            primary = max(pool, key=STAGE_RANK.__getitem__)
            if primary == "DPR" and "load" in {stmt_stage[i] for i in products if stmt_band[i] <= 1}:
                # reading data and tidying it: the main product is the frame read unless most of the
                # statements work on it (codebook 2.0: what the largest part of the code works towards)
                n_load = sum(1 for i in range(len(kinds)) if stmt_stage[i] == "load" and stmt_band[i] <= 1)
                n_dpr = sum(1 for i in range(len(kinds)) if stmt_stage[i] == "DPR" and stmt_band[i] <= 1)
                if n_load > n_dpr or _tidies_what_it_read(c, stmt_stage, stmt_band):
                    primary = "load"
            shows = any(k == "display" for k in kinds)
            all_weak = all(stmt_band[i] >= 3 or (stmt_band[i] >= 2 and stmt_stage[i] == "setup") for i in kept)
            if not all_weak and shows and all(stmt_band[i] >= 2 for i in kept):
                shown = {f[4:] for i, k in enumerate(kinds) if k == "display" for f in c.stmt_feats[i] if f[:4] == "var:"}
                # picked out by a name-hinted subscript or the like, then shown here: a peek at the data
                all_weak = all({n.lower() for n in c.stmt_defs[i]} <= shown for i in kept)
            made_names = set().union(*(c.stmt_defs[i] for i in kept))  # not `made`: a list above (mypyc)
            if primary == "LI" and saves and not any(self.trains(expand(set(c.stmt_feats[i]))) for i in kept) \
                    and any(stmt_stage[j] == "PPR" and (c.stmt_defs[j] & made_names or not c.stmt_defs[j]) for j in saves):
                primary = "PPR"  # predictions put in a table and written (a submission): post-processing
            if all_weak:
                loaded = {n.lower() for i in products if stmt_stage[i] == "load" and stmt_band[i] == 0
                          for n in c.stmt_defs[i]}
                if loaded and all(any(x[:4] == "var:" and x[4:] in loaded for x in c.stmt_feats[i]) for i in kept):
                    # `adult = fetch_adult()` then `X = adult.data`: the parts later cells read are taken out of
                    # what the cell itself loaded, so the cell loads them (decision 8, read then tidy)
                    primary, all_weak = "load", False
            if primary == "LI" and any(m[:4] == "eval" and m[4:5] in ("", "@") for m in c.methods) and any(
                    q.endswith(".from_pretrained") for q in c.calls) and all(
                    self._runs_pretrained_as_is(c.stmt_feats[i]) for i in strong if stmt_stage[i] == "LI"):
                primary = "load"  # a pretrained model loaded and put in inference mode: used as is (codebook: load)
            if primary == "DPR" and not read_later and not saves and source_stages & {"LI", "PPR"} and any(
                    k == "display" and self._plots_only(c.stmt_feats[i]) and any(
                        self.feature_role(x) == "plot" for x in c.stmt_feats[i]) for i, k in enumerate(kinds)) and not any(
                    self.feature_role(x) in ("split", "fit") for x in c.features()):
                # arrays made from what modelling cells left, only to be drawn here and read by no later cell: a
                # plot of results (best value per iteration, a training log), not pre-processing
                primary = "PPR"
            if primary == "PPR" and defines_training and not saves and top == 0:
                # the cell defines its model or training loop (with its metric helpers) and may run and score it:
                # the definitions are most of the code and what later cells use (codebook 2.0, decision 3): LI
                primary = "LI"
            if primary == "LI" and not read_later and all(
                    predicts[i] or self._predicts(expand(c.stmt_feats[i])) for i in strong if stmt_stage[i] == "LI"):
                primary = "PPR"  # a model run on a few inputs to show what it outputs, kept by no later cell (decision 11)
            if all_weak and shows:
                primary = self._display_stage(c, expand, source_stages)  # made to be looked at here
            elif all_weak and not c.imports and not saves and not all(stmt_stage[i] == "setup" and any(
                    x[:5] == "call:" and self.feature_stage(x) == "setup" for x in c.stmt_feats[i]) for i in kept):
                # (a path or folder built by set-up calls, `ckpt = os.path.join(root, "model.ckpt")`, stays set-up
                # whoever reads it: codebook, setup includes paths and folder constants)
                weak = set().union(*(c.stmt_defs[i] for i in kept))
            elif primary == "EDA" and not shows and all(stmt_stage[i] in ("EDA", "setup", "other") for i in kept):
                weak = set().union(*(c.stmt_defs[i] for i in kept))  # a summary kept for later: its readers decide
        elif saves:
            # writing a file: the stage of what is written (features -> DPR, predictions/models -> PPR)
            primary = "DPR" if source_stages and source_stages <= {"load", "EDA", "DPR", "setup"} else "PPR"
        elif not c.magics and not c.imports and any(k == "none" and c.stmt_feats[i] for i, k in enumerate(kinds)) \
                and all(k == "none" and c.stmt_feats[i] and all(f[:4] == "var:" for f in c.stmt_feats[i])
                        or (stmt_stage[i] == "other" and stmt_band[i] == 0) for i, k in enumerate(kinds)):
            primary = "other"  # `del frames; gc.collect()`: freeing memory is housekeeping, it looks at nothing
        else:
            primary = self._display_stage(c, expand, source_stages,
                                          self._reads_results(set(c.features()), reads_from, done),
                                          any(k == "display" for k in kinds))
            configures = any(stmt_stage[i] == "setup" and stmt_band[i] == 0 for i in range(len(kinds)))
            if primary == "setup" and c.imports and any(k == "display" for k in kinds) and not configures:
                primary = "other"  # imports made only to show something (a picture, a version)
        if primary == "PPR" and "EDA" in touched and not any(
                stmt_stage[i] == "EDA" and stmt_band[i] <= 1 and kinds[i] != "display" for i in range(len(kinds))):
            touched.discard("EDA")  # the plots and views of a post-processing cell look at results, not data
            touched.add("PPR")
        touched.add(primary)
        if len(touched) > 1:
            touched.discard("other")
        return CellStage(primary, frozenset(touched), reads_from), weak

    @staticmethod
    def _called_value_stage(feats: Iterable[str], made_here: dict[str, str], lower: dict[str, int],
                            done: list[CellStage]) -> str | None:
        """The stage of a value that a statement calls (`shap_values = explainer(X)`, `out = model(x)`)
        when the value is no notebook-defined function but an object made by model work (LI) or by
        post-processing (PPR), in this cell or in the cell that last defined it: calling it runs what it is."""
        for f in feats:
            if f[:6] != "local:":
                continue
            name = f[6:]
            st = made_here.get(name)
            if st is None:
                j = lower.get(name)
                if j is not None and j < len(done) and done[j].stage in ("LI", "PPR"):
                    st = done[j].stage
            if st is not None:
                return st
        return None

    def _fits_a_result(self, feats: Iterable[str], made_here: dict[str, str], lower: dict[str, int],
                       done: list[CellStage]) -> bool:
        """Is a statement's model work only methods called on values that post-processing made (`explainer =
        explainer.fit(X)` after `explainer = CounterfactualExplainer(...)` was staged PPR)? Such a value is an
        explainer or a results object, so fitting it explains; any other model evidence keeps the statement LI."""
        rest, seen = [], False
        for f in feats:
            if f[:7] == "method:" and "@var:" in f:
                name = f.split("@var:", 1)[1]
                st = made_here.get(name)
                if st is None:
                    j = lower.get(name)
                    st = done[j].stage if j is not None and j < len(done) else None
                if st == "PPR":
                    seen = True
                    continue
            rest.append(f)
        if not seen:
            return False
        own, band = self.label_band(rest)
        return not (own == "LI" and band == 0)

    def _predicts(self, feats: Iterable[str]) -> bool:
        """Does a statement predict with a model (a catalogued predict call or method) and train nothing?"""
        return any(self.feature_role(x) == "predict" for x in feats if x[:7] == "method:" or x[:5] == "call:") \
            and not self.trains(feats)

    def _runs_pretrained_as_is(self, feats: Iterable[str]) -> bool:
        """Is a statement's model work only loading a pretrained model, moving it to a device or switching it to
        inference (`m = AutoModel.from_pretrained(name).to(device)`, `m.eval()`)?"""
        rest, seen = [], False
        for x in feats:
            if x[:5] == "call:" and x.endswith(".from_pretrained"):
                seen = True
            elif x[:7] == "method:" and x[7:].split("@", 1)[0] in ("eval", "to", "cuda", "requires_grad_"):
                seen = True
            else:
                rest.append(x)
        return seen and not self.trains(rest)

    def _plots_only(self, feats: Iterable[str], known_only: bool = False) -> bool:
        """Are the calls of a statement all display or plot calls (`fig, ax = plt.subplots(2)`)?

        `known_only`: calls the catalogue does not know (a notebook's own helper, whose body the
        features already hold) are passed over, and at least one plot call is needed."""
        seen = False
        for f in feats:
            if known_only and f[:6] == "local:" and self.feature_stage(f) == "EDA":
                seen = True  # a helper named for plotting (`plot_history(...)`)
            elif f[:5] == "call:" or f[:7] == "method:":
                role = self.feature_role(f)
                if role is None and known_only and self.feature_stage(f) in (None, "other", "EDA"):
                    continue
                if role not in DISPLAY_ROLES:
                    return False
                seen = True
        return seen

    def _display_stage(self, c: "CellCode", expand, source_stages: set[str], reads_results: bool = False,
                       shows: bool = True) -> str:
        """A cell that defines nothing: the stage of what it looks at (codebook: display-only parts)."""
        feats = expand(set(c.features()))
        own, band = self.label_band(feats)
        if own == "PPR" and band == 0:
            return "PPR"
        if own == "LI" and band == 0 and self._predicts(feats):
            return "PPR"  # predictions made only to be shown (`model.predict([17.0])`): model output looked at (decision 11)
        if source_stages - {"setup", "other"} == {"LI"} and ((own == "LI" and band >= 2) or "attr:config" in c.features()):
            return "other"  # `print(model)`, `model.config.hidden_size`: a view of a model's make-up, a configuration
        if "PPR" in source_stages and own != "EDA":
            return "PPR"  # looking at results (not a plot or summary of the data)
        data = source_stages - {"setup", "other"}
        if data == {"PPR"}:
            return "PPR"  # every value looked at was made by post-processing: a plot or view of results
        if data and data <= {"LI", "PPR"} and own in ("EDA", "DPR") and "attr:config" not in c.features():
            return "PPR"  # a view of what modelling cells made (fitted attributes, search results, histories)
        if own == "load" and shows:
            return "EDA"  # `pd.read_csv(...)` shown, not kept: looking at input data
        if own == "setup" and band >= 2:
            return "other"  # looking at a configuration value (`print(config.device)`)
        if own == "setup" and not c.magics and not c.imports and all(
                k == "display" for k, f in zip(c.stmt_kind, c.stmt_feats) if f and self.label(f) == "setup"):
            return "other"  # the set-up call is what is shown (`print(os.listdir(path))`): a list of files
        if reads_results:
            return "PPR"  # a plot or print of predictions, scores or a results table
        if own in ("EDA", "other", "DPR", "load") and source_stages & {"load", "EDA", "DPR"}:
            return "EDA"
        return own


@lru_cache(maxsize=65536)
def _is_result_name(name: str) -> bool:
    from mliter.traces.operators import RESULT_NAME

    return RESULT_NAME.search(name) is not None


_PATH_NAME = re.compile(r"(dir|path|file|folder)(name)?s?$")


@lru_cache(maxsize=65536)
def _is_path_name(name: str) -> bool:
    """Is `name` (lower case) named for a path or folder (`result_dir`, `output_path`)? A path for results is
    set-up, so reading it is no use of results."""
    return _PATH_NAME.search(name) is not None


def _read_name(feature: str) -> str | None:
    """The variable a feature reads: `var:x`, or the receiver of `method:m@var:x` (`preds.tolist()`)."""
    if feature[:4] == "var:":
        return feature[4:]
    if feature[:7] == "method:":
        at = feature.find("@var:")
        if at != -1:
            return feature[at + 5:]
    return None


#: Methods that fit an object's parameters to data: on a catalogued transformation they prepare features.
_FITS = frozenset({"fit", "partial_fit", "train"})

#: Display calls that print text: a function that prints while it works is no display helper.
_PRINTS = frozenset({"call:print", "call:display", "call:IPython.display.display", "method:head", "method:info"})
_SAMPLE_PICKS = frozenset({"call:next", "method:one_batch", "method:sample", "method:take"})


def _picks_a_sample(cell: "CellCode") -> bool:
    """Does every statement of `cell` that defines something pick out one item or batch to look at
    (`example = ds["train"][0]`, `batch = next(iter(loader))`)? Later code run on such a sample is a demo,
    not the workflow's path into a model."""
    found = False
    for feats, defs, kind in zip(cell.stmt_feats, cell.stmt_defs, cell.stmt_kind):
        if kind != "define" or not defs:
            continue
        calls = {f for f in feats if f[:5] == "call:" or f[:7] == "method:"}
        picked = {f.split("@", 1)[0] for f in calls} & _SAMPLE_PICKS or (not calls and "syntax:item" in feats)
        if not picked:
            return False
        found = True
    return found


_RANDOM = re.compile(r"call:(numpy|torch|tensorflow)\.random\..*|call:random\..*|call:torch\.(rand|randn|randint)"
                     r"|call:numpy\.(linspace|arange)"
                     r"|method:(rand|randn|randint|normal|uniform|random|random_sample|choice|multivariate_normal)(@.*)?")
_ARRAYS = re.compile(r"call:(numpy|math|random|torch|tensorflow|matplotlib|seaborn)\..*"
                     r"|call:(range|len|list|zip|float|int|abs|sum|print)")


def _generates_values(cell: "CellCode") -> bool:
    """Does `cell` make random values from nothing but array and random-number calls (a synthetic dataset:
    `X = rng.rand(100, 1)`, `y = 3 * X + np.random.randn(100, 1)`)?"""
    random = False
    for f in cell.features():
        if _RANDOM.fullmatch(f):
            random = True
        elif (f[:5] == "call:" and not _ARRAYS.fullmatch(f)) or f[:6] == "local:":
            return False
    return random


#: At most this many pre-processing statements count as tidying a table just read (`_tidies_what_it_read`).
MAX_TIDY_STATEMENTS = 3


def _tidies_what_it_read(cell: "CellCode", stmt_stage: Sequence[str], stmt_band: Sequence[int]) -> bool:
    """Does every pre-processing statement of `cell` work on a table the cell itself read, and are there
    few of them (`df = pd.read_csv(...)`; `df.rename(...)`; `del df[2]`)? Reading data and tidying it a
    little is loading (codebook: the cell leaves the table read)."""
    loaded: set[str] = set()
    n_dpr = n_picked = 0
    for feats, defs, st, band in zip(cell.stmt_feats, cell.stmt_defs, stmt_stage, stmt_band):
        if band > 1:
            continue
        if st == "load":
            loaded |= {n.lower() for n in defs}
        elif st == "DPR":
            reads = {_read_name(f) for f in feats} - {None}
            if not reads & loaded or any(f[:6] == "local:" for f in feats):
                return False  # works on something else, or calls the notebook's own processing code
            low = {n.lower() for n in defs}
            if low and low <= reads <= loaded and all(f[:4] == "var:" or f[:7] == "syntax:" for f in feats):
                n_picked += 1  # `X_test = X_test[:50]`: a part of what was read kept, no call (a selection)
                continue
            n_dpr += 1
            loaded |= low
    return bool(loaded) and n_dpr <= MAX_TIDY_STATEMENTS and n_dpr + n_picked > 0


def _chooses_columns(cell: "CellCode", names: set[str]) -> bool:
    """Is every statement of `cell` that defines one of `names` a literal list of strings (`syntax:columns`)?"""
    found = False
    for feats, defs in zip(cell.stmt_feats, cell.stmt_defs):
        if defs & names:
            if "syntax:columns" not in feats:
                return False
            found = True
    return found


def _result_names(names: Iterable[str]) -> bool:
    return any(_is_result_name(n) for n in names)
