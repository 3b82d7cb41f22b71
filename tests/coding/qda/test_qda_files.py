"""REFI-QDA files: round trips, schema validation, deterministic bytes, and malformed input named by file and element."""

import io
import zipfile

import pytest

from mliter.cli import main
from mliter.coding.codebook import DEFAULT_INTERVIEW_CODEBOOK, load
from mliter.coding.qda.errors import QdaError
from mliter.coding.qda.files import qdc_text, qdpx_bytes, read_qdc, read_qdpx, write_qdpx
from mliter.coding.qda.model import Code, Coding, Project, Selection, TextSource, User, derived_guid
from mliter.coding.qda.tables import codebook_qdc, project_tables
from mliter.coding.qda.xml import read_codebook, schema_errors, write_project

G = lambda *p: derived_guid("test", *p)  # noqa: E731


def sample_project() -> Project:
    parent = Code(G("p"), "shortcoming", is_codable=False, description="what lacks")
    parent.children.append(Code(G("c1"), "control", color="#ff0000", description="steer it"))
    text = "I cannot choose the metric. Ünïcode ✓ counts as one character each."
    inline = TextSource(G("s2"), "inline note", "short inline text")
    src = TextSource(G("s1"), "interview 1", text, plain_text_path=f"internal://{G('s1')}.txt",
                     selections=[Selection(G("sel"), 0, 27, [Coding(G("cod"), G("c1"), {"creatingUser": G("u")})]),
                                 Selection(G("sel2"), 28, len(text), [Coding(G("cod2"), G("c1"))])])
    return Project("demo", origin="mliter tests", users=[User(G("u"), "coder one", "c1")], codes=[parent],
                   sources=[src, inline])


def test_project_round_trip_is_lossless_valid_and_byte_stable(qda_schemas, tmp_path):
    p = sample_project()
    path = write_qdpx(p, tmp_path / "demo.qdpx")
    again = read_qdpx(path)
    assert again == p
    assert qdpx_bytes(again) == path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["project.qde", f"sources/{G('s1')}.txt"]
        assert schema_errors(zf.read("project.qde").decode(), "project") == []
    src, seg = project_tables(again, "demo")
    assert list(seg["code"]) == ["shortcoming/control", "shortcoming/control"]
    assert list(seg["coder"]) == ["c1", "unknown"] and seg["end"].max() == len(p.sources[0].text)


def test_interview_codebook_exports_valid_qdc_and_shipped_copy_is_current(qda_schemas, repo_root):
    book = load(DEFAULT_INTERVIEW_CODEBOOK)
    text = qdc_text(codebook_qdc(book))
    assert schema_errors(text, "codebook") == []
    parsed = read_codebook(text.encode(), "x.qdc")
    names = [c.name for c, _ in parsed.all_codes()]
    assert len(names) == len(book.codes) + len(book.groups)
    assert (repo_root / "coding/interviews.qdc").read_text(encoding="utf-8") == text


def _zip(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for k, v in members.items():
            zf.writestr(k, v)
    return buf.getvalue()


def _broken(kind: str) -> bytes:
    good = qdpx_bytes(sample_project())
    qde = zipfile.ZipFile(io.BytesIO(good)).read("project.qde").decode()
    src = zipfile.ZipFile(io.BytesIO(good)).read(f"sources/{G('s1')}.txt").decode()
    if kind == "bad zip":
        return b"PK\x03\x04 this is not really a zip"
    if kind == "no project.qde":
        return _zip({"other.xml": qde})
    if kind == "unknown code":
        return _zip({"project.qde": qde.replace(f'targetGUID="{G("c1")}"', 'targetGUID="00000000-0000-0000-0000-000000000000"', 1),
                     f"sources/{G('s1')}.txt": src})
    if kind == "past end":
        return _zip({"project.qde": qde, f"sources/{G('s1')}.txt": src[:10]})
    if kind == "missing source":
        return _zip({"project.qde": qde})
    raise KeyError(kind)


@pytest.mark.parametrize("kind, element, message", [
    ("bad zip", None, "not a .qdpx (zip) archive"),
    ("no project.qde", "project.qde", "no project.qde"),
    ("unknown code", "PlainTextSelection[1]/Coding[1]/CodeRef", "is not a code of the project's CodeBook"),
    ("past end", "PlainTextSelection[1]", "lie outside the source text (10 characters)"),
    ("missing source", "TextSource[1]", "is missing from the archive"),
])
def test_malformed_qdpx_names_file_and_element_and_cli_writes_nothing(tmp_path, capsys, kind, element, message):
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(_broken(kind))
    with pytest.raises(QdaError) as info:
        read_qdpx(bad)
    assert str(bad) in str(info.value) and message in str(info.value)
    if element:
        assert element in str(info.value)
    out = tmp_path / "out"
    assert main(["code", "qda", "import", str(bad), "--root", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
    assert main(["code", "qda", "validate", str(bad)]) == 1


def test_not_well_formed_xml_names_line(tmp_path):
    bad = tmp_path / "x.qdpx"
    bad.write_bytes(_zip({"project.qde": "<Project name='x'><Users></Project>"}))
    with pytest.raises(QdaError, match=r"project.qde: line 1, column \d+: not well-formed"):
        read_qdpx(bad)


def test_writing_an_invalid_project_fails_before_anything_is_written(qda_schemas, tmp_path):
    p = sample_project()
    p.codes[0].children[0].color = "red"  # RGBType wants #rrggbb
    with pytest.raises(QdaError, match="does not validate against the REFI-QDA project schema"):
        write_qdpx(p, tmp_path / "x.qdpx")
    assert not (tmp_path / "x.qdpx").exists()
    assert "red" in write_project(p)


def test_qdc_round_trip_keeps_sets(qda_schemas, tmp_path):
    ns = "urn:QDA-XML:codebook:1.0"
    text = (f'<?xml version="1.0"?><CodeBook xmlns="{ns}" origin="t"><Codes><Code guid="{G("a")}" name="a" '
            f'isCodable="true"><Description>d</Description></Code></Codes><Sets><Set guid="{G("s")}" name="s">'
            f'<MemberCode guid="{G("a")}"/></Set></Sets></CodeBook>')
    (tmp_path / "a.qdc").write_text(text, encoding="utf-8")
    book = read_qdc(tmp_path / "a.qdc")
    assert schema_errors(text, "codebook") == []
    assert read_codebook(qdc_text(book).encode(), "b.qdc") == book
