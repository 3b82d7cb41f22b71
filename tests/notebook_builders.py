"""Small notebooks written by the tests themselves (nbformat 4 JSON), for the trace-validity fixtures."""

from __future__ import annotations

import json


def notebook_bytes(*cells: str, markdown: tuple[str, ...] = ()) -> bytes:
    """A Python notebook whose code cells hold `cells` (in order), after the given markdown cells."""
    out = [{"cell_type": "markdown", "metadata": {}, "source": m} for m in markdown]
    out += [{"cell_type": "code", "metadata": {}, "execution_count": i + 1, "outputs": [], "source": src}
            for i, src in enumerate(cells)]
    nb = {"nbformat": 4, "nbformat_minor": 5, "cells": out,
          "metadata": {"kernelspec": {"name": "python3", "language": "python"}, "language_info": {"name": "python"}}}
    return json.dumps(nb).encode("utf-8")


def mined_cells(*cells: str, **kw) -> list[dict]:
    """The rows `traces/cells.csv` would get for a notebook of `cells` (shipped rules and catalogue)."""
    from mliter.traces.notebooks.mine import mine_bytes
    from mliter.traces.notebooks.stages import StageRules

    return mine_bytes("file:t.ipynb", notebook_bytes(*cells), StageRules.from_csv(), **kw).cells
