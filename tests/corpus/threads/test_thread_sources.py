"""The staged thread corpus, keyed pseudonyms and the sources table (no text, no usernames)."""

import pandas as pd
import pytest

from mliter.cli import main
from mliter.corpus.threads import pseudonym as ps
from mliter.corpus.threads.commands import refresh
from mliter.corpus.threads.schema import SOURCES
from mliter.corpus.threads.staged import ThreadCorpusError, read_staged
from tests.threads_fixtures import SECRET, make_study, write_data


def test_staged_records_opener_and_date(tmp_path):
    recs = {r.source_id: r for r in read_staged(write_data(tmp_path) / "automl_threads/automl_threads.jsonl")}
    assert recs["github:acme/autotool#1"].opener() == ("quietfox", "description")
    assert recs["github:other/gluon#7"].opener() == ("redowl", "continued_turn")
    assert recs["github:acme/autotool#1"].date() == ("2021-03-04", "description")
    assert recs["github:other/gluon#7"].date() == ("", "none")
    assert recs["github:acme/autotool#1"].accounts() == {"quietfox", "maintainer9"}


def test_bad_staged_line_is_named(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"url": "https://github.com/a/b/issues/1", "excerpt": "x"}\n{"url": "https://example.org/x"}\n')
    with pytest.raises(ThreadCorpusError, match=r"t.jsonl, line 2: not a GitHub issue"):
        read_staged(path)


def test_a_raw_unicode_line_break_inside_a_json_string_is_not_a_line_end(tmp_path):
    # JSON allows U+2028/U+2029 unescaped in strings; str.splitlines() cut the record there (a JSON error)
    path = tmp_path / "t.jsonl"
    excerpt = "first\u2028second\u2029third"
    path.write_text('{"url": "https://github.com/a/b/issues/1", "excerpt": "' + excerpt + '"}\n', encoding="utf-8")
    assert [r.excerpt for r in read_staged(path)] == [excerpt]


def test_pseudonyms_are_keyed(tmp_path, monkeypatch):
    a, b = ps.pseudonym("QuietFox", SECRET), ps.pseudonym("quietfox", SECRET)
    assert a == b and a.startswith("p_") and len(a) == 14
    assert ps.pseudonym("quietfox", b"another-key-0123456789") != a
    monkeypatch.delenv(ps.ENV, raising=False)
    k1 = ps.key(tmp_path)
    assert ps.key(tmp_path) == k1 and (tmp_path / ps.KEY_FILE).exists()
    monkeypatch.setenv(ps.ENV, "short")
    with pytest.raises(ps.PseudonymKeyError):
        ps.key(tmp_path)


def test_sources_table_has_no_text_and_no_usernames(tmp_path, monkeypatch):
    root, data = make_study(tmp_path)
    monkeypatch.setenv(ps.ENV, SECRET.decode())
    assert main(["corpus", "threads", "--data", str(data), "--root", str(root)]) == 0
    table = SOURCES.read(root)
    assert list(table.tool) == ["AutoTool", "AutoTool", "Gluon"] and set(table.text_origin) == {"staged_excerpt"}
    raw = (root / SOURCES.path).read_text()
    for word in ("quietfox", "redowl", "bluecat", "pipeline", "Traceback"):
        assert word not in raw
    assert table.set_index("source_id").loc["github:other/gluon#7", "participant"] == ps.pseudonym("redowl", SECRET)


def test_refresh_keeps_going_after_one_failure(tmp_path):
    from mliter.corpus.threads.github import GitHubError

    recs = read_staged(write_data(tmp_path) / "automl_threads/automl_threads.jsonl")

    class Fake:
        def issue(self, repo, number):
            if number == 2:
                raise GitHubError("GET x returned HTTP 404")
            return {"number": number, "title": "t", "state": "open", "user": {"login": "u1"}, "created_at": "2020-01-01",
                    "body": "full body"}

        def comments(self, repo, number, per_page=None):
            return [{"user": {"login": "u2"}, "created_at": "2020-01-02", "body": "reply"}]

    fresh, errors = refresh(recs, Fake(), tmp_path / "texts")
    assert [r.number for r in fresh] == [1, 7] and len(errors) == 1 and "acme/autotool#2" in errors[0]
    assert "u2 · comment · 2020-01-02\nreply" in fresh[0].excerpt
    assert len(list((tmp_path / "texts").glob("*.txt"))) == 2


@pytest.mark.integration
def test_shared_corpus_gives_239_threads(shared):
    recs = read_staged(shared / "automl_threads/automl_threads.jsonl")
    assert len(recs) == 239 and all(r.kind == "issue" for r in recs)


def test_cli_refresh_writes_local_tables_and_leaves_the_shipped_one(tmp_path, monkeypatch):
    import mliter.corpus.threads.github as gh

    root, data = make_study(tmp_path)
    before = (root / SOURCES.path).read_bytes()

    class FakeClient:
        def __init__(self, *a, **k):
            pass

        def issue(self, repo, number):
            return {"number": number, "title": "t", "state": "open", "user": {"login": "u1"},
                    "created_at": "2020-01-01", "body": "full"}

        def comments(self, repo, number, per_page=None):
            return []

    monkeypatch.setattr(gh, "GitHubClient", FakeClient)
    monkeypatch.setenv(ps.ENV, SECRET.decode())
    out = tmp_path / "fresh"
    assert main(["corpus", "threads", "--data", str(data), "--root", str(root), "--refresh", str(out)]) == 0
    fresh = pd.read_csv(out / "threads_full.csv")
    assert set(fresh.text_origin) == {"full_thread"} and len(fresh) == 3
    assert (root / SOURCES.path).read_bytes() == before
