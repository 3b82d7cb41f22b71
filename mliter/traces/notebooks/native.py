"""The compiled build of the miner's hot modules: build it, check it is current, load it or fall back.

The walk, feature resolution and stage labelling (`COMPILED`) are plain, annotated Python. `make`
compiles them with mypyc (part of mypy, pinned in uv.lock with setuptools) into `_native/`, beside
the sources and never committed, with a manifest of the SHA-256 of every source the build read
(the compiled modules and the mliter modules they import, transitively). When this package is
imported, `activate` puts `_native/` first on the package's `__path__`, so `import
mliter.traces.notebooks.code` loads the extension, but only when the manifest matches the
sources on disk byte for byte, the interpreter is the one the build was made for, and
`MLITER_PURE_PYTHON` is not set. Anything else (no build, a source edited since, another Python,
a damaged manifest) loads the pure-Python modules, which are the reference: a stale extension is
never run. Both produce the same bytes (tests/traces/notebooks/test_native.py).

    python tools/build_native.py            # build when missing or stale (what `make` runs)
    python tools/build_native.py --status   # which implementation an import would load, and why
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import json
import os
import shutil
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

#: Modules compiled, in this package (the hot path of `mine_bytes`); the rest stay interpreted.
COMPILED = ("code", "learned", "modules", "order", "parse", "rows", "stages")
PACKAGE = "mliter.traces.notebooks"
PACKAGE_DIR = Path(__file__).resolve().parent
MLITER_DIR = PACKAGE_DIR.parents[1]
NATIVE_DIR = PACKAGE_DIR / "_native"
MANIFEST = "MANIFEST.json"
#: Set (to anything but "" or "0") to load the pure-Python modules even when a current build exists.
PURE_ENV = "MLITER_PURE_PYTHON"
#: mypyc's shared library of the group: `mliter.traces.notebooks._miner__mypyc`.
GROUP = f"{PACKAGE}._miner"


@dataclass(frozen=True)
class Status:
    """Whether the compiled build is loaded (`compiled`) and why (`reason`, one line)."""

    compiled: bool
    reason: str


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def abi_tag() -> str:
    """The interpreter a build is made for: its extension suffix (version, ABI, platform) and its path."""
    return f"{sysconfig.get_config_var('EXT_SUFFIX')} {sys.implementation.cache_tag} {sys.base_prefix}"


def check(native_dir: Path = NATIVE_DIR, mliter_dir: Path = MLITER_DIR) -> Status:
    """Is the build in `native_dir` current? Compares its manifest with the sources under `mliter_dir`."""
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return Status(False, f"{PURE_ENV} is set")
    manifest = native_dir / MANIFEST
    if not manifest.is_file():
        return Status(False, f"no compiled build ({native_dir.name}/ absent): run `make native` or "
                             "`python tools/build_native.py`")
    try:
        info = json.loads(manifest.read_text(encoding="utf-8"))
        sources: dict[str, str] = info["sources"]
        modules = tuple(info["modules"])
        abi = info["abi"]
    except (OSError, ValueError, KeyError, TypeError):
        return Status(False, f"{native_dir.name}/{MANIFEST} is unreadable: rebuild")
    if modules != COMPILED:
        return Status(False, f"build holds {', '.join(modules)}, not {', '.join(COMPILED)}: rebuild")
    if abi != abi_tag():
        return Status(False, f"build is for another interpreter ({abi}): rebuild")
    for rel, want in sources.items():
        path = mliter_dir / rel
        try:
            if _digest(path) != want:
                return Status(False, f"mliter/{rel} changed since the build: stale, using pure Python")
        except OSError:
            return Status(False, f"mliter/{rel} is missing: stale, using pure Python")
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    missing = [m for m in (*COMPILED, GROUP.rsplit(".", 1)[1] + "__mypyc") if not (native_dir / (m + suffix)).is_file()]
    if missing:
        return Status(False, f"build lacks {', '.join(missing)}: rebuild")
    return Status(True, f"compiled build in {native_dir.name}/ matches its {len(sources)} sources")


STATUS = Status(False, "not checked")


def activate(package_path: list[str]) -> Status:
    """Put the compiled build first on the package's `__path__` when it is current (called by the
    package's `__init__`, before any of its modules is imported). Returns what was decided."""
    global STATUS
    STATUS = check()
    if STATUS.compiled:
        package_path.insert(0, str(NATIVE_DIR))
    return STATUS


def loaded() -> dict[str, bool]:
    """For each compiled module already imported: is it the extension (True) or the Python source?"""
    out = {}
    for m in COMPILED:
        mod = sys.modules.get(f"{PACKAGE}.{m}")
        if mod is not None:
            out[m] = not str(getattr(mod, "__file__", "")).endswith(".py")
    return out


def _imports(path: Path) -> set[str]:
    """The mliter modules a source file imports (absolute imports, at any depth in the file)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        out.update(n for n in names if n == "mliter" or n.startswith("mliter."))
    return out


def _module_file(name: str, mliter_dir: Path) -> Path | None:
    parts = name.split(".")[1:]
    if not parts:
        return mliter_dir / "__init__.py"
    for cand in (mliter_dir.joinpath(*parts[:-1], parts[-1] + ".py"), mliter_dir.joinpath(*parts, "__init__.py")):
        if cand.is_file():
            return cand
    return None


def source_closure(mliter_dir: Path = MLITER_DIR) -> list[Path]:
    """The compiled modules' files and every mliter module they import, transitively (with each
    package's `__init__.py` on the way): what a build depends on."""
    todo = [PACKAGE_DIR / f"{m}.py" for m in COMPILED]
    seen: set[Path] = set()
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        for name in _imports(f):
            parts = name.split(".")
            for k in range(1, len(parts) + 1):  # the packages on the way are imported too
                dep = _module_file(".".join(parts[:k]), mliter_dir)
                if dep is not None and dep not in seen:
                    todo.append(dep)
    return sorted(seen)


@contextlib.contextmanager
def _output_to(log: Path | None) -> Iterator[list[str]]:
    """Send this process's stdout and stderr (the compiler's too) to `log`, printed back when the body
    raises or adds a failure to the list it is given."""
    failed: list[str] = []
    if log is None:
        yield failed
        return
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log, "wb") as fh:
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
    ok = False
    try:
        yield failed
        ok = True
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
        if not ok or failed:
            sys.stderr.write(log.read_text(encoding="utf-8", errors="replace")[-4000:])


def build(force: bool = False, quiet: bool = False) -> int:
    """Compile `COMPILED` with mypyc into `_native/` unless a current build is there. Returns 0 when a
    current build is in place afterwards, 1 when compiling failed (the pure-Python modules are used)."""
    os.environ.pop(PURE_ENV, None)
    if not force and check().compiled:
        if not quiet:
            print(f"compiled miner is current ({NATIVE_DIR.relative_to(MLITER_DIR.parent)})")
        return 0
    try:
        from mypyc.build import mypycify
        from setuptools import Distribution
    except ImportError as exc:
        print(f"cannot compile the miner ({exc}); the pure-Python modules are used", file=sys.stderr)
        return 1
    root = MLITER_DIR.parent
    sources = {str(p.relative_to(MLITER_DIR)): _digest(p) for p in source_closure()}
    paths = [str((PACKAGE_DIR / f"{m}.py").relative_to(root)) for m in COMPILED]
    config = root / "pyproject.toml"
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="mliter-native-") as tmp, _output_to(Path(tmp, "log") if quiet else None) as failed:
        os.chdir(root)  # mypyc names modules by their path from the project root
        try:
            options = ["--no-warn-unused-configs"] + (["--config-file", str(config)] if config.is_file() else [])
            exts = mypycify([*options, *paths], opt_level="3", group_name=GROUP, target_dir=f"{tmp}/c")
            dist = Distribution({"name": "mliter-native", "ext_modules": exts})
            cmd = dist.get_command_obj("build_ext")
            cmd.build_lib, cmd.build_temp = f"{tmp}/lib", f"{tmp}/tmp"  # type: ignore[attr-defined]
            dist.run_command("build_ext")
        except (SystemExit, Exception) as exc:  # noqa: BLE001  (a failed compile leaves pure Python in use)
            failed.append(type(exc).__name__)
            print(f"compiling the miner failed ({type(exc).__name__}: {exc}); the pure-Python modules are used",
                  file=sys.stderr)
            return 1
        finally:
            os.chdir(cwd)
        built = Path(tmp, "lib", *PACKAGE.split("."))
        staging = Path(tempfile.mkdtemp(prefix="_native.", dir=PACKAGE_DIR))
        for so in built.glob("*" + sysconfig.get_config_var("EXT_SUFFIX")):
            shutil.copy2(so, staging / so.name)
        info = {"modules": list(COMPILED), "abi": abi_tag(), "sources": sources,
                "note": "made by `python tools/build_native.py`; loaded only while these hashes hold"}
        (staging / MANIFEST).write_text(json.dumps(info, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    old = PACKAGE_DIR / f"_native.old.{os.getpid()}"
    if NATIVE_DIR.exists():
        NATIVE_DIR.rename(old)
    staging.rename(NATIVE_DIR)
    shutil.rmtree(old, ignore_errors=True)
    status = check()
    if not quiet:
        print(f"compiled {', '.join(COMPILED)} into {NATIVE_DIR.relative_to(root)}: {status.reason}")
    return 0 if status.compiled else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--status", action="store_true", help="say whether an import loads the compiled build, and why")
    ap.add_argument("--force", action="store_true", help="rebuild even when the build is current")
    ap.add_argument("--clean", action="store_true", help="remove the compiled build (pure Python is used)")
    ap.add_argument("--quiet", action="store_true", help="print only failures")
    args = ap.parse_args(argv)
    if args.status:
        print(("compiled: " if check().compiled else "pure Python: ") + check().reason)
        return 0
    if args.clean:
        shutil.rmtree(NATIVE_DIR, ignore_errors=True)
        return 0
    return build(force=args.force, quiet=args.quiet)
