"""The one change-type classifier: which code of `coding/change_types.yaml` a version gets.

`classify(prev, cur)` compares two workflow signatures (`mliter.traces.versions.signature.Signature`)
and returns a `ChangeResult`: the code, the facets that changed, and diff sizes. The
decision is data-driven: `facets` computes which parts of the signature differ, and the
codebook's codes are tried in precedence order, the first whose `when` condition holds
wins. Notebook versions and OpenML runs go through the same function; an OpenML signature
has no cells, data files or hashes, so only the shared codes can come out for it.
"""

from __future__ import annotations

from mliter.errors import MliterError
import dataclasses
import difflib
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import yaml

from mliter.paths import CODING
from mliter.traces.versions.signature import DEFINE, SHOW, SUBSET_ROWS, CellDigest, Operator, Signature

DEFAULT_CHANGE_CODEBOOK = CODING / "change_types.yaml"
#: Facets the classifier computes; a codebook may only name these.
FACETS = ("first", "model_operator", "model_hyperparameter", "preprocessing_operator",
          "preprocessing_hyperparameter", "data_source", "evaluation", "eda", "code", "documentation")
CODE_TEXT_FIELDS = ("name", "definition", "include", "exclude", "example")


class ChangeCodebookError(MliterError, ValueError):
    """The change-type codebook is malformed; the message names the file, code and field."""


@dataclass(frozen=True)
class ChangeCode:
    code: str
    name: str
    precedence: int
    sources: tuple[str, ...]
    when: tuple[tuple[str, ...], ...]
    definition: str
    include: str
    exclude: str
    example: str

    def holds(self, facets: frozenset[str]) -> bool:
        """Every group of `when` has at least one changed facet (an empty `when` always holds)."""
        return all(any(f in facets for f in group) for group in self.when)


@dataclass(frozen=True)
class ChangeCodebook:
    version: str
    codes: tuple[ChangeCode, ...]  # sorted by precedence

    @property
    def code_names(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.codes)

    def decide(self, facets: frozenset[str]) -> str:
        return next(c.code for c in self.codes if c.holds(facets))


def load_change_codebook(path: str | Path = DEFAULT_CHANGE_CODEBOOK) -> ChangeCodebook:
    """Load and check the codebook: unique codes and precedences, known facets, one fallback last."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ChangeCodebookError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("codes"), list) or "version" not in doc:
        raise ChangeCodebookError(f"{path}: expected a mapping with 'version' and a 'codes' list")
    codes = []
    for i, raw in enumerate(doc["codes"]):
        where = f"{path}, codes[{i}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("code"), str):
            raise ChangeCodebookError(f"{where}: expected a mapping with a string 'code'")
        where += f" ({raw['code']})"
        for key in CODE_TEXT_FIELDS:
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise ChangeCodebookError(f"{where}: field {key!r} must be non-empty text")
        if not isinstance(raw.get("precedence"), int):
            raise ChangeCodebookError(f"{where}: 'precedence' must be an integer")
        when = raw.get("when")
        if not isinstance(when, list) or not all(isinstance(g, list) and g for g in when):
            raise ChangeCodebookError(f"{where}: 'when' must be a list of non-empty facet lists")
        unknown = sorted({f for g in when for f in g} - set(FACETS))
        if unknown:
            raise ChangeCodebookError(f"{where}: unknown facets {unknown}; known: {list(FACETS)}")
        codes.append(ChangeCode(raw["code"], raw["name"], raw["precedence"], tuple(raw.get("sources") or ()),
                                tuple(tuple(g) for g in when), raw["definition"], raw["include"],
                                raw["exclude"], raw["example"]))
    codes.sort(key=lambda c: c.precedence)
    for kind, values in (("code", [c.code for c in codes]), ("precedence", [c.precedence for c in codes])):
        dup = sorted({str(v) for v in values if values.count(v) > 1})
        if dup:
            raise ChangeCodebookError(f"{path}: duplicate {kind} {dup}")
    fallbacks = [c.code for c in codes if not c.when]
    if len(fallbacks) != 1 or codes[-1].when:
        raise ChangeCodebookError(f"{path}: exactly one code with `when: []` must come last by precedence, found {fallbacks}")
    return ChangeCodebook(str(doc["version"]), tuple(codes))


@lru_cache(maxsize=4)
def default_codebook(path: str = str(DEFAULT_CHANGE_CODEBOOK)) -> ChangeCodebook:
    return load_change_codebook(path)


@dataclass(frozen=True)
class OperatorDiff:
    """How one side (model or pre-processing) differs: operators added/removed, operators re-parameterised."""

    added: int = 0
    removed: int = 0
    reparameterised: int = 0
    params_changed: int = 0  # argument names whose value differs, over the re-parameterised pairs
    added_names: tuple[str, ...] = ()  # operator names of the added instances, sorted (repeats kept)
    removed_names: tuple[str, ...] = ()
    reparameterised_names: tuple[str, ...] = ()

    @property
    def operator_changed(self) -> bool:
        return bool(self.added or self.removed)


def operator_key(name: str) -> str:
    """The name two versions' operators are matched by: a library's callable by its library and its own name
    (`keras.layers.experimental.preprocessing.StringLookup` and `keras.layers.StringLookup`,
    `sktime.transformations.series.detrend.Detrender` and `sktime.transformations.detrend.Detrender`), since
    libraries move callables between modules and keep re-exporting them; a classmethod keeps its class
    (`transformers.AutoModel.from_pretrained`). Markers (`method:fillna`, `local:Net`, `pandas.setitem`) stay."""
    if ":" in name or name.count(".") < 2:
        return name
    parts = name.split(".")
    keep = 2 if parts[-1][:1].islower() and parts[-2][:1].isupper() else 1
    return ".".join([parts[0], *parts[-keep:]])


def _keyed(ops: Iterable[Operator]) -> list[Operator]:
    return sorted(Operator(operator_key(op.name), op.params) for op in ops)


#: Words of keyword names too generic to tie a renamed keyword to its old spelling.
_GENERIC_WORDS = frozenset({"", "n", "num", "is", "use", "do", "the", "of"})


def _words(key: str) -> frozenset[str]:
    return frozenset(re.split(r"[_.]", key.lower())) - _GENERIC_WORDS


def same_settings(a: Operator, b: Operator) -> bool:
    """The two instances differ only in keyword names an API renamed: every differing keyword of one has a
    counterpart in the other with the same value and a word in common (`root_results_path` -> `results_path`,
    `metrics_map` -> `metrics`, `cross_validation_params` -> `cv_params`). Such a port gives the model the same
    settings, so it is no re-parameterisation."""
    pa, pb = a.param_dict, b.param_dict
    only_a = {k: v for k, v in pa.items() if pb.get(k) != v}
    only_b = {k: v for k, v in pb.items() if pa.get(k) != v}
    if not only_a or len(only_a) != len(only_b) or set(only_a) & set(only_b):
        return False
    left = dict(only_b)
    for k, v in sorted(only_a.items()):
        match = next((k2 for k2, v2 in sorted(left.items()) if v2 == v and (
            _words(k) & _words(k2) or _initials(k) == k2 or _initials(k2) == k)), None)
        if match is None:
            return False
        del left[match]
    return True


def _initials(key: str) -> str:
    """`cross_validation_params` -> `cv_params`: the leading words shortened to their initials."""
    words = key.split(".")[-1].split("_")
    return "".join(w[:1] for w in words[:-1]) + "_" + words[-1] if len(words) > 2 else key


def diff_operators(prev: Iterable[Operator], cur: Iterable[Operator]) -> OperatorDiff:
    """Per operator name: instances only in one version are added/removed, pairs are re-parameterised.

    Instances are matched by (`operator_key`, arguments), an instance whose keywords were only renamed
    (`same_settings`) matching its old spelling; the unmatched ones of a name pair up in sorted order as
    re-parameterised, the rest count as added or removed.
    """
    prev, cur = list(prev), list(cur)
    # names as each version spells them, for the diff's names (the module a version imports it from)
    shown_prev = {operator_key(op.name): op.name for op in sorted(prev, reverse=True)}
    shown_cur = {operator_key(op.name): op.name for op in sorted(cur, reverse=True)}
    gone, new = Counter(_keyed(prev)), Counter(_keyed(cur))
    gone, new = gone - new, new - gone
    names_new = {op.name for op in new}
    for a in sorted(op for op in gone.elements() if op.name in names_new):
        b = next((b for b in sorted(new) if new[b] > 0 and b.name == a.name and same_settings(a, b)), None)
        if b is not None:
            gone[a] -= 1
            new[b] -= 1
    gone, new = +gone, +new
    by_name_gone: dict[str, list[Operator]] = {}
    by_name_new: dict[str, list[Operator]] = {}
    for op in sorted(gone.elements()):
        by_name_gone.setdefault(op.name, []).append(op)
    for op in sorted(new.elements()):
        by_name_new.setdefault(op.name, []).append(op)
    nparams = 0
    names_added: list[str] = []
    names_removed: list[str] = []
    names_repar: list[str] = []
    for name in sorted(set(by_name_gone) | set(by_name_new)):
        g, n = by_name_gone.get(name, []), by_name_new.get(name, [])
        pairs = min(len(g), len(n))
        names_repar += [shown_cur.get(name, name)] * pairs
        names_removed += [shown_prev.get(name, name)] * (len(g) - pairs)
        names_added += [shown_cur.get(name, name)] * (len(n) - pairs)
        for a, b in zip(g[:pairs], n[:pairs]):
            pa, pb = a.param_dict, b.param_dict
            nparams += sum(pa.get(k) != pb.get(k) for k in set(pa) | set(pb))
    return OperatorDiff(len(names_added), len(names_removed), len(names_repar), nparams,
                        tuple(names_added), tuple(names_removed), tuple(names_repar))


@dataclass(frozen=True)
class CellDiff:
    """Code cells added, removed and changed (aligned by content), and code lines added and removed."""

    cells_added: int = 0
    cells_removed: int = 0
    cells_changed: int = 0
    lines_added: int = 0
    lines_removed: int = 0
    touched_prev: tuple[int, ...] = ()  # indices into prev.cells of removed or changed cells
    touched_cur: tuple[int, ...] = ()  # indices into cur.cells of added or changed cells


def diff_cells(prev: tuple[CellDigest, ...], cur: tuple[CellDigest, ...]) -> CellDiff:
    """Align code cells by their text hash (difflib), then count lines within the changed regions."""
    sm = difflib.SequenceMatcher(None, [c.text_hash for c in prev], [c.text_hash for c in cur], autojunk=False)
    added = removed = changed = ladd = lrem = 0
    tp: list[int] = []
    tc: list[int] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        n_prev, n_cur = i2 - i1, j2 - j1
        pairs = min(n_prev, n_cur)
        changed += pairs
        removed += n_prev - pairs
        added += n_cur - pairs
        tp.extend(range(i1, i2))
        tc.extend(range(j1, j2))
        old = [h for c in prev[i1:i2] for h in c.line_hashes]
        new = [h for c in cur[j1:j2] for h in c.line_hashes]
        lsm = difflib.SequenceMatcher(None, old, new, autojunk=False)
        same = sum(b.size for b in lsm.get_matching_blocks())
        lrem += len(old) - same
        ladd += len(new) - same
    return CellDiff(added, removed, changed, ladd, lrem, tuple(tp), tuple(tc))


@dataclass(frozen=True)
class ChangeResult:
    """The classification of one version against the previous one of the same workflow."""

    code: str
    facets: frozenset[str]
    model: OperatorDiff
    preprocessing: OperatorDiff
    cells: CellDiff
    stages_touched: tuple[str, ...]  # stages of the changed, added and removed code cells (all cells for S), sorted


def with_unknown(prev: Signature, cur: Signature) -> tuple[Signature, Signature]:
    """Both signatures with the calls one version made of a catalogued library without a role (`Signature.unknown`)
    counted as the operator that the other version's role names, when that version has it and this one does not
    (`reco_utils.recommender.ncf.ncf_singlenode.NCF` against `recommenders.models.ncf.ncf_singlenode.NCF`, which the
    catalogue lists): the catalogue names a library's current module paths, a notebook may call the old ones, and
    a role found for one spelling holds for both. Their arguments still compare."""
    def fill(sig: Signature, other: Signature) -> Signature:
        unknown: dict[str, list[Operator]] = {}
        for op in sig.unknown:
            unknown.setdefault(operator_key(op.name), []).append(op)
        if not unknown and not other.unknown:
            return sig
        extra = {}
        for side in ("model", "preprocessing"):
            have = {operator_key(op.name) for op in getattr(sig, side)}
            want = sorted({operator_key(op.name) for op in getattr(other, side)} - have)
            extra[side] = tuple(op for key in want for op in unknown.get(key, ()))
        # a file read through a callee the other version calls without a role is read there too
        silent = {name for callee, name in sig.readers if operator_key(callee) in {
            operator_key(op.name) for op in other.unknown}} - set(other.data_files)
        if not any(extra.values()) and not silent:
            return sig
        return dataclasses.replace(sig, model=tuple(sorted(sig.model + extra["model"])),
                                   preprocessing=tuple(sorted(sig.preprocessing + extra["preprocessing"])),
                                   data_files=tuple(x for x in sig.data_files if x not in silent))

    return fill(prev, cur), fill(cur, prev)


def facets(prev: Signature | None, cur: Signature, cells: CellDiff | None = None) -> frozenset[str]:
    """The facets of `coding/change_types.yaml` that differ between `prev` and `cur`."""
    if prev is None:
        return frozenset({"first"})
    prev, cur = with_unknown(prev, cur)
    out = set()
    model = diff_operators(prev.model, cur.model)
    pre = diff_operators(*live_preprocessing(prev, cur))
    # model side: which estimator classes are used is the operator choice; more or fewer
    # instances of a class already there (another configuration to compare) is tuning
    if _classes(prev.model) != _classes(cur.model):
        out.add("model_operator")
    elif model.operator_changed or model.reparameterised:
        out.add("model_hyperparameter")
    if pre.operator_changed:
        out.add("preprocessing_operator")
    if pre.reparameterised or (not pre.operator_changed and _reordered(prev.order, cur.order)):
        out.add("preprocessing_hyperparameter")
    # a top-level setting read by the model or the pre-processing changed value (`MAX_LEN = 512` -> `128`)
    before = {name: (value, side) for name, value, side in prev.settings}
    for name, value, side in cur.settings:
        if name in before and before[name][0] != value and side and before[name][1] == side:
            if side == "model" and "model_operator" not in out:
                out.add("model_hyperparameter")
            elif side == "preprocessing":
                out.add("preprocessing_hyperparameter")
    # a notebook-defined function or class called with other arguments (`add_lags(df, 7)` -> `14`)
    for side in _reparameterised_calls(prev, cur):
        if side == "model" and "model_operator" not in out:
            out.add("model_hyperparameter")
        elif side == "preprocessing":
            out.add("preprocessing_hyperparameter")
    if set(prev.data_files) != set(cur.data_files):
        out.add("data_source")
    if set(prev.metrics) != set(cur.metrics):
        out.add("evaluation")
    if prev.code_hash != cur.code_hash:
        out.add("code")
        cells = cells if cells is not None else diff_cells(prev.cells, cur.cells)
        touched = [prev.cells[i] for i in cells.touched_prev] + [cur.cells[i] for i in cells.touched_cur]
        kinds = _differing_statements(cells, prev, cur)
        doing = [k for k in kinds if k != DEFINE]  # an import of the plotting helper comes with its use
        if kinds and not doing:
            pass  # only imports or definitions changed: nothing is looked at that was not before (O)
        elif touched and (all(c.explores_only for c in touched) or (doing and all(k == SHOW for k in doing))):
            out.add("eda")
    if prev.doc_hash != cur.doc_hash or (prev.text_hash != cur.text_hash and prev.code_hash == cur.code_hash):
        out.add("documentation")
    return frozenset(out)


#: Weight initialisers (`torch.nn.init.normal_(p, std=0.01)`): how a model starts, a setting of the model classes
#: already there (as Keras' `kernel_initializer=`), so adding or changing one is tuning (H), not another operator.
INITIALISERS = re.compile(r"^(torch\.nn\.init|keras\.initializers)\.")


def _classes(ops: Iterable[Operator]) -> set[str]:
    return {operator_key(op.name) for op in ops if not INITIALISERS.match(op.name)}


def live_preprocessing(prev: Signature, cur: Signature) -> tuple[list[Operator], list[Operator]]:
    """The pre-processing operators of both versions to compare, leftovers left out: a step whose value no cell
    reads in one version but that fed the pipeline in the other (`tfms = get_transforms(...)` once the data block
    builds its own transforms) feeds nothing there. A step that no cell reads in either version, or that is new
    and not read yet (work begun at the end of a notebook), still counts."""
    if Counter(_keyed(prev.preprocessing)) == Counter(_keyed(cur.preprocessing)):
        # both versions make the same steps with the same arguments and only which of them is read changed (a
        # generator made but unused, now used for the test images): wiring, no step changed
        return sorted(prev.preprocessing), sorted(cur.preprocessing)

    def without(sig: Signature, other: Signature) -> list[Operator]:
        read_other = Counter(_keyed(other.preprocessing)) - Counter(_keyed(other.unread))
        leftover = Counter(_keyed(sig.unread)) & read_other
        out = []
        for op in sorted(sig.preprocessing):
            key = Operator(operator_key(op.name), op.params)
            if leftover[key] > 0:
                leftover[key] -= 1
            else:
                out.append(op)
        return out

    return without(prev, cur), without(cur, prev)


def _reordered(prev: tuple[tuple[str, ...], ...], cur: tuple[tuple[str, ...], ...]) -> bool:
    """A cell applies the same pre-processing steps in another order (an index reset moved after the split):
    the pipeline's setting changed, not its steps. Steps moved between cells are refactoring, not this."""
    a, b = Counter(prev), Counter(cur)
    if a == b:
        return False
    return Counter(tuple(sorted(x)) for x in prev) == Counter(tuple(sorted(x)) for x in cur)


def _differing_statements(cells: CellDiff, prev: Signature, cur: Signature) -> list[int]:
    """Kinds (`signature.statement_kinds`) of the top-level statements that differ between the touched cells.
    When all of them only show a value (a plot's size, a preview of another split) the change is to what the
    notebook looks at (V); when all are imports or definitions it is none (O)."""
    before = Counter(st for i in cells.touched_prev for st in prev.cells[i].statements)
    after = Counter(st for i in cells.touched_cur for st in cur.cells[i].statements)
    return sorted(kind for _, kind in ((before - after) + (after - before)).elements())


def _reparameterised_calls(prev: Signature, cur: Signature) -> set[str]:
    """Sides whose notebook-defined callees, called in both versions, are called with other arguments.

    A callee called in one version only is left to the operators of its body (its definition), so
    moving code into a function or renaming the function is no change of the workflow."""
    def by_callee(sig: Signature) -> dict[tuple[str, str], list[str]]:
        out: dict[tuple[str, str], list[str]] = {}
        for side, name, params in sig.calls:
            out.setdefault((side, name), []).append(params)
        # reading the same file once more is no new setting: the rows kept per file compare as a set
        # and calling a notebook-defined callee once more with the same settings is none either (`relu(t)`)
        return {k: sorted(set(v)) for k, v in out.items()}

    a, b = by_callee(prev), by_callee(cur)
    out = {side for (side, name) in a.keys() & b.keys() if a[side, name] != b[side, name]}
    # the rows a model is fitted, predicted or scored on (`fit(X[:1000])`): fitting on all rows again counts too
    rows = [(side, name) for side, name in a.keys() ^ b.keys() if name == SUBSET_ROWS]
    return out | {side for side, _ in rows}


def classify(prev: Signature | None, cur: Signature, codebook: ChangeCodebook | None = None) -> ChangeResult:
    """The change type of `cur` given the previous version's signature (None for the first version)."""
    book = codebook or default_codebook()
    cells = diff_cells(prev.cells if prev else (), cur.cells)
    found = facets(prev, cur, cells)
    if prev is not None:
        prev, cur = with_unknown(prev, cur)
    model = diff_operators(prev.model if prev else (), cur.model)
    pre = diff_operators(*live_preprocessing(prev, cur)) if prev else diff_operators((), cur.preprocessing)
    stages = {prev.cells[i].stage for i in cells.touched_prev} if prev else set()
    stages |= {cur.cells[i].stage for i in cells.touched_cur}
    return ChangeResult(book.decide(found), found, model, pre, cells, tuple(sorted(stages)))
