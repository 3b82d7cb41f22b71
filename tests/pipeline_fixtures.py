"""Helpers of the pipeline tests (tests/traces/pipelines): shared store paths, loading a store into MySQL."""

from __future__ import annotations

import warnings
from pathlib import Path

PROVENANCE = "provenance"
MLMD = "provenance/mlmd_sqlite/NabilaKumala__MLOps-Project1__metadata.sqlite"
MLFLOW_DB = "provenance/mlflow_sqlite/1412010__nda-mlops-zoomcamp-2024__week-02__mlflow.db"
MLFLOW_BACKEND_DB = "provenance/mlflow_sqlite/1412010__nda-mlops-zoomcamp-2024__week-02__backend.db"
MLFLOW_FS = "provenance/mlflow_filestore/10AcademyB6Week7__Scalable-Backtesting-Infrastructure/mlruns"
MLFLOW_TAR = "provenance/mlflow_filestore/01-AlstonAlvares__A3__app_mlruns_no_artifacts.tar.gz"
ALL_STORES = (MLMD, MLFLOW_DB, MLFLOW_BACKEND_DB, MLFLOW_FS, MLFLOW_TAR)


def shared_targets(shared: Path) -> list[str]:
    return [str(shared / s) for s in ALL_STORES]


def load_into_mysql(sqlite_path: Path, server_url: str, database: str) -> str:
    """Copy every table and row of an ML Metadata SQLite store into a new MySQL/MariaDB database."""
    import sqlalchemy as sa

    src = sa.create_engine(f"sqlite:///file:{sqlite_path}?mode=ro&uri=true")
    admin = sa.create_engine(server_url.replace("mysql://", "mysql+pymysql://", 1))
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{database}`"))
        conn.execute(sa.text(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4"))
    admin.dispose()
    url = f"{server_url}/{database}"
    dst = sa.create_engine(url.replace("mysql://", "mysql+pymysql://", 1))
    md = sa.MetaData()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        md.reflect(src)
    md.remove(md.tables["sqlite_sequence"]) if "sqlite_sequence" in md.tables else None
    for table in md.tables.values():  # SQLite's indexes on TEXT columns need prefix lengths in MySQL: leave them
        table.indexes.clear()
        for col in table.columns:  # ML Metadata's MySQL schema keeps times and int values as BIGINT
            if isinstance(col.type, sa.Integer):
                col.type = sa.BigInteger()
    md.create_all(dst)
    with src.connect() as s, dst.begin() as d:
        for table in md.sorted_tables:
            rows = [dict(r._mapping) for r in s.execute(sa.select(table))]
            if rows:
                d.execute(table.insert(), rows)
    src.dispose()
    dst.dispose()
    return url
