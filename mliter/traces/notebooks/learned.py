"""The learned stage coder: features of a code cell from the miner's own pass, and inference from a
shipped coefficient table (a multinomial logistic regression, `coding/stage_coder.csv`).

Why a model beside the rules: hand-tuned rules have scored 7-21 points below their in-sample accuracy
on every fresh set of repositories. A model fitted to the labelled cells, scored by leaving whole
repositories out, carries an honest estimate of its error (`mliter.coding.stage_coder` trains it).

One function, `notebook_features`, makes the features for training and for mining, so they cannot
drift. It reads what the miner has already computed for the notebook (each cell's `CellCode` def-use
summary and the rules' `CellStage`, and the cells' stored outputs), never the code text, and yields for every code cell a sorted
tuple of binary feature names (no identifier of the notebook: stage, role, syntax and API names only):

- `rule:<stage>`, `rules_set:<stage>`, `n_stages:<k>`: the rules' primary stage and stage set;
- `cs:<stage>:<k>` / `role:<role>:<k>`: how many of the cell's calls and methods (function bodies
  included) the rule tables give each stage / the API catalogue gives each role (`k` cumulative bins
  1 and 3: a count of 4 sets both);
- `stmt:<part>:<stage>`: the stage of the strongest evidence of each statement, by part of the cell
  (`def`: statements that define or change something; `show`: display-only statements; `other`);
- `kind:<kind>`: the kinds of statement present (define, effect, display, save, none);
- `fwd:<stage>`, `fwd1:<stage>`, `n_readers:<k>`: the rules' stages of the later cells that read what the
  cell defines (def-use links forward), of the first of them, and how many there are;
  `bwd:<stage>`, `n_sources:<k>`: the same for the cells it reads from (backward);
- `defines_read_later`, `defines_unread`, `defines_nothing`, `defines_function`;
- `lineage:load`: some value it reads descends, through def-use links, from a cell the rules call load;
- `api:fn:<f>`, `api:lib:<m>`, `api:meth:<m>`, `api:attr:<a>`, `api:imp:<m>`, `api:base:<b>` (`api_tokens`):
  the names of what the cell calls (a function's last part and its top-level module), the methods and
  attributes it uses, what it imports and subclasses, whether any table catalogues them or not (so a library
  nobody catalogued still shows `fit`, `predict`, `head`, `to_csv`); `api:tail:<token>`: the same for the
  cell's last statement (what a cell ends on, often what it shows). An open vocabulary: training keeps a
  token only if at least k tuning repositories have it (k chosen by nested LORO), and the shipped table
  holds only those, so a token the table lacks weighs nothing;
- `prev:<stage>`, `next:<stage>`: the rules' stages of the neighbouring code cells (`none` at the ends);
- `pos:<q>`, `first`, `last`: position among the notebook's code cells (quintile);
- `nb:model`, `nb:load`: does the notebook hold a cell the rules call LI / load at all;
- `rule:<stage>&<feature>`: the rules' stage joined with `defines_*`, `band:<b>` and `fwd1:<stage>`;
- `syn:<marker>`, `magic`, `shell`, `imports`, `calls_local`, `lines:<bin>`, `status:<status>`, `band:<b>`:
  syntax markers of `mliter.traces.notebooks.code`, IPython parts, size, parse status and the rules'
  strongest evidence band for the cell.
- `out:...` (since round 7, `context_features`, the families of `CONTEXT_FAMILIES`): what the cell's stored
  outputs say, read from the notebook file (types, MIME types, a table shown, stderr, words of text outputs;
  the open ones by the same vocabulary rule). The one place the features read beyond the miner's summaries:
  the notebook's cells (`mine_bytes` passes them). The markdown family (`md:...`) was measured and is off.

Inference is a dot product over the stored coefficients, notebook at a time with numpy (no
scikit-learn at mining time); the class with the largest score wins, ties going to the first class in
`CLASSES` order. The table is read once per process.
"""

from __future__ import annotations

import csv
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from mliter.errors import MliterError
from mliter.paths import CODING
from mliter.traces.notebooks.stages import STAGES

if TYPE_CHECKING:
    from mliter.traces.notebooks.code import CellCode
    from mliter.traces.notebooks.parse import Cell
    from mliter.traces.notebooks.stages import CellStage, StageRules

#: Classes in the fixed order of the coefficient table's columns and of the tie-break.
CLASSES: tuple[str, ...] = STAGES
assert len(CLASSES) == 7, "StageCoder.predict sums seven classes"
DEFAULT_CODER = CODING / "stage_coder.csv"
DEFAULT_PRODUCER = CODING / "stage_producer.yaml"
INTERCEPT = "(intercept)"
PRODUCERS = ("rules", "learned")
#: Decimal places of a stored coefficient.
PRECISION = 6
_PARTS = {"define": "def", "effect": "def", "save": "def", "display": "show"}


class CoderError(MliterError, ValueError):
    """A coefficient table or producer declaration that cannot be used (names the file and row)."""


def notebook_features(cells: Sequence["CellCode"], labelled: Sequence["CellStage"],
                      rules: "StageRules", ordered: bool = True, tokens: frozenset[str] | None = None,
                      context: Sequence[Sequence[str]] | None = None) -> list:
    """Binary features of every code cell of a notebook, each a sorted tuple (see the module docstring);
    with `ordered` off a set (mining: inference sums integers, so order cannot change a score). `tokens`,
    when given, keeps only those open API tokens (mining: the coder's `open_tokens`; a token the table
    lacks weighs nothing, so the scores are the same, and each distinct call is filtered once per process).

    `cells` and `labelled` are the miner's def-use summaries and the rules' stages of the same cells,
    in order (`mliter.traces.notebooks.mine.analyse_cells`, `StageRules.label_notebook`); `context`, when
    given, the same cells' `context_features` (what the notebook's markdown and stored outputs say), added to
    each cell's features (with `tokens`, their open ones only when in `tokens`)."""
    n = len(cells)
    readers: list[list[int]] = [[] for _ in range(n)]
    sources: list[list[int]] = []
    for j, st in enumerate(labelled):
        src = sorted({i for i in st.reads_from.values() if i != j})
        sources.append(src)
        for i in src:
            readers[i].append(j)
    stages = [st.stage for st in labelled]
    lineage = [False] * n
    for i in range(n):
        lineage[i] = any(stages[j] == "load" or lineage[j] for j in sources[i])
    nb = (["nb:model"] if "LI" in stages else []) + (["nb:load"] if "load" in stages else [])
    later_reads: set[str] = set()
    read_later: list[bool] = [False] * n
    for i in range(n - 1, -1, -1):
        read_later[i] = any(not d.isdisjoint(later_reads) for d in cells[i].stmt_defs)
        later_reads |= cells[i].reads
    table, build = _feature_memo(rules, tokens)
    label_band = rules.label_band
    out: list = []
    for i, (c, st) in enumerate(zip(cells, labelled)):
        rule = st.stage
        f: list[str] = ["rule:" + rule, *nb, "n_stages:%d" % min(len(st.stages), 3), "status:" + c.status]
        f += ["rules_set:" + s for s in st.stages]
        counts: dict[str, int] = {}
        for feats, kind in zip(c.stmt_feats, c.stmt_kind):
            if feats:
                f.append("stmt:" + _PARTS.get(kind, "other") + ":" + label_band(feats)[0])
                f.append("kind:" + kind)
        seen = set().union(*c.stmt_feats) if c.stmt_feats else set()
        for x in seen:
            hit = table.get(x)
            if hit is None:
                hit = build(x)
            for name in hit[0]:
                counts[name] = counts.get(name, 0) + 1
            f += hit[1]
        if c.stmt_feats:
            for x in c.stmt_feats[-1]:
                hit = table.get(x) or build(x)
                f += hit[2]
        for name, k in counts.items():
            f.append(name + ":1")
            if k >= 3:
                f.append(name + ":3")
        if seen:
            band = "band:%d" % label_band(seen)[1]
            f.append(band)
            f.append("rule:" + rule + "&" + band)
        if c.syntax:
            f += ["syn:" + s for s in c.syntax]
        if c.magics:
            f.append("shell" if any(m.startswith("shell:") for m in c.magics) else "magic")
        if c.imports:
            f.append("imports")
        if c.local_calls:
            f.append("calls_local")
        if c.defs:
            f.append("defines_function")
        lines = c.n_lines
        f.append("lines:1" if lines <= 1 else "lines:5" if lines <= 5 else "lines:20" if lines <= 20 else "lines:more")
        defines = "defines_read_later" if read_later[i] else "defines_unread" if any(c.stmt_defs) else "defines_nothing"
        f.append(defines)
        # a few conjunctions with the rules' stage (a linear model cannot form them): where the rules'
        # answer is to be trusted depends on what the cell leaves for later and on the evidence it rests on
        f.append("rule:" + rule + "&" + defines)
        if lineage[i]:
            f.append("lineage:load")
        r = readers[i]
        f.append("n_readers:%d" % min(len(r), 2))
        if r:
            f.append("fwd1:" + stages[r[0]])
            f.append("rule:" + rule + "&fwd1:" + stages[r[0]])
            f += ["fwd:" + s for s in {stages[j] for j in r}]
        f.append("n_sources:%d" % min(len(sources[i]), 2))
        f += ["bwd:" + s for s in {stages[j] for j in sources[i]}]
        prev = stages[i - 1] if i else "none"
        nxt = stages[i + 1] if i + 1 < n else "none"
        f.append("prev:" + prev)
        f.append("next:" + nxt)
        f.append("pos:%d" % min(4, 5 * i // n))
        if i == 0:
            f.append("first")
        if i == n - 1:
            f.append("last")
        if context is not None:
            if tokens is None:
                f += context[i]
            else:
                f += [x for x in context[i] if x in tokens or not x.startswith(OPEN_PREFIXES)]
        out.append(tuple(sorted(set(f))) if ordered else set(f))
    return out


def api_tokens(x: str) -> tuple[str, ...]:
    """The open-vocabulary API-name tokens of one static feature of a cell (`mliter.traces.notebooks.code`):
    `call:a.b.c` gives `api:fn:c` (the called function's last part) and `api:lib:a` (its top-level module),
    `method:m@...` `api:meth:m`, `attr:a` `api:attr:a`, `import:a.b` `api:imp:a`, `base:a.B` `api:base:B`.
    Names only, never a variable, literal or local name; training keeps a token only when it occurs in
    enough tuning repositories (`mliter.coding.stage_coder`), so no repository's own names are learned."""
    kind, sep, name = x.partition(":")
    if not sep or not name:
        return ()
    name = name.split("@", 1)[0]
    if kind == "call":
        head, dot, last = name.rpartition(".")
        if not _NAME(last):
            return ()
        return ("api:fn:" + last, "api:lib:" + head.split(".", 1)[0]) if dot else ("api:fn:" + last,)
    if kind in ("method", "attr"):
        return ("api:%s:%s" % ("meth" if kind == "method" else "attr", name),) if _NAME(name) else ()
    if kind == "import":
        top = name.split(".", 1)[0]
        return ("api:imp:" + top,) if _NAME(top) else ()
    if kind == "base":
        last = name.rpartition(".")[2]
        return ("api:base:" + last,) if _NAME(last) else ()
    return ()


#: Prefixes of the open-vocabulary features: kept only when at least k training repositories have them (the
#: API names since round 4; since round 7 the words of the markdown above a cell and of its text outputs, and
#: the MIME types of its outputs), so no notebook's own identifiers or text enter the table.
OPEN_PREFIXES: tuple[str, ...] = ("api:", "md:h:", "md:w:", "out:w:", "out:kind:")
#: Bounds of the context features (the work per cell is bounded whatever the notebook holds): characters of a
#: markdown cell and of a code cell's text outputs read, outputs of a code cell looked at, words kept per text.
MD_CHARS = 1000
OUT_CHARS = 1000
MAX_OUTPUTS = 20
MAX_WORDS = 60
#: Families of context features (`context_features(families=...)`): `md` the markdown above a cell, `out` its
#: stored outputs.
ALL_CONTEXT_FAMILIES: tuple[str, ...] = ("md", "out")
#: The families the learned coder reads (training and mining alike), those that passed round 7's keep rule.
CONTEXT_FAMILIES: tuple[str, ...] = ("out",)
_WORD = re.compile(r"[a-z][a-z]{1,23}")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$|<h[1-6][^>]*>(.*?)</h[1-6]>", re.MULTILINE | re.IGNORECASE)
_OUTPUT_TYPES = frozenset({"stream", "display_data", "execute_result", "error", "update_display_data",
                           "pyout", "pyerr"})
_MIME_OK = re.compile(r"[a-z0-9][a-z0-9.+_-]{0,60}/[a-z0-9][a-z0-9.+_-]{0,60}").fullmatch


def _words(text: str) -> list[str]:
    """The distinct lower-cased letter words (2-24 letters) of `text`, first `MAX_WORDS` in order of
    appearance (bounded; no digits, so no scores or sizes, and the vocabulary rule keeps only common words)."""
    out: dict[str, None] = {}
    for w in _WORD.findall(text.lower()):
        out[w] = None
        if len(out) >= MAX_WORDS:
            break
    return list(out)


def _output_text(value: object, room: int) -> str:
    """At most `room` characters of an output's text (nbformat: a string or a list of strings)."""
    if isinstance(value, str):
        return value[:room]
    if isinstance(value, list):
        parts: list[str] = []
        for v in value:
            if room <= 0:
                break
            if isinstance(v, str):
                parts.append(v[:room])
                room -= len(parts[-1])
        return "".join(parts)
    return ""


def context_features(nb_cells: Sequence["Cell"], families: Sequence[str] = ALL_CONTEXT_FAMILIES) -> list[list[str]]:
    """What the notebook says about each code cell besides its code, read statically from the stored
    notebook (never executed), one list of feature names per code cell in order:

    - `md` (the markdown above the cell): `md:h:<word>`, the words of the nearest heading above it (a
      markdown line `# ...` or an HTML `<hN>`, at any distance); `md:w:<word>`, the words of the markdown
      cells right before it (after the previous code cell); `md:direct` when there are such cells;
      `md:under:<k>`, its position among the code cells under that heading (1, 2, 3 = third or later);
      `md:none` when no heading is above it; `md:nb_none` when the notebook has no markdown at all;
    - `out` (the cell's stored outputs): `out:type:<type>` (nbformat output types), `out:kind:<type>:<mime>`
      (the MIME types of rich outputs), `out:table` (an HTML table shown, a data frame), `out:stderr`,
      `out:w:<word>` (the words of its stream and plain-text outputs: training logs, scores, shapes),
      `out:none` when it has none; `out:nb_none` when no cell of the notebook has any (never run, or cleared).

    Words are lower-cased letters only, the first `MAX_WORDS` of the first `MD_CHARS` / `OUT_CHARS` characters;
    at most `MAX_OUTPUTS` outputs per cell are read, so the work is bounded. The word and MIME features are
    open-vocabulary (`OPEN_PREFIXES`): training keeps one only when enough repositories have it."""
    use_md = "md" in families
    use_out = "out" in families
    out: list[list[str]] = []
    heading: list[str] | None = None
    under = 0
    above: list[str] = []  # markdown text since the previous code cell
    any_md = any(c.cell_type == "markdown" for c in nb_cells) if use_md else False
    any_out = any(c.outputs for c in nb_cells if c.cell_type == "code") if use_out else False
    for c in nb_cells:
        if c.cell_type == "markdown":
            if use_md:
                text = c.source[:MD_CHARS]
                above.append(text)
                found = None
                for m in _HEADING.finditer(text):
                    found = m.group(1) if m.group(1) is not None else m.group(2)
                if found is not None:
                    heading = _words(found)
                    under = 0
            continue
        if c.cell_type != "code":
            continue
        f: list[str] = []
        if use_md:
            if not any_md:
                f.append("md:nb_none")
            elif heading is None:
                f.append("md:none")
            else:
                under += 1
                f.append("md:under:%d" % min(under, 3))
                f += ["md:h:" + w for w in heading]
            if above:
                f.append("md:direct")
                f += ["md:w:" + w for w in _words(" ".join(above)[:MD_CHARS])]
        above = []
        if use_out:
            if not any_out:
                f.append("out:nb_none")
            elif not c.outputs:
                f.append("out:none")
            else:
                room = OUT_CHARS
                texts: list[str] = []
                for o in c.outputs[:MAX_OUTPUTS]:
                    if not isinstance(o, dict):
                        continue
                    raw = o.get("output_type")
                    otype = raw if isinstance(raw, str) and raw in _OUTPUT_TYPES else "unknown"
                    f.append("out:type:" + otype)
                    if otype == "stream":
                        if o.get("name") == "stderr":
                            f.append("out:stderr")
                        if room > 0:
                            texts.append(_output_text(o.get("text"), room))
                            room -= len(texts[-1])
                    data = o.get("data")
                    if isinstance(data, dict):
                        for mime in data:
                            if isinstance(mime, str) and _MIME_OK(mime):
                                f.append("out:kind:" + otype + ":" + mime)
                        html = data.get("text/html")
                        if html is not None and "<table" in _output_text(html, 4000):
                            f.append("out:table")
                        if room > 0 and "text/plain" in data:
                            texts.append(_output_text(data.get("text/plain"), room))
                            room -= len(texts[-1])
                if texts:
                    f += ["out:w:" + w for w in _words("".join(texts))]
        out.append(f)
    return out


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}").fullmatch


def _feature_memo(rules: "StageRules", keep: frozenset[str] | None = None):
    """(memo, builder): feature of a cell -> (the count names it adds: `cs:<stage>`, `role:<role>`; its API tokens,
    those in `keep` when given; the same as `api:tail:` tokens), per rule table and token set: each distinct
    feature is resolved once per process."""
    key = (id(rules), id(keep))
    try:
        return _MEMOS[key][2]
    except KeyError:
        pass
    table: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}

    def get(x: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        names: list[str] = []
        if x[:5] == "call:" or x[:7] == "method:":
            stage = rules.feature_stage(x)
            if stage is not None:
                names.append("cs:" + stage)
            role = rules.feature_role(x)
            if role is not None:
                names.append("role:" + role.replace(" ", "_"))
        found = api_tokens(x)
        tail = tuple("api:tail:" + t[4:] for t in found)
        if keep is not None:
            found = tuple(t for t in found if t in keep)
            tail = tuple(t for t in tail if t in keep)
        table[x] = hit = (tuple(names), found, tail)
        return hit

    if len(_MEMOS) > 8:
        _MEMOS.clear()
    _MEMOS[key] = (rules, keep, (table, get))  # both objects are kept alive, so their ids are not reused
    return table, get


_MEMOS: dict[tuple[int, int], tuple[object, object, object]] = {}


class StageCoder:
    """A coefficient table: one weight per (feature, class) and an intercept per class.

    Weights are held as integers of 10^-`PRECISION` (the table's fixed decimals, exactly), so a cell's
    scores are sums of integers: the same whatever order its features come in, on any machine."""

    def __init__(self, features: Sequence[str], weights: Sequence[Sequence[float]], intercept: Sequence[float],
                 digest: str = ""):
        import numpy as np

        self.features = tuple(features)
        self.intercept = tuple(float(v) for v in intercept)
        self.digest = digest
        self._index = {f: i + 1 for i, f in enumerate(self.features)}  # row 0 is the intercept
        #: the open API tokens the table weighs (`notebook_features(tokens=...)` emits no other at mining time)
        self.open_tokens = frozenset(f for f in self.features if f.startswith(OPEN_PREFIXES))
        scale = 10 ** PRECISION
        rows = [self.intercept, *weights]
        self._w = np.array([[round(float(v) * scale) for v in r] for r in rows],
                           dtype=np.int64).reshape(len(rows), len(CLASSES))
        # the same integers per feature, for `predict`'s sparse sums: one dict probe per feature of a cell, and
        # a feature whose weights are all zero is left out (it adds nothing)
        ints = self._w.tolist()
        self._icpt: tuple[int, int, int, int, int, int, int] = _seven(ints[0])
        self._rows: dict[str, tuple[int, int, int, int, int, int, int]] = {
            f: _seven(ints[i + 1]) for i, f in enumerate(self.features) if any(ints[i + 1])}

    @classmethod
    def from_csv(cls, path: str | Path = DEFAULT_CODER) -> "StageCoder":
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CoderError(f"{path}: cannot read the stage coder's table ({exc.strerror or exc})") from None
        rows = list(csv.reader(data.decode("utf-8").splitlines()))
        want = ["feature", *CLASSES]
        if not rows or rows[0] != want:
            raise CoderError(f"{path}: header must be {','.join(want)}, found {','.join(rows[0]) if rows else 'nothing'}")
        feats, weights, intercept = [], [], None
        for rowno, row in enumerate(rows[1:], start=2):
            if len(row) != len(want):
                raise CoderError(f"{path}, row {rowno}: expected {len(want)} fields, found {len(row)}")
            try:
                vals = tuple(float(v) for v in row[1:])
            except ValueError:
                raise CoderError(f"{path}, row {rowno}: a coefficient is not a number") from None
            if row[0] == INTERCEPT:
                intercept = vals
            else:
                feats.append(row[0])
                weights.append(vals)
        if intercept is None:
            raise CoderError(f"{path}: no {INTERCEPT} row")
        if len(set(feats)) != len(feats):
            raise CoderError(f"{path}: a feature is listed twice")
        return cls(tuple(feats), tuple(weights), intercept, hashlib.sha256(data).hexdigest()[:16])

    def predict(self, cells: Sequence[Iterable[str]]) -> list[str]:
        """The class of every cell's features (distinct names; names the table lacks weigh nothing).

        A cell's scores are sums of integers (`_w`: the intercept plus the rows of its features), kept in
        seven typed locals (compiled: unboxed integers, no numpy call per notebook); the largest wins, the first
        class in `CLASSES` order on a tie (what `argmax` of the summed rows gives)."""
        rows = self._rows
        i0, i1, i2, i3, i4, i5, i6 = self._icpt
        out: list[str] = []
        for feats in cells:
            s0, s1, s2, s3, s4, s5, s6 = i0, i1, i2, i3, i4, i5, i6
            for f in feats:
                r = rows.get(f)
                if r is not None:
                    s0 += r[0]
                    s1 += r[1]
                    s2 += r[2]
                    s3 += r[3]
                    s4 += r[4]
                    s5 += r[5]
                    s6 += r[6]
            k, top = 0, s0
            if s1 > top:
                k, top = 1, s1
            if s2 > top:
                k, top = 2, s2
            if s3 > top:
                k, top = 3, s3
            if s4 > top:
                k, top = 4, s4
            if s5 > top:
                k, top = 5, s5
            if s6 > top:
                k = 6
            out.append(CLASSES[k])
        return out

    def predict_numpy(self, cells: Sequence[Iterable[str]]) -> list[str]:
        """`predict` by numpy over `_w` (the form before round 7; the test of `predict` compares the two)."""
        import numpy as np

        if not cells:
            return []
        index = self._index
        cols: list[int] = []
        starts: list[int] = []
        for feats in cells:
            starts.append(len(cols))
            cols.append(0)  # the intercept row, so no cell sums an empty slice
            cols += [j for j in map(index.get, feats) if j is not None]
        summed = np.add.reduceat(self._w[cols], starts, axis=0)
        return [CLASSES[k] for k in summed.argmax(axis=1).tolist()]


def _seven(v: Sequence[int]) -> tuple[int, int, int, int, int, int, int]:
    """A row of seven class weights as a fixed tuple (`predict` unpacks it into typed locals)."""
    return (int(v[0]), int(v[1]), int(v[2]), int(v[3]), int(v[4]), int(v[5]), int(v[6]))


def write_coder(path: Path, features: Sequence[str], coef, intercept) -> str:
    """The coefficient table as CSV text (fixed-precision decimals, features sorted; rows whose
    coefficients all round to zero are dropped, they change no score)."""
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["feature", *CLASSES])
    w.writerow([INTERCEPT, *(_fixed(v) for v in intercept)])
    for j in sorted(range(len(features)), key=lambda j: features[j]):
        vals = [_fixed(coef[k][j]) for k in range(len(CLASSES))]
        if any(float(v) != 0.0 for v in vals):
            w.writerow([features[j], *vals])
    return buf.getvalue()


def _fixed(v: float) -> str:
    s = f"{float(v):.{PRECISION}f}"
    return "0.000000" if float(s) == 0.0 else s  # no "-0.000000"


@lru_cache(maxsize=1)
def default_coder() -> StageCoder | None:
    """The shipped coefficient table, or None when there is none (then no learned stage is mined)."""
    return StageCoder.from_csv(DEFAULT_CODER) if DEFAULT_CODER.exists() else None


def read_producer(path: str | Path = DEFAULT_PRODUCER) -> str:
    """Which producer gives the primary `stage` (`rules` or `learned`), from the one declared place."""
    import yaml

    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError:
        return "rules"  # no declaration: the rules, as before the learned coder existed
    except yaml.YAMLError as exc:
        raise CoderError(f"{path}: not valid YAML ({exc})") from None
    primary = doc.get("primary") if isinstance(doc, dict) else None
    if primary not in PRODUCERS:
        raise CoderError(f"{path}: `primary` must be one of {list(PRODUCERS)}, found {primary!r}")
    return primary


@lru_cache(maxsize=1)
def default_producer() -> str:
    return read_producer(DEFAULT_PRODUCER)


def coder_digest() -> str:
    """What mined rows depend on beyond the rules: the coefficient table and the declared producer."""
    coder = default_coder()
    return f"{coder.digest if coder else 'none'}:{default_producer()}"
