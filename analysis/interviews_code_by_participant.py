"""Tables and figure: code-by-participant tables from an imported coded interview project, and the same from the threads.

The coded-excerpt CSV of a published interview study (imported by `mliter code qda import`
into coding/imported/kalealex/) and the thread consensus go through the same function
(`mliter.report.threads.code_by_participant`), showing that any coded project - a .qdpx from
a QDA tool, a spreadsheet export, our threads - yields the same tables.
"""

INPUTS = ["coding/interviews.codebook.yaml", "coding/imported/kalealex/sources.csv", "coding/imported/kalealex/segments.csv",
          "coding/threads/consensus.csv", "corpus/threads.csv", "mliter/report/threads.py"]
OUTPUTS = ["figures/interviews_code_by_participant.csv", "figures/interviews_code_by_participant.md",
           "figures/interviews_code_by_participant.tex", "figures/interviews_participant_matrix.csv",
           "figures/interviews_participant_matrix.md", "figures/interviews_participant_matrix.tex",
           "figures/threads_code_by_participant.csv", "figures/threads_code_by_participant.md",
           "figures/threads_code_by_participant.tex", "figures/interviews_code_by_participant.pdf",
           "figures/interviews_code_by_participant.png", "figures/variables/interviews_code_by_participant.json"]

import matplotlib.pyplot as plt  # noqa: E402

from mliter.coding.threads_schema import CODEBOOK, CONSENSUS, imported_pair  # noqa: E402
from mliter.corpus.threads.schema import SOURCES  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.threads import code_by_participant, consensus_as_segments  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402

#: Only this dimension of the imported project is drawn (its stages of analysis); the tables hold all codes.
DRAWN = "Stage.of.Analysis"


def main() -> None:
    src_t, seg_t = imported_pair("kalealex")
    sources, segments = read(src_t), read(seg_t)
    per_code, matrix = code_by_participant(sources, segments, depth=1)
    write_table(per_code, "interviews_code_by_participant", "Imported interview project (coded-excerpt CSV): per "
                "code, coded excerpts, participants with the code and their share (Wilson 95% interval).")
    write_table(matrix.reset_index(), "interviews_participant_matrix", "Imported interview project: coded excerpts "
                "per participant and code dimension.")
    t_src, t_seg = consensus_as_segments(read(CONSENSUS), read(SOURCES), CODEBOOK)
    t_per_code, _ = code_by_participant(t_src, t_seg)
    write_table(t_per_code, "threads_code_by_participant", "The threads through the same function: per code, "
                "threads with it, participants (pseudonymised openers) with it and their share.")
    drawn = per_code[per_code["code"].str.startswith(DRAWN + "/")].iloc[::-1]
    apply_style()
    fig, ax = plt.subplots(figsize=(6.0, 0.3 * len(drawn) + 1.2))
    y = range(len(drawn))
    ax.barh(list(y), drawn["share"], xerr=[drawn["share"] - drawn["ci_low"], drawn["ci_high"] - drawn["share"]],
            color="#009E73", capsize=2, error_kw={"elinewidth": 0.6})
    ax.set_yticks(list(y), [c.split("/", 1)[1] for c in drawn["code"]], fontsize=7)
    n_part = int(per_code["n_participants"].iloc[0]) if len(per_code) else 0
    ax.set_xlabel(f"share of participants with the code (n = {n_part}; 95% Wilson interval)")
    ax.set_xlim(0, 1)
    savefig(fig, "interviews_code_by_participant")
    write_fragment("interviews_code_by_participant", {
        "nImportedParticipants": n_part, "nImportedExcerpts": int(segments["segment_id"].nunique()),
        "nImportedCodes": int(per_code["code"].nunique()), "nThreadParticipants": int(t_src["participant"].nunique()),
    })


if __name__ == "__main__":
    main()
