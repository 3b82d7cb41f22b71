"""Declared table `corpus/papers.csv`: the paper corpus, metadata and provenance only.

No abstracts or other text of the papers: coders read abstracts from the local
material (`mliter corpus abstracts`), the shipped table only says which papers there
are and where each record came from. Domains are assigned by coders under `coding/`.
"""

from mliter.tables import Column, Table

PAPERS = Table(
    name="papers",
    path="corpus/papers.csv",
    title="Paper corpus",
    description=("Applied-ML papers captured from PMLR volumes, the arXiv API, Semantic Scholar, the ACL "
                 "Anthology, OpenAlex and curated lists, deduplicated across sources (DOI, arXiv id, then "
                 "normalised title + year). Metadata and provenance only; no abstracts."),
    columns=(
        Column("paper_id", "string", "Stable id: pmlr:v<vol>/<id>, acl:<anthology id>, arxiv:<id>, doi:<doi>, "
               "s2:<paperId>, openalex:<W id> or list:<slug> (best-ranked id of the merged records).",
               required=True, unique=True),
        Column("title", "string", "Title as the source gives it (HTML entities and TeX accents decoded).",
               required=True),
        Column("authors", "string", "Author names, 'Given Family', ';'-joined in the source's order."),
        Column("venue", "string", "Venue short name (e.g. MLHC, MIDL, L4DC) or the journal/series the source names."),
        Column("year", "integer", "Publication year as the source gives it.", minimum=1900, maximum=2100),
        Column("doi", "string", "DOI, lower case, without https://doi.org/ (empty when unknown)."),
        Column("arxiv_id", "string", "arXiv identifier without version (empty when unknown)."),
        Column("url", "string", "Landing page of the paper (proceedings page, arXiv abstract page, ...)."),
        Column("section", "string", "Section of the proceedings when the source gives one (Preface, Keynotes, "
               "Contributed Papers): front matter such as a preface is not a research paper."),
        Column("source", "string", "Source of the record whose id and fields were kept.", required=True,
               enum=("pmlr", "arxiv", "semantic_scholar", "acl", "openalex", "list")),
        Column("sources", "string", "Every source that had this paper, ';'-joined (deduplication provenance).",
               required=True),
        Column("merged_ids", "string", "Ids of every record merged into this row, ';'-joined.", required=True),
        Column("n_records", "integer", "Raw records merged into this row (a record seen twice, e.g. in two "
               "responses of one query, counts twice): the records captured before deduplication.",
               required=True, minimum=1),
        Column("record_url", "string", "Permanent URL of the raw record read (GitHub blob at a commit for "
               "recorded files, the request URL for fetched ones)."),
        Column("commit", "string", "Git commit of the recorded file the record was read from (40 hex digits)."),
        Column("license", "string", "License of the repository the record came from, as recorded at capture."),
        Column("retrieved_at", "date", "Day the record was fetched; empty for recorded files whose capture date "
               "is unknown (their commit pins them instead)."),
        Column("sha256", "string", "SHA-256 of the raw record's bytes (the file for one-record files, else the "
               "entry's canonical serialisation), to verify a local copy.", required=True),
    ),
    primary_key=("paper_id",),
)

TABLES = [PAPERS]
