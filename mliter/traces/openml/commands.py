"""`mliter mine openml` and the `openml` source of `mliter mine versions`.

A target is either a folder of recorded OpenML responses (every `*.xml` below it is read,
see `mliter.traces.openml.store.load_recorded`) or a live selection
`uploader=ID[,ID...][;task=ID[,ID...]]` fetched from www.openml.org through the polite,
cached client. Both write `traces/openml_runs.csv` (the published columns) and
`traces/openml_run_sources.csv` (provenance); `--exports DIR` also summarises the study
exports into `traces/openml_flow_evaluations.csv` and `traces/openml_family_evaluations.csv`.
"""

from __future__ import annotations

from mliter.errors import InputError
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from mliter.paths import ROOT
from mliter.tables import join_list
from mliter.traces.openml.sequences import MinedRun, sequence_rows
from mliter.traces.openml.store import OpenMLStore, fetch_live, load_recorded


def parse_selection(target: str) -> dict[str, list[int]]:
    """`uploader=1,2;task=3` -> {"uploaders": [1, 2], "tasks": [3]}; a clear error otherwise."""
    out: dict[str, list[int]] = {}
    for part in filter(None, (p.strip() for p in target.split(";"))):
        key, sep, values = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in ("uploader", "task"):
            raise InputError(f"OpenML selection {target!r}: expected uploader=ID[,ID] and/or task=ID[,ID], got {part!r}")
        try:
            out[key + "s"] = sorted({int(v) for v in values.split(",") if v.strip()})
        except ValueError:
            raise InputError(f"OpenML selection {target!r}: ids must be integers in {part!r}") from None
    if not out:
        raise InputError(f"OpenML selection {target!r}: give a folder of recorded responses or uploader=/task= ids")
    return out


def load_target(target: str, cache_dir: Path | None = None, offline: bool = False,
                progress: bool = False, task_means: bool = False) -> list[OpenMLStore]:
    """The stores of a target: a recorded folder, or a live selection (see the module docstring)."""
    path = Path(target).expanduser()
    if path.is_dir():
        return list(load_recorded(path, progress).values())
    from mliter.corpus.openml import OpenMLApi, make_client

    selection = parse_selection(target)
    api = OpenMLApi(make_client(cache_dir, offline))
    return [fetch_live(api, selection.get("uploaders"), selection.get("tasks"), task_means=task_means,
                       progress=progress)]


def mine(stores: list[OpenMLStore]) -> tuple[list[MinedRun], list[str]]:
    """Rows of every store, and every problem met (collection-prefixed)."""
    mined: list[MinedRun] = []
    problems: list[str] = []
    for store in stores:
        mined += sequence_rows(store)
        problems += store.problems
    return mined, problems


def _provenance(m: MinedRun) -> dict[str, str]:
    metas = [m.provenance[f] for f in m.files if f in m.provenance]
    dates = sorted(x["retrieved_at"] for x in metas if x.get("retrieved_at"))
    return {"source": join_list(x["source"] for x in metas), "license": join_list(x["license"] for x in metas),
            "retrieved_at": dates[-1] if dates else None}


def tables(mined: list[MinedRun]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs table (published columns) and the provenance table."""
    from mliter.traces.openml.schema import OPENML_RUN_SOURCES, OPENML_RUNS

    runs = pd.DataFrame([m.row for m in mined], columns=OPENML_RUNS.column_names)
    runs["start_time"] = runs["start_time"].replace("", None)
    sources = pd.DataFrame([{
        "collection": m.collection, "rid": m.row["rid"], "user_id": m.row["user_id"], "task_id": m.row["task_id"],
        "iter": m.row["iter"], "flow_id": m.derived.run.flow_id, "setup_id": m.derived.run.setup_id,
        "flow_name": m.derived.flow.name if m.derived.flow is not None else "",
        "flow_source": m.derived.flow_source, "params_source": m.derived.params_source, "files": join_list(m.files),
        **_provenance(m),
    } for m in mined], columns=OPENML_RUN_SOURCES.column_names)
    for col in ("flow_id", "setup_id", "rid", "user_id", "task_id", "iter"):
        sources[col] = sources[col].astype("Int64")
    for col in ("rid", "user_id", "task_id", "iter"):
        runs[col] = runs[col].astype("Int64")
    dup = runs.duplicated(["user_id", "task_id", "iter"], keep=False)
    if dup.any():
        clash = runs.loc[dup, ["rid", "user_id", "task_id", "iter"]].to_dict("records")
        raise InputError(f"openml_runs: sequences of different servers share (user_id, task_id): {clash[:4]}; "
                         "mine one server at a time")
    return runs, sources


def write(mined: list[MinedRun], out: Path) -> list[Path]:
    from mliter.traces.openml.schema import OPENML_RUN_SOURCES, OPENML_RUNS

    runs, sources = tables(mined)
    return [OPENML_RUNS.write(runs, out), OPENML_RUN_SOURCES.write(sources, out)]


# -- the `openml` source of `mliter mine versions` --------------------------------------------

_MINED: dict[str, list[MinedRun]] = {}


def openml_versions(target: str, opts: Any) -> list:
    """`Version` records of the mined runs: workflow `openml:<user>/<task>`, version = iter."""
    from mliter.traces.versions.mine import Version, VersionReadError

    mined, _ = mine(load_target(target, getattr(opts, "cache_dir", None), getattr(opts, "offline", False)))
    out = []
    for m in mined:
        r = m.row
        wid = f"openml:{r['user_id']}/{r['task_id']}"
        vid = f"{wid}@r{r['rid']}"
        _MINED[vid] = [m]

        def load(m=m):
            if m.derived.signature is not None:
                return m.derived.signature
            what = "flow" if m.derived.flow is None else "parameter values"
            raise VersionReadError(f"{what.split()[0]}_unknown", f"run {m.row['rid']}: the records give no {what}")

        out.append(Version(workflow_id=wid, version=int(r["iter"]), version_id=vid, timestamp=r["start_time"],
                           source="openml", author=str(r["user_id"]), path=join_list(m.files), load=load))
    return out


def openml_writer(versions: list, opts: Any, out: Path) -> list[Path]:
    mined = [m for v in versions for m in _MINED.get(v.version_id, [])]
    return write(mined, out) if mined else []


def _register_source() -> None:
    try:
        from mliter.traces.versions import commands as versions_commands
    except ImportError:  # `mine versions` not available: `mine openml` still works
        return
    versions_commands.SOURCES["openml"] = openml_versions
    versions_commands.WRITERS["openml"] = openml_writer


# -- `mliter mine openml` -----------------------------------------------------------------------


def _mine_openml(args) -> int:
    stores = [s for t in args.targets
              for s in load_target(t, args.cache_dir, args.offline, not args.quiet, args.task_means)]
    mined, problems = mine(stores)
    if not mined:  # never replace shipped tables with empty ones after a failed fetch
        raise InputError("no OpenML runs found in " + ", ".join(args.targets)
                         + "".join(f"\n  {p}" for p in problems[:10]))
    paths = write(mined, args.out)
    if args.exports is not None:
        from mliter.traces.openml.exports import family_scores, flow_scores, read_exports
        from mliter.traces.openml.schema import FAMILY_SCORES, FLOW_SCORES

        evals, export_problems = read_exports(args.exports)
        problems += export_problems
        paths += [FLOW_SCORES.write(flow_scores(evals), args.out), FAMILY_SCORES.write(family_scores(evals), args.out)]
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    n_seq = len({(m.collection, m.row["user_id"], m.row["task_id"]) for m in mined})
    print(f"{len(mined)} OpenML runs in {n_seq} sequences ({len(problems)} problems) -> "
          + ", ".join(str(p) for p in paths))
    return 0


def _import_workflows(args) -> int:
    """The study's published table -> per-sequence table and per-mode comparison, written under --out."""
    from mliter.io import write_if_changed
    from mliter.report.tables import to_markdown
    from mliter.traces.openml.published import read_published
    from mliter.traces.openml.study import StudyParameters, compare_modes, mode_tests, sequences

    runs = read_published(args.file)
    seqs = sequences(runs, StudyParameters(automated_minutes=args.automated_minutes))
    modes = compare_modes(seqs)
    out = Path(args.out)
    for name, df in (("openml_workflows_sequences.csv", seqs), ("openml_workflows_modes.csv", modes)):
        write_if_changed(out / name, df.to_csv(index=False, lineterminator="\n", float_format="%.6g").encode())
    cols = ["mode", "n_sequences", "n_runs", "share_wasted", "mean_ppr_options", "mean_hyperparameter_options",
            "mean_best_dist"]
    print(f"{len(runs):,} runs in {len(seqs):,} sequences from {args.file}")
    print(to_markdown(modes[cols]), end="")
    print("Kruskal-Wallis p across manual/automated/mixed: "
          + ", ".join(f"{k} {v:.3g}" for k, v in mode_tests(seqs).items()))
    print(f"wrote {out / 'openml_workflows_sequences.csv'} and {out / 'openml_workflows_modes.csv'}")
    return 0


def register(groups) -> None:
    from mliter.cli import add_verb

    imp = add_verb(
        groups["import"], "openml-workflows", _import_workflows,
        help="the OpenML study's published runs table (CSV or zip): modes, wasted iterations, options, AUC",
        description=(
            "Read the 475,297-run table published with Lee et al. (HILDA 2020), github.com/helix-ml/openml_workflows, "
            "as a CSV or the zip holding it; any header other than its 14 columns is refused. Classify each "
            "(user_id, task_id) sequence as manual, automated or mixed, count wasted iterations and options "
            "explored, and compare the modes (definitions in docs/openml.md)."),
        epilog="examples:\n  mliter import openml-workflows openml_workflows.zip --out openml-study\n"
               "  mliter import openml-workflows traces/openml_runs.csv --automated-minutes 2")
    imp.add_argument("file", type=Path, help="the published CSV, or a zip with one CSV in it")
    imp.add_argument("--out", type=Path, default=Path("openml-workflows"),
                     help="folder for openml_workflows_sequences.csv and openml_workflows_modes.csv")
    imp.add_argument("--automated-minutes", type=float, default=1.0,
                     help="a gap between consecutive runs below this is machine pace")

    _register_source()
    p = add_verb(
        groups["mine"], "openml", _mine_openml,
        help="mine OpenML runs into iteration sequences in the published 14-column schema",
        description=(
            "Group OpenML runs by (uploader, task), order them by upload time, code each run's change type "
            "against the previous run (coding/change_types.yaml) and write traces/openml_runs.csv and "
            "traces/openml_run_sources.csv. A TARGET is a folder of recorded API responses, or "
            "uploader=ID[,ID][;task=ID[,ID]] to fetch from www.openml.org (polite, cached; a rerun makes no "
            "request). The same targets work as `mliter mine versions openml:TARGET`."
        ),
        epilog=(
            "examples:\n  mliter mine openml ../shared/data/openml --exports "
            "../shared/data/openml/openml-aslib_study_exports\n"
            "  mliter mine openml 'uploader=970;task=59' --task-means --cache-dir ~/.cache/mliter/http\n"
            "  mliter mine openml 'uploader=970' --offline"
        ),
    )
    p.add_argument("targets", nargs="+", help="recorded folder or uploader=/task= selection")
    p.add_argument("--exports", type=Path, default=None,
                   help="folder of OpenML study run-evaluation exports (*_run_evaluations_*.arff) to summarise")
    p.add_argument("--out", type=Path, default=ROOT, help="repository root to write traces/ under")
    p.add_argument("--cache-dir", type=Path, default=None, help="HTTP cache (default $MLITER_HTTP_CACHE)")
    p.add_argument("--offline", action="store_true", help="answer from the HTTP cache only")
    p.add_argument("--task-means", action="store_true",
                   help="live targets: fetch the AUC of every run on each task, for dist_from_mean_auc")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
