"""Fuzzing the miner (a few hundred cases here; bench/fuzz.py runs 10,000): every notebook,
however broken, becomes exactly one row of notebooks.csv or of errors.csv, quickly."""

import os
import time

from fuzz_strategies import FILE_NAMES, check_batch, check_mined, notebook_bytes
from hypothesis import HealthCheck, given, settings, strategies as st

from mliter.corpus.notebooks import discover
from mliter.traces.notebooks.mine import mine_batch, mine_ref
from mliter.traces.notebooks.parse import Limits
from mliter.traces.notebooks.stages import DEFAULT_RULES, StageRules

RULES = StageRules.from_csv(DEFAULT_RULES)
LIMITS = Limits(max_seconds=5)
FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])


@FUZZ
@given(data=notebook_bytes())
def test_any_bytes_become_one_clean_row(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fz")
    (folder / "nb.ipynb").write_bytes(data)
    (ref,) = discover([folder])
    t0 = time.perf_counter()
    mined = mine_ref(ref, RULES, LIMITS)
    assert check_mined(mined, ref, time.perf_counter() - t0, hang_seconds=5.0) == []


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(names=FILE_NAMES.map(lambda n: [n]) | st.lists(FILE_NAMES, min_size=2, max_size=5),
       data=notebook_bytes())
def test_a_batch_accounts_for_every_file_whatever_its_name(tmp_path_factory, names, data):
    folder = tmp_path_factory.mktemp("fzb")
    for i, name in enumerate(names):
        raw = name if isinstance(name, bytes) else name.encode("utf-8")
        sub = folder / f"d{i}"
        sub.mkdir()
        with open(os.path.join(os.fsencode(sub), raw + b".ipynb"), "wb") as fh:
            fh.write(data)
    refs = discover([folder])
    assert len(refs) == len(names)
    results = mine_batch(refs, RULES, "fuzz", LIMITS, progress=False)
    assert check_batch(refs, results, folder / "out") == []
