"""Shared test fixtures: the repository root and the optional shared data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from mliter.paths import ROOT, shared_data

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared() -> Path:
    """`../shared/data`, or skip: integration tests need the real material."""
    path = shared_data()
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path} (set MLITER_SHARED_DATA to run integration tests)")
    return path


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES
