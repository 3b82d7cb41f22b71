"""Fixtures shared by the paper-survey coding tests (found by pytest, not imported): the codebook and the fixture folder."""

import pytest

from mliter.coding.codebook import load


@pytest.fixture(scope="module")
def cb():
    return load()


@pytest.fixture(scope="module")
def fx(fixtures):
    return fixtures / "coding_papers"
