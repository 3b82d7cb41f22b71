"""Provenance of production ML pipelines (Xin et al., SIGMOD 2021): ML Metadata and MLflow stores.

Readers (`mlmd`, `mlflow_store`) turn a store into typed records (`model`); `graph` joins
them into a networkx provenance graph; `graphlets` cuts each pipeline into model graphlets
and compares consecutive ones; `metrics` derives the table rows, `schema` declares the
tables, `mine` and `write` run a batch of stores, `predictor` simulates early pruning, and
`commands` is `mliter mine pipelines`.
"""
