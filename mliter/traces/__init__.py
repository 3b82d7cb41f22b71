"""Static mining of ML workflow traces, one sub-package per kind of trace.

- `notebooks`: parse notebooks, cell code features, stages, execution order, the traces tables.
- `versions`: successive versions of a notebook (git, folders, Meta Kaggle), signatures, change types.
- `openml`: OpenML run sequences in the published schema.
- `pipelines`: production-pipeline provenance (ML Metadata, MLflow).

Shared between them: `changes` (the change-type codebook and classifier) and `operators`
(what counts as a model or pre-processing operator). Nothing here executes mined code.
"""
