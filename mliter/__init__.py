"""mliter: mine, code and analyse how people iterate on machine-learning workflows.

The package holds code only; the study's data lives in the top-level folders
(`corpus/`, `coding/`, `traces/`, `figures/`) and flows one way between them.

The version and its release date are written here and nowhere else: pyproject.toml reads
`__version__`, and `mliter data package` writes both into datapackage.json, croissant.json
and CITATION.cff.
"""

__version__ = "0.1.0"
__release_date__ = "2026-12-01"
