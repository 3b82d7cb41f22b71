"""Fuzzing the coding checks (bench/fuzz.py runs 10,000 cases): malformed codebooks are
CodebookErrors naming the file, and any coder file gives problems, never a crash."""

from fuzz_strategies import check_codebook, check_coder_file, codebook_data, coder_file_text
from hypothesis import HealthCheck, given, settings

from mliter.coding.codebook import load

CB = load()
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])


@FUZZ
@given(text=coder_file_text(CB.columns))
def test_any_coder_file_gives_problems_not_a_crash(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("cf") / "coder_z.csv"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    assert check_coder_file(path, CB) == []


@FUZZ
@given(data=codebook_data())
def test_any_codebook_is_parsed_or_refused_by_name(tmp_path_factory, data):
    cb, wrong = check_codebook(data)
    assert wrong == []
    if cb is not None:  # a codebook that loads can validate a file
        path = tmp_path_factory.mktemp("cb") / "coder_a.csv"
        path.write_text(",".join(cb.columns) + "\n", encoding="utf-8")
        assert check_coder_file(path, cb) == []
