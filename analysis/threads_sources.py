"""Table and figure: the coded AutoML user threads by tool and by year of the opening post.

Reads corpus/threads.csv (tools, dates) and coding/threads/consensus.csv (which threads are
coded). The thread texts are staged excerpts of public GitHub issues (see docs/automl_datasheet.md).
"""

INPUTS = ["coding/interviews.codebook.yaml", "corpus/threads.csv", "coding/threads/consensus.csv", "mliter/report/threads.py"]
OUTPUTS = ["figures/threads_sources.csv", "figures/threads_sources.md", "figures/threads_sources.tex",
           "figures/threads_sources.pdf", "figures/threads_sources.png", "figures/variables/threads_sources.json"]

import matplotlib.pyplot as plt  # noqa: E402

from mliter.coding.threads_schema import CONSENSUS  # noqa: E402
from mliter.corpus.threads.schema import SOURCES  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.threads import sources_by_tool_year, with_meta  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402


def main() -> None:
    frame = with_meta(read(CONSENSUS), read(SOURCES))
    table = sources_by_tool_year(frame)
    write_table(table, "threads_sources", "Coded public AutoML user threads per tool and year of the opening post "
                "(unknown: the excerpt shows no date).")
    apply_style()
    body = table[table["tool"] != "all tools"].iloc[::-1]
    fig, ax = plt.subplots(figsize=(6.0, 0.22 * len(body) + 1.0))
    ax.barh(body["tool"], body["total"], color="#0072B2")
    for y, v in enumerate(body["total"]):
        ax.text(v + 0.3, y, str(int(v)), va="center", fontsize=7)
    ax.set_xlabel(f"coded threads (n = {int(table.iloc[-1]['total'])})")
    ax.tick_params(axis="y", labelsize=7)
    savefig(fig, "threads_sources")
    years = frame["year"].dropna()
    write_fragment("threads_sources", {
        "nThreadsCoded": len(frame), "nThreadTools": int(frame["tool"].nunique()),
        "threadsFirstYear": int(years.min()) if len(years) else "none",
        "threadsLastYear": int(years.max()) if len(years) else "none",
        "nThreadsNoDate": int(frame["year"].isna().sum()),
    })


if __name__ == "__main__":
    main()
