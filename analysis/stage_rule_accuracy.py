"""Table: how well the stage rule table agrees with hand labels (in-sample and held-out).

The rules were refined against `coding/stage_labels.csv` (in-sample); the held-out set
`coding/stage_labels_heldout.csv` was labelled later by a second coder and never used to
tune them, so its accuracy is the honest estimate. Owns the accuracy table, the confusion
matrices and the accuracy numbers quoted in text (Wilson 95% intervals).
"""

INPUTS = ["coding/stage_labels.csv", "coding/stage_labels_heldout.csv", "traces/cells.csv"]
OUTPUTS = ["figures/stage_rule_accuracy.csv", "figures/stage_rule_accuracy.md", "figures/stage_rule_accuracy.tex",
           "figures/stage_rule_confusion.csv", "figures/stage_rule_confusion.md", "figures/stage_rule_confusion.tex",
           "figures/variables/stage_rule_accuracy.json"]
CAPTIONS = {
    'stage_rule_accuracy': (
        'Agreement of the stage rule table with hand labels of {ruleLabelledCellsInSample} tuning and '
        '{ruleLabelledCellsHeldOut} held-out cells (Wilson 95% intervals).'
    ),
    'stage_rule_confusion': (
        'Hand label (rows) against rule label (columns), per label set.'
    ),
}

import pandas as pd  # noqa: E402

from mliter.paths import CODING  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.stats import wilson  # noqa: E402
from mliter.report.captions import caption  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.notebooks.schema import CELLS  # noqa: E402
from mliter.traces.notebooks.stages import STAGES  # noqa: E402

SETS = {"in-sample": "stage_labels.csv", "held-out": "stage_labels_heldout.csv"}


def main() -> None:
    cells = read(CELLS)[["notebook_id", "cell_index", "stage"]]
    rows, confusions, values = [], [], {}
    for name, file in SETS.items():
        labels = pd.read_csv(CODING / file, dtype={"cell_index": "Int64"})
        merged = labels.merge(cells, on=["notebook_id", "cell_index"], how="inner", suffixes=("_hand", "_rule"))
        if len(merged) != len(labels):
            raise ValueError(f"{file}: {len(labels) - len(merged)} labelled cells are not in traces/cells.csv")
        hits = int((merged.stage_hand == merged.stage_rule).sum())
        lo, hi = wilson(hits, len(merged))
        rows.append({"label set": name, "cells": len(merged), "notebooks": merged.notebook_id.nunique(),
                     "agree": hits, "accuracy": hits / len(merged), "ci_low": lo, "ci_high": hi})
        conf = pd.crosstab(merged.stage_hand, merged.stage_rule).reindex(index=list(STAGES), columns=list(STAGES),
                                                                         fill_value=0)
        conf = conf.reset_index().rename(columns={"stage_hand": "hand \\ rule"})
        conf.insert(0, "label set", name)
        confusions.append(conf)
        key = "InSample" if name == "in-sample" else "HeldOut"
        values[f"ruleAccuracy{key}"] = hits / len(merged)
        values[f"ruleAccuracy{key}Low"] = lo
        values[f"ruleAccuracy{key}High"] = hi
        values[f"ruleLabelledCells{key}"] = len(merged)
    write_table(pd.DataFrame(rows), "stage_rule_accuracy",
                caption(CAPTIONS, "stage_rule_accuracy", values))
    write_table(pd.concat(confusions, ignore_index=True), "stage_rule_confusion",
                caption(CAPTIONS, "stage_rule_confusion", {}))
    write_fragment("stage_rule_accuracy", values)


if __name__ == "__main__":
    main()
