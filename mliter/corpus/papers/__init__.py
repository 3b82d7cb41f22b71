"""Paper sources of the applied-ML survey: one module per format, all producing `Paper` records.

`record` (the typed record, ids), `pmlr`, `arxiv`, `semantic_scholar`, `acl`,
`openalex`, `markdown_list` (parsers of local files), `fetch` (the network-facing
functions, through `mliter.http.PoliteClient`), `dedup` (merging across sources),
`load` (format detection, the default corpus), `table` (the shipped CSV) and
`abstracts` (what coders read; never shipped).
"""

from mliter.corpus.papers.record import Paper, RecordError

__all__ = ["Paper", "RecordError"]
