"""Table: the notebook corpus at a glance (notebooks, repositories, cells, libraries).

Owns figures/corpus_table.{csv,md,tex} and the corpus numbers quoted in text.
"""

INPUTS = ["corpus/notebooks.csv", "traces/notebooks.csv", "traces/errors.csv"]
OUTPUTS = ["figures/corpus_table.csv", "figures/corpus_table.md", "figures/corpus_table.tex",
           "figures/variables/corpus_table.json"]
CAPTIONS = {
    'corpus_table': (
        'The notebook corpus: size and libraries imported.'
    ),
}

import pandas as pd  # noqa: E402

from mliter.corpus.schema import NOTEBOOK_MANIFEST  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.captions import caption  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402
from mliter.traces.notebooks.schema import ERRORS, NOTEBOOKS  # noqa: E402

LIBRARIES = ["pandas", "numpy", "matplotlib", "seaborn", "sklearn", "xgboost", "lightgbm", "catboost",
             "tensorflow", "keras", "torch", "optuna"]


def main() -> None:
    manifest, nbs, errors = read(NOTEBOOK_MANIFEST), read(NOTEBOOKS), read(ERRORS)
    libs = nbs.libraries.fillna("").str.split(";")
    rows = [
        ("notebooks captured", len(manifest)),
        ("notebooks mined", len(nbs)),
        ("notebooks refused", len(errors)),
        ("repositories", manifest.repo.replace("", pd.NA).nunique()),
        ("cells", int(nbs.n_cells.sum())),
        ("code cells", int(nbs.n_code_cells.sum())),
        ("executed code cells", int(nbs.executed_cells.sum())),
        ("lines of code", int(nbs.code_lines.sum())),
        ("median code cells per notebook", float(nbs.n_code_cells.median())),
    ]
    for lib in LIBRARIES:
        rows.append((f"notebooks importing {lib}", int(libs.apply(lambda ls, lib=lib: lib in ls).sum())))
    table = pd.DataFrame(rows, columns=["quantity", "value"])
    write_table(table, "corpus_table", caption(CAPTIONS, "corpus_table", {}))
    write_fragment("corpus_table", {
        "nNotebooks": len(nbs), "nNotebooksCaptured": len(manifest), "nNotebooksRefused": len(errors),
        "nRepositories": int(manifest.repo.replace("", pd.NA).nunique()),
        "nCodeCells": int(nbs.n_code_cells.sum()), "nExecutedCells": int(nbs.executed_cells.sum()),
    })


if __name__ == "__main__":
    main()
