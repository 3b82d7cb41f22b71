"""Spreadsheet exports of coded interviews become the same sources and segments tables."""

import openpyxl
import pytest

from mliter.cli import main
from mliter.coding.qda.imports import import_coded_csv, import_workbook, parse_lines
from mliter.coding.threads_schema import imported_pair


def test_parse_lines():
    assert parse_lines("30, 106-112 + 141") == [(30, 31), (106, 113), (141, 142)]
    assert parse_lines("55 -57") == [(55, 58)]
    assert parse_lines("all over the script") is None and parse_lines("9-3") is None


def test_coded_csv(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("Pariticipant,Stage,Decision,Need\n4,Data collection,long free text,\n4,Analysis,x,More data\n"
                    ",Analysis,y,\n7,Analysis,z,Tools\n", encoding="utf-8")
    got = import_coded_csv(path, "p", "Pariticipant", ["Stage", "Need"])
    assert list(got.sources.source_id) == ["p/P4", "p/P7"]
    assert sorted(got.segments.code) == ["Need/More data", "Need/Tools", "Stage/Analysis", "Stage/Analysis",
                                         "Stage/Data collection"]
    assert "long free text" not in got.segments.to_csv()
    assert got.problems == [f"{path}, row 4, column Pariticipant: empty participant; row skipped"]
    with pytest.raises(ValueError, match=r"row 1: missing column\(s\) \['Nope'\]"):
        import_coded_csv(path, "p", "Pariticipant", ["Nope"])


def test_workbook_with_per_coder_and_merged_sheets(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Merged"
    ws.append(["Interview", "Line (or range*)", "Var1 - Stage", "Var2 - Task"])
    ws.append(["I1", "30, 40-42", "Model Evaluation", None])
    ws.append(["i2", "no idea", None, "Testing"])
    per = wb.create_sheet("Per tagger")
    per.append(["Tagger", "Interview", "Line (or range*)", "Var1 - Stage"])
    per.append(["A", "I1", "30", "Model Evaluation"])
    per.append(["B", "I1", "31", "Data Cleaning"])
    wb.save(tmp_path / "w.xlsx")
    got = import_workbook(tmp_path / "w.xlsx", "w")
    assert list(got.sources.source_id) == ["w/I1", "w/I2"]
    seg = got.segments
    assert sorted(seg.coder.unique()) == ["A", "B", "merged"]
    merged = seg[(seg.coder == "merged") & (seg.source_id == "w/I1")]
    assert sorted(zip(merged.start, merged.end)) == [(30, 31), (40, 43)]
    assert len(got.problems) == 1 and "sheet Merged, row 3" in got.problems[0]
    assert seg[seg.source_id == "w/I2"].start.isna().all()


@pytest.mark.integration
def test_shared_interview_projects_import(shared, tmp_path):
    csv_path = shared / "qda/kalealex__analysis_paths_research_synthesis/codes-anonymous.csv"
    assert main(["code", "qda", "import", str(csv_path), "--project", "kalealex", "--root", str(tmp_path)]) == 0
    src_t, seg_t = imported_pair("kalealex")
    seg = seg_t.read(tmp_path)
    assert seg.segment_id.nunique() == 480 and src_t.read(tmp_path).shape[0] == 11
    xlsx = next((shared / "qda").glob("aieng-lab__*/Data/Initial_tagging_subjects/*.xlsx"))
    assert main(["code", "qda", "import", str(xlsx), "--project", "aieng", "--root", str(tmp_path)]) == 0
    seg = imported_pair("aieng")[1].read(tmp_path)
    assert {"A", "B", "merged"} <= set(seg.coder) and seg.source_id.nunique() == 14
