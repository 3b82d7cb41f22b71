"""Mine notebooks on Dask distributed: a LocalCluster on this machine or a running scheduler.

`--dask local` (one worker per core) or `--dask local:N` starts a `LocalCluster` of N
single-threaded worker processes; `--dask tcp://host:8786` joins a running scheduler
(workers must see the notebook files at the same paths and have mliter installed). The
stage rules and limits are scattered to every worker once; notebooks go out in chunks, a
bounded number in flight, and finished chunks stream back through `as_completed` in
whatever order they finish. The caller puts them back in input order, so the tables are
byte-identical to a sequential run. A chunk whose worker died is retried notebook by
notebook, and a notebook that kills workers on its own becomes an error row.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from itertools import islice
from typing import TYPE_CHECKING, Iterator, Sequence

from mliter.corpus.notebooks import NotebookRef
from mliter.errors import InputError
from mliter.traces.notebooks.code import CellMemo
from mliter.traces.notebooks.mine import Mined, mine_ref
from mliter.traces.notebooks.parse import Limits
from mliter.traces.notebooks.stages import StageRules

if TYPE_CHECKING:  # distributed is an optional extra: imported where it is used
    from distributed import Client


def parse_spec(spec: str) -> tuple[str, int | None]:
    """`local` / `local:N` -> ('local', N or None); an address -> (address, None); else an error."""
    if spec == "local" or spec.startswith("local:"):
        n = spec.partition(":")[2]
        if n and (not n.isdigit() or int(n) < 1):
            raise InputError(f"--dask {spec!r}: the worker count after 'local:' must be a positive integer")
        return "local", int(n) if n else None
    if "://" in spec:
        return spec, None
    raise InputError(f"--dask {spec!r}: expected 'local', 'local:N' or a scheduler address such as tcp://host:8786")


@contextmanager
def connect(spec: str, timeout: float = 30.0) -> Iterator[Client]:
    """A `distributed.Client` for `spec`, closed (with its LocalCluster) on the way out."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - the test environment has it
        raise InputError("--dask needs Dask distributed: pip install 'mliter[scale]'") from exc
    where, n = parse_spec(spec)
    cluster = None
    try:
        if where == "local":
            cluster = LocalCluster(n_workers=n or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            try:
                client = Client(where, timeout=timeout)
            except (OSError, TimeoutError) as exc:
                raise InputError(f"--dask {spec}: cannot reach the scheduler ({type(exc).__name__}: {exc})") from exc
        try:
            yield client
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()


def _worker_code_version() -> str:
    from mliter.traces.notebooks.mine import code_version

    return code_version()


def _same_miner(client, spec: str) -> None:
    """Refuse workers that run other miner code than this process: their rows would differ."""
    from mliter.traces.notebooks.mine import code_version

    try:
        versions = client.run(_worker_code_version)
    except Exception as exc:  # a worker without mliter cannot even say
        raise InputError(f"--dask {spec}: workers cannot import mliter ({type(exc).__name__}: {exc})") from exc
    other = sorted(w for w, v in versions.items() if v != code_version())
    if other:
        raise InputError(f"--dask {spec}: workers {', '.join(other)} run other miner code than this process; "
                         "install the same mliter on every worker")


def _mine_chunk(refs: Sequence[NotebookRef], rules: StageRules, limits: Limits) -> list[Mined]:
    memo = CellMemo(limits)  # one per chunk: cells repeated across its notebooks are parsed once
    return [mine_ref(r, rules, limits, memo=memo) for r in refs]


def _lost(ref: NotebookRef, exc: BaseException) -> Mined:
    return Mined(error={"notebook_id": ref.notebook_id, "local_path": ref.local_path, "reason": "worker_lost",
                        "message": f"{ref.local_path}: the Dask worker mining it failed ({type(exc).__name__})",
                        "sha256": ""})


def mine_distributed(todo: Sequence[tuple[str, NotebookRef]], rules: StageRules, limits: Limits, spec: str,
                     chunk: int = 64, in_flight: int | None = None) -> Iterator[list[tuple[str, Mined]]]:
    """Yield finished (key, Mined) chunks as workers finish them (not in input order)."""
    from distributed import as_completed

    if not todo:
        return
    with connect(spec) as client:
        _same_miner(client, spec)
        rules_f, limits_f = client.scatter([rules, limits], broadcast=True)
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        window = in_flight or 4 * workers
        chunk = max(1, min(chunk, -(-len(todo) // window)))  # a small run still reaches every worker
        items = iter(todo)
        parts = iter(lambda: list(islice(items, chunk)), [])
        pending: dict = {}
        queue = as_completed()

        def submit(part: list[tuple[str, NotebookRef]]) -> None:
            fut = client.submit(_mine_chunk, [r for _, r in part], rules_f, limits_f, pure=False)
            pending[fut] = part
            queue.add(fut)

        for part in islice(parts, window):
            submit(part)
        for fut in queue:
            part = pending.pop(fut)
            try:
                mined = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker that died (or was killed) under this chunk raises anything
                if len(part) > 1:
                    for one in part:
                        submit([one])
                else:
                    yield [(part[0][0], _lost(part[0][1], exc))]
                continue
            finally:
                fut.release()
            yield list(zip((k for k, _ in part), mined))
            nxt = next(parts, None)
            if nxt:
                submit(nxt)
