"""SYNTHETIC ML Metadata stores for tests and benchmarks (never shipped as data).

`write_store` lays out the documented ML Metadata tables (schema version 10) in a SQLite
file and fills them with `n_pipelines` TFX-like pipelines of `n_graphlets` trainings each:
ExampleGen -> StatisticsGen -> Trainer -> Evaluator -> Pusher (the push only for pushed
graphlets). Whether a graphlet pushes depends on whether its data changed (by design, so a
predictor has something to learn); every pipeline and context name starts with
`synthetic-`. Rows are generated pipeline by pipeline and inserted in chunks, so even the
benchmark's 10,000 x 50 store is written in bounded memory.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path

DDL = """
CREATE TABLE Type (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(255) NOT NULL, version VARCHAR(255),
  type_kind TINYINT(1) NOT NULL, description TEXT, input_type TEXT, output_type TEXT, external_id VARCHAR(255) UNIQUE);
CREATE TABLE TypeProperty (type_id INT NOT NULL, name VARCHAR(255) NOT NULL, data_type INT NULL,
  PRIMARY KEY (type_id, name));
CREATE TABLE ParentType (type_id INT NOT NULL, parent_type_id INT NOT NULL, PRIMARY KEY (type_id, parent_type_id));
CREATE TABLE Artifact (id INTEGER PRIMARY KEY AUTOINCREMENT, type_id INT NOT NULL, uri TEXT, state INT,
  name VARCHAR(255), external_id VARCHAR(255) UNIQUE, create_time_since_epoch INT NOT NULL DEFAULT 0,
  last_update_time_since_epoch INT NOT NULL DEFAULT 0, UNIQUE(type_id, name));
CREATE TABLE ArtifactProperty (artifact_id INT NOT NULL, name VARCHAR(255) NOT NULL,
  is_custom_property TINYINT(1) NOT NULL, int_value INT, double_value DOUBLE, string_value TEXT, byte_value BLOB,
  proto_value BLOB, bool_value BOOLEAN, PRIMARY KEY (artifact_id, name, is_custom_property));
CREATE TABLE Execution (id INTEGER PRIMARY KEY AUTOINCREMENT, type_id INT NOT NULL, last_known_state INT,
  name VARCHAR(255), external_id VARCHAR(255) UNIQUE, create_time_since_epoch INT NOT NULL DEFAULT 0,
  last_update_time_since_epoch INT NOT NULL DEFAULT 0, UNIQUE(type_id, name));
CREATE TABLE ExecutionProperty (execution_id INT NOT NULL, name VARCHAR(255) NOT NULL,
  is_custom_property TINYINT(1) NOT NULL, int_value INT, double_value DOUBLE, string_value TEXT, byte_value BLOB,
  proto_value BLOB, bool_value BOOLEAN, PRIMARY KEY (execution_id, name, is_custom_property));
CREATE TABLE Event (id INTEGER PRIMARY KEY AUTOINCREMENT, artifact_id INT NOT NULL, execution_id INT NOT NULL,
  type INT NOT NULL, milliseconds_since_epoch INT, UNIQUE(artifact_id, execution_id, type));
CREATE INDEX idx_event_execution_id ON Event (execution_id);
CREATE TABLE EventPath (event_id INT NOT NULL, is_index_step TINYINT(1) NOT NULL, step_index INT, step_key TEXT);
CREATE TABLE MLMDEnv (schema_version INTEGER PRIMARY KEY);
CREATE TABLE Context (id INTEGER PRIMARY KEY AUTOINCREMENT, type_id INT NOT NULL, name VARCHAR(255) NOT NULL,
  external_id VARCHAR(255) UNIQUE, create_time_since_epoch INT NOT NULL DEFAULT 0,
  last_update_time_since_epoch INT NOT NULL DEFAULT 0, UNIQUE(type_id, name));
CREATE TABLE ContextProperty (context_id INT NOT NULL, name VARCHAR(255) NOT NULL,
  is_custom_property TINYINT(1) NOT NULL, int_value INT, double_value DOUBLE, string_value TEXT, byte_value BLOB,
  proto_value BLOB, bool_value BOOLEAN, PRIMARY KEY (context_id, name, is_custom_property));
CREATE TABLE ParentContext (context_id INT NOT NULL, parent_context_id INT NOT NULL,
  PRIMARY KEY (context_id, parent_context_id));
CREATE TABLE Association (id INTEGER PRIMARY KEY AUTOINCREMENT, context_id INT NOT NULL, execution_id INT NOT NULL,
  UNIQUE(context_id, execution_id));
CREATE TABLE Attribution (id INTEGER PRIMARY KEY AUTOINCREMENT, context_id INT NOT NULL, artifact_id INT NOT NULL,
  UNIQUE(context_id, artifact_id));
"""

TYPES = [  # (id, name, kind: 0 execution, 1 artifact, 2 context)
    (1, "pipeline", 2), (2, "tfx.components.example_gen.csv_example_gen.component.CsvExampleGen", 0),
    (3, "tfx.components.statistics_gen.component.StatisticsGen", 0), (4, "tfx.components.trainer.component.Trainer", 0),
    (5, "tfx.components.evaluator.component.Evaluator", 0), (6, "tfx.components.pusher.component.Pusher", 0),
    (7, "Examples", 1), (8, "ExampleStatistics", 1), (9, "Model", 1), (10, "ModelBlessing", 1), (11, "PushedModel", 1),
]
STEP_MS = 60_000


@dataclass(frozen=True)
class SyntheticStore:
    path: Path
    n_pipelines: int
    n_graphlets: int
    n_pushed: int
    n_executions: int


def write_store(path: str | Path, n_pipelines: int, n_graphlets: int, seed: int = 7, chunk: int = 200,
                schema_version: int = 10) -> SyntheticStore:
    """Write a synthetic ML Metadata SQLite store at `path` (replaced if present)."""
    path = Path(path)
    if path.exists():
        path.unlink()
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    conn.executescript(DDL)
    conn.executemany("INSERT INTO Type (id, name, type_kind) VALUES (?, ?, ?)", TYPES)
    conn.execute("INSERT INTO MLMDEnv VALUES (?)", (schema_version,))
    ex_id = art_id = 0
    n_pushed = 0
    t0 = 1_600_000_000_000
    buf: dict[str, list] = {k: [] for k in ("ctx", "ex", "ep", "art", "ap", "ev", "assoc")}

    def flush() -> None:
        conn.executemany("INSERT INTO Context (id, type_id, name, create_time_since_epoch) VALUES (?,?,?,?)", buf["ctx"])
        conn.executemany("INSERT INTO Execution (id, type_id, last_known_state, create_time_since_epoch, "
                         "last_update_time_since_epoch) VALUES (?,?,?,?,?)", buf["ex"])
        conn.executemany("INSERT INTO ExecutionProperty (execution_id, name, is_custom_property, string_value) "
                         "VALUES (?,?,0,?)", buf["ep"])
        conn.executemany("INSERT INTO Artifact (id, type_id, state, create_time_since_epoch) VALUES (?,?,2,?)",
                         buf["art"])
        conn.executemany("INSERT INTO ArtifactProperty (artifact_id, name, is_custom_property, int_value, "
                         "string_value) VALUES (?,?,?,?,?)", buf["ap"])
        conn.executemany("INSERT INTO Event (artifact_id, execution_id, type, milliseconds_since_epoch) "
                         "VALUES (?,?,?,?)", buf["ev"])
        conn.executemany("INSERT INTO Association (context_id, execution_id) VALUES (?,?)", buf["assoc"])
        for v in buf.values():
            v.clear()

    for p in range(1, n_pipelines + 1):
        buf["ctx"].append((p, 1, f"synthetic-pipeline-{p:06d}", t0))
        t = t0 + p * 1000
        span, module, hparams = 0, 0, 0
        for k in range(n_graphlets):
            data_changed = k == 0 or rng.random() < 0.5
            span += data_changed
            module += rng.random() < 0.1
            hparams += rng.random() < 0.2
            pushed = rng.random() < (0.7 if data_changed else 0.15)
            n_pushed += pushed

            def execution(type_id: int, seconds: int, props=()) -> int:
                nonlocal ex_id, t
                ex_id += 1
                buf["ex"].append((ex_id, type_id, 3, t, t + seconds * 1000))
                buf["assoc"].append((p, ex_id))
                buf["ep"].extend((ex_id, name, value) for name, value in props)
                t += STEP_MS
                return ex_id

            def artifact(type_id: int, producer: int, props=()) -> int:
                nonlocal art_id
                art_id += 1
                buf["art"].append((art_id, type_id, t))
                buf["ev"].append((art_id, producer, 4, t))
                buf["ap"].extend((art_id, name, custom, iv, sv) for name, custom, iv, sv in props)
                return art_id

            def read(artifact_id: int, execution_id: int) -> None:
                buf["ev"].append((artifact_id, execution_id, 3, t))

            eg = execution(2, 5)
            examples = artifact(7, eg, [("span", 0, span, None), ("input_fingerprint", 0, None, f"fp-{span}")])
            sg = execution(3, 10)
            read(examples, sg)
            artifact(8, sg)
            tr = execution(4, 120, [("module_path", f"trainer@v{module}"), ("train_args", f'{{"steps": {hparams}}}')])
            read(examples, tr)
            model = artifact(9, tr)
            ev = execution(5, 30)
            read(model, ev)
            read(examples, ev)
            blessing = artifact(10, ev, [("blessed", 1, int(pushed), None)])
            if pushed:
                pu = execution(6, 2)
                read(model, pu)
                read(blessing, pu)
                artifact(11, pu, [("pushed", 1, 1, None)])
        if p % chunk == 0:
            flush()
    flush()
    conn.commit()
    conn.close()
    return SyntheticStore(path, n_pipelines, n_pipelines * n_graphlets, n_pushed, ex_id)
