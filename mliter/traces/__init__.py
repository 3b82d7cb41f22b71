"""Static mining of notebook execution traces: parse, cell features, stages, order metrics.

Nothing here executes a notebook's code: cells are read with `json`/`nbformat` and `ast`.
"""
