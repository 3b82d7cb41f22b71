"""Load an `analysis/` script as a module, for tests that call its functions rather than run it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from mliter.paths import ROOT


def load_script(name: str, monkeypatch=None, root: Path | None = None) -> ModuleType:
    """`analysis/<name>.py` as a module (its `main` not run). With `monkeypatch` and `root`, the script's
    CODING, TRACES and ROOT point into a fixture root instead of the checkout."""
    spec = importlib.util.spec_from_file_location(f"_{name}", ROOT / "analysis" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if root is not None:
        monkeypatch.setattr(mod, "CODING", root / "coding")
        monkeypatch.setattr(mod, "TRACES", root / "traces")
        monkeypatch.setattr(mod, "ROOT", root)
    return mod
