"""Table: the original survey's reported figures beside ours, wherever they can be read from its text.

The original's figures come from coding/original_survey.yaml, which holds only values read
from the text available to us (with where they were read) and says for every other
statistic that it could not be read; nothing is filled in from memory. Ours come from the
consensus (presence with Wilson 95% intervals, coded from abstracts: lower bounds).
"""

INPUTS = ["coding/papers/consensus.csv", "coding/papers.codebook.yaml", "coding/original_survey.yaml",
          "mliter/coding/presence.py"]
OUTPUTS = ["figures/survey_original.csv", "figures/survey_original.md", "figures/survey_original.tex",
           "figures/variables/survey_original.json"]

import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from mliter.coding.presence import ALL, presence_table  # noqa: E402
from mliter.coding.schema import CODEBOOK, CONSENSUS  # noqa: E402
from mliter.paths import CODING  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402


def main() -> None:
    original = yaml.safe_load((CODING / "original_survey.yaml").read_text(encoding="utf-8"))
    reported = {r["statistic"]: r for r in original["reported"]}
    table = presence_table(read(CONSENSUS), CODEBOOK)
    cons = read(CONSENSUS)

    def orig(statistic: str) -> tuple[str, str]:
        r = reported.get(statistic)
        if r is None:
            return "not read", "not in coding/original_survey.yaml"
        if r.get("value") is None:
            return "not read", str(r.get("why", ""))
        return str(r["value"]), str(r.get("where", ""))

    rows = []
    named = [d for d in CODEBOOK.original_domains if d.key != "other"]
    rows.append(("application domains surveyed", "all", "", str(len(named)) + " (+ other)", *orig("application domains surveyed")))
    rows.append(("papers surveyed", "all", "", str(len(cons)), *orig("papers surveyed")))
    for r in table[table["part"].isin(list(CODEBOOK.parts))].itertuples():
        ours = (f"{r.share:.2f} [{r.ci_low:.2f}, {r.ci_high:.2f}] (n={r.papers})" if r.papers else "no coded paper")
        stat = f"share of papers iterating on {r.part}"
        value, where = orig(stat) if r.original_domain == ALL else orig("iterations per paper by workflow part and domain")
        rows.append((stat, r.label, r.part, ours, value, where))
    out = pd.DataFrame(rows, columns=["statistic", "domain", "part", "ours", "original", "original_source"])
    write_table(out, "survey_original",
                "The original survey (Xin et al. 2018, arXiv 1803.10311) beside ours. The original's values are "
                "entered only where read from its text; 'not read' means the text available to us ("
                + " ".join(str(original["read"]).split()) + ") does not give it. Ours: presence with Wilson 95% "
                "intervals, coded from abstracts (lower bounds).")
    write_fragment("survey_original", {"nOriginalFiguresRead": int(sum(r.get("value") is not None for r in original["reported"])),
                                       "nOriginalFiguresNotRead": int(sum(r.get("value") is None for r in original["reported"]))})


if __name__ == "__main__":
    main()
