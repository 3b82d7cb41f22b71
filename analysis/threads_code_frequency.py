"""Figure and table: share of threads with each code, per tool (heatmap; n per tool in the labels).

Reads the consensus presence of every code per thread. Tools with fewer than
`MIN_TOOL_THREADS` coded threads are pooled as "other tools". Shares carry Wilson 95%
intervals in the table; the heatmap shows the shares with each tool's n.
"""

INPUTS = ["corpus/threads.csv", "coding/threads/consensus.csv", "coding/interviews.codebook.yaml",
          "mliter/report/threads.py"]
OUTPUTS = ["figures/threads_code_frequency.csv", "figures/threads_code_frequency.md",
           "figures/threads_code_frequency.tex", "figures/threads_code_frequency.pdf",
           "figures/threads_code_frequency.png", "figures/variables/threads_code_frequency.json"]

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mliter.coding.threads_schema import CODEBOOK, CONSENSUS  # noqa: E402
from mliter.corpus.threads.schema import SOURCES  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.threads import ALL, code_frequency, heat_values, tool_order, with_meta  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402


def main() -> None:
    frame = with_meta(read(CONSENSUS), read(SOURCES))
    freq = code_frequency(frame, CODEBOOK)
    write_table(freq, "threads_code_frequency", "Threads with each code per tool (k of n, share, Wilson 95% interval); "
                "tools with few threads pooled as other tools.")
    tools = tool_order(frame) + [ALL]
    codes = [c.code for c in CODEBOOK.codes]
    values = heat_values(freq, tools, codes)
    n = freq.groupby("tool")["n"].first()
    apply_style()
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(tools) + 2.6))
    im = ax.imshow(values, cmap="Blues", vmin=0, vmax=max(0.05, float(np.nanmax(values)) if values.size else 1),
                   aspect="auto")
    ax.set_xticks(range(len(codes)), codes, rotation=70, ha="right", fontsize=6)
    ax.set_yticks(range(len(tools)), [f"{t} (n={int(n[t])})" for t in tools], fontsize=7)
    fig.colorbar(im, ax=ax, fraction=0.03, label="share of the tool's threads")
    savefig(fig, "threads_code_frequency")
    all_rows = freq[freq["tool"] == ALL].set_index("code")
    top = all_rows.drop(index=[c.code for c in CODEBOOK.exclusive_codes]).sort_values("k", ascending=False,
                                                                                      kind="mergesort")
    write_fragment("threads_code_frequency", {
        "shareNoneCodable": float(all_rows.loc["none_codable", "share"]) if len(all_rows) else "undefined",
        "nNoneCodable": int(all_rows.loc["none_codable", "k"]) if len(all_rows) else 0,
        "topThreadCode": str(top.index[0]).replace("_", " ") if len(top) else "none",
        "shareTopThreadCode": float(top["share"].iloc[0]) if len(top) else "undefined",
    })


if __name__ == "__main__":
    main()
