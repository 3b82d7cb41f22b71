"""Read a notebook file into nbformat-4 shaped cells, with limits, without executing anything.

Parsing uses `json.loads` directly (the cost the miner is measured against) and only
calls nbformat's converter for nbformat 3, whose worksheets/`prompt_number` layout
nbformat upgrades to version 4. Every refusal is a `NotebookError` with a reason code,
so a batch can record it and go on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields, field
from typing import Any

import orjson

from mliter.errors import MliterError

#: Kernel languages named in `notebooks.csv`; any other value found in a notebook is `other`,
#: so text from the file never reaches the table.
KNOWN_LANGUAGES = frozenset({
    "python", "python2", "python3", "ipython", "ipython2", "ipython3", "r", "julia", "scala", "java",
    "javascript", "typescript", "sql", "bash", "sh", "c", "c++", "cpp", "csharp", "c#", "f#", "fsharp",
    "go", "rust", "ruby", "perl", "php", "matlab", "octave", "sas", "stata", "spss", "haskell", "kotlin",
    "lua", "markdown", "powershell", "clojure", "groovy", "swift", "wolfram language", "maxima", "sage",
    "spark", "pyspark", "sparkr", "coconut", "xonsh", "prolog", "lisp", "common lisp", "scheme", "ocaml",
    "erlang", "elixir", "nim", "zig", "dart", "fortran", "gnuplot", "q", "kdb", "apl",
})
#: The largest execution count read as a number: integers up to 2**53 - 1 survive every
#: double-based tool (pandas, JSON readers) exactly; a larger one is refused, never rounded.
MAX_EXECUTION_COUNT = 2**53 - 1
_MIME = re.compile(r"[a-z][a-z0-9.+-]{0,30}/[A-Za-z0-9][A-Za-z0-9.+_-]{0,100}", re.ASCII)


@dataclass(frozen=True)
class Limits:
    """Bounds on what the miner will read; defaults are far above real notebooks."""

    max_bytes: int = 64 * 1024 * 1024
    max_cells: int = 100_000
    max_cell_chars: int = 1_000_000
    max_ast_depth: int = 200
    max_seconds: float = 120.0  # wall time for one notebook, checked after every cell
    max_memory_mb: int = 4096  # growth of the miner's resident memory while one notebook is mined

    def key(self) -> str:
        """A stable text form, part of the checkpoint key: other limits, other results. Read field by
        field (a compiled `Limits` has no `__dict__`), the time bound as a float (as a compiled one holds it)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["max_seconds"] = float(self.max_seconds)
        return json.dumps(values, sort_keys=True)

    def __reduce__(self) -> tuple[type, tuple[int, int, int, int, float, int]]:
        """Pickled by its fields (Dask sends it to workers; a compiled frozen dataclass cannot restore its
        state by assignment)."""
        return (Limits, (self.max_bytes, self.max_cells, self.max_cell_chars, self.max_ast_depth, self.max_seconds,
                         self.max_memory_mb))


class NotebookError(MliterError):
    """A notebook that cannot be mined; `reason` is a short stable code for errors.csv."""

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


@dataclass(init=False)
class Cell:
    """One cell in document order; `index` counts all cells, markdown included. The constructor is written
    out (`init=False`): the one `dataclasses` makes stays interpreted in the compiled build, and every cell
    of every notebook is made with it."""

    index: int
    cell_type: str
    source: str
    execution_count: int | None = None
    #: The stored outputs as the file has them, items unchecked (a malformed file may hold anything, so each
    #: reader checks every item: typed as `Any`, the compiled build does not refuse an item that is no dict).
    outputs: list[Any] = field(default_factory=list)

    def __init__(self, index: int, cell_type: str, source: str, execution_count: int | None = None,
                 outputs: list[Any] | None = None) -> None:
        self.index = index
        self.cell_type = cell_type
        self.source = source
        self.execution_count = execution_count
        self.outputs = [] if outputs is None else outputs


@dataclass
class Notebook:
    nbformat: str
    language: str
    cells: list[Cell]


def valid_language(value: Any) -> str:
    """The kernel language as a table value: one of `KNOWN_LANGUAGES`, else `other`."""
    if not isinstance(value, str):
        return "other"
    name = value.strip().lower()
    return name if name in KNOWN_LANGUAGES else "other"


def valid_mime(value: Any) -> str:
    """An output's MIME type as a table value (`image/png`), else `other`."""
    return value if isinstance(value, str) and _MIME.fullmatch(value) else "other"


def valid_count(value: Any, cell: int) -> int | None:
    """A cell's `execution_count`: a non-negative integer, else None; too large is refused."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return None
    if value > MAX_EXECUTION_COUNT:
        raise NotebookError("bad_execution_count",
                            f"cell {cell}: execution_count has {len(str(value))} digits (limit {MAX_EXECUTION_COUNT})")
    return value


def _version(major: Any, minor: Any) -> str:
    """`nbformat` as a table value: `4.5`; a minor that is not a small integer gives `4.other`."""
    ok_minor = isinstance(minor, int) and not isinstance(minor, bool) and 0 <= minor < 1000
    return f"{major}.{minor if ok_minor else 'other'}"


def _text(value: Any) -> str:
    """A cell's source as text; lone surrogates (valid JSON escapes, not Unicode) become U+FFFD."""
    if isinstance(value, list):
        value = "".join(v if isinstance(v, str) else str(v) for v in value)
    elif not isinstance(value, str):
        return ""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value = value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value


def _upgrade_v3(nb: dict[str, Any]) -> dict[str, Any]:
    import nbformat

    try:
        node = nbformat.from_dict(nb)
        return nbformat.convert(node, 4)
    except Exception as exc:  # nbformat raises assorted errors on broken v3 files; its text may quote the file
        raise NotebookError("bad_nbformat3", f"nbformat 3 notebook could not be upgraded ({type(exc).__name__})") from exc


#: Containers nested deeper than this are read by `json.loads` (see `_fast_json`); real notebooks nest
#: about ten deep.
FAST_JSON_DEPTH = 100
#: A float this large from orjson may be an integer `json.loads` reads exactly (orjson turns integers beyond
#: 64 bits into floats): such a document is read by `json.loads`.
_BIG_FLOAT = 9.2e18


def _fast_json(data: bytes) -> Any:
    """The document as `json.loads` reads it, by orjson (about twice as fast), or None when orjson's reading
    could differ: orjson refuses it (then `json.loads` gives the result or the error: NaN, a lone surrogate,
    UTF-16, a byte-order mark, invalid UTF-8 and bad JSON all go there), it nests deeper than
    `FAST_JSON_DEPTH` (`json.loads` has its own, stack-dependent depth limit), or it holds a float of
    magnitude 2**63 or more (where orjson read an integer beyond 64 bits as a float). Everything else reads
    alike: same strings, the last of duplicate keys, correctly rounded floats, 64-bit integers."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    kind = type(doc)
    if kind is float and not -_BIG_FLOAT < doc < _BIG_FLOAT:
        return None
    stack: list[tuple[Any, int]] = [(doc, 1)] if kind is dict or kind is list else []
    while stack:
        node, depth = stack.pop()
        if depth > FAST_JSON_DEPTH:
            return None
        if type(node) is dict:
            for v in node.values():
                kind = type(v)
                if kind is dict or kind is list:
                    stack.append((v, depth + 1))
                elif kind is float and not -_BIG_FLOAT < v < _BIG_FLOAT:
                    return None
        else:
            for v in node:
                kind = type(v)
                if kind is dict or kind is list:
                    stack.append((v, depth + 1))
                elif kind is float and not -_BIG_FLOAT < v < _BIG_FLOAT:
                    return None
    return doc


def parse_notebook(data: bytes, limits: Limits = Limits()) -> Notebook:
    """Parse notebook bytes; accepts nbformat 4 and upgrades nbformat 3.

    The JSON is read by orjson when it reads it as `json.loads` would (`_fast_json`), else by
    `json.loads` itself, whose errors become the `NotebookError`s below."""
    if len(data) > limits.max_bytes:
        raise NotebookError("too_large", f"{len(data)} bytes exceeds the limit of {limits.max_bytes}")
    nb = _fast_json(data)
    if nb is None:
        nb = _slow_json(data)
    return _notebook(nb, limits)


def _slow_json(data: bytes) -> Any:
    """`json.loads`, its errors as `NotebookError`s."""
    try:
        return json.loads(data)
    except UnicodeDecodeError as exc:
        raise NotebookError("bad_encoding", f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise NotebookError("invalid_json", f"{exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise NotebookError("too_deep", "JSON nesting exceeds the parser's depth limit") from exc
    except ValueError as exc:  # an integer of more digits than Python converts (sys.int_info)
        raise NotebookError("invalid_json", "a number too long to read") from exc


def _notebook(nb: Any, limits: Limits) -> Notebook:
    """The notebook from its JSON document."""
    if not isinstance(nb, dict):
        raise NotebookError("not_a_notebook", f"top-level JSON is {type(nb).__name__}, expected an object")
    major = nb.get("nbformat")
    minor = nb.get("nbformat_minor", 0)
    if major == 3 or (major is None and "worksheets" in nb):
        major = 3
        nb = _upgrade_v3(nb)
    elif major == 4:
        major = 4  # 4.0 reads as 4
    else:
        shown = major if isinstance(major, int) and not isinstance(major, bool) and abs(major) < 10**6 else type(major).__name__
        raise NotebookError("unsupported_nbformat", f"nbformat {shown!r} (only 3 and 4 are read)")
    raw_cells = nb.get("cells")
    if not isinstance(raw_cells, list):
        raise NotebookError("not_a_notebook", "no 'cells' list")
    if len(raw_cells) > limits.max_cells:
        raise NotebookError("too_many_cells", f"{len(raw_cells)} cells exceeds the limit of {limits.max_cells}")
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    lang_info = meta.get("language_info") if isinstance(meta.get("language_info"), dict) else {}
    kernel = meta.get("kernelspec") if isinstance(meta.get("kernelspec"), dict) else {}
    language = valid_language(lang_info.get("name") or kernel.get("language") or "python")
    cells = []
    for i, raw in enumerate(raw_cells):
        if not isinstance(raw, dict):
            raise NotebookError("bad_cell", f"cell {i} is {type(raw).__name__}, expected an object")
        ctype = raw.get("cell_type")
        count = valid_count(raw.get("execution_count"), i)
        outputs = raw.get("outputs") if isinstance(raw.get("outputs"), list) else []
        cells.append(Cell(i, ctype if isinstance(ctype, str) else "unknown", _text(raw.get("source")), count, outputs))
    return Notebook(_version(major, minor), language, cells)
