"""The interview codebook: shipped file loads and is complete; malformed variants name the code and field."""

import copy

import pytest
import yaml

from mliter.coding.codebook import DEFAULT_INTERVIEW_CODEBOOK, CodebookError, load, parse

RAW = yaml.safe_load(DEFAULT_INTERVIEW_CODEBOOK.read_text(encoding="utf-8"))


def test_shipped_codebook_covers_the_issue_themes():
    cb = load(DEFAULT_INTERVIEW_CODEBOOK)
    assert cb.format == "segments" and cb.version == "1.0"
    assert set(cb.groups) == {"stage", "benefit", "shortcoming", "partnership", "goal", "user", "none"}
    assert len(cb.group_codes("shortcoming")) == 8 and len(cb.group_codes("stage")) == 6
    assert {c.code for c in cb.group_codes("goal")} == {"goal_simplicity", "goal_reproducibility", "goal_reliability"}
    assert [c.code for c in cb.exclusive_codes] == ["none_codable"]
    for c in cb.codes:
        assert all(len(getattr(c, f)) > 20 for f in ("definition", "include", "exclude", "example")), c.code


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["codes"][0].update(group="nowhere"), "code stage_data_preparation: group 'nowhere'"),
    (lambda d: d["codes"][1].update(segment="sometimes"), "code stage_feature_engineering: segment 'sometimes'"),
    (lambda d: d["codes"][2].pop("exclude"), "code stage_model_selection: missing `exclude`"),
    (lambda d: d["codes"].append(copy.deepcopy(d["codes"][0])), "duplicate codes ['stage_data_preparation']"),
    (lambda d: d["group_rules"].update(bogus={"exclusive": True}), "group_rules.bogus"),
])
def test_malformed_codebook_names_code_and_field(edit, message):
    data = copy.deepcopy(RAW)
    edit(data)
    with pytest.raises(CodebookError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse(data, "cb.yaml")
