"""Fixtures of the REFI-QDA tests: the schemas, or a skip that says how to get them."""

from __future__ import annotations

import pytest

from mliter.coding.qda.schemas import KINDS, SchemaError, locate


@pytest.fixture()
def qda_schemas() -> dict:
    """The located schemas; tests that validate what is written skip, naming how to get them, when there are none."""
    try:
        return {kind: locate(kind) for kind in KINDS}
    except SchemaError as exc:
        pytest.skip(f"REFI-QDA schemas not available, so what is written cannot be validated: {exc}")
