"""Read an MLflow tracking store through the `mlflow` client: a file store, a SQL store, a server.

The client is the optional extra `mliter[pipelines]`. A store is never touched in place:
a file store (folder or .tar.gz) is copied or unpacked into a temporary folder, a SQLite
store is copied and, when its schema is older than the installed client's, upgraded there
(MLflow's own migrations); a tracking server (`http://`, `https://`) is only searched. Each
experiment comes out as one `Provenance`: runs are executions (parent runs from
`mlflow.parentRunId`), registered model versions are artifacts written by their run, with
their stage and aliases. Params, latest metrics and tags are kept to compare graphlets.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path
from typing import Iterator

from mliter.traces.pipelines.model import Artifact, Event, Execution, Provenance, StoreError

CODE_TAGS = ("mlflow.source.git.commit", "mlflow.source.name", "mlflow.source.type", "mlflow.project.entryPoint")
PAGE = 1000


def _client():
    try:
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")  # read old file stores (maintenance mode)
        # a server that does not answer is an error row within seconds, not minutes of retries
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")
        from mlflow.tracking import MlflowClient
    except ImportError as exc:  # pragma: no cover - the extra is missing
        raise StoreError("mlflow", "reading MLflow stores needs the `mlflow` client: "
                         "pip install 'mliter[pipelines]'", "missing_client") from exc
    return MlflowClient


def is_file_store(path: Path) -> bool:
    return path.is_dir() and (any(path.glob("*/meta.yaml")) or (path / "mlruns").is_dir())


def is_mlflow_sqlite(path: Path) -> bool:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            names = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    except sqlite3.Error:
        return False
    return {"alembic_version", "runs", "experiments"} <= names


def _find_mlruns(root: Path) -> Path:
    if any(root.glob("*/meta.yaml")):
        return root
    found = sorted(p.parent.parent for p in root.glob("**/*/meta.yaml") if (p.parent.name.isdigit()))
    if not found:
        raise StoreError(str(root), "no MLflow experiments (folders with meta.yaml) inside", "wrong_kind")
    return min(found, key=lambda p: len(p.parts))


class MlflowReader:
    """A read-only MLflow store; `pipelines()` yields one `Provenance` per experiment."""

    kind = "mlflow"

    def __init__(self, target: str, name: str):
        self.target = target
        self.name = name
        self.uri = target
        self._tmp: tempfile.TemporaryDirectory | None = None
        Client = _client()
        try:
            tracking = self._prepare(target)
            self.client = Client(tracking_uri=tracking, registry_uri=tracking)
            from mlflow.entities import ViewType

            self.view = ViewType.ALL
            self.experiments = sorted(self._all(self.client.search_experiments, view_type=self.view),
                                      key=lambda e: _id_key(e.experiment_id))
        except StoreError:
            self.close()
            raise
        except Exception as exc:  # noqa: BLE001 - the client raises many kinds; each names its cause
            self.close()
            raise StoreError(name, f"cannot read the MLflow store ({type(exc).__name__}: {str(exc)[:300]})") from exc
        if not self.experiments:
            self.close()
            raise StoreError(name, "the MLflow store holds no experiments", "empty")

    def _prepare(self, target: str) -> str:
        if target.startswith(("http://", "https://")):
            self.schema_version = "server"
            return target
        path = Path(target[len("file://"):] if target.startswith("file://") else target)
        if not path.exists():
            raise StoreError(self.name, "no such file or folder", "missing")
        self._tmp = tempfile.TemporaryDirectory(prefix="mliter-mlflow-", dir=_scratch(path))
        tmp = Path(self._tmp.name)
        if path.is_file() and path.name.endswith((".tar.gz", ".tgz", ".tar")):
            try:
                with tarfile.open(path) as tar:
                    tar.extractall(tmp / "store", filter="data")
            except (tarfile.TarError, OSError, EOFError) as exc:
                raise StoreError(self.name, f"not a readable tar archive ({exc})", "corrupt") from exc
            self.schema_version = "file"
            return (_find_mlruns(tmp / "store")).resolve().as_uri()
        if path.is_dir():
            shutil.copytree(_find_mlruns(path), tmp / "mlruns")
            for p in (tmp / "mlruns").rglob("*"):
                p.chmod(p.stat().st_mode | 0o200)
            self.schema_version = "file"
            return (tmp / "mlruns").resolve().as_uri()
        return self._sqlite_copy(path, tmp)

    def _sqlite_copy(self, path: Path, tmp: Path) -> str:
        import sqlalchemy as sa

        copy = tmp / "mlflow.db"
        try:
            src = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=2)
            try:
                dst = sqlite3.connect(copy)
                src.backup(dst)  # a consistent copy, even of a store another process is writing
                dst.close()
            finally:
                src.close()
            with sqlite3.connect(copy) as conn:
                self.schema_version = conn.execute("select version_num from alembic_version").fetchone()[0]
        except sqlite3.Error as exc:
            low = str(exc).lower()
            kind = "locked" if "locked" in low else "corrupt" if "not a database" in low or "malformed" in low \
                else "unreadable"
            raise StoreError(self.name, f"cannot copy the MLflow SQLite store ({exc})", kind) from exc
        from mlflow.store.db.utils import _get_latest_schema_revision, _upgrade_db

        if self.schema_version != _get_latest_schema_revision():
            engine = sa.create_engine(f"sqlite:///{copy}")
            try:
                _upgrade_db(engine)  # MLflow's own alembic migrations, on the temporary copy only
            finally:
                engine.dispose()
        return f"sqlite:///{copy}"

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    @staticmethod
    def _all(fn, **kwargs) -> list:
        out, token = [], None
        while True:
            page = fn(max_results=PAGE, page_token=token, **kwargs)
            out += list(page)
            token = getattr(page, "token", None)
            if not token:
                return out

    def _versions(self) -> dict[str, list[Artifact]]:
        """Registered model versions by the run that produced them; empty where the store has no registry."""
        try:
            models = self._all(self.client.search_registered_models)
        except Exception as exc:  # noqa: BLE001 - a store without a registry
            self.problems.append(f"no model registry ({type(exc).__name__})")
            return {}
        out: dict[str, list[Artifact]] = {}
        for m in sorted(models, key=lambda m: m.name):
            aliases: dict[str, list[str]] = {}
            for alias, version in (getattr(m, "aliases", None) or {}).items():
                aliases.setdefault(str(version), []).append(alias)
            for v in self._all(self.client.search_model_versions, filter_string=f"name='{m.name}'"):
                props = (("aliases", ";".join(sorted(aliases.get(str(v.version), [])))),
                         ("model", m.name), ("stage", str(v.current_stage or "None")),
                         ("version", str(v.version)))
                out.setdefault(v.run_id or _run_of_source(v.source), []).append(Artifact(
                    id=f"{m.name}/{v.version}", type="ModelVersion", state=str(v.status or ""),
                    create_ms=int(v.creation_timestamp) if v.creation_timestamp else None,
                    properties=tuple(p for p in props if p[1])))
        return out

    def pipelines(self) -> Iterator[Provenance]:
        self.problems: list[str] = []
        try:
            versions = self._versions()
            for exp in self.experiments:
                prov = Provenance(self.name, self.kind, self.uri, str(self.schema_version))
                runs = self._all(self.client.search_runs, experiment_ids=[exp.experiment_id],
                                 run_view_type=self.view)
                for r in sorted(runs, key=lambda r: (r.info.start_time or 0, r.info.run_id)):
                    prov.executions.append(_execution(r, str(exp.experiment_id)))
                    for a in versions.get(r.info.run_id, ()):
                        prov.artifacts.append(a)
                        prov.events.append(Event(r.info.run_id, a.id, "output"))
                prov.problems += self.problems
                self.problems = []
                yield prov
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise StoreError(self.name, f"cannot read the MLflow store ({type(exc).__name__}: {str(exc)[:300]})") \
                from exc
        finally:
            self.close()


_RUN_SOURCE = re.compile(r"^runs?:/([0-9a-f]{32})(/|$)|/([0-9a-f]{32})/artifacts(/|$)")


def _run_of_source(source: str | None) -> str:
    """The run a model version came from when the store left `run_id` empty (`run:/<id>/model`)."""
    m = _RUN_SOURCE.search(source or "")
    return (m.group(1) or m.group(3)) if m else ""


def _scratch(path: Path) -> str | None:
    """Where to unpack a temporary copy: memory-backed /dev/shm when it has room (a file store is tens of
    thousands of small files, slow to create and remove on disk), else the default temporary folder."""
    shm = Path("/dev/shm")
    if os.environ.get("MLITER_TMPDIR"):
        return os.environ["MLITER_TMPDIR"]
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        return None
    size = path.stat().st_size * 40 if path.is_file() else sum(p.stat().st_size + 4096 for p in path.rglob("*"))
    return str(shm) if shutil.disk_usage(shm).free > 4 * size else None


def _id_key(text: str):
    return (0, int(text), "") if str(text).isdigit() else (1, 0, str(text))


def _digest(value) -> str:
    return hashlib.sha256(str(value).encode("utf-8")).hexdigest()[:12]


def _execution(r, experiment_id: str) -> Execution:
    info, data = r.info, r.data
    config = [(f"param:{k}", str(v)) for k, v in data.params.items()]
    config += [(f"metric:{k}", repr(float(v))) for k, v in data.metrics.items()]
    config += [(f"tag:{k}", str(v)) for k, v in data.tags.items() if k in CODE_TAGS]
    for d in (getattr(getattr(r, "inputs", None), "dataset_inputs", None) or ()):
        ds = d.dataset
        config.append(("dataset", str(ds.digest or _digest((ds.name, ds.source)))))
        if getattr(ds, "schema", None):
            config.append(("dataset_schema", _digest(ds.schema)))
    return Execution(
        id=info.run_id, type="mlflow.run", component="run", state=str(info.status), pipeline=experiment_id,
        start_ms=int(info.start_time) if info.start_time else None,
        end_ms=int(info.end_time) if info.end_time else None,
        parent=data.tags.get("mlflow.parentRunId"), config=tuple(sorted(config)))
