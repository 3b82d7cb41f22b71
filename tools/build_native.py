"""Compile the notebook miner's hot modules with mypyc when the build is missing or stale (run by make).

    .venv/bin/python tools/build_native.py [--status] [--force] [--clean]

See mliter/traces/notebooks/native.py: the package loads the build only while it matches its sources.
"""

import sys

from mliter.traces.notebooks.native import main

if __name__ == "__main__":
    sys.exit(main())
