"""Codebooks as data, annotation validation, inter-coder agreement and adjudication (the paper survey)."""
