"""The primary stage producer's latest held-out error, as every figure built on mined stages quotes it.

`analysis/trace_validity.py` scores the producer that gives the shipped primary `stage` on the latest fresh
held-out sample and writes the numbers to its fragment; the stage figures read them from here, so they all
quote the same three numbers in the same words (declare `figures/variables/trace_validity.json` among the
script's INPUTS).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mliter.errors import InputError
from mliter.report.variables import FRAGMENTS, read_fragment

#: The trace_validity numbers quoted: accuracy, cells and round of the latest held-out score.
KEYS = ("traceStageAccuracyLatest", "traceStageNLatest", "traceStageRoundLatest")


def latest_stage_error(folder: Path = FRAGMENTS) -> dict[str, Any]:
    """The `KEYS` of the trace_validity fragment; an InputError naming the fragment and the missing key."""
    validity = read_fragment("trace_validity", folder)
    missing = [k for k in KEYS if k not in validity]
    if missing:
        raise InputError(f"{Path(folder) / 'trace_validity.json'}: no {', '.join(missing)}; rerun "
                         "analysis/trace_validity.py (`make figures`)")
    return {k: validity[k] for k in KEYS}


def describe(error: dict[str, Any]) -> str:
    """The error in words for a figure: "73% right on 240 held-out cells of fresh repositories (round 8)"."""
    return (f"{error['traceStageAccuracyLatest']:.0%} right on {error['traceStageNLatest']} held-out cells of "
            f"fresh repositories (round {error['traceStageRoundLatest']})")
