"""Tables: how well the static change-type classifier agrees with hand coding of notebook version pairs.

Random pairs of consecutive notebook versions were coded by reading their code and markdown
differences without looking at the classifier (coding/change_labels.csv). Three samples were
used to revise the rules (tuning-1 to tuning-3); the held-out sample was coded after the last
revision and estimates the accuracy (share agreeing, Wilson 95% interval). The confusion
table shows where the held-out disagreements fall (rows: hand code, columns: classifier).
"""

INPUTS = ["traces/versions.csv", "coding/change_labels.csv", "coding/change_types.yaml"]
OUTPUTS = ["figures/change_type_agreement.csv", "figures/change_type_agreement.md",
           "figures/change_type_agreement.tex",
           "figures/change_type_confusion.csv", "figures/change_type_confusion.md",
           "figures/change_type_confusion.tex",
           "figures/variables/change_type_agreement.json"]
CAPTIONS = {
    'change_type_agreement': (
        'Agreement of the change-type classifier with hand coding of random notebook version pairs (tuning '
        'samples were used to revise the rules; heldout was coded after the last revision).'
    ),
    'change_type_confusion': (
        'Held-out pairs: hand-coded change type (rows) against the classifier (columns).'
    ),
}

from mliter.report.iterations import label_agreement  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.captions import caption  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.versions.schema import CHANGE_LABELS, VERSIONS  # noqa: E402


def main() -> None:
    agreement, confusion = label_agreement(read(CHANGE_LABELS), read(VERSIONS))
    write_table(agreement, "change_type_agreement",
                caption(CAPTIONS, "change_type_agreement", {}))
    write_table(confusion, "change_type_confusion",
                caption(CAPTIONS, "change_type_confusion", {}))
    held = agreement.set_index("sample").loc["heldout"]
    write_fragment("change_type_agreement", {
        "nChangeLabelsHeldOut": int(held["n"]),
        "changeAgreementHeldOut": float(held["share"]),
        "changeAgreementHeldOutLow": float(held["ci_low"]),
        "changeAgreementHeldOutHigh": float(held["ci_high"]),
        "nChangeLabelsTuning": int(agreement.loc[agreement["sample"] != "heldout", "n"].sum()),
    })


if __name__ == "__main__":
    main()
