"""Table and figure: inter-coder agreement for every code of the thread study, with n and 95% intervals.

Per code: on the presence of the code in each thread coded by two or more coders, Cohen's
kappa (coder pair; normal-approximation interval) and Krippendorff's alpha (nominal, all coders;
percentile bootstrap over threads); on the segments, the unitised character-level alpha
(bootstrap over threads). Undefined statistics stay empty with the reason. Reported whatever
the values are.
"""

INPUTS = ["coding/threads/agreement.csv", "coding/threads/segment_agreement.csv", "coding/interviews.codebook.yaml"]
OUTPUTS = ["figures/threads_agreement.csv", "figures/threads_agreement.md", "figures/threads_agreement.tex",
           "figures/threads_agreement.pdf", "figures/threads_agreement.png", "figures/variables/threads_agreement.json"]

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from mliter.coding.threads_schema import AGREEMENT, CODEBOOK, SEGMENT_AGREEMENT  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.style import apply_style, savefig  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402

ACCEPTABLE_ALPHA = 0.667  # Krippendorff's lowest limit for tentative conclusions


def summary(agr: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    rows = []
    order = [c.code for c in CODEBOOK.codes] + [f"group_{g}" for g in CODEBOOK.groups]
    for code in order:
        sub = agr[agr["code"] == code]
        kap = sub[sub["measure"] == "cohen_kappa"]
        alp = sub[sub["measure"] == "krippendorff_alpha_nominal"]
        uni = units[units["code"] == code]
        pick = lambda f, col: f[col].iloc[0] if len(f) else np.nan  # noqa: E731
        notes = sorted({f"{r.measure}: {r.note}" for r in pd.concat([sub, uni]).itertuples()
                        if isinstance(r.note, str) and r.note})
        rows.append({"code": code, "group": pick(sub, "group"), "n": pick(alp, "n"),
                     "percent_agreement": pick(alp, "percent_agreement"),
                     "kappa": pick(kap, "estimate"), "kappa_low": pick(kap, "ci_low"), "kappa_high": pick(kap, "ci_high"),
                     "alpha": pick(alp, "estimate"), "alpha_low": pick(alp, "ci_low"), "alpha_high": pick(alp, "ci_high"),
                     "unitised_alpha": pick(uni, "estimate"), "unitised_low": pick(uni, "ci_low"),
                     "unitised_high": pick(uni, "ci_high"), "note": "; ".join(notes)})
    return pd.DataFrame(rows)


def plot(table: pd.DataFrame) -> None:
    apply_style()
    rows = table.iloc[::-1].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(6.0, 0.2 * len(rows) + 1.2))
    y = np.arange(len(rows))
    for col, low, high, off, color, label in (("alpha", "alpha_low", "alpha_high", 0.15, "#0072B2", "presence alpha"),
                                               ("unitised_alpha", "unitised_low", "unitised_high", -0.15, "#E69F00",
                                                "unitised (segment) alpha")):
        est = pd.to_numeric(rows[col], errors="coerce").to_numpy(dtype=float)
        lo = pd.to_numeric(rows[low], errors="coerce").to_numpy(dtype=float)
        hi = pd.to_numeric(rows[high], errors="coerce").to_numpy(dtype=float)
        ok = ~np.isnan(est)
        ax.errorbar(est[ok], y[ok] + off, xerr=np.clip(np.nan_to_num([est[ok] - lo[ok], hi[ok] - est[ok]]), 0, None),
                    fmt="o", ms=3, color=color, elinewidth=0.6, capsize=1.5, label=label)
    ax.axvline(ACCEPTABLE_ALPHA, color="#999999", linestyle="--", linewidth=0.7)
    ax.axvline(0.8, color="#999999", linestyle=":", linewidth=0.7)
    n = pd.to_numeric(table["n"], errors="coerce").max()
    ax.set_yticks(y, rows["code"], fontsize=6)
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel(f"Krippendorff's alpha with 95% bootstrap interval (n = {0 if pd.isna(n) else int(n)} double-coded threads)")
    ax.legend(loc="lower left", fontsize=7)
    savefig(fig, "threads_agreement")


def main() -> None:
    table = summary(read(AGREEMENT), read(SEGMENT_AGREEMENT))
    write_table(table, "threads_agreement", "Agreement per code on threads coded by two coders: presence (Cohen's kappa, "
                "95% normal interval; Krippendorff's alpha, 95% bootstrap) and segments (unitised character-level "
                "alpha, 95% bootstrap); empty = undefined, with the reason.")
    plot(table)
    codes = table[~table["code"].str.startswith("group_")]
    alpha = pd.to_numeric(codes["alpha"], errors="coerce")
    unit = pd.to_numeric(codes["unitised_alpha"], errors="coerce")
    n = pd.to_numeric(table["n"], errors="coerce").max()
    write_fragment("threads_agreement", {
        "nThreadsDoubleCoded": 0 if pd.isna(n) else int(n),
        "medianThreadAlpha": float(alpha.median()) if alpha.notna().any() else "undefined",
        "medianThreadUnitisedAlpha": float(unit.median()) if unit.notna().any() else "undefined",
        "nThreadCodesAlphaAcceptable": int((alpha >= ACCEPTABLE_ALPHA).sum()),
        "nThreadCodesAlphaUndefined": int(alpha.isna().sum()),
    })


if __name__ == "__main__":
    main()
