"""Calls of a parsed cell with their arguments, resolved through the notebook's import aliases.

`mliter.traces.notebooks.code` reduces calls to feature strings; a workflow signature also needs
each call's arguments (`RandomForestClassifier(n_estimators=500)`) and which variable a
constructor's result was bound to (`rf = ...; rf.fit(X, y, sample_weight=w)`). This module
walks a cell's syntax tree once, in source order, and yields those as `CallSite`s.
Argument values are reduced to text that never carries code: the literal's canonical
form when `ast.literal_eval` accepts it (also through a variable bound to a literal,
`params = {...}; xgb.train(params, ...)`), else `<expr:HASH>`, a short hash of the
expression's syntax tree, so two versions can be compared without shipping the code. A
variable bound to a non-literal container (`grid = {"k": randint(5, 12)}`, `dict(...)`) stands
for that expression's hash, so a changed search space shows in the call that uses it; other
variables (data frames, models) stand for their name only.
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterator

from mliter.traces.notebooks.code import _dotted, resolve

#: Placeholder for an argument that is not a literal (the hash tells versions apart).
EXPR = "<expr>"


@dataclass(frozen=True)
class BoundExpr:
    """What a variable bound to a non-literal expression stands for: the expression's marker."""

    marker: str


@dataclass(frozen=True)
class CallSite:
    """One call: `qualified` when resolved through imports, else `method` names the attribute called.

    `receiver` is the plain variable an unresolved method is called on (`rf` in `rf.fit()`),
    `root` the variable a method chain starts from (`scores` in `scores.describe().T.drop()`),
    `target` the variable the call's value is assigned to (`rf` in `rf = RFC()`).
    `args` and `kwargs` hold normalised values (see `normalise_value`); `**x` is kept under `**`.
    """

    qualified: str | None
    method: str | None
    receiver: str | None
    target: str | None
    args: tuple[str, ...]
    kwargs: tuple[tuple[str, str], ...]
    lineno: int
    nodes: tuple[ast.AST, ...] = ()  # the raw argument nodes (args then keyword values), not shipped
    root: str | None = None
    literal_receiver: bool = False  # a method of a string or number literal (`"a,b".split(",")`)


def normalise_value(value: Any) -> str:
    """Canonical text of a literal value: JSON when it can be, sorted for sets and dict keys.

    >>> normalise_value({"b": 1, "a": (1, 2.0)}), normalise_value(None), normalise_value("mean")
    ('{"a": [1, 2.0], "b": 1}', 'null', '"mean"')
    """

    def plain(v: Any) -> Any:
        if isinstance(v, (set, frozenset)):
            return sorted((plain(x) for x in v), key=repr)
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        return repr(v)

    return json.dumps(plain(value), sort_keys=True, ensure_ascii=False)


def expr_marker(node: ast.AST) -> str:
    """`<expr:xxxxxxxx>`: a hash of the expression's tree (formatting and comments ignored).

    Variable names are replaced by their order of first appearance before hashing, so renaming
    a local variable inside an argument (`fit(X_tr)` -> `fit(X_train)`) leaves the hash alone,
    while using another variable where there were two (`f(a, b)` -> `f(a, a)`) still changes it.
    Names that are called keep their name (`scale(y)` and `normalise(y)` differ); a called dotted name counts by
    its last part (`tf.keras.layers.experimental.preprocessing.StringLookup(...)` and `layers.StringLookup(...)`
    are one callable that its library moved between modules). Keyword arguments count in name order
    (`AppendNDVI(index_nir=0, index_red=3)` and `AppendNDVI(index_red=3, index_nir=0)` are one call)."""
    calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)]
    called = {id(n.func) for n in calls}
    keywords = [(n, n.keywords) for n in calls if len(n.keywords) > 1]
    names: list[ast.AST] = []
    saved: list[str] = []
    dotted = [(n, n.func) for n in calls if isinstance(n.func, ast.Attribute) and _is_dotted(n.func)]
    order: dict[str, str] = {}
    try:
        for call, kws in keywords:  # first, so that variables are numbered in the sorted order too
            call.keywords = sorted(kws, key=lambda k: (k.arg is None, k.arg or ""))
        names = [n for n in ast.walk(node) if isinstance(n, (ast.Name, ast.arg)) and id(n) not in called]
        saved = [n.id if isinstance(n, ast.Name) else n.arg for n in names]
        for n, old in zip(names, saved):
            new = order.setdefault(old, f"_{len(order)}")
            if isinstance(n, ast.Name):
                n.id = new
            else:
                n.arg = new
        for call, func in dotted:
            call.func = ast.Name(id=func.attr, ctx=ast.Load())
        text = ast.dump(node, include_attributes=False)
    finally:
        for call, kws in keywords:
            call.keywords = kws
        for n, old in zip(names, saved):
            if isinstance(n, ast.Name):
                n.id = old
            else:
                n.arg = old
        for call, func in dotted:
            call.func = func
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{EXPR[:-1]}:{digest}>"


def _is_dotted(node: ast.AST) -> bool:
    """`a.b.c`: attributes of attributes down to a plain name (a module path or a variable's attribute)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


#: Bounds of constant propagation: nesting, container size and the exponent of `**`.
MAX_CONST_DEPTH, MAX_CONST_ITEMS, MAX_POW = 20, 10_000, 64
_BINOPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
           ast.Pow: lambda a, b: a ** b}


class _NotConst(Exception):
    pass


def const_value(node: ast.AST, literals: dict[str, Any], depth: int = 0) -> Any:
    """The value of `node` when static evaluation can tell it (simple constant propagation).

    Literals, names bound to literals earlier (`literals`), containers of those and their items, unary minus and
    arithmetic on numbers, `+` on strings and `dict(k=...)`; raises `_NotConst` otherwise. Bounded
    in depth, size and exponent, so no expression can make it slow."""
    if depth > MAX_CONST_DEPTH:
        raise _NotConst
    kind = type(node)
    if kind is ast.Constant:
        return node.value
    if kind is ast.Name:
        if node.id in literals and not isinstance(literals[node.id], BoundExpr):
            return literals[node.id]
        raise _NotConst
    if kind in (ast.List, ast.Tuple, ast.Set):
        if len(node.elts) > MAX_CONST_ITEMS:
            raise _NotConst
        items = [const_value(e, literals, depth + 1) for e in node.elts]
        if kind is ast.Set:
            try:
                return set(items)
            except TypeError:
                raise _NotConst from None
        return tuple(items) if kind is ast.Tuple else items
    if kind is ast.Dict:
        if None in node.keys or len(node.keys) > MAX_CONST_ITEMS:
            raise _NotConst
        try:
            return {const_value(k, literals, depth + 1): const_value(v, literals, depth + 1)
                    for k, v in zip(node.keys, node.values)}
        except TypeError:
            raise _NotConst from None
    if kind is ast.UnaryOp and type(node.op) in (ast.USub, ast.UAdd):
        v = const_value(node.operand, literals, depth + 1)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return -v if type(node.op) is ast.USub else v
        raise _NotConst
    if kind is ast.BinOp and type(node.op) in _BINOPS:
        a, b = const_value(node.left, literals, depth + 1), const_value(node.right, literals, depth + 1)
        numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))
        strings = isinstance(a, str) and isinstance(b, str) and type(node.op) is ast.Add and len(a) + len(b) < 10_000
        if type(node.op) is ast.Pow and (not numbers or abs(b) > MAX_POW or abs(a) > 10**6):
            raise _NotConst
        if numbers or strings:
            try:
                return _BINOPS[type(node.op)](a, b)
            except (ArithmeticError, ValueError):
                raise _NotConst from None
        raise _NotConst
    if kind is ast.Subscript:  # `train_dict["num_train_epochs"]`, `sizes[0]`: an item of a known container
        container = const_value(node.value, literals, depth + 1)
        key = const_value(node.slice, literals, depth + 1)
        if isinstance(container, dict) or (isinstance(container, (list, tuple)) and type(key) is int):
            try:
                return container[key]
            except (KeyError, IndexError, TypeError):
                raise _NotConst from None
        raise _NotConst
    if kind is ast.IfExp:  # `6 if use_flash else 4` with a known test
        test = const_value(node.test, literals, depth + 1)
        return const_value(node.body if test else node.orelse, literals, depth + 1)
    if kind is ast.Call and type(node.func) is ast.Name and node.func.id == "dict" and not node.args:
        if any(k.arg is None for k in node.keywords):
            raise _NotConst
        return {k.arg: const_value(k.value, literals, depth + 1) for k in node.keywords}
    raise _NotConst


def _literal(node: ast.AST, literals: dict[str, Any]) -> tuple[bool, Any]:
    try:
        return True, const_value(node, literals)
    except (_NotConst, RecursionError, MemoryError):
        return False, None


def value_text(node: ast.AST, literals: dict[str, Any]) -> str:
    """Normalised text of an argument: the literal, or an `<expr:...>` marker."""
    if isinstance(node, ast.Name) and isinstance(literals.get(node.id), BoundExpr):
        return literals[node.id].marker
    ok, value = _literal(node, literals)
    return normalise_value(value) if ok else expr_marker(node)


def _position(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def iter_calls(tree: ast.AST, aliases: dict[str, str], literals: dict[str, Any] | None = None) -> Iterator[CallSite]:
    """Calls of `tree` in source order, resolved through `aliases` (import name -> module path).

    `literals` maps variable names to literal values seen so far (updated in place by
    top-level `name = <literal>` assignments, so it carries over from cell to cell).
    """
    literals = {} if literals is None else literals
    events: list[tuple[tuple[int, int], int, ast.AST]] = []
    targets: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            events.append((_position(node), 1, node))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if isinstance(node.value, ast.Call):
                targets[id(node.value)] = node.targets[0].id
            events.append((_position(node), 0, node))
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1
              and isinstance(node.targets[0], (ast.Tuple, ast.List))):  # `lr, bs, epochs = 1e-3, 64, 5`
            events.append((_position(node), 0, node))
    events.sort(key=lambda e: (e[0], e[1]))
    pending: list[ast.Assign] = []
    for _, kind, node in events:
        if kind == 0:  # literal bindings take effect once the statement is done: record and apply later
            pending.append(node)  # type: ignore[arg-type]
            continue
        while pending and _position(pending[0]) < _position(node) and _ends_before(pending[0], node):
            _bind(pending.pop(0), literals)
        yield _call_site(node, aliases, literals, targets.get(id(node)))  # type: ignore[arg-type]
    for node in pending:
        _bind(node, literals)


def _ends_before(assign: ast.AST, node: ast.AST) -> bool:
    end = (getattr(assign, "end_lineno", 0) or 0, getattr(assign, "end_col_offset", 0) or 0)
    return end <= _position(node)


def _bind(node: ast.Assign, literals: dict[str, Any]) -> None:
    target = node.targets[0]
    if isinstance(target, (ast.Tuple, ast.List)):  # unpacking: element by element when the value is a display
        names = [t.id if isinstance(t, ast.Name) else None for t in target.elts]
        values = node.value.elts if isinstance(node.value, (ast.Tuple, ast.List)) else None
        if values is None:
            ok, value = _literal(node.value, literals)
            if ok and isinstance(value, (tuple, list)) and len(value) == len(names):
                for name, v in zip(names, value):
                    if name:
                        literals[name] = v
                return
        for k, name in enumerate(names):
            if name is None:
                continue
            if values is not None and len(values) == len(names) and not any(isinstance(v, ast.Starred) for v in values):
                ok, value = _literal(values[k], literals)
                if ok:
                    literals[name] = value
                    continue
            literals.pop(name, None)
        return
    name = target.id  # type: ignore[attr-defined]
    ok, value = _literal(node.value, literals)
    if ok:
        literals[name] = value
    elif _is_config(node.value):  # a parameter grid or column list built with calls
        literals[name] = BoundExpr(expr_marker(node.value))
    else:
        literals.pop(name, None)


def _is_config(node: ast.AST) -> bool:
    """A container display or `dict(...)`: configuration, unlike data (`df = pd.read_csv(...)`)."""
    if isinstance(node, (ast.Dict, ast.List, ast.Tuple, ast.Set)):
        return True
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict"


def _call_site(node: ast.Call, aliases: dict[str, str], literals: dict[str, Any], target: str | None) -> CallSite:
    parts = _dotted(node.func)
    qualified = resolve(parts, aliases) if parts else None
    if qualified is None and parts and parts[0] not in aliases and any(k[:1] == "*" for k in aliases):
        from mliter.traces.notebooks.code import _star_resolve

        if _star_resolve(parts[0], [k[1:] for k in aliases if k[:1] == "*"], aliases):
            qualified = resolve(parts, aliases)
    method = receiver = None
    if qualified is None and isinstance(node.func, ast.Attribute):
        method = node.func.attr
        if parts is not None and len(parts) == 2:
            receiver = parts[0]
    elif qualified is None and parts is not None and len(parts) == 1:
        method = None  # a builtin or a name the notebook defines: not an operator
    args = tuple(value_text(a, literals) for a in node.args)
    kwargs: list[tuple[str, str]] = []
    for kw in node.keywords:
        if kw.arg is None:
            ok, value = _literal(kw.value, literals)
            if ok and isinstance(value, dict):  # `**params` of a literal dict: its keys are arguments
                kwargs.extend((str(k), normalise_value(v)) for k, v in value.items())
            else:
                kwargs.append(("**", expr_marker(kw.value)))
        else:
            kwargs.append((kw.arg, value_text(kw.value, literals)))
    nodes = tuple(node.args) + tuple(kw.value for kw in node.keywords)
    literal = isinstance(node.func, ast.Attribute) and isinstance(node.func.value, (ast.Constant, ast.JoinedStr))
    return CallSite(qualified, method, receiver, target, args, tuple(kwargs), node.lineno, nodes, _root(node.func),
                    literal)


def _root(func: ast.AST) -> str | None:
    """The variable a method chain starts from (`a.b().c[0].d` -> `a`), None when it is no variable."""
    node = func.value if isinstance(func, ast.Attribute) else None
    while node is not None and not isinstance(node, ast.Name):
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return None
    return node.id if isinstance(node, ast.Name) else None
