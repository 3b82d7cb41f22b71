"""Where the REFI-QDA schemas come from at run time: mliter ships none of their text.

The QDA-XML 1.0 schemas (`Project.xsd` and `Codebook.xsd`, REFI, MIT licence) are not part of the
repository. `locate(kind)` looks for a folder holding them as published, in this order:

1. the folder named by the environment variable `MLITER_QDA_SCHEMAS` (an error if it lacks the file);
2. `../shared/data/qda/schemas` next to the checkout (`mliter.paths.shared_data()`), when present;
3. the user cache (`$XDG_CACHE_HOME/mliter/qda-schemas`, else `~/.cache/mliter/qda-schemas`), which
   `mliter code qda schemas fetch` fills from the pinned public source below.

The pinned source is the QualCoder repository at commit a32d0c8a, file `qualcoder/xsd.py`, which keeps
both schemas as string constants (`xsd_project`, `xsd_codebook`). `fetch` downloads that file through the
polite client (`mliter.http`), checks its sha256, reads the two constants with `ast` (the file is parsed,
never imported or executed), checks each schema's sha256 and only then writes `Project.xsd` and
`Codebook.xsd` into the cache. The strings are byte-identical to the staged `../shared/data/qda/schemas`
files (checked when this was written), so every source yields the same text.

The only copy of the codebook schema is damaged; what is used is `repair(original)` (see
`mliter.coding.qda.repair`), so a folder may hold either the damaged original or an already repaired
copy. Whatever the source, the text used must hash to the pins in `PINNED`: the project schema as
published and the codebook schema after the repair. A schema that does not is an error naming the file.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mliter.coding.qda.repair import repair
from mliter.corpus.fetch import RAW_GITHUB
from mliter.errors import InputError
from mliter.http import PoliteClient
from mliter.io import atomic_write_bytes, sha256_bytes
from mliter.paths import shared_data

ENV = "MLITER_QDA_SCHEMAS"
KINDS = ("project", "codebook")
FILES = {"project": "Project.xsd", "codebook": "Codebook.xsd"}
#: The pinned public source: repository, commit, file, and the constant holding each schema.
SOURCE_REPO = "ccbogel/QualCoder"
SOURCE_COMMIT = "a32d0c8a01e0e281d3221410712bf5f806271197"
SOURCE_PATH = "qualcoder/xsd.py"
SOURCE_SHA256 = "9ab7a148f3f51d020e7b52d085c05185585e3a6022537290d0dd676023d7c3f1"
CONSTANTS = {"project": "xsd_project", "codebook": "xsd_codebook"}
#: sha256 (of the UTF-8 text) of each schema as mliter uses it: Project.xsd as published, Codebook.xsd repaired.
PINNED = {"project": "80396c47a615e0ee53d68f3a2bcfd9adb7a98feaddc8c267d5f9bf42eb9c9604",
          "codebook": "77a7ef76cb2accc5c637449eb01948f8f0ae5bc4355c16efa6791e47c3575271"}
#: sha256 of the damaged codebook schema as published (the input of the repair), for the record.
ORIGINAL_CODEBOOK_SHA256 = "6ee3dd24816560c37f6ec3e22b19879ce0f7318cc0b03b849a000145a91e3dea"
#: Largest source file read (the pinned one is 30 KB): a bound on what `ast.parse` is given.
MAX_SOURCE_BYTES = 2 * 1024 * 1024
HOW_TO_GET = (f"set {ENV} to a folder holding Project.xsd and Codebook.xsd, put the shared data at "
              "../shared/data (or set MLITER_SHARED_DATA), or run `mliter code qda schemas fetch` once "
              "(downloads them from the pinned QualCoder commit, sha256-verified)")


class SchemaError(InputError):
    """A schema that cannot be used: not found, not the pinned text, or a source that does not hold it."""


class SchemaUnavailable(SchemaError):
    """No folder holds the schema; the message says how to get it."""


@dataclass(frozen=True)
class Located:
    """A schema as used (codebook repaired), the file it was read from and which source that was."""

    kind: str
    text: str
    path: Path
    origin: str  # "env", "shared" or "cache"


def source_url(base: str = RAW_GITHUB) -> str:
    """The pinned source file's URL (raw file at the pinned commit)."""
    return f"{base.rstrip('/')}/{SOURCE_REPO}/{SOURCE_COMMIT}/{SOURCE_PATH}"


def cache_dir() -> Path:
    """The user cache folder that `fetch` fills."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mliter" / "qda-schemas"


def candidates(env: Mapping[str, str] | None = None) -> list[tuple[str, Path]]:
    """(origin, folder) in the order they are tried."""
    env = os.environ if env is None else env
    out = [("env", Path(env[ENV]).expanduser())] if env.get(ENV) else []
    return out + [("shared", shared_data() / "qda" / "schemas"), ("cache", cache_dir())]


def as_used(kind: str, text: str) -> str:
    """The schema text mliter validates with: the codebook schema repaired, the project schema unchanged."""
    return repair(text) if kind == "codebook" else text


def verify(kind: str, text: str, where: str, pins: Mapping[str, str] = PINNED) -> str:
    """`text` (as used) if it hashes to the pin of `kind`, else a SchemaError naming `where`."""
    got = sha256_bytes(text.encode("utf-8"))
    if got != pins[kind]:
        raise SchemaError(f"{where}: the REFI-QDA {kind} schema has sha256 {got}, not the pinned "
                          f"{pins[kind]} (a different or altered schema); {HOW_TO_GET}")
    return text


def locate(kind: str, folders: list[tuple[str, Path]] | None = None,
           pins: Mapping[str, str] = PINNED) -> Located:
    """The schema of `kind` from the first folder that holds it (see the module docstring)."""
    name = FILES[kind]
    looked = []
    for origin, folder in candidates() if folders is None else folders:
        path = folder / name
        if not path.is_file():
            if origin == "env":
                raise SchemaUnavailable(f"{ENV}={folder}: there is no {name} in that folder")
            looked.append(str(path))
            continue
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SchemaError(f"{path}: the REFI-QDA {kind} schema cannot be read ({exc})") from None
        return Located(kind, verify(kind, as_used(kind, raw), str(path), pins), path, origin)
    raise SchemaUnavailable(f"no REFI-QDA {kind} schema ({name}) found (looked in: {', '.join(looked)}); "
                            f"{HOW_TO_GET}")


def extract(source: bytes, where: str) -> dict[str, str]:
    """The schema constants of the source file, read from its syntax tree (never imported or executed)."""
    if len(source) > MAX_SOURCE_BYTES:
        raise SchemaError(f"{where}: {len(source)} bytes, more than the {MAX_SOURCE_BYTES} read")
    try:
        tree = ast.parse(source, filename=where)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise SchemaError(f"{where}: not a Python source that can be parsed ({type(exc).__name__}: {exc})") from None
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    missing = [c for c in CONSTANTS.values() if c not in found]
    if missing:
        raise SchemaError(f"{where}: no module-level string constant {', '.join(missing)}")
    return {kind: found[const] for kind, const in CONSTANTS.items()}


def fetch(dest: Path | None = None, client: PoliteClient | None = None, url: str | None = None,
          source_sha256: str = SOURCE_SHA256, pins: Mapping[str, str] = PINNED) -> list[Path]:
    """Download the pinned source, verify it and both schemas, then write them into `dest` (the cache).

    Nothing is written unless the file and both schemas match their pins, so a failed fetch never
    leaves or replaces a schema. Returns the paths written.
    """
    dest = cache_dir() if dest is None else Path(dest)
    url = url or source_url()
    response = (client or PoliteClient()).get(url)
    if not response.ok:
        raise SchemaError(f"GET {url} returned HTTP {response.status}; nothing written")
    got = sha256_bytes(response.content)
    if got != source_sha256:
        raise SchemaError(f"{url}: sha256 {got}, not the pinned {source_sha256}; nothing written to {dest}")
    texts = extract(response.content, url)
    for kind, text in texts.items():
        verify(kind, as_used(kind, text), f"{url} ({CONSTANTS[kind]})", pins)
    return [atomic_write_bytes(dest / FILES[kind], texts[kind].encode("utf-8")) for kind in KINDS]
