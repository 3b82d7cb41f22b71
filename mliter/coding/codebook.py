"""The survey codebook (`coding/papers.codebook.yaml`) loaded into typed, checked dataclasses.

The codebook is data: codes, their types and allowed values, definitions and rules, and the
annotation file format. Everything downstream (validation, agreement, adjudication, the
declared tables, the analyses) reads the codes from here, so a revision of the YAML is the
only edit needed to add or change a code. Loading checks the YAML's own consistency and
names the code and field that is wrong.
"""

from __future__ import annotations

from mliter.errors import MliterError
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

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


def parse(data: dict[str, Any], source: str = "<codebook>") -> Codebook:
    """Build and check a `Codebook` from the parsed YAML mapping."""
    if not isinstance(data, dict):
        raise CodebookError(f"{source}: expected a mapping at the top level")
    version = str(_need(data, "version", source))
    parts = dict(_need(data, "parts", source))
    raw_codes = _need(data, "codes", source)
    codes: list[Code] = []
    for i, entry in enumerate(raw_codes):
        where = f"{source}, codes[{i}]"
        name = str(_need(entry, "code", where))
        where = f"{source}, code {name}"
        type_ = _need(entry, "type", where)
        if type_ not in TYPES:
            raise CodebookError(f"{where}: type {type_!r} is not one of {', '.join(TYPES)}")
        texts = {k: str(_need(entry, k, where)).strip() for k in TEXT_FIELDS}
        part = entry.get("part")
        if part is not None and part not in parts:
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
            lo, hi = int(entry.get("min", 0)), int(_need(entry, "max", where))
            if lo != 0 or hi < 2:
                raise CodebookError(f"{where}: a count runs from min 0 to a max of at least 2 (got {lo}..{hi})")
            if part is None:
                raise CodebookError(f"{where}: a count code belongs to a workflow part")
            kw.update(kind=kind, min=lo, max=hi)
        else:
            if entry.get("max_length") is not None:
                kw["max_length"] = int(entry["max_length"])
        codes.append(Code(code=name, name=str(_need(entry, "name", where)), type=type_, part=part, **texts, **kw))
    names = [c.code for c in codes]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise CodebookError(f"{source}: duplicate codes {dup}")
    fmt = dict(_need(data, "file_format", source))
    columns = tuple(str(_need(c, "name", f"{source}, file_format.columns")) for c in _need(fmt, "columns", source))
    expected = ID_COLUMNS + tuple(names)
    if columns != expected:
        raise CodebookError(f"{source}: file_format.columns {list(columns)} must be {list(expected)} "
                            "(the id columns, then one column per code in codebook order)")
    compatible = tuple(str(v) for v in data.get("compatible_versions") or ())
    if version in compatible:
        raise CodebookError(f"{source}: compatible_versions lists the current version {version}")
    return Codebook(version=version, codes=tuple(codes), parts=parts, columns=columns,
                    coder_pattern=str(fmt.get("coder_pattern", r"^[a-z][a-z0-9_]*$")),
                    compatible_versions=compatible)


def load(path: str | Path = DEFAULT_CODEBOOK) -> Codebook:
    """Read and check a codebook YAML file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CodebookError(f"{path}: not valid YAML: {exc}") from None
    return replace(parse(data, str(path)), path=path)
