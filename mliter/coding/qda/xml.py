"""QDA-XML text <-> model objects: `project.qde` (Project) and `.qdc` (CodeBook).

Parsing is lenient about what tools add (unknown attributes are kept) and strict about what
breaks meaning: a selection whose code reference is not a code of the project, or whose
positions fall outside its source's text, is a `QdaError` naming the file and the element.
Writing follows the element order of the published schemas and is deterministic (attributes
in a fixed order, two-space indentation, LF line endings); `validate` checks written text
against the REFI-QDA XSDs with `xmlschema`. mliter ships no schema text: `mliter.coding.qda.schemas`
finds the schemas at run time (MLITER_QDA_SCHEMAS, ../shared/data, or the user cache filled by
`mliter code qda schemas fetch`) and checks them against pinned sha256s.
"""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from functools import lru_cache
from typing import Callable

import xmlschema

from mliter.coding.qda.errors import QdaError
from mliter.coding.qda.model import Code, Codebook, Coding, Project, Selection, TextSource, User
from mliter.coding.qda.schemas import SchemaUnavailable, locate

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
#: Top-level children of Project in schema order; the typed ones are built from the model.
PROJECT_ORDER = ("Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs",
                 "Description", "NoteRef")
TYPED = {"Users", "CodeBook", "Sources"}
#: Largest XML document read (bytes): a bound against decompression bombs inside a .qdpx.
MAX_XML = 200 * 1024 * 1024


class SchemaUnavailableWarning(UserWarning):
    """Written REFI-QDA text was not validated because no schema was found (the message says how to get one)."""


@lru_cache(maxsize=4)
def _compiled(kind: str, text: str) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(text)


def schema(kind: str) -> xmlschema.XMLSchema:
    """The project (`Project.xsd`, as published) or codebook (`Codebook.xsd`, repaired) schema.

    Raises `SchemaUnavailable` (saying how to get it) when no source holds it, and `SchemaError`
    when the one found is not the pinned text.
    """
    return _compiled(kind, locate(kind).text)


def validate(text: str, kind: str, file: str = "<written>", *, missing: str = "error") -> None:
    """Raise QdaError naming the first element that breaks the schema.

    With no schema to be found, `missing="error"` raises `SchemaUnavailable`; `missing="warn"` (what
    the writers use, so that exporting works offline) warns with `SchemaUnavailableWarning` that the
    text was written unvalidated and how to get the schema.
    """
    try:
        compiled = schema(kind)
    except SchemaUnavailable as exc:
        if missing != "warn":
            raise
        warnings.warn(f"{file}: written without validation against the REFI-QDA {kind} schema: {exc}",
                      SchemaUnavailableWarning, stacklevel=2)
        return
    errors = list(compiled.iter_errors(text))
    if errors:
        first = errors[0]
        raise QdaError(file, first.path, f"does not validate against the REFI-QDA {kind} schema: {first.reason}"
                       + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""))


def schema_errors(text: str, kind: str) -> list[tuple[str, str]]:
    """Every (element path, reason) that breaks the schema (for reports; empty when valid)."""
    return [(e.path or "", e.reason or "") for e in schema(kind).iter_errors(text)]


# ------------------------------------------------------------------------------- reading

def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attrs(el: ET.Element, typed: tuple[str, ...]) -> dict[str, str]:
    return {k: v for k, v in el.attrib.items() if k not in typed}


def _text_of(el: ET.Element, ns: str, tag: str) -> str | None:
    child = el.find(_q(ns, tag))
    return None if child is None else (child.text or "")


def parse_xml(data: bytes, file: str) -> ET.Element:
    if len(data) > MAX_XML:
        raise QdaError(file, None, f"XML of {len(data)} bytes is larger than the {MAX_XML} bytes read")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise QdaError(file, f"line {exc.position[0]}, column {exc.position[1]}", f"not well-formed XML ({exc})") from None


def _raw(el: ET.Element, ns: str) -> str:
    """An untyped element as canonical XML (C14N, whitespace-only text stripped), so it compares equal after a round trip."""
    ET.register_namespace("", ns)
    return ET.canonicalize(ET.tostring(el, encoding="unicode"), strip_text=True)


def _codes(parent: ET.Element | None, ns: str, file: str, where: str) -> list[Code]:
    out = []
    if parent is None:
        return out
    for i, el in enumerate(parent.findall(_q(ns, "Code")), start=1):
        here = f"{where}/Code[{i}]"
        guid, name = el.get("guid"), el.get("name")
        if not guid or name is None:
            raise QdaError(file, here, "a Code needs guid and name attributes")
        codable = el.get("isCodable", "true").strip().lower()
        out.append(Code(guid=guid, name=name, is_codable=codable in ("true", "1"), color=el.get("color"),
                        description=_text_of(el, ns, "Description"),
                        children=_codes(el, ns, file, here),
                        attrs=_attrs(el, ("guid", "name", "isCodable", "color"))))
    return out


def read_codebook(data: bytes, file: str) -> Codebook:
    """A `.qdc` document (root `CodeBook` in the codebook namespace)."""
    root = parse_xml(data, file)
    if root.tag != _q(CODEBOOK_NS, "CodeBook"):
        raise QdaError(file, _local(root.tag), f"root element is {root.tag}, expected {{{CODEBOOK_NS}}}CodeBook")
    sets = root.find(_q(CODEBOOK_NS, "Sets"))
    keep_sets = sets is not None and len(sets)
    return Codebook(codes=_codes(root.find(_q(CODEBOOK_NS, "Codes")), CODEBOOK_NS, file, "/CodeBook/Codes"),
                    origin=root.get("origin"),
                    sets=_raw(sets, CODEBOOK_NS) if keep_sets else None)


def read_project(data: bytes, file: str, source_text: Callable[[str, str], str] | None = None) -> Project:
    """A `project.qde` document. `source_text(path, element)` returns the text of `internal://` sources.

    Checks, each an error naming the element: every CodeRef points at a code of the
    CodeBook; every selection lies within its source's text (0 <= start <= end <= length).
    """
    ns = PROJECT_NS
    root = parse_xml(data, file)
    if root.tag != _q(ns, "Project"):
        raise QdaError(file, _local(root.tag), f"root element is {root.tag}, expected {{{ns}}}Project")
    if root.get("name") is None:
        raise QdaError(file, "/Project", "the Project element needs a name attribute")
    users = [User(u.get("guid", ""), u.get("name"), u.get("id"))
             for u in root.findall(f"{_q(ns, 'Users')}/{_q(ns, 'User')}")]
    book = root.find(_q(ns, "CodeBook"))
    codes = _codes(None if book is None else book.find(_q(ns, "Codes")), ns, file, "/Project/CodeBook/Codes")
    project = Project(name=root.get("name"), origin=root.get("origin"), users=users, codes=codes,
                      attrs=_attrs(root, ("name", "origin")))
    known = {c.guid.upper() for c, _ in project.all_codes()}
    srcs = root.find(_q(ns, "Sources"))
    for i, el in enumerate([] if srcs is None else list(srcs), start=1):
        here = f"/Project/Sources/{_local(el.tag)}[{i}]"
        if el.tag != _q(ns, "TextSource"):
            raise QdaError(file, here, f"{_local(el.tag)} sources are not supported (text sources only)")
        project.sources.append(_text_source(el, ns, file, here, known, source_text))
    for el in root:
        name = _local(el.tag)
        if name not in TYPED and el.tag.startswith(f"{{{ns}}}"):
            project.extra[name] = _raw(el, ns)
    return project


def _text_source(el, ns, file, here, known, source_text) -> TextSource:
    guid = el.get("guid")
    if not guid:
        raise QdaError(file, here, "a TextSource needs a guid")
    here = f"{here} (guid {guid})"
    inline = _text_of(el, ns, "PlainTextContent")
    path = el.get("plainTextPath")
    if inline is not None:
        text = inline
    elif path:
        if source_text is None:
            raise QdaError(file, here, f"plainTextPath {path!r} given but no source files can be read")
        text = source_text(path, here)
    else:
        raise QdaError(file, here, "a TextSource needs PlainTextContent or plainTextPath")
    src = TextSource(guid=guid, name=el.get("name"), text=text, description=_text_of(el, ns, "Description"),
                     plain_text_path=None if inline is not None else path,
                     attrs=_attrs(el, ("guid", "name", "plainTextPath")))
    for j, sel in enumerate(el.findall(_q(ns, "PlainTextSelection")), start=1):
        where = f"{here}/PlainTextSelection[{j}]"
        try:
            start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
        except ValueError:
            raise QdaError(file, where, "startPosition and endPosition must be integers") from None
        if not 0 <= start <= end <= len(text):
            raise QdaError(file, where, f"positions {start}..{end} lie outside the source text "
                           f"({len(text)} characters)")
        codings = []
        for k, cod in enumerate(sel.findall(_q(ns, "Coding")), start=1):
            ref = cod.find(_q(ns, "CodeRef"))
            target = None if ref is None else ref.get("targetGUID")
            if not target or target.upper() not in known:
                raise QdaError(file, f"{where}/Coding[{k}]/CodeRef",
                               f"targetGUID {target!r} is not a code of the project's CodeBook")
            codings.append(Coding(guid=cod.get("guid", ""), code_guid=target, attrs=_attrs(cod, ("guid",))))
        src.selections.append(Selection(guid=sel.get("guid", ""), start=start, end=end, codings=codings,
                                        name=sel.get("name"), description=_text_of(sel, ns, "Description"),
                                        attrs=_attrs(sel, ("guid", "name", "startPosition", "endPosition"))))
    return src


# ------------------------------------------------------------------------------- writing

def _el(parent: ET.Element | None, ns: str, tag: str, attrs: dict[str, str | None]) -> ET.Element:
    clean = {k: v for k, v in attrs.items() if v is not None}
    return ET.Element(_q(ns, tag), clean) if parent is None else ET.SubElement(parent, _q(ns, tag), clean)


def _write_codes(parent: ET.Element, ns: str, codes: list[Code]) -> None:
    for c in codes:
        el = _el(parent, ns, "Code", {"guid": c.guid, "name": c.name, "isCodable": "true" if c.is_codable else "false",
                                      "color": c.color, **dict(sorted(c.attrs.items()))})
        if c.description is not None:
            _el(el, ns, "Description", {}).text = c.description
        _write_codes(el, ns, c.children)


def _serialise(root: ET.Element, ns: str) -> str:
    ET.register_namespace("", ns)
    ET.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_codebook(book: Codebook) -> str:
    """The `.qdc` text of `book` (an empty Sets element is left out: the schema needs one Set or more)."""
    ns = CODEBOOK_NS
    root = _el(None, ns, "CodeBook", {"origin": book.origin})
    _write_codes(_el(root, ns, "Codes", {}), ns, book.codes)
    if book.sets:
        root.append(ET.fromstring(book.sets))
    return _serialise(root, ns)


def write_project(project: Project) -> str:
    """The `project.qde` text of `project`; sources with a plain_text_path refer to files of the .qdpx."""
    ns = PROJECT_NS
    root = _el(None, ns, "Project", {"name": project.name, "origin": project.origin,
                                     **dict(sorted(project.attrs.items()))})
    for tag in PROJECT_ORDER:
        if tag == "Users" and project.users:
            users = _el(root, ns, "Users", {})
            for u in project.users:
                _el(users, ns, "User", {"guid": u.guid, "name": u.name, "id": u.id})
        elif tag == "CodeBook" and project.codes:
            _write_codes(_el(_el(root, ns, "CodeBook", {}), ns, "Codes", {}), ns, project.codes)
        elif tag == "Sources" and project.sources:
            sources = _el(root, ns, "Sources", {})
            for s in project.sources:
                _write_source(sources, ns, s)
        elif tag in project.extra:
            root.append(ET.fromstring(project.extra[tag]))
    return _serialise(root, ns)


def _write_source(parent: ET.Element, ns: str, s: TextSource) -> None:
    el = _el(parent, ns, "TextSource", {"guid": s.guid, "name": s.name, "plainTextPath": s.plain_text_path,
                                        **dict(sorted(s.attrs.items()))})
    if s.description is not None:
        _el(el, ns, "Description", {}).text = s.description
    if s.plain_text_path is None:
        _el(el, ns, "PlainTextContent", {}).text = s.text
    for sel in s.selections:
        se = _el(el, ns, "PlainTextSelection", {"guid": sel.guid, "name": sel.name, "startPosition": str(sel.start),
                                                "endPosition": str(sel.end), **dict(sorted(sel.attrs.items()))})
        if sel.description is not None:
            _el(se, ns, "Description", {}).text = sel.description
        for cod in sel.codings:
            ce = _el(se, ns, "Coding", {"guid": cod.guid, **dict(sorted(cod.attrs.items()))})
            _el(ce, ns, "CodeRef", {"targetGUID": cod.code_guid})
