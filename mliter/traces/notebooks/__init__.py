"""Notebook traces: `parse` (bounded JSON/nbformat reading), `code` (cell code, static), `calls`,
`stages` (the rule table), `order` (execution-order metrics), `mine` (one notebook, batches,
checkpoints), `schema` and `write` (the shipped tables), `commands` (`mliter mine traces`).

`code`, `modules`, `order`, `parse`, `rows` (cell rows) and `stages` load as mypyc-compiled extensions
when a current build is present, else as the Python sources (`native`: how it is built, checked and
chosen).
"""

from mliter.traces.notebooks.native import activate

activate(__path__)
