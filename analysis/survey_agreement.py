"""Table: inter-coder agreement for every code of the paper survey (kappa, alpha, n).

Reads coding/papers/agreement.csv (written by `mliter code agreement`): Krippendorff's alpha
over all coders (nominal on the value of categorical codes and on presence (count > 0) of
count codes and workflow parts; ordinal and interval on counts) and Cohen's kappa per coder
pair. Undefined statistics stay empty with the reason. Reported whatever the values.
"""

INPUTS = ["coding/papers/agreement.csv", "coding/papers.codebook.yaml", "mliter/coding/survey.py"]
OUTPUTS = ["figures/survey_agreement.csv", "figures/survey_agreement.md", "figures/survey_agreement.tex",
           "figures/variables/survey_agreement.json"]

import pandas as pd  # noqa: E402

from mliter.coding.schema import AGREEMENT, CODEBOOK  # noqa: E402
from mliter.coding.survey import agreement_summary  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402

ACCEPTABLE_ALPHA = 0.667  # Krippendorff's lowest limit for tentative conclusions


def _num(v):
    return float(v) if v is not None and pd.notna(v) else "undefined"


def main() -> None:
    table = agreement_summary(read(AGREEMENT), CODEBOOK)
    write_table(table, "survey_agreement",
                "Inter-coder agreement per code on the papers coded by two or more coders: Krippendorff's alpha "
                "over all coders (nominal on the value of categorical codes and on presence of counts and parts; "
                "ordinal and interval on counts; 95% bootstrap intervals over papers) and Cohen's kappa per coder pair "
                "(95% normal-approximation interval).")
    counts = table[table["code"].isin([c.code for c in CODEBOOK.counts])]
    alphas = pd.to_numeric(counts["alpha_ordinal"], errors="coerce")
    nominal = table.set_index("code")["alpha_nominal"]
    values = {
        "nAgreementPapers": int(table["n"].max()) if len(table) else 0,
        "nAgreementCodes": len(table),
        "medianAlphaOrdinal": _num(alphas.median()) if alphas.notna().any() else "undefined",
        "minAlphaOrdinal": _num(alphas.min()) if alphas.notna().any() else "undefined",
        "nCountCodesAlphaAcceptable": int((alphas >= ACCEPTABLE_ALPHA).sum()),
        "nCountCodesAlphaUndefined": int(alphas.isna().sum()),
    }
    for code, key in (("domain", "alphaDomain"), ("evidence_basis", "alphaEvidence"),
                      *((f"part_{p}", f"alphaPart{p.capitalize()}") for p in CODEBOOK.parts)):
        values[key] = _num(nominal.get(code))
    write_fragment("survey_agreement", values)


if __name__ == "__main__":
    main()
