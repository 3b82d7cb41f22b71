"""Where the study's folders are, so scripts and tests agree on one layout.

The repository root is found from this file; `MLITER_ROOT` overrides it (useful when
the package is installed outside a checkout). The shared read-only material lives at
`../shared/data` next to the checkout unless `MLITER_SHARED_DATA` points elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("MLITER_ROOT", Path(__file__).resolve().parents[1]))
CORPUS = ROOT / "corpus"
CODING = ROOT / "coding"
TRACES = ROOT / "traces"
FIGURES = ROOT / "figures"
ANALYSIS = ROOT / "analysis"


def shared_data() -> Path:
    """The folder of real public material (may not exist on a given machine)."""
    return Path(os.environ.get("MLITER_SHARED_DATA", ROOT.parent / "shared" / "data"))
