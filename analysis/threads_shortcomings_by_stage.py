"""Figure and table: shortcomings by workflow stage in the threads.

Two measures per shortcoming x stage: threads in which both codes are present (consensus),
and threads in which a segment of the shortcoming overlaps a segment of the stage (the
statement itself names the stage). Counts, with the number of threads of each shortcoming.
"""

INPUTS = ["coding/threads/consensus.csv", "coding/threads/consensus_segments.csv", "coding/interviews.codebook.yaml",
          "mliter/report/threads.py"]
OUTPUTS = ["figures/threads_shortcomings_by_stage.csv", "figures/threads_shortcomings_by_stage.md",
           "figures/threads_shortcomings_by_stage.tex", "figures/threads_shortcomings_by_stage.pdf",
           "figures/threads_shortcomings_by_stage.png", "figures/variables/threads_shortcomings_by_stage.json"]

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from mliter.coding.threads_schema import CODEBOOK, CONSENSUS, CONSENSUS_SEGMENTS  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.threads import cross, segment_overlap  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402


def main() -> None:
    cons = read(CONSENSUS)
    shorts = [c.code for c in CODEBOOK.group_codes("shortcoming")]
    stages = [c.code for c in CODEBOOK.group_codes("stage")]
    both = cross(cons, shorts, stages)
    overlap = segment_overlap(read(CONSENSUS_SEGMENTS), shorts, stages)
    long = pd.concat([both.stack().rename("threads_both_present"), overlap.stack().rename("threads_segments_overlap")],
                     axis=1).reset_index().rename(columns={"level_0": "shortcoming", "level_1": "stage"})
    long["threads_with_shortcoming"] = long["shortcoming"].map({s: int(cons[s].sum()) for s in shorts})
    write_table(long, "threads_shortcomings_by_stage", "Shortcomings by workflow stage: threads with both codes "
                "present, and threads where a segment of each overlaps.")
    apply_style()
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    im = ax.imshow(both.to_numpy(), cmap="Oranges", aspect="auto")
    for i in range(len(shorts)):
        for j in range(len(stages)):
            ax.text(j, i, f"{both.iat[i, j]}\n({overlap.iat[i, j]})", ha="center", va="center", fontsize=6)
    ax.set_xticks(range(len(stages)), [s.replace("stage_", "") for s in stages], rotation=30, ha="right", fontsize=7)
    ax.set_yticks(range(len(shorts)), [f"{s.replace('shortcoming_', '')} (n={int(cons[s].sum())})" for s in shorts],
                  fontsize=7)
    ax.set_title(f"threads with both codes (segments overlapping), {len(cons)} coded threads", fontsize=8)
    fig.colorbar(im, ax=ax, fraction=0.03)
    savefig(fig, "threads_shortcomings_by_stage")
    top = long.sort_values(["threads_both_present", "shortcoming"], ascending=[False, True], kind="mergesort").iloc[0]
    write_fragment("threads_shortcomings_by_stage", {
        "topShortcomingStagePair": f"{top.shortcoming.replace('shortcoming_', '')} / {top.stage.replace('stage_', '')}",
        "nTopShortcomingStagePair": int(top.threads_both_present),
    })


if __name__ == "__main__":
    main()
