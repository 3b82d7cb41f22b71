"""Mine provenance stores into table rows: open each store, cut its graphlets, collect rows.

`open_store` tells the kind of a target (an ML Metadata SQLite file or `mysql://` URL, an
MLflow file store folder or .tar.gz, an MLflow SQLite file, an `http(s)://` tracking
server). `mine_store` streams one store pipeline by pipeline into a `sink`, so the
memory it holds is one pipeline's records; a store that cannot be read raises a
`StoreError` naming it, and `mine_stores` turns that into an error row and goes on.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from mliter.paths import shared_data
from mliter.traces.pipelines import graphlets as GL
from mliter.traces.pipelines.metrics import PipelineRows, pipeline_rows
from mliter.traces.pipelines.mlmd import MlmdReader, is_sql_url, redact
from mliter.traces.pipelines.model import StoreError

_NAMED = re.compile(r"^([A-Za-z0-9_.\-]+)=(.+)$")


def split_name(target: str) -> tuple[str | None, str]:
    """`NAME=URI` -> (NAME, URI); a plain target -> (None, target)."""
    m = _NAMED.match(target)
    if m and "/" not in m.group(1) and ":" not in m.group(1):
        return m.group(1), m.group(2)
    return None, target


def store_name(target: str) -> str:
    """A stable name for a store: its file or folder name (the folder above `mlruns`), or host/database."""
    if is_sql_url(target) or target.startswith(("http://", "https://")):
        from urllib.parse import urlsplit

        u = urlsplit(target)
        return f"{u.hostname or ''}{'/' + u.path.strip('/') if u.path.strip('/') else ''}".replace("/", "__") or target
    p = Path(target[len("file://"):] if target.startswith("file://") else target)
    if p.name == "mlruns":
        p = p.parent
    name = p.name
    for suffix in (".tar.gz", ".tgz", ".tar"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name or str(p)


def display_uri(target: str) -> str:
    """Where the store was read, fit to ship: shared stores relative to the shared folder, no passwords."""
    if is_sql_url(target):
        return redact(target)
    try:
        return "shared:" + Path(target).resolve().relative_to(shared_data().resolve()).as_posix()
    except (ValueError, OSError):
        return target


def _sqlite_kind(path: Path, name: str) -> str:
    with path.open("rb") as fh:
        head = fh.read(16)
    if head != b"SQLite format 3\x00":
        raise StoreError(name, "not an SQLite database (the file does not start with the SQLite header: corrupt, "
                         "or not a store)", "corrupt")
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=2)
        try:
            tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        low = str(exc).lower()
        kind = "locked" if "locked" in low else "corrupt"
        what = "locked by another process; retry when it is free" if kind == "locked" else "corrupt"
        raise StoreError(name, f"the SQLite database is {what} ({exc})", kind) from exc
    if "MLMDEnv" in tables:
        return "mlmd"
    if {"alembic_version", "runs"} <= tables:
        return "mlflow"
    raise StoreError(name, "neither an ML Metadata store (no MLMDEnv table) nor an MLflow store", "wrong_kind")


def open_store(target: str, name: str | None = None, batch: int = 200):
    """A reader for `target` (see the module docstring); raises `StoreError` naming the store. `batch`
    is how many ML Metadata pipelines are read at a time (memory grows with it, not with the store)."""
    name = name or store_name(target)
    if is_sql_url(target):
        return MlmdReader(target, name, batch=batch)
    if target.startswith(("http://", "https://")):
        from mliter.traces.pipelines.mlflow_store import MlflowReader

        return MlflowReader(target, name)
    path = Path(target[len("sqlite:///"):] if target.startswith("sqlite:///") else target)
    if not path.exists():
        raise StoreError(name, f"no such file or folder: {target}", "missing")
    if path.is_dir() or path.name.endswith((".tar.gz", ".tgz", ".tar")):
        from mliter.traces.pipelines.mlflow_store import MlflowReader

        return MlflowReader(str(path), name)
    if _sqlite_kind(path, name) == "mlmd":
        return MlmdReader(str(path), name, batch=batch)
    from mliter.traces.pipelines.mlflow_store import MlflowReader

    return MlflowReader(str(path), name)


@dataclass
class StoreResult:
    """What one store gave: its summary row and (when collected) every pipeline's rows."""

    row: dict
    pipelines: list[PipelineRows] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def mine_store(target: str, name: str | None = None, sink: Callable[[PipelineRows], None] | None = None,
               progress=None, batch: int = 200) -> StoreResult:
    """Mine one store; rows go to `sink` pipeline by pipeline (default: kept in the result)."""
    name = name or store_name(target)
    reader = open_store(target, name, batch)
    result = StoreResult({"store": name, "kind": reader.kind, "uri": display_uri(target),
                          "schema_version": str(reader.schema_version), "status": "ok", "error_kind": None,
                          "error": None})
    keep = sink is None
    sink = sink or result.pipelines.append
    counts = {"n_pipelines": 0, "n_executions": 0, "n_artifacts": 0, "n_graphlets": 0, "n_pushed": 0}
    timed = False
    try:
        for prov in reader.pipelines():
            if not prov.executions:
                continue
            _, gls = GL.cut(prov)
            rows = pipeline_rows(prov, gls)
            counts["n_pipelines"] += 1
            counts["n_executions"] += len(prov.executions)
            counts["n_artifacts"] += len(rows.artifacts)
            counts["n_graphlets"] += len(gls)
            counts["n_pushed"] += sum(x.pushed for x in gls)
            timed = timed or prov.has_durations
            result.problems += [f"{name}: {p}" for p in prov.problems]
            sink(rows)
            if progress is not None:
                progress.update(len(gls))
    finally:
        close = getattr(reader, "close", None)
        if close:
            close()
    if counts["n_graphlets"] == 0:
        if keep:
            result.pipelines.clear()
        what = "no training executions (no Trainer, and no execution writes a Model artifact)" \
            if reader.kind == "mlmd" else "no runs"
        raise StoreError(name, f"the store holds {what}: there are no model graphlets to mine", "no_training")
    result.row.update(counts, has_durations=timed)
    return result


def error_row(target: str, name: str, err: StoreError) -> dict:
    return {"store": name, "kind": None, "uri": display_uri(target), "schema_version": None, "status": "error",
            "error_kind": err.kind, "error": str(err), "n_pipelines": None, "n_executions": None,
            "n_artifacts": None, "n_graphlets": None, "n_pushed": None, "has_durations": None}


def mine_stores(targets: Iterable[str], progress: bool = False) -> list[StoreResult]:
    """Every store's result; a store that cannot be read is an error row and the batch goes on."""
    from tqdm import tqdm

    out = []
    targets = list(targets)
    bar = tqdm(total=None, unit="graphlet", disable=not progress, desc="pipelines")
    try:
        for target in targets:
            given, uri = split_name(target)
            name = given or store_name(uri)
            bar.set_postfix_str(name[:40])
            try:
                out.append(mine_store(uri, name, progress=bar))
            except StoreError as err:
                out.append(StoreResult(error_row(uri, name, err)))
            except Exception as exc:  # noqa: BLE001 - one store's unforeseen failure never stops the batch
                err = StoreError(name, f"unexpected failure while mining ({type(exc).__name__}: {exc})")
                out.append(StoreResult(error_row(uri, name, err)))
    finally:
        bar.close()
    return out
