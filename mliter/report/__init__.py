"""Shared helpers of the analysis scripts: plot style, table writers, variables, statistics, DAG."""
