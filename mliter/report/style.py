"""One plot style and byte-stable figure saving (PDF and PNG) for every analysis script.

Matplotlib stamps PDFs with a creation date and PNGs with its version; both are
removed so a rerun on unchanged data writes identical bytes.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from mliter.io import write_if_changed  # noqa: E402
from mliter.paths import FIGURES  # noqa: E402

#: Colours of the workflow stages, shared by every figure (colour-blind safe, Okabe-Ito).
STAGE_COLORS = {
    "setup": "#999999", "load": "#56B4E9", "EDA": "#F0E442", "DPR": "#E69F00",
    "LI": "#0072B2", "PPR": "#CC79A7", "other": "#DDDDDD",
}


def apply_style() -> None:
    plt.rcdefaults()
    plt.rcParams.update({
        "figure.figsize": (6.0, 3.6), "figure.dpi": 100, "savefig.dpi": 200,
        "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8,
        "axes.spines.top": False, "axes.spines.right": False,
        "svg.hashsalt": "mliter", "pdf.fonttype": 42,
        "path.simplify": True,
    })


def savefig(fig, stem: str, folder: Path = FIGURES) -> list[Path]:
    """Save `fig` as `<stem>.pdf` and `<stem>.png` without timestamps; returns the paths."""
    paths = []
    for ext, meta in (("pdf", {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}),
                      ("png", {"Software": None})):
        buf = io.BytesIO()
        fig.savefig(buf, format=ext, metadata=meta, bbox_inches="tight")
        path = Path(folder) / f"{stem}.{ext}"
        write_if_changed(path, buf.getvalue())
        paths.append(path)
    plt.close(fig)
    return paths
