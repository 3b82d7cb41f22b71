"""Tables: the coded paper corpus — papers per domain, venue and year, and domain x venue.

Owns figures/survey_corpus_table.{csv,md,tex}, figures/survey_domain_venue.{csv,md,tex} and
the survey's size numbers quoted in text
(papers, domains, coders, double-coded share).
"""

INPUTS = ["corpus/papers.csv", "coding/papers/consensus.csv", "coding/papers.codebook.yaml", "mliter/coding/survey.py"]
OUTPUTS = ["figures/survey_corpus_table.csv", "figures/survey_corpus_table.md", "figures/survey_corpus_table.tex",
           "figures/survey_domain_venue.csv", "figures/survey_domain_venue.md", "figures/survey_domain_venue.tex",
           "figures/variables/survey_corpus_table.json"]
CAPTIONS = {
    "survey_corpus_table": (
        "The coded paper corpus: {nSurveyPapers} applied-ML papers by domain (assigned per paper), venue and year."
    ),
    'survey_domain_venue': (
        'Coded papers by domain (assigned per paper) and venue.'
    ),
}

from mliter.coding.schema import CODEBOOK, CONSENSUS  # noqa: E402
from mliter.coding.survey import corpus_summary, domain_by_venue  # noqa: E402
from mliter.corpus.papers.schema import PAPERS  # noqa: E402
from mliter.report.load import read  # noqa: E402
from mliter.report.captions import caption  # noqa: E402
from mliter.report.tables import write_table  # noqa: E402
from mliter.report.variables import write_fragment  # noqa: E402


def main() -> None:
    cons, papers = read(CONSENSUS), read(PAPERS)
    table = corpus_summary(cons, papers, CODEBOOK)
    write_table(table, "survey_corpus_table",
                caption(CAPTIONS, "survey_corpus_table", {"nSurveyPapers": len(cons)}))
    write_table(domain_by_venue(cons, papers, CODEBOOK), "survey_domain_venue",
                caption(CAPTIONS, "survey_domain_venue", {}))
    coders = sorted({c for cs in cons["coders"] for c in cs.split(";")})
    n2 = int((cons["n_coders"] >= 2).sum())
    write_fragment("survey_corpus_table", {
        "nSurveyPapers": len(cons), "nSurveyCorpus": len(papers),
        "nSurveyDomains": int(cons["domain"].nunique()), "nSurveyVenues": int(table.grouping.eq("venue").sum()),
        "nSurveyCoders": len(coders), "nDoubleCoded": n2, "shareDoubleCoded": n2 / len(cons) if len(cons) else 0.0,
        "nFullText": int((cons["evidence_basis"] == "full_text").sum()),
        "nDefaultedPapers": int((cons["n_defaulted"] > 0).sum()),
    })


if __name__ == "__main__":
    main()
