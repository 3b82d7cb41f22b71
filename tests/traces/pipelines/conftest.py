"""Fixtures of the pipeline tests: the shared stores mined once, a throwaway MariaDB server and MLflow
tracking servers, each started on a loopback port with its data under a temporary folder."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mliter.traces.pipelines.mine import mine_stores
from pipeline_fixtures import MLFLOW_DB, MLFLOW_FS, shared_targets

@pytest.fixture(scope="session")
def mined_shared(shared):
    """Every shared store mined once (results keyed by store name)."""
    return {r.row["store"]: r for r in mine_stores(shared_targets(shared))}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed: `make test` installs it")
    pytest.skip(f"{what} is not installed (run `make test`, which installs it)")


def _wait(check, proc, log: Path, what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited ({proc.returncode}): {log.read_text(errors='replace')[-2000:]}")
        if check():
            return
        time.sleep(0.25)
    proc.terminate()
    raise RuntimeError(f"{what} did not start in {timeout:.0f} s: {log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory):
    """A MariaDB server on 127.0.0.1 (own datadir, no grant tables, root); yields its base URL."""
    server = shutil.which("mariadbd") or next((p for p in ("/usr/sbin/mariadbd", "/usr/sbin/mysqld")
                                               if os.path.exists(p)), None)
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    if not server or not install:
        _missing("MariaDB (Debian package mariadb-server)")
    root = tmp_path_factory.mktemp("mariadb")
    data, log = root / "data", root / "server.log"
    as_root = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run([install, "--no-defaults", f"--datadir={data}", "--auth-root-authentication-method=normal",
                    "--skip-test-db", *as_root], check=True, capture_output=True, timeout=120)
    port = free_port()
    proc = subprocess.Popen([server, "--no-defaults", f"--datadir={data}", f"--socket={root / 'sock'}",
                             f"--port={port}", "--bind-address=127.0.0.1", "--skip-grant-tables",
                             "--skip-name-resolve", f"--pid-file={root / 'pid'}", "--innodb-buffer-pool-size=32M",
                             f"--log-error={log}", *as_root], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    import pymysql

    def ready() -> bool:
        try:
            pymysql.connect(host="127.0.0.1", port=port, user="root", connect_timeout=1).close()
            return True
        except pymysql.err.OperationalError:
            return False

    log.touch()
    try:
        _wait(ready, proc, log, "mariadbd")
        yield f"mysql://root@127.0.0.1:{port}"
    finally:
        proc.kill()  # a throwaway server: no clean shutdown needed
        proc.wait(timeout=30)


def _mlflow_server(backend: str, root: Path, name: str):
    port = free_port()
    log = root / f"{name}.log"
    env = dict(os.environ, MLFLOW_ALLOW_FILE_STORE="true")
    fh = log.open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "mlflow", "server", "--backend-store-uri", backend,
                             "--default-artifact-root", (root / f"{name}-artifacts").as_uri(), "--host", "127.0.0.1",
                             "--port", str(port), "--workers", "1"], stdout=fh, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)  # its own process group: the server's workers end with it
    return proc, port, log


@pytest.fixture(scope="session")
def mlflow_servers(shared, tmp_path_factory):
    """Two tracking servers on loopback, over copies of a shared file store and of a shared SQL store
    (upgraded copy); yields {"file": url, "sql": url} and the copies they serve."""
    pytest.importorskip("mlflow")
    import requests

    root = tmp_path_factory.mktemp("mlflow")
    fs = root / "mlruns"
    shutil.copytree(shared / MLFLOW_FS, fs)
    for p in [fs, *fs.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o200)
    db = root / "mlflow.db"
    shutil.copyfile(shared / MLFLOW_DB, db)
    db.chmod(0o644)
    import sqlalchemy as sa
    from mlflow.store.db.utils import _upgrade_db

    engine = sa.create_engine(f"sqlite:///{db}")
    _upgrade_db(engine)  # what `mlflow db upgrade` does, without starting another interpreter
    engine.dispose()
    servers = {"file": _mlflow_server(fs.as_uri(), root, "file"), "sql": _mlflow_server(f"sqlite:///{db}", root, "sql")}
    try:
        for name, (proc, port, log) in servers.items():
            def ready(port=port) -> bool:
                try:
                    return requests.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200
                except requests.RequestException:
                    return False

            # generous: a server that dies is reported at once (its exit and log); a slow one on a loaded
            # CI machine (two servers importing mlflow side by side) is only slow
            _wait(ready, proc, log, f"mlflow server ({name})", timeout=300)
        yield {"file": f"http://127.0.0.1:{servers['file'][1]}", "sql": f"http://127.0.0.1:{servers['sql'][1]}",
               "file_copy": fs, "sql_copy": db}
    finally:
        for proc, _, _ in servers.values():
            _signal_group(proc, signal.SIGTERM)
        for proc, _, _ in servers.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # the group this fixture started (start_new_session), by its id
    except ProcessLookupError:
        pass
