"""Where the REFI-QDA schemas come from: the locator's order and pins, static extraction, and `schemas fetch`
against a loopback server (never the network)."""

from __future__ import annotations

import http.server
import threading

import pytest

from mliter.cli import main
from mliter.coding.qda import schemas as S
from mliter.coding.qda.repair import HYPHEN
from mliter.coding.qda.schemas import SchemaError, SchemaUnavailable, extract, fetch, locate, source_url
from mliter.http import PoliteClient
from mliter.io import sha256_bytes
from mliter.paths import ROOT

# Small stand-in schemas (our own text), a codebook one damaged the way the published copy is.
PROJECT = '<?xml version="1.0"?>\n<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><!-- p --></xs:schema>\n'
DAMAGED = (f'<?xml version="1.0"?>\n<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><!{HYPHEN}{HYPHEN} c '
           f'{HYPHEN}{HYPHEN}><xs:attribute name="origin"type="xs:string"/></xs:schema>\n')
REPAIRED = DAMAGED.replace(HYPHEN, "-").replace('"origin"type', '"origin" type')
PINS = {"project": sha256_bytes(PROJECT.encode()), "codebook": sha256_bytes(REPAIRED.encode())}


def _folder(path, project=PROJECT, codebook=DAMAGED):
    path.mkdir(parents=True, exist_ok=True)
    (path / "Project.xsd").write_text(project, encoding="utf-8")
    (path / "Codebook.xsd").write_text(codebook, encoding="utf-8")
    return path


def _source(project: str, codebook: str) -> bytes:
    """A Python file holding the schemas as string constants, and code that must never run."""
    return (f'"""stand-in for qualcoder/xsd.py"""\nimport sys\nsys.exit("executed!")\n'
            f"xsd_codebook = {codebook!r}\n\nxsd_project = {project!r}\n").encode("utf-8")


def test_no_schema_text_is_shipped_in_the_package():
    assert sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "mliter").rglob("*.xsd")) == []


def test_locator_takes_env_then_shared_then_cache_and_repairs_the_codebook(tmp_path):
    env, shared, cache = (_folder(tmp_path / n) for n in ("env", "shared", "cache"))
    order = [("env", env), ("shared", shared), ("cache", cache)]
    assert locate("project", order, PINS).origin == "env"
    got = locate("codebook", order[1:], PINS)
    assert (got.origin, got.path, got.text) == ("shared", shared / "Codebook.xsd", REPAIRED)
    (shared / "Project.xsd").unlink()
    assert locate("project", order[1:], PINS).path == cache / "Project.xsd"
    _folder(tmp_path / "fixed", codebook=REPAIRED)  # an already repaired copy is accepted as well
    assert locate("codebook", [("env", tmp_path / "fixed")], PINS).text == REPAIRED


def test_env_folder_without_the_file_is_an_error_not_a_fall_through(tmp_path):
    shared = _folder(tmp_path / "shared")
    with pytest.raises(SchemaUnavailable, match=r"MLITER_QDA_SCHEMAS=.*empty: there is no Project.xsd"):
        locate("project", [("env", tmp_path / "empty"), ("shared", shared)], PINS)


def test_candidates_follow_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("MLITER_SHARED_DATA", str(tmp_path / "data"))
    assert S.candidates({S.ENV: str(tmp_path / "mine")}) == [
        ("env", tmp_path / "mine"), ("shared", tmp_path / "data/qda/schemas"),
        ("cache", tmp_path / "xdg/mliter/qda-schemas")]
    assert [o for o, _ in S.candidates({})] == ["shared", "cache"]


def test_no_schema_anywhere_says_how_to_get_one(tmp_path):
    with pytest.raises(SchemaUnavailable) as info:
        locate("codebook", [("shared", tmp_path / "a"), ("cache", tmp_path / "b")], PINS)
    message = str(info.value)
    assert str(tmp_path / "a" / "Codebook.xsd") in message
    assert "MLITER_QDA_SCHEMAS" in message and "mliter code qda schemas fetch" in message


def test_a_schema_that_is_not_the_pinned_text_is_refused_naming_the_file(tmp_path):
    folder = _folder(tmp_path / "x", project=PROJECT.replace("p --", "changed --"))
    with pytest.raises(SchemaError, match=rf"{folder / 'Project.xsd'}: the REFI-QDA project schema has sha256 "
                                          rf"[0-9a-f]{{64}}, not the pinned {PINS['project']}"):
        locate("project", [("shared", folder)], PINS)
    with pytest.raises(SchemaError, match="not the pinned"):  # the real pins refuse the stand-ins
        locate("project", [("shared", _folder(tmp_path / "y"))])


def test_extract_reads_constants_statically_and_names_what_is_missing():
    assert extract(_source(PROJECT, DAMAGED), "x.py") == {"project": PROJECT, "codebook": DAMAGED}
    with pytest.raises(SchemaError, match="x.py: no module-level string constant xsd_project"):
        extract(b'xsd_codebook = "a"\nxsd_project = "a" + "b"\n', "x.py")
    with pytest.raises(SchemaError, match="x.py: not a Python source"):
        extract(b"xsd_project = '''unterminated", "x.py")
    with pytest.raises(SchemaError, match="more than the"):
        extract(b"#" * (S.MAX_SOURCE_BYTES + 1), "x.py")


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).hits.append(self.path)
        if self.path.endswith(S.SOURCE_PATH):
            data, status = self.body, 200
        else:  # robots.txt and anything else
            data, status = b"not here", 404
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture()
def server():
    """A loopback server answering the pinned path with `_Handler.body` (set by each test)."""
    _Handler.hits = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=5)


def _client(tmp_path, name="http"):
    """A client with its own cache (the polite client caches what it got: a new body needs a new cache)."""
    return PoliteClient(tmp_path / name, min_interval=0, sleep=lambda s: None)


def test_fetch_verifies_file_and_schemas_then_fills_the_cache(server, tmp_path):
    _Handler.body = body = _source(PROJECT, DAMAGED)
    dest = tmp_path / "cache"
    url = source_url(server)
    assert url == f"{server}/ccbogel/QualCoder/{S.SOURCE_COMMIT}/qualcoder/xsd.py"
    written = fetch(dest, _client(tmp_path), url, sha256_bytes(body), PINS)
    assert written == [dest / "Project.xsd", dest / "Codebook.xsd"]
    assert (dest / "Codebook.xsd").read_text(encoding="utf-8") == DAMAGED  # stored as published
    assert locate("codebook", [("cache", dest)], PINS).text == REPAIRED
    assert f"/ccbogel/QualCoder/{S.SOURCE_COMMIT}/qualcoder/xsd.py" in _Handler.hits


def test_fetch_of_the_real_schemas_checks_them_against_the_real_pins(server, tmp_path, shared):
    staged = shared / "qda/schemas"
    _Handler.body = body = _source((staged / "Project.xsd").read_text(encoding="utf-8"),
                                   (staged / "Codebook.xsd").read_text(encoding="utf-8"))
    dest = tmp_path / "cache"
    fetch(dest, _client(tmp_path), source_url(server), sha256_bytes(body))  # the real schema pins
    for name in ("Project.xsd", "Codebook.xsd"):
        assert (dest / name).read_bytes() == (staged / name).read_bytes()
    assert locate("project", [("cache", dest)]).text == (staged / "Project.xsd").read_text(encoding="utf-8")


def test_fetch_with_a_sha256_mismatch_writes_nothing(server, tmp_path, capsys, monkeypatch):
    _Handler.body = _source(PROJECT, DAMAGED)
    dest = tmp_path / "cache"
    with pytest.raises(SchemaError, match=rf"sha256 [0-9a-f]{{64}}, not the pinned {'0' * 64}; nothing written"):
        fetch(dest, _client(tmp_path), source_url(server), "0" * 64, PINS)
    assert not dest.exists()
    # the file matches its pin but a schema inside it does not: still nothing written
    _Handler.body = body = _source(PROJECT + "<!-- tampered -->", DAMAGED)
    with pytest.raises(SchemaError, match=r"\(xsd_project\): the REFI-QDA project schema has sha256"):
        fetch(dest, _client(tmp_path, "http-b"), source_url(server), sha256_bytes(body), PINS)
    assert not dest.exists()
    # the command: the stand-in source is not the pinned file, so it exits non-zero and writes nothing
    monkeypatch.setenv("MLITER_HTTP_CACHE", str(tmp_path / "http2"))
    assert main(["code", "qda", "schemas", "fetch", "--dir", str(dest), "--base", server]) == 2
    assert f"not the pinned {S.SOURCE_SHA256}; nothing written" in capsys.readouterr().err
    assert not dest.exists()
