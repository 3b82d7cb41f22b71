"""Run analysis scripts as `python script.py` would, each in a forked child of one warm interpreter.

Rerunning all of `analysis/` under two hash seeds is the slowest part of the suite, and most of each run was
the interpreter importing numpy, pandas, scipy, statsmodels and matplotlib again (about 3 of a script's 5-9
seconds). This driver imports those third-party modules once, then forks one child per script. A child is a
fresh copy of the warm process: it sets `MLITER_ROOT` and the working directory to the script's work folder,
puts the script's folder first on `sys.path`, sets `sys.argv` and runs the file as `__main__`, so the script
sees what a subprocess would. Nothing of `mliter` is imported before the fork: `mliter.paths.ROOT` is read
from `MLITER_ROOT` at import, so each child imports the package itself, for its own root.

The hash seed cannot change after an interpreter starts, so the caller starts one driver per seed (with
`PYTHONHASHSEED` in its environment). Usage (the test does this):

    PYTHONHASHSEED=1 python tests/script_forks.py jobs.json results.json

`jobs.json` is a list of `{"script": path, "work": folder, "log": file}`; `results.json` gets, per script,
its exit status (0 is success) with the child's stderr in `log`.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import traceback
from pathlib import Path

#: Imported once in the driver. Speed only: a module missing here is imported by the child that needs it.
WARM = ("numpy", "pandas", "scipy.stats", "statsmodels.stats.proportion", "statsmodels.stats.inter_rater",
        "yaml", "matplotlib", "matplotlib.pyplot", "matplotlib.backends.backend_agg",
        "matplotlib.backends.backend_pdf", "fontTools.subset", "PIL.Image", "tqdm")


def _warm() -> None:
    import importlib

    for name in WARM:
        try:
            importlib.import_module(name)
        except ImportError:  # not installed here: the child imports (or fails on) it as a script would
            pass


def _child(script: str, work: str, log: str) -> int:
    """In the forked child: run `script` as `__main__` in `work`; its exit status."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    os.environ["MLITER_ROOT"] = work
    os.chdir(work)
    sys.argv = [script]
    sys.path[0] = str(Path(script).parent)
    try:
        runpy.run_path(script, run_name="__main__")
        return 0
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)
        return 1
    except BaseException:  # noqa: BLE001 - reported in the log, as the interpreter would
        traceback.print_exc()
        return 1


def run(jobs: list[dict[str, str]]) -> dict[str, int]:
    """Each job in its own forked child, one after another; exit status per script."""
    _warm()
    status: dict[str, int] = {}
    for job in jobs:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = _child(job["script"], job["work"], job["log"])
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(code)
        _, raw = os.waitpid(pid, 0)
        status[job["script"]] = os.waitstatus_to_exitcode(raw)
    return status


def main() -> int:
    jobs_file, results_file = sys.argv[1:3]
    jobs = json.loads(Path(jobs_file).read_text())
    Path(results_file).write_text(json.dumps(run(jobs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
