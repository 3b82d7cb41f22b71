"""Parse OpenML REST API XML responses into typed records: runs, flows, setups, tasks.

OpenML answers `GET /api/v1/xml/...` with XML in the `http://openml.org/openml` namespace.
This module reads the responses the iteration-sequence miner needs, with `xml.etree`:

* a run description (`run/{id}`: `<oml:run>` with parameter settings and evaluations),
  a run list (`run/list/...`: `<oml:runs>`), an evaluation list (`evaluation/list/...`:
  `<oml:evaluations>`): all become `RunRecord`s, possibly partial; `merge_runs` unites the
  records of one run;
* a flow (`flow/{id}`): a tree of `FlowComponent`s; `flow_from_name` rebuilds the tree
  from a flow's full name (`sklearn.pipeline.Pipeline(imp=...,clf=...)(1)`) when only the
  name was recorded;
* a setup (`setup/{id}`): the parameter values of one flow configuration;
* a task (`task/{id}`): its type, dataset and target.

Every parser takes the response bytes and a `where` label (file or URL) for errors:
`OpenMLParseError` names it and what was expected. OpenML error documents
(`<oml:error>`) raise `OpenMLApiError` with the server's code and message.
Values stay as OpenML gives them (parameter values are strings, often JSON); the
sequence miner decides what they mean.
"""

from __future__ import annotations

from mliter.errors import InputError, MliterError
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

NS = "http://openml.org/openml"
_Q = "{" + NS + "}"
#: openml-python's test-server sentinel in flow names (`TEST` + 10 hex digits).
TEST_PREFIX = re.compile(r"^TEST[0-9a-f]{10}")
_VERSION_SUFFIX = re.compile(r"\((\d+)\)$")


class OpenMLParseError(MliterError, ValueError):
    """A response is not what its endpoint should return; the message names it and what was expected."""


class OpenMLApiError(OpenMLParseError):
    """The server answered with an `<oml:error>` document (e.g. code 512: no results)."""

    def __init__(self, where: str, code: str, message: str) -> None:
        super().__init__(f"{where}: OpenML error {code}: {message}")
        self.code, self.message = code, message


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _root(data: bytes | str, where: str) -> ET.Element:
    try:
        root = ET.fromstring(data.encode("utf-8") if isinstance(data, str) else data)
    except ET.ParseError as exc:
        raise OpenMLParseError(f"{where}: not well-formed XML ({exc})") from exc
    if _local(root.tag) == "error":
        raise OpenMLApiError(where, _text(root, "code"), _text(root, "message"))
    return root


def _root_of(data: bytes | str, where: str, kind: str) -> ET.Element:
    """The root element of a response that must be an <oml:`kind`>."""
    root = _root(data, where)
    if _local(root.tag) != kind:
        raise OpenMLParseError(f"{where}: expected <oml:{kind}>, got <oml:{_local(root.tag)}>")
    return root


def root_kind(data: bytes | str, where: str = "<response>") -> str:
    """The local name of a response's root element (`run`, `runs`, `flow`, ...)."""
    return _local(_root(data, where).tag)


def _text(el: ET.Element, name: str) -> str:
    child = el.find(_Q + name)
    return (child.text or "").strip() if child is not None else ""


def _int(el: ET.Element, name: str, where: str) -> int | None:
    value = _text(el, name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise OpenMLParseError(f"{where}: <oml:{name}> should be an integer, got {value!r}") from None


def _required_int(el: ET.Element, name: str, where: str) -> int:
    """An integer child the element must have (an id)."""
    value = _int(el, name, where)
    if value is None:
        raise OpenMLParseError(f"{where}: <oml:{_local(el.tag)}> has no <oml:{name}>")
    return value


def _float(text: str, where: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise OpenMLParseError(f"{where}: expected a number, got {text!r}") from None


def utc_time(text: str, where: str = "<response>") -> str:
    """OpenML times (`2014-10-06T23:38:13`, `2026-01-20 10:50:04`, server time = UTC) as `...Z`."""
    text = text.strip()
    if not text:
        return ""
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise OpenMLParseError(f"{where}: expected a date-time, got {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean_flow_name(name: str) -> tuple[str, int | None]:
    """A flow's name without the test-server sentinel and the `(version)` suffix, and that version."""
    name = TEST_PREFIX.sub("", name.strip())
    m = _VERSION_SUFFIX.search(name)
    if m:
        return name[: m.start()], int(m.group(1))
    return name, None


# -- runs ----------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterSetting:
    """One parameter value a run used; `component` is the flow id it belongs to when recorded."""

    name: str
    value: str
    component: int | None = None


@dataclass(frozen=True)
class RunRecord:
    """What one response says about one run (fields it does not give are None or empty).

    `evaluations` holds the run-level values only (per-fold and per-repeat values are
    skipped), name -> value. `parameters` is None when the response carries no parameter
    settings at all (list entries), a tuple (maybe empty: all defaults) for a description.
    """

    run_id: int
    uploader: int | None = None
    task_id: int | None = None
    flow_id: int | None = None
    setup_id: int | None = None
    upload_time: str = ""
    flow_name: str = ""
    error_message: str = ""
    parameters: tuple[ParameterSetting, ...] | None = None
    evaluations: tuple[tuple[str, float], ...] = ()
    kind: str = ""  # description, list or evaluation

    @property
    def evaluation(self) -> dict[str, float]:
        return dict(self.evaluations)


def _run_fields(el: ET.Element, where: str) -> dict:
    run_id = _int(el, "run_id", where)
    if run_id is None:
        raise OpenMLParseError(f"{where}: a run entry has no <oml:run_id>")
    return dict(run_id=run_id, uploader=_int(el, "uploader", where), task_id=_int(el, "task_id", where),
                flow_id=_int(el, "flow_id", where), setup_id=_int(el, "setup_id", where),
                upload_time=utc_time(_text(el, "upload_time"), where), flow_name=_text(el, "flow_name"),
                error_message=_text(el, "error_message"))


def _description(el: ET.Element, where: str) -> RunRecord:
    where = f"{where}, run {_text(el, 'run_id')}"
    fields = _run_fields(el, where)
    params = []
    for ps in el.findall(_Q + "parameter_setting"):
        comp = _text(ps, "component")
        params.append(ParameterSetting(_text(ps, "name"), _text(ps, "value"), int(comp) if comp.isdigit() else None))
    evals: dict[str, float] = {}
    output = el.find(_Q + "output_data")
    for ev in (output.findall(_Q + "evaluation") if output is not None else []):
        if ev.get("repeat") is not None or ev.get("fold") is not None or ev.get("sample") is not None:
            continue  # per-fold values: the run-level value is what a sequence compares
        value = _float(_text(ev, "value"), f"{where}, evaluation {_text(ev, 'name')}")
        if value is not None:
            evals[_text(ev, "name")] = value
    return RunRecord(**fields, parameters=tuple(params), evaluations=tuple(sorted(evals.items())), kind="description")


def parse_runs(data: bytes | str, where: str = "<response>") -> list[RunRecord]:
    """Run records of a run description, a run list or an evaluation list (sorted by run id)."""
    root = _root(data, where)
    kind = _local(root.tag)
    if kind == "run":
        return [_description(root, where)]
    if kind == "runs":
        return sorted((RunRecord(**_run_fields(el, where), kind="list") for el in root.findall(_Q + "run")),
                      key=lambda r: r.run_id)
    if kind == "evaluations":
        out = []
        for el in root.findall(_Q + "evaluation"):
            fields = _run_fields(el, where)
            value = _float(_text(el, "value"), f"{where}, run {fields['run_id']}")
            evals = ((_text(el, "function"), value),) if value is not None and _text(el, "function") else ()
            out.append(RunRecord(**fields, evaluations=evals, kind="evaluation"))
        return sorted(out, key=lambda r: r.run_id)
    raise OpenMLParseError(f"{where}: expected <oml:run>, <oml:runs> or <oml:evaluations>, got <oml:{kind}>")


_KIND_RANK = {"description": 0, "list": 1, "evaluation": 2, "": 3}


def merge_runs(records: list[RunRecord]) -> tuple[RunRecord, list[str]]:
    """One record of a run from several partial ones, and the conflicts found (as messages).

    Scalar fields come from the most complete kind of record (description, then list, then
    evaluation list) that has them; evaluations are united (a description's value wins).
    """
    if not records:
        raise InputError("merge_runs needs at least one record")
    ordered = sorted(records, key=lambda r: _KIND_RANK.get(r.kind, 3))
    run_id = ordered[0].run_id
    conflicts: list[str] = []
    out: dict = {}
    for name in ("uploader", "task_id", "flow_id", "setup_id", "upload_time", "flow_name", "error_message"):
        values = [getattr(r, name) for r in ordered if getattr(r, name) not in (None, "")]
        if values:
            out[name] = values[0]
            if len(set(values)) > 1 and name != "flow_name":
                conflicts.append(f"run {run_id}: {name} differs between records ({sorted(set(map(str, values)))})")
    params = next((r.parameters for r in ordered if r.parameters is not None), None)
    evals: dict[str, float] = {}
    for r in reversed(ordered):
        evals.update(r.evaluations)
    kind = ordered[0].kind
    return RunRecord(run_id, **out, parameters=params, evaluations=tuple(sorted(evals.items())), kind=kind), conflicts


# -- flows ---------------------------------------------------------------------


@dataclass(frozen=True)
class FlowComponent:
    """One node of a flow: its class name (no version), parameters with defaults, sub-components.

    `identifier` is the name the parent gives it (a pipeline step name, `estimator`, ...),
    empty for the root; `flow_id` is None for trees rebuilt from a name below the root.
    """

    name: str
    flow_id: int | None = None
    version: str = ""
    identifier: str = ""
    parameters: tuple[tuple[str, str], ...] = ()  # (name, default value)
    components: tuple["FlowComponent", ...] = ()

    def walk(self):
        """This component and every descendant, depth first, in document order."""
        yield self
        for c in self.components:
            yield from c.walk()


def flow_class(name: str) -> str:
    """The class a flow name starts with: `sklearn.pipeline.Pipeline(a=...,b=...)(2)` -> `sklearn.pipeline.Pipeline`."""
    return clean_flow_name(name)[0].split("(", 1)[0].strip()


def _flow_el(el: ET.Element, identifier: str, where: str) -> FlowComponent:
    full, version_in_name = clean_flow_name(_text(el, "name"))
    name = flow_class(full)
    if not name:
        raise OpenMLParseError(f"{where}: a flow has no <oml:name>")
    version = _text(el, "version") or (str(version_in_name) if version_in_name is not None else "")
    params = tuple((_text(p, "name"), _text(p, "default_value")) for p in el.findall(_Q + "parameter"))
    comps = []
    for c in el.findall(_Q + "component"):
        sub = c.find(_Q + "flow")
        if sub is None:
            raise OpenMLParseError(f"{where}: <oml:component> {_text(c, 'identifier')!r} has no <oml:flow>")
        comps.append(_flow_el(sub, _text(c, "identifier"), where))
    return FlowComponent(name, _int(el, "id", where), version, identifier, params, tuple(comps))


def parse_flow(data: bytes | str, where: str = "<response>") -> FlowComponent:
    """The component tree of a flow description (`GET flow/{id}`)."""
    root = _root_of(data, where, "flow")
    return _flow_el(root, "", where)


def parse_flow_list(data: bytes | str, where: str = "<response>") -> dict[int, str]:
    """flow id -> full name of a flow list (`GET flow/list/...`)."""
    root = _root_of(data, where, "flows")
    out = {}
    for el in root.findall(_Q + "flow"):
        fid = _int(el, "id", where)
        if fid is not None:
            out[fid] = _text(el, "full_name") or _text(el, "name")
    return out


def flow_from_name(full_name: str, flow_id: int | None = None) -> FlowComponent:
    """Rebuild a flow's component tree from its name, as scikit-learn flows spell it.

    `sklearn.pipeline.Pipeline(imp=sklearn.impute.SimpleImputer,clf=sklearn.svm.SVC)(2)`
    becomes a Pipeline with components `imp` and `clf`; parameters are unknown (empty).
    Names without an argument list (`weka.J48(1)`, `mlr.classif.rpart`) give one node.
    """
    name, version = clean_flow_name(full_name)
    pos = 0

    def node(identifier: str) -> FlowComponent:
        nonlocal pos
        m = re.compile(r"[^(),=]+").match(name, pos)
        if not m:
            raise OpenMLParseError(f"flow name {full_name!r}: expected a class name at character {pos}")
        cls = m.group(0).strip()
        pos = m.end()
        children = []
        if pos < len(name) and name[pos] == "(":
            pos += 1
            while True:
                key = re.compile(r"([^(),=]+)=").match(name, pos)
                if not key:
                    raise OpenMLParseError(f"flow name {full_name!r}: expected `step=` at character {pos}")
                pos = key.end()
                children.append(node(key.group(1).strip()))
                if pos < len(name) and name[pos] == ",":
                    pos += 1
                    continue
                if pos < len(name) and name[pos] == ")":
                    pos += 1
                    break
                raise OpenMLParseError(f"flow name {full_name!r}: expected `,` or `)` at character {pos}")
        return FlowComponent(cls, None, "", identifier, (), tuple(children))

    root = node("")
    if pos != len(name):
        raise OpenMLParseError(f"flow name {full_name!r}: unexpected text at character {pos}")
    return replace(root, flow_id=flow_id, version=str(version) if version is not None else "")


# -- setups and tasks -----------------------------------------------------------


@dataclass(frozen=True)
class SetupParameter:
    flow_id: int | None
    name: str
    value: str
    default: str = ""


@dataclass(frozen=True)
class Setup:
    """The parameter values of one configuration of a flow (`GET setup/{id}`)."""

    setup_id: int
    flow_id: int | None
    parameters: tuple[SetupParameter, ...] = field(default=())


def parse_setup(data: bytes | str, where: str = "<response>") -> Setup:
    root = _root_of(data, where, "setup_parameters")
    sid = _required_int(root, "setup_id", where)
    params = tuple(SetupParameter(_int(p, "flow_id", where), _text(p, "parameter_name"), _text(p, "value"),
                                  _text(p, "default_value")) for p in root.findall(_Q + "parameter"))
    return Setup(sid, _int(root, "flow_id", where), params)


@dataclass(frozen=True)
class Task:
    """What a run was evaluated on (`GET task/{id}`)."""

    task_id: int
    task_type: str = ""
    dataset_id: int | None = None
    target: str = ""
    estimation_procedure: str = ""
    evaluation_measure: str = ""


def parse_task(data: bytes | str, where: str = "<response>") -> Task:
    root = _root_of(data, where, "task")
    tid = _required_int(root, "task_id", where)
    ds = root.find(f".//{_Q}data_set")
    proc = root.find(f".//{_Q}estimation_procedure")
    measure = root.find(f".//{_Q}evaluation_measure")
    return Task(tid, _text(root, "task_type"), _int(ds, "data_set_id", where) if ds is not None else None,
                _text(ds, "target_feature") if ds is not None else "",
                _text(proc, "type") if proc is not None else "",
                (measure.text or "").strip() if measure is not None else "")


def decode_value(text: str):
    """A parameter value as Python: JSON when it parses (`"100"` -> 100, `"\\"mean\\""` -> "mean"), else the text."""
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        return text
