"""The double-coding subset: a deterministic sample of the paper list every coder codes.

A paper is in the subset when its SHA-256 rank (of the UTF-8 paper id) falls in the lowest
`share` of the list. The draw depends on the ids only, not on who asks, when, or the row
order, and growing the corpus keeps most earlier choices.
"""

from __future__ import annotations

from mliter.errors import InputError
import hashlib
import math
from typing import Iterable

DEFAULT_SHARE = 0.4


def id_hash(paper_id: str) -> str:
    return hashlib.sha256(paper_id.encode("utf-8")).hexdigest()


def double_coding_sample(paper_ids: Iterable[str], share: float = DEFAULT_SHARE) -> list[str]:
    """The ceil(share * n) ids with the smallest hashes, sorted by id."""
    if not 0 < share <= 1:
        raise InputError(f"share must be in (0, 1], got {share}")
    ids = sorted(set(paper_ids))
    k = math.ceil(share * len(ids))
    return sorted(sorted(ids, key=id_hash)[:k])
