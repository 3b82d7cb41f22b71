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
