"""Read an ML Metadata store (TFX, Kubeflow Pipelines) through SQLAlchemy, never writing to it.

ML Metadata keeps its records in documented tables (Type, Artifact, Execution, Event,
Context, Association, Attribution, the *Property tables, MLMDEnv with the schema version),
the same in SQLite and MySQL/MariaDB, so one reader serves a SQLite file (opened read-only,
`mode=ro`) and a `mysql://` URL. Records are read one batch of pipelines at a time, so a
store of any size is mined in bounded memory; each pipeline comes out as its own
`Provenance`. A store whose `MLMDEnv.schema_version` is not one this reader knows is
refused with a message that names the version.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from mliter.traces.pipelines.model import Artifact, Event, Execution, Provenance, StoreError, component_of

#: MLMDEnv.schema_version values whose tables hold every column this reader selects (checked
#: again at open). 10 is the schema of ML Metadata 1.x, the one of the shared TFX store.
KNOWN_SCHEMA_VERSIONS = (7, 8, 9, 10)

EXECUTION_STATES = {0: "UNKNOWN", 1: "NEW", 2: "RUNNING", 3: "COMPLETE", 4: "FAILED", 5: "CACHED", 6: "CANCELED"}
ARTIFACT_STATES = {0: "UNKNOWN", 1: "PENDING", 2: "LIVE", 3: "MARKED_FOR_DELETION", 4: "DELETED",
                   5: "ABANDONED", 6: "REFERENCE"}
INPUT_EVENTS = {2, 3, 5}  # DECLARED_INPUT, INPUT, INTERNAL_INPUT
OUTPUT_EVENTS = {1, 4, 6, 7}  # DECLARED_OUTPUT, OUTPUT, INTERNAL_OUTPUT, PENDING_OUTPUT
TYPE_KINDS = {0: "execution", 1: "artifact", 2: "context"}

#: Context types that name a pipeline (TFX, Kubeflow Pipelines v2, v1) in order of preference;
#: executions with none of them fall back to their run context, then to the store.
PIPELINE_CONTEXT_TYPES = ("pipeline", "system.Pipeline", "kfp.Pipeline")
RUN_CONTEXT_TYPES = ("run", "system.PipelineRun", "KfpRun")
NO_PIPELINE = "(no pipeline)"

#: Execution properties that name a run rather than configure the component: left out of the
#: configuration that consecutive graphlets are compared on.
VOLATILE_PROPERTIES = frozenset({"pipeline_name", "pipeline_root", "run_id", "state", "pipeline_run_id"})

_TABLES = ("Type", "Artifact", "ArtifactProperty", "Execution", "ExecutionProperty", "Event", "Context",
           "Association", "MLMDEnv")
_REQUIRED_COLUMNS = {
    "Type": {"id", "name", "type_kind"},
    "Execution": {"id", "type_id", "last_known_state", "create_time_since_epoch", "last_update_time_since_epoch"},
    "Artifact": {"id", "type_id", "state", "create_time_since_epoch"},
    "Event": {"artifact_id", "execution_id", "type"},
    "Context": {"id", "type_id", "name"},
    "Association": {"context_id", "execution_id"},
    "ExecutionProperty": {"execution_id", "name", "int_value", "double_value", "string_value"},
    "ArtifactProperty": {"artifact_id", "name", "int_value", "double_value", "string_value"},
}


def is_sql_url(target: str) -> bool:
    return bool(re.match(r"^(mysql|mariadb)(\+\w+)?://", target))


def redact(url: str) -> str:
    """A URL without its password, fit to print and to ship."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL: a path
        return url


def engine_for(target: str, timeout_s: float = 2.0) -> sa.Engine:
    """A read-only engine: a SQLite file opened with mode=ro, or a MySQL/MariaDB URL (PyMySQL)."""
    if is_sql_url(target):
        url = sa.engine.make_url(target)
        if url.drivername in ("mysql", "mariadb"):
            url = url.set(drivername="mysql+pymysql")
        return sa.create_engine(url, connect_args={"connect_timeout": int(max(1, timeout_s))}, poolclass=sa.pool.NullPool)
    path = Path(target[len("sqlite:///"):] if target.startswith("sqlite:///") else target).resolve()
    if not path.is_file():
        raise StoreError(target, "no such file", "missing")
    return sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true", connect_args={"timeout": timeout_s},
                            poolclass=sa.pool.NullPool)


def _value(row) -> str:
    """A property value as text, the same from SQLite and MySQL (ints, doubles, strings, bools, bytes)."""
    m = row._mapping
    if m.get("string_value") is not None:
        v = m["string_value"]
        return v.decode("utf-8", "replace") if isinstance(v, (bytes, bytearray)) else str(v)
    if m.get("int_value") is not None:
        return str(int(m["int_value"]))
    if m.get("double_value") is not None:
        return repr(float(m["double_value"]))
    if m.get("bool_value") is not None:
        return "true" if m["bool_value"] else "false"
    for col in ("byte_value", "proto_value"):
        if m.get(col) is not None:
            return "sha256:" + hashlib.sha256(bytes(m[col])).hexdigest()[:16]
    return ""


def _explain(store: str, exc: Exception) -> StoreError:
    text = str(getattr(exc, "orig", exc) or exc)
    low = text.lower()
    if "locked" in low or "lock wait" in low:
        return StoreError(store, f"the database is locked by another process ({text}); retry when it is free", "locked")
    if "not a database" in low or "malformed" in low or "file is encrypted" in low:
        return StoreError(store, f"not a readable SQLite database, the file is corrupt or of another kind ({text})",
                          "corrupt")
    if "unable to open" in low:
        return StoreError(store, f"cannot open the database ({text})", "missing")
    return StoreError(store, f"cannot read the ML Metadata tables ({text})")


class MlmdReader:
    """Read-only view of one ML Metadata store; `pipelines()` yields one `Provenance` per pipeline."""

    kind = "mlmd"

    def __init__(self, target: str, name: str, batch: int = 200, timeout_s: float = 2.0):
        self.target = target
        self.name = name
        self.uri = redact(target)
        self.batch = batch
        self.engine = engine_for(target, timeout_s)
        try:
            self._open()
        except StoreError:
            self.engine.dispose()
            raise
        except sa.exc.SQLAlchemyError as exc:
            self.engine.dispose()
            raise _explain(name, exc) from exc

    # -- opening --------------------------------------------------------------------------
    def _open(self) -> None:
        with self.engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            if "MLMDEnv" not in names:
                if {"alembic_version", "runs"} <= names:
                    raise StoreError(self.name, "an MLflow store, not ML Metadata (read it as an MLflow store)",
                                     "wrong_kind")
                raise StoreError(self.name, "not an ML Metadata store: it has no MLMDEnv table", "wrong_kind")
            md = sa.MetaData()
            with warnings.catch_warnings():  # MLMD's TINYINT(1)/INT(n) columns reflect with a harmless warning
                warnings.simplefilter("ignore", sa.exc.SAWarning)
                md.reflect(conn, only=[t for t in _TABLES if t in names])
            self.t = md.tables
            versions = [r[0] for r in conn.execute(sa.select(self.t["MLMDEnv"].c.schema_version))]
            if len(versions) != 1:
                raise StoreError(self.name, f"MLMDEnv holds {len(versions)} schema versions, expected one", "schema")
            self.schema_version = int(versions[0])
            if self.schema_version not in KNOWN_SCHEMA_VERSIONS:
                raise StoreError(self.name, f"ML Metadata schema version {self.schema_version} is not one this reader "
                                 f"knows ({', '.join(map(str, KNOWN_SCHEMA_VERSIONS))}); upgrade mliter or read "
                                 "a copy migrated by the ML Metadata library", "schema")
            for table, cols in _REQUIRED_COLUMNS.items():
                if table not in self.t:
                    raise StoreError(self.name, f"schema version {self.schema_version} store lacks table {table}",
                                     "schema")
                missing = cols - set(self.t[table].c.keys())
                if missing:
                    raise StoreError(self.name, f"table {table} lacks columns {sorted(missing)} (schema version "
                                     f"{self.schema_version})", "schema")
            T = self.t["Type"]
            self.types = {int(r.id): (str(r.name), TYPE_KINDS.get(int(r.type_kind), "?"))
                          for r in conn.execute(sa.select(T.c.id, T.c.name, T.c.type_kind))}
            self.n_executions = conn.execute(sa.select(sa.func.count()).select_from(self.t["Execution"])).scalar_one()
            self.n_artifacts = conn.execute(sa.select(sa.func.count()).select_from(self.t["Artifact"])).scalar_one()

    def close(self) -> None:
        self.engine.dispose()

    # -- pipelines ------------------------------------------------------------------------
    def _groups(self, conn) -> Iterator[tuple[str, list[int]]]:
        """(pipeline name, execution ids), streamed in store order; each execution in exactly one pipeline:
        its first pipeline context, else its first run context, else the store's `(no pipeline)`."""
        C, A, E = self.t["Context"], self.t["Association"], self.t["Execution"]
        taken = []
        for group in (PIPELINE_CONTEXT_TYPES, RUN_CONTEXT_TYPES):
            tids = [tid for tid, (name, kind) in self.types.items() if kind == "context" and name in group]
            if not tids:
                continue
            member = sa.select(A.c.execution_id).join(C, C.c.id == A.c.context_id).where(C.c.type_id.in_(tids))
            first = (sa.select(A.c.execution_id.label("eid"), sa.func.min(C.c.id).label("cid"))
                     .join(C, C.c.id == A.c.context_id).where(C.c.type_id.in_(tids)))
            for earlier in taken:
                first = first.where(A.c.execution_id.not_in(earlier))
            sub = first.group_by(A.c.execution_id).subquery()
            q = sa.select(sub.c.eid, sub.c.cid, C.c.name).join(C, C.c.id == sub.c.cid).order_by(sub.c.cid, sub.c.eid)
            yield from self._consecutive(conn.execution_options(stream_results=True).execute(q))
            taken.append(member)
        rest = sa.select(E.c.id, sa.literal(0), sa.literal(NO_PIPELINE))
        for earlier in taken:
            rest = rest.where(E.c.id.not_in(earlier))
        yield from self._consecutive(conn.execution_options(stream_results=True).execute(rest.order_by(E.c.id)))

    @staticmethod
    def _consecutive(rows) -> Iterator[tuple[str, list[int]]]:
        current, name, ids = None, "", []
        for eid, cid, cname in rows:
            if cid != current and ids:
                yield name, ids
                ids = []
            current, name = cid, str(cname)
            ids.append(int(eid))
        if ids:
            yield name, ids

    def pipelines(self) -> Iterator[Provenance]:
        try:
            with self.engine.connect() as listing, self.engine.connect() as conn:
                batch: list[tuple[str, list[int]]] = []
                size = 0
                for group in self._groups(listing):
                    batch.append(group)
                    size += len(group[1])
                    if size >= self.batch * 20 or len(batch) >= self.batch:
                        yield from self._read_batch(conn, batch)
                        batch, size = [], 0
                if batch:
                    yield from self._read_batch(conn, batch)
        except sa.exc.SQLAlchemyError as exc:
            raise _explain(self.name, exc) from exc

    def _chunks(self, ids: list[int], n: int = 500):
        for i in range(0, len(ids), n):
            yield ids[i:i + n]

    def _read_batch(self, conn, groups: list[tuple[str, list[int]]]) -> Iterator[Provenance]:
        E, EP, EV = self.t["Execution"], self.t["ExecutionProperty"], self.t["Event"]
        AR, AP = self.t["Artifact"], self.t["ArtifactProperty"]
        ex_ids = [i for _, ids in groups for i in ids]
        rows, props, events = {}, {}, []
        for chunk in self._chunks(ex_ids):
            for r in conn.execute(sa.select(E.c.id, E.c.type_id, E.c.last_known_state, E.c.create_time_since_epoch,
                                            E.c.last_update_time_since_epoch).where(E.c.id.in_(chunk))):
                rows[int(r.id)] = r
            pcols = [c for c in EP.c if c.name != "execution_id" and c.name != "is_custom_property"]
            for r in conn.execute(sa.select(EP.c.execution_id, *pcols).where(EP.c.execution_id.in_(chunk))):
                if r.name not in VOLATILE_PROPERTIES:
                    props.setdefault(int(r.execution_id), []).append((str(r.name), _value(r)))
            for r in conn.execute(sa.select(EV.c.execution_id, EV.c.artifact_id, EV.c.type)
                                  .where(EV.c.execution_id.in_(chunk))):
                t = int(r.type)
                kind = "input" if t in INPUT_EVENTS else "output" if t in OUTPUT_EVENTS else None
                if kind:
                    events.append((int(r.execution_id), int(r.artifact_id), kind))
        art_ids = sorted({a for _, a, _ in events})
        arts, aprops = {}, {}
        for chunk in self._chunks(art_ids):
            for r in conn.execute(sa.select(AR.c.id, AR.c.type_id, AR.c.state, AR.c.create_time_since_epoch)
                                  .where(AR.c.id.in_(chunk))):
                arts[int(r.id)] = r
            pcols = [c for c in AP.c if c.name not in ("artifact_id", "is_custom_property")]
            for r in conn.execute(sa.select(AP.c.artifact_id, *pcols).where(AP.c.artifact_id.in_(chunk))):
                aprops.setdefault(int(r.artifact_id), []).append((str(r.name), _value(r)))
        first_ex: dict[int, int] = {}
        for chunk in self._chunks(art_ids):
            for aid, eid in conn.execute(sa.select(EV.c.artifact_id, sa.func.min(EV.c.execution_id))
                                         .where(EV.c.artifact_id.in_(chunk)).group_by(EV.c.artifact_id)):
                first_ex[int(aid)] = int(eid)
        ev_by_ex: dict[int, list] = {}
        for ex, art, kind in events:
            ev_by_ex.setdefault(ex, []).append((ex, art, kind))
        for pipeline, ids in groups:
            prov = Provenance(self.name, self.kind, self.uri, str(self.schema_version))
            seen: set[int] = set()
            for i in ids:
                r = rows.get(i)
                if r is None:  # an Association row naming an execution the store no longer has
                    prov.problems.append(f"context {pipeline!r} lists missing execution {i}")
                    continue
                tname = self.types.get(int(r.type_id), (f"type:{r.type_id}", "?"))[0]
                state = EXECUTION_STATES.get(int(r.last_known_state), "UNKNOWN") if r.last_known_state is not None \
                    else "UNKNOWN"
                prov.executions.append(Execution(
                    id=str(i), type=tname, component=component_of(tname), state=state, pipeline=pipeline,
                    start_ms=int(r.create_time_since_epoch) if r.create_time_since_epoch else None,
                    end_ms=int(r.last_update_time_since_epoch) if r.last_update_time_since_epoch else None,
                    config=tuple(sorted(props.get(i, ())))))
                for ex, art, kind in sorted(ev_by_ex.get(i, ()), key=lambda e: (e[1], e[2])):
                    if art not in arts:
                        prov.problems.append(f"event of execution {ex} names missing artifact {art}")
                        continue
                    prov.events.append(Event(str(ex), str(art), kind))
                    if art not in seen:
                        seen.add(art)
                        a = arts[art]
                        prov.artifacts.append(Artifact(
                            id=str(art), type=self.types.get(int(a.type_id), (f"type:{a.type_id}", "?"))[0],
                            state=ARTIFACT_STATES.get(int(a.state), "UNKNOWN") if a.state is not None else "UNKNOWN",
                            create_ms=int(a.create_time_since_epoch) if a.create_time_since_epoch else None,
                            properties=tuple(sorted(aprops.get(art, ())))))
            prov.artifacts.sort(key=lambda a: int(a.id))
            members = set(ids)
            prov.owned_artifacts = {a.id for a in prov.artifacts if first_ex.get(int(a.id)) in members}
            yield prov
