"""JSON helpers shared by the Semantic Scholar and OpenAlex readers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mliter.corpus.papers.record import RecordError


def load_json(text: str | bytes, file: object, entry: str = "document") -> Any:
    """Parsed JSON; a RecordError naming the file, the entry and the position when it is not JSON."""
    try:
        return json.loads(text)
    except ValueError as exc:
        raise RecordError(file, entry, f"not valid JSON: {exc}") from None


def read_json(path: Path) -> Any:
    return load_json(Path(path).read_bytes(), path)


def canonical_json(obj: Any) -> bytes:
    """Sorted-key compact UTF-8 JSON of one record: the bytes its sha256 is taken of."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
