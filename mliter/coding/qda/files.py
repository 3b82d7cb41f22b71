"""REFI-QDA files on disk: `.qdpx` projects (a zip with `project.qde` and `sources/`) and `.qdc` codebooks.

Reading a `.qdpx` refuses, with a `QdaError` naming the file and the element: a file that is
not a zip, a zip without `project.qde`, a source file named by `plainTextPath` that the zip
lacks, a code reference to no code, positions past the end of a source. Writing validates the
XML against the REFI-QDA schemas first and writes the file atomically, so a failed write
leaves nothing behind (when no schema can be found it warns, saying how to get one, and writes
unvalidated: see `mliter.coding.qda.schemas`). Written zips are deterministic (fixed member order and timestamps).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

from mliter.coding.qda.errors import QdaError
from mliter.coding.qda.model import Codebook, Project
from mliter.coding.qda.xml import read_codebook, read_project, validate, write_codebook, write_project
from mliter.io import atomic_write_bytes

PROJECT_MEMBER = "project.qde"
SOURCES_DIR = "sources"
INTERNAL = "internal://"
#: Fixed timestamp of every member of a written zip (the zip format's earliest date).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: Largest source text read from a zip member (bytes).
MAX_SOURCE = 50 * 1024 * 1024


def _member(names: dict[str, str], wanted: str) -> str | None:
    """The zip member matching `wanted` case-insensitively (tools write Sources/ or sources/)."""
    return names.get(wanted.lower())


def read_qdpx(path: str | Path) -> Project:
    path = Path(path)
    name = str(path)
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise QdaError(name, None, "file not found") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise QdaError(name, None, f"not a .qdpx (zip) archive: {exc}") from None
    with zf:
        names = {i.filename.lower(): i.filename for i in zf.infolist() if not i.is_dir()}
        qde = _member(names, PROJECT_MEMBER)
        if qde is None:
            raise QdaError(name, PROJECT_MEMBER, "the archive has no project.qde")

        def source_text(ref: str, element: str) -> str:
            if not ref.startswith(INTERNAL):
                raise QdaError(name, element, f"plainTextPath {ref!r} points outside the archive "
                               "(only internal:// sources are read)")
            rel = ref[len(INTERNAL):]
            member = _member(names, f"{SOURCES_DIR}/{rel}") or _member(names, rel)
            if member is None:
                raise QdaError(name, element, f"source file {SOURCES_DIR}/{rel} is missing from the archive")
            info = zf.getinfo(member)
            if info.file_size > MAX_SOURCE:
                raise QdaError(name, element, f"source file {member} is larger than {MAX_SOURCE} bytes")
            try:
                return zf.read(member).decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise QdaError(name, element, f"source file {member} is not UTF-8 ({exc.reason})") from None

        try:
            data = zf.read(qde)
        except (zipfile.BadZipFile, OSError) as exc:
            raise QdaError(name, PROJECT_MEMBER, f"cannot be read from the archive: {exc}") from None
        return read_project(data, f"{name}: {PROJECT_MEMBER}", source_text)


def qdpx_bytes(project: Project) -> bytes:
    """The .qdpx archive of `project`, validated against Project.xsd; sources with a path become zip members."""
    text = write_project(project)
    validate(text, "project", f"{project.name}: {PROJECT_MEMBER}", missing="warn")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        members = [(PROJECT_MEMBER, text)]
        for s in project.sources:
            if s.plain_text_path is not None:
                if not s.plain_text_path.startswith(INTERNAL):
                    raise QdaError(project.name, f"TextSource {s.guid}", "plainTextPath must be internal://...")
                rel = PurePosixPath(s.plain_text_path[len(INTERNAL):])
                if rel.is_absolute() or ".." in rel.parts:
                    raise QdaError(project.name, f"TextSource {s.guid}", f"unsafe source path {rel}")
                members.append((f"{SOURCES_DIR}/{rel}", s.text))
        for member, content in sorted(members):
            info = zipfile.ZipInfo(member, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, content.encode("utf-8"))
    return buf.getvalue()


def write_qdpx(project: Project, path: str | Path) -> Path:
    return atomic_write_bytes(path, qdpx_bytes(project))


def read_qdc(path: str | Path) -> Codebook:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise QdaError(str(path), None, f"cannot be read: {exc.strerror}") from None
    return read_codebook(data, str(path))


def qdc_text(book: Codebook) -> str:
    text = write_codebook(book)
    validate(text, "codebook", "<codebook>", missing="warn")
    return text


def write_qdc(book: Codebook, path: str | Path) -> Path:
    return atomic_write_bytes(path, qdc_text(book).encode("utf-8"))
