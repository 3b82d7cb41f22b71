"""mliter: mine, code and analyse how people iterate on machine-learning workflows.

The package holds code only; the study's data lives in the top-level folders
(`corpus/`, `coding/`, `traces/`, `figures/`) and flows one way between them.
"""

__version__ = "0.1.0"
