"""Repair of the only copy found of the REFI-QDA codebook schema (Codebook.xsd, QDA-XML 1.0).

The copy (kept as a string constant in QualCoder's `xsd.py`) was damaged by text
processing: every ASCII hyphen-minus became U+2010 HYPHEN (in comment delimiters `<!--`
and `-->`, and inside the regular-expression patterns of GUIDType and RGBType, where
`[0‐9]` would no longer be a range), and the space before some attributes was lost
(`name="origin"type=...`). The repair undoes exactly those two kinds of damage and nothing
else, so the element and type structure is the published one. `repair` is deterministic and
idempotent. mliter ships the repair, not its output: `mliter.coding.qda.schemas` applies it to
the codebook schema it finds at run time and checks the result against a pinned sha256; a test
applies it to the damaged shared copy and validates the shared codebook with the result.
"""

from __future__ import annotations

import re

HYPHEN = "\u2010"
#: A closing quote directly followed by the next attribute's name.
_GLUED = re.compile(r'"(?=[A-Za-z_][\w:.-]*=")')


def repair(damaged: str) -> str:
    """The repaired schema text: U+2010 back to '-', a space between glued attributes."""
    text = damaged.replace(HYPHEN, "-")
    return _GLUED.sub('" ', text)
