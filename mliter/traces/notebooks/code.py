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
import re
import textwrap
import warnings
from dataclasses import dataclass, field

from mliter.traces.notebooks.parse import Limits

#: Cell magics whose body is still Python (the magic only times or captures it).
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit", "skip"})
_BUILTINS = frozenset(dir(builtins)) | {"display", "get_ipython"}
_ASSIGN_MAGIC = re.compile(r"^(\s*[A-Za-z_][\w\s,.\[\]]*=\s*)([%!])(.*)$")
_LINE_MAGIC = re.compile(r"^(\s*)(%{1,2})([A-Za-z_][\w.]*)?(.*)$")
_SHELL = re.compile(r"^(\s*)!(\S*)(.*)$")
_HELP = re.compile(r"^(\s*)(\?{1,2}[\w.]+|[\w.]+\?{1,2})\s*$")
_PY2_PRINT = re.compile(r"^(\s*)print(?:\s+(?![(=.,\[])(.*?)|\s*)\s*$", re.M)


@dataclass
class CellCode:
    """What static analysis found in one code cell."""

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
        if name not in PYTHON_CELL_MAGICS:
            return "", magics, False
        lines[first] = "pass"
    out = []
    for ln in lines:
        stripped = ln.lstrip()
        if not stripped or stripped.startswith("#"):
            out.append(ln)
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
            rest = m.group(3).lstrip()
            magics.add(("shell:" if m.group(2) == "!" else "magic:%") + (rest.split(None, 1)[0] if rest else ""))
            out.append(m.group(1) + "None")
            continue
        if _HELP.match(ln):
            magics.add("magic:?")
            out.append(ln[: len(ln) - len(stripped)] + "pass")
            continue
        out.append(ln)
    return "\n".join(out), magics, True


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


def parse_cell(source: str, limits: Limits = Limits()) -> CellCode:
    """Parse one cell and collect its imports and IPython magics (first pass)."""
    n_lines = len(source.splitlines())
    if not source.strip():
        return CellCode(n_lines, "empty")
    if len(source) > limits.max_cell_chars:
        return CellCode(n_lines, "too_long", f"{len(source)} characters exceeds {limits.max_cell_chars}")
    text, magics, is_python = neutralise_ipython(textwrap.dedent(source))
    if not is_python:
        return CellCode(n_lines, "non_python", magics=magics)
    status = "ok"
    try:
        with warnings.catch_warnings():  # invalid escapes in the author's strings are not our concern
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
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


_FUNC_OR_CLASS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_SCALAR_FIELDS = frozenset({"ctx", "id", "attr", "name", "arg", "asname", "module", "level", "kind",
                            "type_comment", "is_async", "conversion", "simple", "lineno", "col_offset"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    """Fields of a node type that can hold child nodes (memoised; skips names, contexts, flags)."""
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f not in _SCALAR_FIELDS)
    return fields


def _scan(cell: CellCode, tree: ast.AST, limits: Limits) -> None:
    """One iterative pre-order walk: imports and alias bindings, plus the raw uses that
    `collect_uses` resolves once the notebook's aliases are known (no second walk)."""
    body = getattr(tree, "body", [])
    if body and isinstance(body[-1], ast.Expr) and not isinstance(body[-1].value, (ast.Call, ast.Constant, ast.Await)):
        cell.uses.append(("syntax", "display", None))
    uses = cell.uses
    called: set[int] = set()
    classes: set[str] = set()
    stack: list[tuple[ast.AST, int, str | None]] = [(tree, 0, None)]
    push = stack.append
    AST = ast.AST
    Call, Attribute, Name, Load = ast.Call, ast.Attribute, ast.Name, ast.Load
    while stack:
        node, depth, owner = stack.pop()
        if depth > limits.max_ast_depth:
            cell.status, cell.error = "too_deep", f"syntax tree deeper than {limits.max_ast_depth}"
            uses.clear()
            return
        kind = type(node)
        if kind is Call:
            func = node.func
            inner = func
            while type(inner) is Attribute:  # `np.random.seed`: no attr:random
                called.add(id(inner))
                inner = inner.value
            if inner is func:
                called.add(id(inner))  # a called name is a call feature, not a variable
            uses.append(("call", _dotted(func), func.attr if type(func) is Attribute else None, owner))
        elif kind is Attribute:
            if id(node) not in called and type(node.ctx) is Load:
                uses.append(("attrs", node.attr, owner))
        elif kind is Name:
            if id(node) not in called:
                uses.append(("name", node.id, owner))
        elif kind is ast.Import:
            for a in node.names:
                cell.imports.add(a.name)
                if a.asname:
                    cell.bindings.append((a.asname, a.name, False))
                else:
                    top = a.name.split(".")[0]
                    cell.bindings.append((top, top, True))
        elif kind is ast.ImportFrom:
            if node.module and not node.level:
                cell.imports.add(node.module)
                for a in node.names:
                    if a.name != "*":
                        cell.bindings.append((a.asname or a.name, f"{node.module}.{a.name}", False))
        elif kind is ast.Assign or kind is ast.AugAssign:
            targets = node.targets if kind is ast.Assign else [node.target]
            for t in targets:
                if type(t) is ast.Subscript:
                    base = _dotted(t.value)
                    name = base[-1].lower() if base else ""
                    # `params["eta"] = ...` / `os.environ[...] = ...` configure; `df["x"] = ...` changes data
                    marker = ("setparam" if any(w in name for w in _PARAM_WORDS)
                              else "setconfig" if any(w in name for w in _CONFIG_WORDS) else "setitem")
                    uses.append(("syntax", marker, owner))
            if kind is ast.Assign and type(node.value) is Call and len(targets) == 1 and type(targets[0]) is Name:
                uses.append(("bind", targets[0].id, _dotted(node.value.func)))  # `enc = LabelEncoder()`
            if kind is ast.Assign and type(node.value) is ast.Subscript:
                # `df = df[mask]` filters rows; `y = df["target"]` selects part of the data
                base = _dotted(node.value.value)
                same = base is not None and any(type(t) is Name and t.id == base[0] for t in targets)
                uses.append(("syntax", "filter" if same else "subset", owner))
            if owner is None and depth == 1:
                uses.append(("syntax", "constant" if _is_literal(node.value) else "assign", owner))
        elif kind is ast.Return and type(node.value) is ast.Subscript:
            uses.append(("syntax", "subset", owner))
        child_owner = owner
        if owner is None and isinstance(node, _FUNC_OR_CLASS):
            child_owner = node.name.lower()  # local names are matched case-insensitively
            cell.defs.setdefault(child_owner, set())
            uses.append(("defname", child_owner, None))
            if kind is ast.ClassDef:
                classes.add(child_owner)
        elif owner in classes and kind in (ast.FunctionDef, ast.AsyncFunctionDef) and node.name != "__init__":
            # calling a class runs its constructor, not its other methods: keep those apart
            child_owner = f"{owner}.{node.name.lower()}"
            cell.defs.setdefault(child_owner, set())
        if kind is ast.ClassDef:
            for b in node.bases:
                uses.append(("base", _dotted(b), child_owner))
        depth += 1
        for fname in _CHILD_FIELDS.get(kind) or _child_fields(kind):
            value = getattr(node, fname, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, AST):
                        push((item, depth, child_owner))
            elif isinstance(value, AST):
                push((value, depth, child_owner))


_PARAM_WORDS = ("param",)
_CONFIG_WORDS = ("config", "environ", "option", "setting", "rcparams")


def _is_literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


def _parse_python2(text: str) -> ast.AST | None:
    """Parse after turning Python 2 `print x` statements into calls; None if still invalid."""
    if "print" not in text:
        return None
    fixed = _PY2_PRINT.sub(lambda m: f"{m.group(1)}print({m.group(2) or ''})", text)
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


def collect_uses(cell: CellCode, aliases: dict[str, str], limits: Limits = Limits()) -> None:
    """Second step: turn the recorded uses into features, resolved via the notebook's `aliases`.

    Features found inside a top-level function or class also go to `cell.defs[name]`.
    """
    if cell.tree is None and not cell.uses:
        return
    prefixes = {"calls": "call", "methods": "method", "attrs": "attr", "bases": "base",
                "syntax": "syntax", "local_calls": "local", "variables": "var"}

    def add(kind: str, value: str, owner: str | None) -> None:
        getattr(cell, kind).add(value)
        if owner is not None:
            cell.defs[owner].add(f"{prefixes[kind]}:{value}")

    for use in cell.uses:  # instances first: the walk visits a cell's statements out of order
        if use[0] == "bind" and use[2] is not None and use[2][-1][:1].isupper():  # `X = Class(...)` only
            made_by = resolve(use[2], aliases)
            if made_by is None and len(use[2]) == 1 and use[2][0] not in _BUILTINS:
                made_by = "local:" + use[2][0].lower()  # an instance of a class the notebook may define
            if made_by is not None:
                aliases["@" + use[1]] = made_by
            else:
                aliases.pop("@" + use[1], None)
    for use in cell.uses:
        tag = use[0]
        if tag == "bind":
            continue
        if tag == "call":
            _, parts, attr, owner = use
            if parts is not None:
                qualified = resolve(parts, aliases)
                if qualified is not None:
                    add("calls", qualified, owner)
                elif len(parts) == 1 and parts[0] in _BUILTINS:
                    add("calls", parts[0], owner)
                elif len(parts) == 1:
                    add("local_calls", parts[0].lower(), owner)
                elif len(parts) == 2 and "@" + parts[0] in aliases:
                    made_by = aliases["@" + parts[0]]
                    if made_by.startswith("local:") and not parts[1].startswith("__"):
                        # `net.SGD()` runs the method `network.sgd` (an explicit dunder call is a probe)
                        add("methods", parts[1], owner)
                        add("local_calls", f"{made_by[6:]}.{parts[1].lower()}", owner)
                    else:
                        add("methods", f"{parts[1]}@{made_by}", owner)
                elif len(parts) == 2:  # a plain variable: its name says what it holds (`submission.head()`)
                    add("methods", f"{parts[1]}@var:{parts[0].lower()}", owner)
                else:
                    add("methods", parts[-1], owner)
            elif attr is not None:
                add("methods", attr, owner)
        elif tag == "defname":  # what a function is called hints at what it does
            add("local_calls", use[1], None)
        elif tag == "name":
            if use[1] not in aliases:
                add("variables", use[1].lower(), use[2])
        elif tag == "base":
            q = resolve(use[1], aliases) if use[1] else None
            if q:
                add("bases", q, use[2])
        else:
            add(tag, use[1], use[2])
    cell.uses = []
    cell.tree = None  # the tree is not needed once features are collected


def top_modules(imports: set[str]) -> set[str]:
    return {m.split(".")[0] for m in imports}
