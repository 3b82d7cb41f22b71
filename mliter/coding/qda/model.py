"""REFI-QDA (QDA-XML 1.0) objects: a project's users, code system, text sources and coded selections.

Only what the study needs is typed (codes, text sources, plain-text selections and their
codings, users); every other attribute is kept in `attrs`, and top-level project elements
the model does not type (Variables, Cases, Notes, Links, Sets, Graphs, Description) are
kept as raw XML in `Project.extra`, so reading and writing a project loses nothing.
Positions are character positions (Unicode code points, zero-based, end exclusive) into the
source's plain text, which is what Python `str` indices are.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

#: Namespace of the guids this package derives (uuid5), so exports are deterministic.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "mliter:refi-qda")


def derived_guid(*parts: str) -> str:
    """A stable upper-case GUID from names (the same inputs give the same GUID on every run)."""
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(parts))).upper()


@dataclass
class User:
    guid: str
    name: str | None = None
    id: str | None = None


@dataclass
class Code:
    guid: str
    name: str
    is_codable: bool = True
    color: str | None = None
    description: str | None = None
    children: list["Code"] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)

    def walk(self, path: tuple[str, ...] = ()):
        """(code, path of names from the root) for this code and its descendants, depth first."""
        here = path + (self.name,)
        yield self, here
        for child in self.children:
            yield from child.walk(here)


@dataclass
class Coding:
    guid: str
    code_guid: str
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Selection:
    guid: str
    start: int
    end: int
    codings: list[Coding] = field(default_factory=list)
    name: str | None = None
    description: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class TextSource:
    guid: str
    name: str | None
    text: str
    selections: list[Selection] = field(default_factory=list)
    description: str | None = None
    #: `internal://<file>` when the text is a file of the .qdpx, None when inline (PlainTextContent).
    plain_text_path: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Project:
    name: str
    origin: str | None = None
    users: list[User] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    sources: list[TextSource] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    #: Top-level elements not typed here, as serialised XML strings, by element name.
    extra: dict[str, str] = field(default_factory=dict)

    def all_codes(self):
        """(code, path) of every code in the code system."""
        for code in self.codes:
            yield from code.walk()

    def code_paths(self) -> dict[str, str]:
        """guid -> code path `parent/child` (the code's name when it has no parent)."""
        return {c.guid: "/".join(p) for c, p in self.all_codes()}


@dataclass
class Codebook:
    """A REFI-QDA codebook (.qdc): a code system without sources."""

    codes: list[Code] = field(default_factory=list)
    origin: str | None = None
    #: Sets, kept as serialised XML (not typed here).
    sets: str | None = None

    def all_codes(self):
        for code in self.codes:
            yield from code.walk()
