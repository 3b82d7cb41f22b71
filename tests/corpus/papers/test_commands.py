"""`mliter corpus papers` / `mliter corpus abstracts`, source detection and the shipped corpus/papers.csv."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mliter.cli import main
from mliter.corpus.papers.abstracts import load_abstracts
from mliter.corpus.papers.load import detect
from mliter.corpus.papers.record import RecordError
from mliter.corpus.papers.sources import SOURCE_LIST, collect, parse_source_list, read_source_list
from mliter.corpus.papers.schema import PAPERS


def test_detect(fixtures: Path, tmp_path: Path) -> None:
    assert detect(fixtures / "papers/pmlr_v999") == "pmlr"
    assert detect(fixtures / "papers/openalex_works.json") == "openalex"
    (tmp_path / "a.xml").write_text("<feed xmlns='http://www.w3.org/2005/Atom'/>", encoding="utf-8")
    assert detect(tmp_path / "a.xml") == "arxiv"
    (tmp_path / "b.xml").write_text("<collection id='x'/>", encoding="utf-8")
    assert detect(tmp_path / "b.xml") == "acl"
    (tmp_path / "c.json").write_text('{"paperId": "x", "title": "t"}', encoding="utf-8")
    assert detect(tmp_path / "c.json") == "semantic_scholar"
    (tmp_path / "d.json").write_text('{"paperId": ', encoding="utf-8")
    with pytest.raises(RecordError, match=r"d\.json, entry document: not valid JSON"):
        detect(tmp_path / "d.json")
    with pytest.raises(RecordError, match="no such file"):
        detect(tmp_path / "missing.xml")


def test_papers_command_on_fixtures(fixtures: Path, tmp_path: Path, capsys) -> None:
    rc = main(["corpus", "papers", str(fixtures / "papers/pmlr_v999"), str(fixtures / "papers/openalex_works.json"),
               "--out", str(tmp_path)])
    out = capsys.readouterr()
    assert rc == 1  # one OpenAlex work is malformed: reported, the rest written
    assert "results[3] (W1000000004)" in out.err and "5 records -> 5 papers" in out.out
    df = PAPERS.read(tmp_path)
    assert list(df.paper_id) == ["arxiv:3101.00042", "doi:10.9999/invented.2031.1", "openalex:W1000000003",
                                 "pmlr:v999/doe31a", "pmlr:v999/roe31a"]
    assert "abstract" not in df.columns
    text = (tmp_path / "corpus/papers.csv").read_text(encoding="utf-8")
    assert "invented invented fields" not in text and "nothing here was measured" not in text  # no abstracts
    row = df.set_index("paper_id").loc["pmlr:v999/doe31a"]
    assert (row.authors, row.venue, row.year, row.sources) == ("Jane Doe;Łukasz Exemplar", "WIE", 2031, "pmlr")
    before = (tmp_path / "corpus/papers.csv").read_bytes()
    assert main(["corpus", "papers", str(fixtures / "papers/openalex_works.json"), str(fixtures / "papers/pmlr_v999"),
                 "--out", str(tmp_path)]) == 1
    assert (tmp_path / "corpus/papers.csv").read_bytes() == before  # source order does not matter


def test_source_list(fixtures: Path, tmp_path: Path, capsys) -> None:
    specs = parse_source_list("# comment\npmlr_v999   # trailing comment\narxiv-query cat:cs.LG AND ti:#1\n\n"
                              "pmlr-volume v999\n", "list.txt")
    assert [(s.kind, s.value, s.line) for s in specs] == [("path", "pmlr_v999", 2),
                                                          ("arxiv-query", "cat:cs.LG AND ti:#1", 3),
                                                          ("pmlr-volume", "v999", 5)]
    with pytest.raises(RecordError, match=r"list\.txt, entry line 1: s2-query needs a value"):
        parse_source_list("s2-query\n", "list.txt")
    errors: list = []
    papers = collect(parse_source_list("pmlr_v999\nno_such_volume\n", "list.txt"), fixtures / "papers",
                     errors=errors)
    assert [p.paper_id for p in papers] == ["pmlr:v999/doe31a", "pmlr:v999/roe31a"]
    assert [e.entry for e in errors] == ["line 2"] and "does not exist" in errors[0].reason
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus/papers_sources.txt").write_text("pmlr_v999\n", encoding="utf-8")
    assert main(["corpus", "papers", "--shared", str(fixtures / "papers"), "--out", str(tmp_path)]) == 0
    assert list(PAPERS.read(tmp_path).paper_id) == ["pmlr:v999/doe31a", "pmlr:v999/roe31a"]


def test_abstracts_command(fixtures: Path, capsys) -> None:
    rc = main(["corpus", "abstracts", "pmlr:v999/roe31a", "pmlr:v999/nope", "--sources",
               str(fixtures / "papers/pmlr_v999")])
    out = capsys.readouterr()
    assert rc == 1 and "unknown paper id 'pmlr:v999/nope'" in out.err
    assert "Another Invented Paper on Sensor Drift" in out.out and "naïve café" in out.out
    assert main(["corpus", "abstracts", "--json", "--sources", str(fixtures / "papers/pmlr_v999")]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [i["paper_id"] for i in items] == ["pmlr:v999/doe31a", "pmlr:v999/roe31a"]


def test_help_has_examples(capsys) -> None:
    for verb in ("papers", "abstracts"):
        with pytest.raises(SystemExit):
            main(["corpus", verb, "--help"])
        assert "example" in capsys.readouterr().out


@pytest.mark.integration
def test_shipped_corpus_is_rebuilt_byte_identically(shared: Path, repo_root: Path, tmp_path: Path) -> None:
    assert main(["corpus", "papers", "--shared", str(shared), "--out", str(tmp_path),
                 "--source-list", str(repo_root / SOURCE_LIST)]) == 0
    assert (tmp_path / PAPERS.path).read_bytes() == (repo_root / PAPERS.path).read_bytes()


@pytest.mark.integration
def test_shipped_corpus_content(repo_root: Path, shared: Path) -> None:
    df = PAPERS.read(repo_root)
    assert df.paper_id.is_unique
    counts = df.paper_id.str.split(":").str[0].value_counts().to_dict()
    assert counts["pmlr"] == 258 + 143 and counts["acl"] == 5  # pmlr_more: 143 posts of eight volumes
    assert set(df.venue[df.paper_id.str.startswith("pmlr:")]) == {
        "MLHC", "FAT*", "MIDL", "L4DC", "CHIL", "MLCB", "ENLSP-IV 2024", "GMML", "NeurIPS-CellSeg", "KDD Cup 2011",
        "ORSUM", "iRAISE", "HEPML", "MLSB 2009"}
    assert int(df.n_records.sum()) == 628 and len(df) == 618  # ten records seen twice
    assert df.sha256.str.fullmatch(r"[0-9a-f]{64}").all()
    assert (df.commit.str.fullmatch(r"[0-9a-f]{40}")).all()  # every record is from a recorded file
    abstracts = load_abstracts(shared)
    assert set(abstracts) == set(df.paper_id)
    assert abstracts["pmlr:v219/adams23a"].startswith("Long-form clinical summarization")
    # no abstract text in the shipped file
    shipped = (repo_root / PAPERS.path).read_text(encoding="utf-8")
    assert all(len(a) < 80 or a[:80] not in shipped for a in abstracts.values())
    assert all((shared / s.value).exists() for s in read_source_list(repo_root / SOURCE_LIST) if s.kind == "path")
