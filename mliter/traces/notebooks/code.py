"""Static features of one code cell: imports, called APIs, magics, with `ast` only.

IPython syntax is neutralised line by line before parsing (magics, `!shell`, `?help`),
keeping line numbers, so an otherwise valid cell still yields its features. A syntax
error is recorded on the cell, never raised. Names are resolved through the
notebook's import aliases (`pd.read_csv` -> `pandas.read_csv`).

Feature strings (used by the stage rules in `coding/stage_rules.csv`):
  import:<module>      a module imported (`from a.b import c` gives `a.b`)
  call:<qualified>     a call resolved through imports (`sklearn.svm.SVC`), or a builtin (`call:print`)
  method:<name>        a call of an attribute on a non-import value (`df.fillna(...)` -> `method:fillna`);
                       `method:<name>@<class>` when the receiver was made by a resolved constructor
                       (`enc = LabelEncoder(); enc.fit(y)` -> `method:fit@sklearn.preprocessing.LabelEncoder`),
                       else `method:<name>@var:<variable>` for a method of a plain variable
  attr:<name>          an attribute read that is not called (`df.shape`)
  base:<qualified>     a base class of a class definition, resolved (`torch.nn.Module`)
  magic:<name> / shell:<cmd>   IPython line or cell magics and `!` shell commands
  syntax:display       the cell ends with a bare expression that is not a call (shows a value)
  syntax:setitem       assigns into a subscript (`df["x"] = ...`): creates or changes data
  syntax:setparam      assigns into a parameter mapping (`params["eta"] = ...`)
  syntax:setconfig     assigns into an environment or options mapping (`os.environ[...] = ...`)
  syntax:filter        reassigns a subscript of itself (`df = df[df.x > 0]`): filters the data
  syntax:subset        assigns or returns a subscript (`y = df["target"]`): selects part of the data
  syntax:assign / syntax:constant   a top-level assignment of a computed / literal value
  syntax:item          assigns one item picked by a constant index (`example = ds["train"][0]`)
  syntax:columns   a top-level assignment of a literal list, tuple or set of strings (columns, labels)
  var:<name>           a variable name read or written, lower-cased (`submission`)
  local:<name>         a call of a name the notebook defines or that no import explains (`train_model()`),
                       or the name of a function or class the cell defines

`var:` and `local:` features are used for stage rules only and never shipped. A function or class
defined in a notebook keeps its own features (`CellCode.defs`), so a cell that calls it
can take the stage of what it does. Python 2 cells whose only problem is the `print`
statement are parsed after rewriting those lines (status `python2`).
"""

from __future__ import annotations

import ast
import builtins
import marshal
import re
import textwrap
import warnings
from dataclasses import dataclass, field
from typing import Any

from mliter.traces.catalogue import DISPLAY_ROLES, SHOWN_ROLES, default_catalogue
from mliter.traces.notebooks.parse import Limits

#: Cell magics whose body is still Python (the magic only times or captures it).
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit", "skip"})
_BUILTINS = frozenset(dir(builtins)) | {"display", "get_ipython"}
_ASSIGN_MAGIC = re.compile(r"^(\s*[A-Za-z_][\w\s,.\[\]]*=\s*)([%!])(.*)$")
_LINE_MAGIC = re.compile(r"^(\s*)(%{1,2})([A-Za-z_][\w.]*)?(.*)$")
_SHELL = re.compile(r"^(\s*)!(\S*)(.*)$")
_HELP = re.compile(r"^(\s*)(\?{1,2}[\w.]+|[\w.]+\?{1,2})\s*$")
# whitespace within a line only ([^\S\n]): `^\s*` crossed newlines and was quadratic on blank lines
_NEEDS_NEUTRALISING = re.compile(r"^[^\S\n]*[%!?]|=[^\S\n]*[%!]|\?[^\S\n]*$", re.M)


@dataclass(slots=True, init=False)
class CellCode:
    """What static analysis found in one code cell (slotted: made for every cell, read on every use).

    The constructor is written out (`init=False`) rather than made by `dataclasses`: the generated one
    is interpreted Python even in the compiled build (about 8 us a cell, for 21 fields of which 16 are
    fresh containers); this one compiles. Same fields, order and defaults; a container left out is a
    new empty one, as `default_factory` made it."""

    n_lines: int
    status: str  # ok | empty | syntax_error | non_python | too_long | too_deep
    error: str = ""
    imports: set[str] = field(default_factory=set)
    calls: set[str] = field(default_factory=set)
    methods: set[str] = field(default_factory=set)
    attrs: set[str] = field(default_factory=set)
    bases: set[str] = field(default_factory=set)
    magics: set[str] = field(default_factory=set)
    syntax: set[str] = field(default_factory=set)
    local_calls: set[str] = field(default_factory=set)
    variables: set[str] = field(default_factory=set)
    defs: dict[str, set[str]] = field(default_factory=dict)
    tree: ast.AST | None = None
    bindings: list[tuple[str, str, bool]] = field(default_factory=list)
    uses: list[tuple] = field(default_factory=list)
    # the def-use summary of the cell, one entry per top-level statement (kept after the tree is released)
    stmt_feats: list[set[str]] = field(default_factory=list)  # features of each statement (function bodies included)
    stmt_defs: list[set[str]] = field(default_factory=list)  # names each statement binds or changes for later
    stmt_kind: list[str] = field(default_factory=list)  # define | effect | display | none
    reads: set[str] = field(default_factory=set)  # names the cell reads (function bodies included)
    unresolved: set[str] = field(default_factory=set)  # calls into modules beside the notebook not summarised

    def __init__(self, n_lines: int, status: str, error: str = "", imports: set[str] | None = None,
                 calls: set[str] | None = None, methods: set[str] | None = None, attrs: set[str] | None = None,
                 bases: set[str] | None = None, magics: set[str] | None = None, syntax: set[str] | None = None,
                 local_calls: set[str] | None = None, variables: set[str] | None = None,
                 defs: dict[str, set[str]] | None = None, tree: ast.AST | None = None,
                 bindings: list[tuple[str, str, bool]] | None = None, uses: list[tuple] | None = None,
                 stmt_feats: list[set[str]] | None = None, stmt_defs: list[set[str]] | None = None,
                 stmt_kind: list[str] | None = None, reads: set[str] | None = None,
                 unresolved: set[str] | None = None) -> None:
        self.n_lines = n_lines
        self.status = status
        self.error = error
        self.imports = set() if imports is None else imports
        self.calls = set() if calls is None else calls
        self.methods = set() if methods is None else methods
        self.attrs = set() if attrs is None else attrs
        self.bases = set() if bases is None else bases
        self.magics = set() if magics is None else magics
        self.syntax = set() if syntax is None else syntax
        self.local_calls = set() if local_calls is None else local_calls
        self.variables = set() if variables is None else variables
        self.defs = {} if defs is None else defs
        self.tree = tree
        self.bindings = [] if bindings is None else bindings
        self.uses = [] if uses is None else uses
        self.stmt_feats = [] if stmt_feats is None else stmt_feats
        self.stmt_defs = [] if stmt_defs is None else stmt_defs
        self.stmt_kind = [] if stmt_kind is None else stmt_kind
        self.reads = set() if reads is None else reads
        self.unresolved = set() if unresolved is None else unresolved

    @property
    def defined(self) -> set[str]:
        out: set[str] = set()
        for d in self.stmt_defs:
            out |= d
        return out

    def features(self) -> list[str]:
        out = [f"import:{m}" for m in self.imports]
        out += [f"call:{c}" for c in self.calls]
        out += [f"method:{m}" for m in self.methods]
        out += [f"attr:{a}" for a in self.attrs]
        out += [f"base:{b}" for b in self.bases]
        out += [m if m.startswith(("magic:", "shell:")) else f"magic:{m}" for m in self.magics]
        out += [f"syntax:{s}" for s in self.syntax]
        out += [f"local:{n}" for n in self.local_calls]
        out += [f"var:{n}" for n in self.variables]
        return out


def neutralise_ipython(source: str) -> tuple[str, set[str], bool]:
    """Replace IPython-only lines with `pass` (same indentation and line count).

    Returns the Python text, the magics seen (`magic:<name>`, `shell:<cmd>`), and
    whether the cell body is Python at all (False for `%%bash`, `%%html`, ...).
    """
    lines = source.split("\n")
    magics: set[str] = set()
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        name = lines[first].lstrip()[2:].split(None, 1)[0] if lines[first].lstrip()[2:].strip() else ""
        magics.add(f"magic:%%{name}")
        rest = lines[first].lstrip()[2 + len(name):].split()
        writes_python = name == "writefile" and bool(rest) and rest[-1].endswith(".py")
        if name not in PYTHON_CELL_MAGICS and not writes_python:  # `%%writefile x.py` holds Python: read it
            return "", magics, False
        lines[first] = "pass"
    out = []
    state = (0, "", False)  # open brackets, open triple quote, backslash continuation of the line before
    for ln in lines:
        stripped = ln.lstrip()
        if not stripped or stripped.startswith("#"):
            out.append(ln)
            continue
        if state[0] or state[1] or state[2]:
            # inside a bracketed expression, a triple-quoted string or after a backslash: a line that
            # starts with `%` is a modulo operator (`(a\n % b)`), one with `!` or `?` text, not IPython
            out.append(ln)
            state = _continuation(ln, state)
            continue
        if stripped[0] in "%!":
            indent = ln[: len(ln) - len(stripped)]
            if stripped[0] == "!":
                cmd = _SHELL.match(ln).group(2)  # type: ignore[union-attr]
                magics.add(f"shell:{cmd.split('/')[-1]}" if cmd else "shell:")
            else:
                m = _LINE_MAGIC.match(ln)
                magics.add(f"magic:%{m.group(3) or ''}" if m else "magic:%")
            out.append(indent + "pass")
            continue
        m = _ASSIGN_MAGIC.match(ln)
        if m and not m.group(1).rstrip().endswith(("==", "!=", "<=", ">=")):
            assigned = m.group(3).lstrip()
            magics.add(("shell:" if m.group(2) == "!" else "magic:%") + (assigned.split(None, 1)[0] if assigned else ""))
            out.append(m.group(1) + "None")
            continue
        if _HELP.match(ln):
            magics.add("magic:?")
            out.append(ln[: len(ln) - len(stripped)] + "pass")
            continue
        out.append(ln)
        state = _continuation(ln, state)
    return "\n".join(out), magics, True


def _continuation(line: str, state: tuple[int, str, bool]) -> tuple[int, str, bool]:
    """The lexical state after a Python line: (open brackets, open triple quote or "", ends in a
    backslash). A cheap character scan (strings and comments skipped) run only on cells that need
    neutralising, so the next line is known to continue an expression rather than start a magic."""
    depth, triple, _ = state
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if triple:
            end = line.find(triple, i)
            if end == -1:
                return depth, triple, False
            i, triple = end + 3, ""
            continue
        if ch == "#":
            break
        if ch in "'\"":
            if line.startswith(ch * 3, i):
                triple = ch * 3
                i += 3
                continue
            i += 1
            while i < n and line[i] != ch:
                i += 2 if line[i] == "\\" else 1
            i += 1
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(depth - 1, 0)
        i += 1
    return depth, triple, line.rstrip().endswith("\\") and not triple


def _dotted(node: ast.AST) -> list[str] | None:
    """`a.b.c` -> ['a', 'b', 'c']; None when the chain does not end in a plain name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return parts[::-1]
    return None


def _quiet() -> bool:
    """True when warnings are already ignored (the first filter drops every warning): the miner then
    skips the per-cell `catch_warnings` (a few microseconds each, on every cell of a corpus)."""
    filters = warnings.filters
    return bool(filters) and filters[0][0] == "ignore" and filters[0][1] is None and filters[0][2] is Warning \
        and filters[0][3] is None


def _parse(text: str) -> ast.AST:
    """`ast.parse` with the author's invalid escapes and other warnings silenced (not our concern).

    `compile` with `ast.PyCF_ONLY_AST` is what `ast.parse` calls (same tree, same errors), without its
    interpreted wrapper around the call: one Python frame less for every cell."""
    if _quiet():
        return compile(text, "<unknown>", "exec", _ONLY_AST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compile(text, "<unknown>", "exec", _ONLY_AST)


_ONLY_AST = ast.PyCF_ONLY_AST


def parse_cell(source: str, limits: Limits = Limits()) -> CellCode:
    """Parse one cell and collect its imports and IPython magics (first pass)."""
    n_lines = len(source.splitlines())
    if not source.strip():
        return CellCode(n_lines, "empty")
    if len(source) > limits.max_cell_chars:
        return CellCode(n_lines, "too_long", f"{len(source)} characters exceeds {limits.max_cell_chars}")
    if source[:1] in (" ", "\t", "\n", "\r"):
        source = textwrap.dedent(source)
    # every IPython-only form holds `%`, `!` or `?`: a cell without them skips the regular expression
    # (most cells; the substring tests are C scans, the expression tries three branches at every line)
    if ("%" in source or "!" in source or "?" in source) and _NEEDS_NEUTRALISING.search(source):
        text, magics, is_python = neutralise_ipython(source)
    else:  # plain Python: nothing IPython-only to replace (the common case)
        text, magics, is_python = source, set(), True
    if not is_python:
        return CellCode(n_lines, "non_python", magics=magics)
    status = "ok"
    tree: ast.AST | None
    try:
        tree = _parse(text)
    except SyntaxError as exc:
        tree = _parse_python2(text)
        if tree is None:
            return CellCode(n_lines, "syntax_error", f"{type(exc).__name__} at line {exc.lineno}", magics=magics)
        status = "python2"
    except (RecursionError, MemoryError, ValueError) as exc:
        return CellCode(n_lines, "too_deep", f"{type(exc).__name__} while parsing", magics=magics)
    cell = CellCode(n_lines, status, magics=magics, tree=tree)
    _scan(cell, tree, limits)
    return cell


#: Every field of `CellCode`, as `CellMemo` keeps it (a test checks this against the dataclass, so a new
#: field cannot be left out of the record).
CELL_FIELDS = ("n_lines", "status", "error", "imports", "calls", "methods", "attrs", "bases", "magics", "syntax",
               "local_calls", "variables", "defs", "tree", "bindings", "uses", "stmt_feats", "stmt_defs", "stmt_kind",
               "reads", "unresolved")
#: The tree a cell from `CellMemo` carries: the memo keeps no syntax trees (`collect_uses` releases a
#: cell's tree anyway), and an empty module tells `collect_uses` that the cell was parsed.
_RELEASED_TREE = ast.Module(body=[], type_ignores=[])


def _record(c: CellCode) -> bytes:
    """A freshly parsed cell as `marshal` bytes, in `CELL_FIELDS` order (the tree as whether there was one).

    Bytes rather than a copy of the cell: the cyclic garbage collector never looks inside them. A memo
    of copies held about 190,000 containers (sets of names, lists of uses) that every collection walked
    again while a batch ran; the bytes are one untracked object per entry. Every value of a fresh cell is
    a str, int, bool, None or a set, frozenset, dict, list or tuple of them: all of which marshal keeps."""
    return marshal.dumps((c.n_lines, c.status, c.error, c.imports, c.calls, c.methods, c.attrs, c.bases, c.magics,
                          c.syntax, c.local_calls, c.variables, c.defs, c.tree is not None, c.bindings, c.uses,
                          c.stmt_feats, c.stmt_defs, c.stmt_kind, c.reads, c.unresolved))


def _from_record(blob: bytes) -> CellCode:
    """The cell `_record` kept, with containers of its own (`collect_uses` and `mark_unresolved` add to them)."""
    r = marshal.loads(blob)
    return CellCode(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
                    _RELEASED_TREE if r[13] else None, r[14], r[15], r[16], r[17], r[18], r[19], r[20])


class CellMemo:
    """`parse_cell` memoised by source text, for one batch of notebooks mined with one `Limits`.

    What `parse_cell` finds depends on the cell's text and the limits only (imports and aliases of other
    cells are applied later, by `import_aliases` and `collect_uses`), and identical cells are common across
    the notebooks of a corpus (`import numpy as np`, `df.head()`, a platform's boilerplate): a cell seen
    before is rebuilt from its record rather than parsed and walked again. Bounded: cells longer than
    `max_chars` are not kept (rarely repeated, costly to hold), and past `max_entries` entries or
    `max_total_chars` characters of kept source the oldest entries are dropped (what an entry holds grows
    with its text). An entry is the first parse as `marshal` bytes (`_record`), so a hit has fresh
    containers (what later steps add to one cell never reaches another) and the garbage collector has
    nothing to walk in the memo; its rows are the same bytes as without the memo (tested on the shared
    corpus)."""

    def __init__(self, limits: Limits = Limits(), max_entries: int = 4096, max_chars: int = 4096,
                 max_total_chars: int = 2_000_000):
        self.limits = limits
        self.max_entries = max_entries
        self.max_chars = max_chars
        self.max_total_chars = max_total_chars
        self.hits = 0
        self.misses = 0
        self._cells: dict[str, bytes] = {}
        self._chars = 0  # characters of source kept

    def parse(self, source: str) -> CellCode:
        """`parse_cell(source, self.limits)`, from the memo when the same text was parsed before."""
        if len(source) > self.max_chars:
            return parse_cell(source, self.limits)
        kept = self._cells.get(source)
        if kept is not None:
            self.hits += 1
            return _from_record(kept)
        self.misses += 1
        cell = parse_cell(source, self.limits)
        try:
            record = _record(cell)
        except ValueError:  # a value marshal cannot keep (none today): parsed again when seen again
            return cell
        cells = self._cells
        while cells and (len(cells) >= self.max_entries or self._chars + len(source) > self.max_total_chars):
            oldest = next(iter(cells))
            self._chars -= len(oldest)
            del cells[oldest]
        cells[source] = record
        self._chars += len(source)
        return cell


_FUNC_OR_CLASS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
#: Fields that never hold a child worth visiting: names, contexts, flags, and the lists of plain
#: identifiers (`global a, b`; a class pattern's keyword names).
_SCALAR_FIELDS = frozenset({"ctx", "id", "attr", "name", "arg", "asname", "module", "level", "kind",
                            "type_comment", "is_async", "conversion", "simple", "lineno", "col_offset"})
_IDENTIFIER_LISTS = frozenset({"names", "kwd_attrs"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
#: Node types `_scan` handles itself; every other type only has its children visited.
_SPECIAL = frozenset({ast.Name, ast.Call, ast.Attribute, ast.Import, ast.ImportFrom, ast.Assign, ast.AugAssign,
                      ast.AnnAssign, ast.Return, ast.For, ast.comprehension, ast.FunctionDef, ast.AsyncFunctionDef,
                      ast.ClassDef})


def _child_fields(kind: Any) -> tuple[str, ...]:
    """Fields of a node type that can hold child nodes (memoised; skips names, contexts, flags)."""
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields
                                             if f not in _SCALAR_FIELDS and f not in _IDENTIFIER_LISTS)
    return fields


def _scan(cell: CellCode, tree: ast.AST, limits: Limits) -> None:
    """One iterative pre-order walk: imports and alias bindings, plus the raw uses that
    `collect_uses` resolves once the notebook's aliases are known (no second walk).

    Every use carries the index of the top-level statement it belongs to, so the cell keeps a
    per-statement summary (features, names defined, kind) once its tree is released. The walk is
    the miner's hot loop: a call's dotted name is read in one step (its chain is not pushed),
    constants are never pushed, and common node types have their children listed by hand."""
    body = getattr(tree, "body", [])
    n = len(body)
    cell.stmt_feats = [set() for _ in range(n)]
    defs: list[set[str]] = [set() for _ in range(n)]
    cell.stmt_defs = defs
    cell.stmt_kind = ["none"] * n
    uses = cell.uses
    if body and type(body[-1]) is ast.Expr and type(body[-1].value) not in (ast.Call, ast.Constant, ast.Await):
        uses.append(("syntax", "display", None, n - 1))
    reads = cell.reads
    # first sight of a name or attribute per statement and owner: a repeat would add the same
    # feature again (keys: `x`, `.attr`, or `(key, owner)` inside a definition; cleared per statement)
    seen: set = set()
    classes: set[str] = set()
    max_depth = limits.max_ast_depth
    AST = ast.AST
    Call, Attribute, Name, Constant, Store = ast.Call, ast.Attribute, ast.Name, ast.Constant, ast.Store
    Assign, AugAssign, AnnAssign, Subscript, Expr = ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Subscript, ast.Expr
    child_fields = _CHILD_FIELDS
    special = _SPECIAL
    loop_vars: list[set[str]] = [set() for _ in range(n)]
    for si in range(n):
        st = body[si]
        feats_si = cell.stmt_feats[si]
        defs_si = defs[si]
        loops_si = loop_vars[si]
        if type(st) is Expr:
            v = st.value
            if type(v) is Call:
                parts = _dotted(v.func)
                # `model.fit(X)` / `df.drop(..., inplace=True)` change their receiver; a plain call acts
                inplace = bool(v.keywords) and "inplace" in [k.arg for k in v.keywords]
                uses.append(("stmtcall", _call_root(v.func), v.func.attr if type(v.func) is Attribute else None, parts, si,
                             inplace, si == n - 1))
            elif type(v) is not Constant:
                cell.stmt_kind[si] = "display"
        seen.clear()
        stack: list[tuple[Any, int, str | None]] = [(st, 1, None)]
        owner: str | None
        while stack:
            node, depth, owner = stack.pop()
            if depth > max_depth:
                cell.status, cell.error = "too_deep", f"syntax tree deeper than {max_depth}"
                uses.clear()
                return
            kind = type(node)
            depth += 1
            if kind is Name:
                name = node.id
                if type(node.ctx) is Store:
                    if owner is None:
                        defs_si.add(name)
                else:
                    reads.add(name)
                key = name if owner is None else (name, owner)
                if key not in seen:
                    seen.add(key)
                    uses.append(("name", name, owner, si))
                continue
            if kind is Call:
                func = node.func
                if type(func) is Name:  # `f(x)`: the commonest call, its name is the whole chain
                    reads.add(func.id)
                    uses.append(("call", [func.id], None, owner, si))
                else:
                    chain: list[str] = []
                    inner = func
                    while type(inner) is Attribute:
                        chain.append(inner.attr)
                        inner = inner.value
                    if type(inner) is Name:
                        chain.append(inner.id)
                        reads.add(inner.id)
                        uses.append(("call", chain[::-1], func.attr if type(func) is Attribute else None, owner, si))
                    else:
                        uses.append(("call", None, func.attr if type(func) is Attribute else None, owner, si))
                        stack.append((inner, depth, owner))
                # typed as lists (what `ast` always gives): compiled, the loops index the list directly
                call_args: list[Any] = node.args
                for a in call_args:
                    if type(a) is not Constant:
                        stack.append((a, depth, owner))
                call_keywords: list[Any] = node.keywords
                for k in call_keywords:
                    if type(k.value) is not Constant:
                        stack.append((k.value, depth, owner))
                continue
            if kind is Attribute:
                if type(node.ctx) is not Store:
                    key = "." + node.attr if owner is None else ("." + node.attr, owner)
                    if key not in seen:
                        seen.add(key)
                        uses.append(("attrs", node.attr, owner, si))
                stack.append((node.value, depth, owner))
                continue
            # the commonest plain containers: their children pushed in field order, as the loop below would
            if kind is Subscript:
                if type(node.value) is not Constant:
                    stack.append((node.value, depth, owner))
                if type(node.slice) is not Constant:
                    stack.append((node.slice, depth, owner))
                continue
            if kind is Expr or kind is ast.Starred:
                if type(node.value) is not Constant:
                    stack.append((node.value, depth, owner))
                continue
            if kind is ast.BinOp and depth <= max_depth:  # the operator (a leaf) matters only at the limit
                if type(node.left) is not Constant:
                    stack.append((node.left, depth, owner))
                if type(node.right) is not Constant:
                    stack.append((node.right, depth, owner))
                continue
            if kind is ast.Tuple or kind is ast.List:
                elts: list[Any] = node.elts
                for item in elts:
                    if type(item) is not Constant:
                        stack.append((item, depth, owner))
                continue
            child_owner = owner
            if kind in special:  # the rest only have their children visited
                if kind is ast.Import:
                    for a in node.names:
                        cell.imports.add(a.name)
                        feats_si.add("import:" + a.name)
                        if a.asname:
                            cell.bindings.append((a.asname, a.name, False))
                            defs_si.add(a.asname)
                        else:
                            top = a.name.split(".")[0]
                            cell.bindings.append((top, top, True))
                            defs_si.add(top)
                    continue
                if kind is ast.ImportFrom:
                    if node.module and not node.level:
                        cell.imports.add(node.module)
                        feats_si.add("import:" + node.module)
                        for a in node.names:
                            if a.name != "*":
                                cell.bindings.append((a.asname or a.name, f"{node.module}.{a.name}", False))
                                defs_si.add(a.asname or a.name)
                            else:
                                cell.bindings.append(("*" + node.module, node.module, False))
                    continue
                if kind is Assign or kind is AugAssign or kind is AnnAssign:
                    targets = node.targets if kind is Assign else [node.target]
                    for t in targets:
                        tk = type(t)
                        if tk is Subscript or tk is Attribute:
                            base = _dotted(t.value)
                            if owner is None and base:
                                defs_si.add(base[0])  # `df["x"] = ...`, `model.n = ...` change `df`, `model`
                            if tk is Subscript:
                                name = base[-1].lower() if base else ""
                                # `params["eta"] = ...` / `os.environ[...] = ...` configure; `df["x"] = ...` changes data
                                marker = ("setparam" if any(w in name for w in _PARAM_WORDS)
                                          else "setconfig" if any(w in name for w in _CONFIG_WORDS) else "setitem")
                                uses.append(("syntax", marker, owner, si))
                        elif kind is AugAssign and tk is Name and owner is None:
                            defs_si.add(t.id)
                    value = node.value
                    if value is not None:
                        vk = type(value)
                        if kind is Assign and vk is Call and len(targets) == 1 and type(targets[0]) is Name:
                            uses.append(("bind", targets[0].id, _dotted(value.func), si))  # `enc = LabelEncoder()`
                        if kind is Assign and vk is Subscript:
                            # `df = df[mask]` filters rows; `y = df["target"]` selects part of the data
                            base = _dotted(value.value)
                            same = base is not None and any(type(t) is Name and t.id == base[0] for t in targets)
                            uses.append(("syntax", "filter" if same else "subset", owner, si))
                            sl = value.slice  # type: ignore[attr-defined]
                            if type(sl) is Constant and type(sl.value) is int:
                                uses.append(("syntax", "item", owner, si))  # `example = ds["train"][0]`: one item
                        if owner is None and depth == 2:
                            uses.append(("syntax", _literal_marker(value) if _is_literal(value) else "assign", owner, si))
                        if vk is not Constant:
                            stack.append((value, depth, owner))
                    for t in targets:
                        stack.append((t, depth, owner))
                    continue
                if kind is ast.Return and type(node.value) is Subscript:
                    uses.append(("syntax", "subset", owner, si))
                if (kind is ast.For or kind is ast.comprehension) and owner is None:
                    # loop and comprehension variables are scaffolding, not values left for later cells
                    loops_si.update(x.id for x in ast.walk(node.target) if type(x) is Name)
                if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef or kind is ast.ClassDef:
                    if owner is None:
                        child_owner = node.name.lower()  # local names are matched case-insensitively
                        cell.defs.setdefault(child_owner, set())
                        defs_si.add(node.name)
                        uses.append(("defname", child_owner, None, si))
                        if kind is ast.ClassDef:
                            classes.add(child_owner)
                    elif owner in classes and kind is not ast.ClassDef and node.name != "__init__":
                        # calling a class runs its constructor, not its other methods: keep those apart
                        child_owner = f"{owner}.{node.name.lower()}"
                        cell.defs.setdefault(child_owner, set())
                    if kind is ast.ClassDef:
                        for b in node.bases:
                            uses.append(("base", _dotted(b), child_owner, si))
            fields = child_fields.get(kind)
            if fields is None:
                fields = _child_fields(kind)
            for fname in fields:
                value = getattr(node, fname, None)
                if type(value) is list:
                    items: list[Any] = value
                    for item in items:
                        if isinstance(item, AST) and type(item) is not Constant:
                            stack.append((item, depth, child_owner))
                elif value is not None and isinstance(value, AST) and type(value) is not Constant:
                    stack.append((value, depth, child_owner))
        if loops_si:
            defs_si -= loops_si


def _call_root(func: ast.AST) -> str | None:
    """The variable a method chain starts from (`df.x.fillna` -> `df`); None for a plain call."""
    node = func.value if isinstance(func, ast.Attribute) else None
    while node is not None:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, (ast.Call, ast.Subscript)):
            node = node.func if isinstance(node, ast.Call) else node.value
        else:
            return None
    return None


#: Methods that change their receiver in place (a statement made of one of them defines the receiver).
MUTATORS = frozenset({"append", "extend", "update", "insert", "pop", "remove", "clear", "sort", "add", "setdefault",
                      "set_index", "reset_index", "set_transform", "with_transform", "set_format", "to", "cuda", "eval",
                      "train", "requires_grad_", "zero_grad", "step", "backward", "load_state_dict", "freeze", "unfreeze",
                      "add_module", "register_buffer", "set_params", "fit_one_cycle", "fine_tune", "lr_find"})
_PARAM_WORDS = ("param",)
_CONFIG_WORDS = ("config", "environ", "option", "setting", "rcparams")


_LITERAL_NODES = (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.UnaryOp)


def _literal_marker(node: ast.AST) -> str:
    """`columns` for a literal list, tuple or set of strings (`cat = ["sex", "port"]`: a choice of columns or
    labels), else `constant` (a number, a dict of settings, a path)."""
    if type(node) in (ast.List, ast.Tuple, ast.Set) and node.elts:  # type: ignore[attr-defined]
        if all(type(e) is ast.Constant and type(e.value) is str for e in node.elts):  # type: ignore[attr-defined]
            return "columns"
    return "constant"


def _is_literal(node: ast.AST) -> bool:
    if type(node) is ast.Constant:
        return True
    if type(node) not in _LITERAL_NODES:
        return False
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


def _py2_print_line(line: str) -> str:
    """`print x, y` -> `print(x, y)` and a bare `print` -> `print()`, in one linear pass
    (a regular expression here backtracked quadratically on long runs of spaces)."""
    body = line.lstrip()
    if not body.startswith("print"):
        return line
    rest = body[5:]
    indent = line[: len(line) - len(body)]
    if not rest.strip():
        return f"{indent}print()"
    if rest[0] not in " \t\f\v" or rest.lstrip()[0] in "(=.,[":
        return line
    return f"{indent}print({rest.strip()})"


def _parse_python2(text: str) -> ast.AST | None:
    """Parse after turning Python 2 `print x` statements into calls; None if still invalid."""
    if "print" not in text:
        return None
    fixed = "\n".join(_py2_print_line(ln) for ln in text.split("\n"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(fixed)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None


def import_aliases(cell: "CellCode | ast.AST", aliases: dict[str, str]) -> None:
    """Add the names a cell's imports bind (`import numpy as np` -> np: numpy)."""
    if isinstance(cell, CellCode):
        bindings = cell.bindings
    else:
        probe = CellCode(0, "ok")
        _scan(probe, cell, Limits())
        bindings = probe.bindings
    for name, target, keep_existing in bindings:
        if keep_existing:
            aliases.setdefault(name, target)
        else:
            aliases[name] = target


def resolve(parts: list[str], aliases: dict[str, str]) -> str | None:
    head = aliases.get(parts[0])
    if head is None:
        return None
    return ".".join([head, *parts[1:]])


def _star_resolve(name: str, stars: list[str], aliases: dict[str, str]) -> bool:
    """Bind `name` in `aliases` when a star import of a catalogued module defines it."""
    cat = default_catalogue()
    for module in stars:
        q = cat.star_name(module, name)
        if q is not None:
            aliases[name] = q
            return True
    return False


def collect_uses(cell: CellCode, aliases: dict[str, str], limits: Limits = Limits()) -> None:
    """Second step: turn the recorded uses into features, resolved via the notebook's `aliases`.

    Features found inside a top-level function or class also go to `cell.defs[name]`; every
    feature also goes to the summary of its top-level statement (`cell.stmt_feats`). Names that
    only a star import of a catalogued module explains (`from fastai.vision.all import *`)
    resolve through the API catalogue. Afterwards the tree and raw uses are released.

    This loop runs once per use (about a dozen per statement), so the common cases (a variable
    read, a call) add their feature inline rather than through a helper; uses are read in the
    order the walk made them, since a star import resolved by one call changes how later names read.
    """
    if cell.tree is None and not cell.uses:
        return
    cat = default_catalogue()
    stmt_feats = cell.stmt_feats
    stars = [k[1:] for k in aliases if k[:1] == "*"]
    variables, calls = cell.variables, cell.calls
    targets = {"calls": (calls, "call:"), "methods": (cell.methods, "method:"), "attrs": (cell.attrs, "attr:"),
               "bases": (cell.bases, "base:"), "syntax": (cell.syntax, "syntax:"),
               "local_calls": (cell.local_calls, "local:"), "variables": (variables, "var:")}
    owner_defs = cell.defs
    builtin_names = _BUILTINS

    def add(kind: str, value: str, owner: str | None, si: int) -> None:
        st, pre = targets[kind]
        st.add(value)
        feat = pre + value
        if owner is not None:
            owner_defs[owner].add(feat)
        stmt_feats[si].add(feat)

    uses = cell.uses
    for use in uses:  # instances first: the walk visits a cell's statements out of order
        if use[0] == "bind" and use[2] is not None and use[2][-1][:1].isupper():  # `X = Class(...)` only
            if stars and use[2][0] not in aliases:
                _star_resolve(use[2][0], stars, aliases)
            made_by = resolve(use[2], aliases)
            if made_by is None and len(use[2]) == 1 and use[2][0] not in builtin_names:
                made_by = "local:" + use[2][0].lower()  # an instance of a class the notebook may define
            if made_by is not None:
                aliases["@" + use[1]] = made_by
            else:
                aliases.pop("@" + use[1], None)
    for use in uses:
        tag: str = use[0]  # typed: compiled, the comparisons below are string compares, `lower` a primitive
        if tag == "name":  # the commonest use: a variable read or written
            vname: str = use[1]
            if vname not in aliases:
                low = vname.lower()
                variables.add(low)
                feat = "var:" + low
                if use[2] is not None:
                    owner_defs[use[2]].add(feat)
                stmt_feats[use[3]].add(feat)
        elif tag == "call":
            _, parts, attr, owner, si = use
            if parts is not None:
                first = parts[0]
                if stars and first not in aliases and first not in builtin_names:
                    _star_resolve(first, stars, aliases)
                head = aliases.get(first)
                if head is not None:  # `resolve`, inline
                    qualified = head if len(parts) == 1 else ".".join([head, *parts[1:]])
                    calls.add(qualified)
                    feat = "call:" + qualified
                    if owner is not None:
                        owner_defs[owner].add(feat)
                    stmt_feats[si].add(feat)
                elif len(parts) == 1 and first in builtin_names:
                    add("calls", first, owner, si)
                elif len(parts) == 1:
                    add("local_calls", first.lower(), owner, si)
                elif len(parts) == 2 and "@" + first in aliases:
                    made_by = aliases["@" + first]
                    if made_by.startswith("local:") and not parts[1].startswith("__"):
                        # `net.SGD()` runs the method `network.sgd` (an explicit dunder call is a probe)
                        add("methods", parts[1], owner, si)
                        add("local_calls", f"{made_by[6:]}.{parts[1].lower()}", owner, si)
                    else:
                        add("methods", f"{parts[1]}@{made_by}", owner, si)
                elif len(parts) == 2:  # a plain variable: its name says what it holds (`submission.head()`)
                    add("methods", f"{parts[1]}@var:{first.lower()}", owner, si)
                else:
                    add("methods", parts[-1], owner, si)
            elif attr is not None:
                add("methods", attr, owner, si)
        elif tag == "bind":
            continue
        elif tag == "stmtcall":
            _stmt_call(cell, use, aliases, cat, DISPLAY_ROLES, SHOWN_ROLES)
        elif tag == "defname":  # what a function is called hints at what it does
            add("local_calls", use[1], None, use[3])
        elif tag == "base":
            q = resolve(use[1], aliases) if use[1] else None
            if q:
                add("bases", q, use[2], use[3])
        else:
            add(tag, use[1], use[2], use[3])
    for i, kind in enumerate(cell.stmt_kind):
        if kind == "none" and cell.stmt_defs[i]:
            cell.stmt_kind[i] = "define"
        elif kind == "display":
            cell.stmt_defs[i] = set()
    cell.uses = []
    cell.tree = None  # the tree is not needed once features are collected


def _stmt_call(cell: CellCode, use: tuple, aliases: dict[str, str], cat, display_roles, shown_roles) -> None:
    """What a statement made of one call leaves for later cells: its kind and the names it changes."""
    _, root, attr, parts, si, inplace, last = use
    qualified = resolve(parts, aliases) if parts else None
    if qualified is not None:
        entry = cat.call(qualified)
    elif parts is not None and len(parts) == 1:
        entry = cat.call(parts[0]) if parts[0] in _BUILTINS else None
    else:
        entry = cat.method(attr) if attr else None
    if entry is not None and entry.role in display_roles:
        cell.stmt_kind[si] = "display"
        cell.stmt_defs[si] = set()
    elif entry is not None and entry.role == "save":
        cell.stmt_kind[si] = "save"  # writes a file: its stage is that of what it writes
        cell.stmt_defs[si] = {root} if root is not None and root not in aliases else set()
    elif entry is not None and (root is None or root in aliases) and entry.role in shown_roles:
        cell.stmt_kind[si] = "display"  # `pd.read_csv(...)` alone on a line: the value is shown, not kept
        cell.stmt_defs[si] = set()
    elif root is not None and root not in aliases and qualified is None and (
            inplace or attr in MUTATORS or (attr is not None and attr.startswith("load_"))
            or (entry is not None and entry.role in ("fit", "tune", "construct model"))):
        # a method changes its receiver (`model.fit`, `df.drop(..., inplace=True)`, `ds.load_dataset()`)
        cell.stmt_kind[si] = "define"
        cell.stmt_defs[si] = {root}
    elif last and root is not None and qualified is None:
        cell.stmt_kind[si] = "display"  # `df.count()` ending a cell: its value is shown
        cell.stmt_defs[si] = set()
    else:
        cell.stmt_kind[si] = "effect"
        cell.stmt_defs[si] = set()


def top_modules(imports: set[str]) -> set[str]:
    return {m.split(".")[0] for m in imports}
