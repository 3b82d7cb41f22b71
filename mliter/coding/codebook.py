"""The survey codebook (`coding/papers.codebook.yaml`) loaded into typed, checked dataclasses.

The codebook is data: codes, their types and allowed values, definitions and rules, and the
annotation file format. Everything downstream (validation, agreement, adjudication, the
declared tables, the analyses) reads the codes from here, so a revision of the YAML is the
only edit needed to add or change a code. Loading checks the YAML's own consistency and
names the code and field that is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from mliter.errors import MliterError
from mliter.paths import CODING

DEFAULT_CODEBOOK = CODING / "papers.codebook.yaml"
TYPES = ("categorical", "count", "text")
KINDS = ("alternatives", "additions")
#: Columns of an annotation file that are not codes.
ID_COLUMNS = ("paper_id", "coder", "codebook_version")
TEXT_FIELDS = ("definition", "include", "exclude", "example")


class CodebookError(MliterError, ValueError):
    """The codebook itself is malformed: names the file and the code or field."""


@dataclass(frozen=True)
class Code:
    """One code: its type decides which values are allowed and how agreement is computed."""

    code: str
    name: str
    type: str
    definition: str
    include: str
    exclude: str
    example: str
    part: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    kind: str | None = None
    min: int = 0
    max: int | None = None
    max_length: int | None = None

    @property
    def allowed_counts(self) -> tuple[int, ...]:
        """Valid values of a count code: 0, then the non-zero range (1 is excluded for "alternatives")."""
        if self.type != "count":
            raise TypeError(f"code {self.code} is not a count")
        low = 2 if self.kind == "alternatives" else 1
        return (0,) + tuple(range(max(low, self.min), self.max + 1))

    def describe_allowed(self) -> str:
        """Human wording of the allowed values, used in error messages."""
        if self.type == "categorical":
            return "one of " + ", ".join(self.values)
        if self.type == "count":
            if self.kind == "alternatives":
                return f"an integer 0 or 2..{self.max} (a single alternative is coded 0; {self.max} = {self.max} or more)"
            return f"an integer 0..{self.max} ({self.max} = {self.max} or more)"
        return f"free text of at most {self.max_length} characters" if self.max_length else "free text"

    def iterations(self, count: int) -> int:
        """Iterations a count stands for: alternatives minus one, or the additions themselves."""
        if count <= 0:
            return 0
        return count - 1 if self.kind == "alternatives" else count


@dataclass(frozen=True)
class Codebook:
    version: str
    codes: tuple[Code, ...]
    parts: dict[str, str]
    columns: tuple[str, ...]
    coder_pattern: str
    path: Path | None = None
    #: Earlier versions whose annotations stay valid under this one (clarifying revisions).
    compatible_versions: tuple[str, ...] = ()

    @property
    def accepted_versions(self) -> tuple[str, ...]:
        return (self.version,) + self.compatible_versions

    def __getitem__(self, code: str) -> Code:
        for c in self.codes:
            if c.code == code:
                return c
        raise KeyError(code)

    def by_type(self, type_: str) -> list[Code]:
        return [c for c in self.codes if c.type == type_]

    @property
    def categorical(self) -> list[Code]:
        return self.by_type("categorical")

    @property
    def counts(self) -> list[Code]:
        return self.by_type("count")

    @property
    def coded(self) -> list[Code]:
        """Codes whose values are compared between coders (everything but free text)."""
        return [c for c in self.codes if c.type != "text"]

    def part_codes(self, part: str) -> list[Code]:
        return [c for c in self.counts if c.part == part]


def _need(entry: dict[str, Any], key: str, where: str) -> Any:
    if key not in entry or entry[key] in (None, ""):
        raise CodebookError(f"{where}: missing `{key}`")
    return entry[key]


def _mapping(value: Any, where: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise CodebookError(f"{where}: expected a mapping, found {type(value).__name__}")
    return value


def _int(value: Any, where: str) -> int:
    """A whole number from the YAML (`3`, `"3"`), else an error naming where it is."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not re.fullmatch(r"-?\d{1,9}", str(value).strip()):
        raise CodebookError(f"{where}: {value!r} is not a whole number")
    return int(value)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    """A list of version strings; one string alone is one version (never its characters)."""
    if value is None:
        return ()
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return (str(value),)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return tuple(str(v) for v in value)
    raise CodebookError(f"{where}: expected a version or a list of versions, found {value!r}")


def _code(entry: Any, i: int, parts: dict[str, str], source: str) -> Code:
    where = f"{source}, codes[{i}]"
    entry = _mapping(entry, where)
    name = _need(entry, "code", where)
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise CodebookError(f"{where}: code name {name!r} is not an identifier")
    where = f"{source}, code {name}"
    type_ = _need(entry, "type", where)
    if type_ not in TYPES:
        raise CodebookError(f"{where}: type {type_!r} is not one of {', '.join(TYPES)}")
    texts = {k: str(_need(entry, k, where)).strip() for k in TEXT_FIELDS}
    part = entry.get("part")
    if part is not None and (not isinstance(part, str) or part not in parts):
        raise CodebookError(f"{where}: part {part!r} is not one of {', '.join(parts)}")
    kw: dict[str, Any] = {}
    if type_ == "categorical":
        values = _need(entry, "values", where)
        if not isinstance(values, dict) or len(values) < 2:
            raise CodebookError(f"{where}: a categorical code needs at least two `values` with definitions")
        kw["values"] = {str(k): str(v).strip() for k, v in values.items()}
    elif type_ == "count":
        kind = _need(entry, "kind", where)
        if kind not in KINDS:
            raise CodebookError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
        lo, hi = _int(entry.get("min", 0), f"{where}, min"), _int(_need(entry, "max", where), f"{where}, max")
        if lo != 0 or hi < 2:
            raise CodebookError(f"{where}: a count runs from min 0 to a max of at least 2 (got {lo}..{hi})")
        if part is None:
            raise CodebookError(f"{where}: a count code belongs to a workflow part")
        kw.update(kind=kind, min=lo, max=hi)
    elif entry.get("max_length") is not None:
        kw["max_length"] = _int(entry["max_length"], f"{where}, max_length")
        if kw["max_length"] < 1:
            raise CodebookError(f"{where}: max_length must be at least 1")
    return Code(code=name, name=str(_need(entry, "name", where)), type=type_, part=part, **texts, **kw)


def parse(data: dict[str, Any], source: str = "<codebook>") -> Codebook:
    """Build and check a `Codebook` from the parsed YAML mapping; every error names `source`
    and, where there is one, the code and field at fault."""
    data = _mapping(data, f"{source}: the top level")
    version = _need(data, "version", source)
    if not isinstance(version, (str, int, float)) or isinstance(version, bool):
        raise CodebookError(f"{source}: version {version!r} is not a version number")
    version = str(version)
    parts = {str(k): str(v) for k, v in _mapping(_need(data, "parts", source), f"{source}, parts").items()}
    raw_codes = _need(data, "codes", source)
    if not isinstance(raw_codes, list):
        raise CodebookError(f"{source}, codes: expected a list of codes, found {type(raw_codes).__name__}")
    codes = [_code(entry, i, parts, source) for i, entry in enumerate(raw_codes)]
    names = [c.code for c in codes]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise CodebookError(f"{source}: duplicate codes {dup}")
    fmt = _mapping(_need(data, "file_format", source), f"{source}, file_format")
    raw_columns = _need(fmt, "columns", source)
    if not isinstance(raw_columns, list):
        raise CodebookError(f"{source}, file_format.columns: expected a list")
    columns = tuple(str(_need(_mapping(c, f"{source}, file_format.columns[{i}]"), "name",
                              f"{source}, file_format.columns[{i}]")) for i, c in enumerate(raw_columns))
    expected = ID_COLUMNS + tuple(names)
    if columns != expected:
        raise CodebookError(f"{source}: file_format.columns {list(columns)} must be {list(expected)} "
                            "(the id columns, then one column per code in codebook order)")
    compatible = _strings(data.get("compatible_versions"), f"{source}, compatible_versions")
    if version in compatible:
        raise CodebookError(f"{source}: compatible_versions lists the current version {version}")
    pattern = fmt.get("coder_pattern", r"^[a-z][a-z0-9_]*$")
    if not isinstance(pattern, str):
        raise CodebookError(f"{source}, file_format.coder_pattern: expected a regular expression, found {pattern!r}")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise CodebookError(f"{source}, file_format.coder_pattern: {pattern!r} is not a valid regular expression "
                            f"({exc})") from None
    return Codebook(version=version, codes=tuple(codes), parts=parts, columns=columns,
                    coder_pattern=pattern, compatible_versions=compatible)


def load(path: str | Path = DEFAULT_CODEBOOK) -> Codebook:
    """Read and check a codebook YAML file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CodebookError(f"{path}: not valid YAML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise CodebookError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except RecursionError:
        raise CodebookError(f"{path}: YAML nested too deeply") from None
    return replace(parse(data, str(path)), path=path)
