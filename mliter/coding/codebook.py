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
TYPES = ("categorical", "count", "text", "code_list", "presence")
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
    #: For a code_list: the type of the codes it may list (e.g. "count").
    of: str | None = None
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
        if self.type == "code_list":
            return f"';'-separated names of {self.of} codes, or empty"
        return f"free text of at most {self.max_length} characters" if self.max_length else "free text"

    def iterations(self, count: int) -> int:
        """Iterations a count stands for: alternatives minus one, or the additions themselves."""
        if count <= 0:
            return 0
        return count - 1 if self.kind == "alternatives" else count


@dataclass(frozen=True)
class ExclusionReason:
    reason: str
    category: str
    definition: str


@dataclass(frozen=True)
class ScreeningRule:
    """A mechanical screening rule: `pattern` (a case-insensitive regex) on `field`, or the abstract-length test."""

    rule: str
    reason: str
    field: str
    definition: str
    pattern: str | None = None


@dataclass(frozen=True)
class Stratum:
    stratum: str
    venues: tuple[str, ...]
    take: int | None  # None = every record


@dataclass(frozen=True)
class OriginalDomain:
    key: str
    label: str
    domains: tuple[str, ...]


@dataclass(frozen=True)
class Screening:
    """Inclusion criteria, exclusion reasons, mechanical rules and the sampling design."""

    include: str
    reasons: tuple[ExclusionReason, ...]
    rules: tuple[ScreeningRule, ...]
    min_abstract_words: int
    seed: str
    strata: tuple[Stratum, ...]
    double_coding_share: float

    @property
    def reason_ids(self) -> tuple[str, ...]:
        return tuple(r.reason for r in self.reasons)

    def reason(self, reason: str) -> ExclusionReason:
        for r in self.reasons:
            if r.reason == reason:
                return r
        raise KeyError(reason)


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
    screening: Screening | None = None
    #: The original survey's domains, in order (the last is the catch-all).
    original_domains: tuple[OriginalDomain, ...] = ()
    minimum_coded: int = 0

    def original_domain(self, domain: str) -> str:
        """The original-survey domain key a value of the code `domain` falls in."""
        for d in self.original_domains:
            if domain in d.domains:
                return d.key
        raise KeyError(f"domain {domain!r} is in no original_domains entry")
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
        """Codes whose values are compared between coders (categorical, count and presence codes)."""
        return [c for c in self.codes if c.type in ("categorical", "count", "presence")]

    @property
    def code_lists(self) -> list[Code]:
        return self.by_type("code_list")

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
        elif type_ == "code_list":
            kw["of"] = str(_need(entry, "of", where))
            if kw["of"] not in TYPES:
                raise CodebookError(f"{where}: `of` {kw['of']!r} is not one of {', '.join(TYPES)}")
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
    orig, minimum = _original_domains(data, codes, names, source)
    return Codebook(version=version, codes=tuple(codes), parts=parts, columns=columns,
                    coder_pattern=str(fmt.get("coder_pattern", r"^[a-z][a-z0-9_]*$")),
                    compatible_versions=_compatible(data, version, source), name=str(data.get("codebook", "")),
                    screening=_screening(data, source) if data.get("screening") else None,
                    original_domains=orig, minimum_coded=minimum)


def _compatible(data: dict[str, Any], version: str, source: str) -> tuple[str, ...]:
    compatible = tuple(str(v) for v in data.get("compatible_versions") or ())
    if version in compatible:
        raise CodebookError(f"{source}: compatible_versions lists the current version {version}")
    return compatible


def _original_domains(data: dict[str, Any], codes: list[Code], names: list[str],
                      source: str) -> tuple[tuple[OriginalDomain, ...], int]:
    """The `original_domains` section, checked: every value of the code `domain` falls in exactly one."""
    originals = dict(data.get("original_domains") or {})
    minimum = int(originals.pop("minimum_coded", 0)) if isinstance(originals, dict) else 0
    orig = []
    domain_values = set(codes[names.index("domain")].values) if "domain" in names else set()
    for key, entry in originals.items():
        where = f"{source}, original_domains.{key}"
        doms = tuple(str(d) for d in _need(entry, "domains", where))
        unknown = sorted(set(doms) - domain_values)
        if unknown:
            raise CodebookError(f"{where}: {unknown} are not values of the code domain")
        orig.append(OriginalDomain(str(key), str(_need(entry, "label", where)), doms))
    if orig:
        mapped = [d for o in orig for d in o.domains]
        missing = sorted(domain_values - set(mapped))
        twice = sorted({d for d in mapped if mapped.count(d) > 1})
        if missing or twice:
            raise CodebookError(f"{source}, original_domains: every domain value once "
                                f"(missing {missing}, listed twice {twice})")
    return tuple(orig), minimum


def _screening(data: dict[str, Any], source: str) -> Screening:
    """The `screening` and `sampling` sections, checked: rules name known reasons and fields, regexes compile."""
    import re

    scr, smp = dict(data["screening"]), dict(_need(data, "sampling", source))
    where = f"{source}, screening"
    reasons = tuple(ExclusionReason(str(_need(r, "reason", where)), str(_need(r, "category", where)),
                                    str(_need(r, "definition", where)).strip()) for r in _need(scr, "reasons", where))
    ids = [r.reason for r in reasons]
    if len(set(ids)) != len(ids) or "included" in ids:
        raise CodebookError(f"{where}.reasons: reason ids must be unique and not 'included' ({ids})")
    rules = []
    for r in _need(scr, "rules", where):
        rule = ScreeningRule(str(_need(r, "rule", where)), str(_need(r, "reason", where)), str(_need(r, "field", where)),
                             str(_need(r, "definition", where)), r.get("pattern"))
        if rule.reason not in ids:
            raise CodebookError(f"{where}, rule {rule.rule}: reason {rule.reason!r} is not one of {ids}")
        if rule.pattern is None and rule.field != "abstract":
            raise CodebookError(f"{where}, rule {rule.rule}: a rule on {rule.field!r} needs a pattern")
        if rule.pattern is not None:
            try:
                re.compile(rule.pattern)
            except re.error as exc:
                raise CodebookError(f"{where}, rule {rule.rule}: pattern is not a regex: {exc}") from None
        rules.append(rule)
    where = f"{source}, sampling"
    strata = []
    for s in _need(smp, "strata", where):
        take = s.get("take", "all")
        strata.append(Stratum(str(_need(s, "stratum", where)), tuple(str(v) for v in _need(s, "venues", where)),
                              None if take == "all" else int(take)))
    venues = [v for s in strata for v in s.venues]
    if len(set(venues)) != len(venues):
        raise CodebookError(f"{where}: a venue is listed in two strata")
    share = float(smp.get("double_coding_share", 0.4))
    if not 0 < share <= 1:
        raise CodebookError(f"{where}: double_coding_share must be in (0, 1], got {share}")
    return Screening(include=str(_need(scr, "include", f"{source}, screening")).strip(), reasons=reasons,
                     rules=tuple(rules), min_abstract_words=int(scr.get("min_abstract_words", 0)),
                     seed=str(_need(smp, "seed", where)), strata=tuple(strata), double_coding_share=share)


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
