"""Table: the study's published themes beside what the coded threads show (our own words; numbers computed).

Reads the themes and the codes bearing on each from coding/interviews_themes.yaml; per theme,
the share of coded threads with any of its codes and its Wilson 95% interval.
"""

INPUTS = ["coding/interviews.codebook.yaml", "coding/threads/consensus.csv", "coding/interviews_themes.yaml", "mliter/report/threads.py"]
OUTPUTS = ["figures/threads_themes.csv", "figures/threads_themes.md", "figures/threads_themes.tex",
           "figures/variables/threads_themes.json"]

import yaml  # noqa: E402

from mliter.errors import InputError  # noqa: E402

from mliter.coding.threads_schema import CODEBOOK, CONSENSUS  # noqa: E402
from mliter.paths import CODING  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.threads import theme_rows  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402


def main() -> None:
    themes = yaml.safe_load((CODING / "interviews_themes.yaml").read_text(encoding="utf-8"))["themes"]
    known = {c.code for c in CODEBOOK.codes}
    for t in themes:
        unknown = sorted(set(t["codes"]) - known)
        if unknown:
            raise InputError(f"coding/interviews_themes.yaml, theme {t['theme']}: unknown codes {unknown}")
    table = theme_rows(themes, read(CONSENSUS))
    write_table(table[["theme", "published", "threads_show", "k", "n", "share", "ci_low", "ci_high", "codes"]],
                "threads_themes", "Published themes of the AutoML interview study (paraphrased) beside the share of "
                "coded public threads with the codes that bear on each (Wilson 95% interval).")
    write_fragment("threads_themes", {f"shareTheme{t.capitalize()}": float(s)
                                      for t, s in zip(table["theme"], table["share"])})


if __name__ == "__main__":
    main()
