"""The shipped coder files against the codebook, the paper list and the real abstracts (needs ../shared/data)."""

import pytest

from mliter.coding.codebook import load
from mliter.coding.screening import validate_screener_file
from mliter.coding.validate import coder_files, read_paper_ids, validate_file
from mliter.paths import ROOT


@pytest.fixture(scope="module")
def abstracts(shared):
    from mliter.corpus.papers.abstracts import load_abstracts

    found = {k: v for k, v in load_abstracts(shared).items() if v}
    assert len(found) > 150
    return found


def test_shipped_coder_files_are_valid_and_not_copied(abstracts):
    cb = load()
    ids = read_paper_ids(ROOT / "corpus" / "papers.csv")
    files = coder_files(ROOT / "coding" / "papers" / "coders", cb)
    screens = coder_files(ROOT / "coding" / "papers" / "screeners", cb)
    assert len(files) >= 2 and len(screens) >= 2
    problems = [str(p) for f in files for p in validate_file(f, cb, ids, abstracts)]
    problems += [str(p) for f in screens for p in validate_screener_file(f, cb, ids, abstracts)]
    assert problems == []


def test_a_note_copied_from_a_real_abstract_is_caught(abstracts, tmp_path):
    cb = load()
    pid = "pmlr:v219/adams23a"
    copied = " ".join(abstracts[pid].split()[5:17]).replace(",", " ").replace('"', " ")
    f = tmp_path / "coder_z.csv"
    f.write_text(",".join(cb.columns) + "\n"
                 + f"{pid},coder_z,{cb.version},health_medicine,0,0,0,2,0,0,0,0,0,abstract,,{copied}\n")
    problems = validate_file(f, cb, read_paper_ids(ROOT / "corpus" / "papers.csv"), abstracts)
    assert [(p.row, p.column) for p in problems] == [(2, "note")]
    assert "copies the abstract" in problems[0].message
