"""Codebooks (`coding/*.codebook.yaml`) loaded into typed, checked dataclasses.

Two formats share one loader and one `Codebook` type:

- `table` (the paper survey, `coding/papers.codebook.yaml`): one row per unit, one column
  per code, codes are categorical, count or text;
- `segments` (the interview / thread study, `coding/interviews.codebook.yaml`): codes of
  type `presence` grouped in `groups`, marked on character segments of a source's text; a
  code is present in a source when a coder marked it there (REFI-QDA's coded selections).

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
DEFAULT_INTERVIEW_CODEBOOK = CODING / "interviews.codebook.yaml"
TYPES = ("categorical", "count", "text", "presence")
FORMATS = ("table", "segments")
#: How a code of a segments codebook is tied to text: a segment is required, optional
#: (a whole-source row is allowed) or never given (a whole-source row only).
SEGMENT_RULES = ("required", "optional", "none")
#: Columns of a segments coder file, in order.
SEGMENT_COLUMNS = ("source_id", "coder", "codebook_version", "code", "start", "end", "note")
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
    #: Segments codebooks only: whether a row of this code carries offsets (SEGMENT_RULES).
    segment: str | None = None

    @property
    def group(self) -> str | None:
        """The group of a segments code (stored in `part`, which groups codes in both formats)."""
        return self.part

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
        if self.type == "presence":
            return "present or absent"
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
    #: `table` or `segments` (FORMATS).
    format: str = "table"
    name: str = ""
    #: Segments codebooks: per group, {"max_codes_per_source": n} and/or {"exclusive": True}.
    group_rules: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def groups(self) -> dict[str, str]:
        return self.parts

    def group_codes(self, group: str) -> list[Code]:
        return [c for c in self.codes if c.part == group]

    @property
    def exclusive_codes(self) -> list[Code]:
        """Codes that exclude every other code in the same source (the "nothing codable" code)."""
        return [c for c in self.codes if self.group_rules.get(c.part, {}).get("exclusive")]

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
    fmt_name = data.get("format", "table")
    if fmt_name not in FORMATS:
        raise CodebookError(f"{source}: format {fmt_name!r} is not one of {', '.join(FORMATS)}")
    if fmt_name == "segments":
        return _parse_segments(data, source)
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
    return Codebook(version=version, codes=tuple(codes), parts=parts, columns=columns,
                    coder_pattern=str(fmt.get("coder_pattern", r"^[a-z][a-z0-9_]*$")),
                    compatible_versions=_compatible(data, version, source), name=str(data.get("codebook", "")))


def _compatible(data: dict[str, Any], version: str, source: str) -> tuple[str, ...]:
    compatible = tuple(str(v) for v in data.get("compatible_versions") or ())
    if version in compatible:
        raise CodebookError(f"{source}: compatible_versions lists the current version {version}")
    return compatible


def _parse_segments(data: dict[str, Any], source: str) -> Codebook:
    """A `segments` codebook: presence codes in groups, each with its segment rule."""
    version = str(_need(data, "version", source))
    groups = {str(k): str(v) for k, v in dict(_need(data, "groups", source)).items()}
    rules = {str(k): dict(v) for k, v in (data.get("group_rules") or {}).items()}
    for g, rule in rules.items():
        if g not in groups:
            raise CodebookError(f"{source}, group_rules.{g}: not a group (groups: {', '.join(groups)})")
        unknown = set(rule) - {"max_codes_per_source", "exclusive"}
        if unknown:
            raise CodebookError(f"{source}, group_rules.{g}: unknown rule(s) {sorted(unknown)}")
    codes: list[Code] = []
    for i, entry in enumerate(_need(data, "codes", source)):
        where = f"{source}, codes[{i}]"
        name = str(_need(entry, "code", where))
        where = f"{source}, code {name}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise CodebookError(f"{where}: a code id is lower-case letters, digits and underscores")
        group = str(_need(entry, "group", where))
        if group not in groups:
            raise CodebookError(f"{where}: group {group!r} is not one of {', '.join(groups)}")
        segment = str(entry.get("segment", "required"))
        if segment not in SEGMENT_RULES:
            raise CodebookError(f"{where}: segment {segment!r} is not one of {', '.join(SEGMENT_RULES)}")
        if entry.get("type", "presence") != "presence":
            raise CodebookError(f"{where}: codes of a segments codebook have type presence")
        texts = {k: str(_need(entry, k, where)).strip() for k in TEXT_FIELDS}
        codes.append(Code(code=name, name=str(_need(entry, "name", where)), type="presence", part=group,
                          segment=segment, **texts))
    names = [c.code for c in codes]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise CodebookError(f"{source}: duplicate codes {dup}")
    empty = [g for g in groups if not any(c.part == g for c in codes)]
    if empty:
        raise CodebookError(f"{source}: groups without codes: {empty}")
    fmt = dict(_need(data, "file_format", source))
    columns = tuple(str(_need(c, "name", f"{source}, file_format.columns")) for c in _need(fmt, "columns", source))
    if columns != SEGMENT_COLUMNS:
        raise CodebookError(f"{source}: file_format.columns {list(columns)} must be {list(SEGMENT_COLUMNS)}")
    return Codebook(version=version, codes=tuple(codes), parts=groups, columns=columns,
                    coder_pattern=str(fmt.get("coder_pattern", r"^[a-z][a-z0-9_]*$")),
                    compatible_versions=_compatible(data, version, source), format="segments",
                    name=str(data.get("codebook", "")), group_rules=rules)


def load(path: str | Path = DEFAULT_CODEBOOK) -> Codebook:
    """Read and check a codebook YAML file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CodebookError(f"{path}: not valid YAML: {exc}") from None
    return replace(parse(data, str(path)), path=path)
