"""Notebook traces: `parse` (bounded JSON/nbformat reading), `code` (cell code, static), `calls`,
`stages` (the rule table), `order` (execution-order metrics), `mine` (one notebook, batches,
checkpoints), `schema` and `write` (the shipped tables), `commands` (`mliter mine traces`).
"""
