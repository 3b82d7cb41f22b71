"""Captions, written once: each analysis script declares `CAPTIONS = {stem: template}` at its top.

A template names the script's numbers in braces (`{nNotebooksOrdered}`, `{shareOutOfOrder:.1%}`), keys of the
variables the script writes. The script fills it for its `.md`/`.tex` tables (`caption`); `mliter.report.dag`
collects the templates into `figures/captions.json` (standard library only, read without importing the
scripts), and the findings page fills them from `figures/variables.json`, so the page and the tables say the
same words with the same numbers.
"""

from __future__ import annotations

import string
from typing import Any

from mliter.errors import MliterError


def _clean(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    return round(value, 4) if isinstance(value, float) else value


def fields(template: str) -> list[str]:
    """The variable names a template uses."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def caption(captions: dict[str, str], stem: str, values: dict[str, Any]) -> str:
    """The filled caption of `stem`; values are rounded as in variables.json, so the page shows the same text."""
    if stem not in captions:
        raise MliterError(f"no caption for {stem!r}: add it to the script's CAPTIONS")
    template = captions[stem]
    missing = [f for f in fields(template) if f not in values]
    if missing:
        raise MliterError(f"caption of {stem!r} names {missing}, which the script does not write")
    return template.format_map({k: _clean(v) for k, v in values.items()})


def fill(template: str, variables: dict[str, Any]) -> str:
    """For the page: the caption with the values it names, `?` for any not (yet) in variables.json."""
    class _Missing(dict):
        def __missing__(self, key: str) -> str:
            return "?"
    try:
        return template.format_map(_Missing(variables))
    except (ValueError, TypeError):  # a format spec that does not fit "?" (a missing number)
        return string.Formatter().vformat(
            template.replace(":.1%}", "}").replace(":.2f}", "}").replace(":,}", "}"), (), _Missing(variables))
