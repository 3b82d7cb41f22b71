"""Dask distributed: a real LocalCluster gives the same bytes as a sequential run."""

import json
import shutil

import pytest

from mliter.corpus.notebooks import discover
from mliter.errors import InputError
from mliter.traces.notebooks.distributed import parse_spec
from mliter.traces.notebooks.mine import Checkpoint, mine_batch, run_key
from mliter.traces.notebooks.parse import Limits
from mliter.traces.notebooks.stages import DEFAULT_RULES, StageRules
from mliter.traces.notebooks.write import write_traces


def test_cluster_specs():
    assert parse_spec("local") == ("local", None)
    assert parse_spec("local:3") == ("local", 3)
    assert parse_spec("tcp://10.0.0.1:8786") == ("tcp://10.0.0.1:8786", None)
    for bad in ("local:0", "local:x", "threads", "synchronous"):
        with pytest.raises(InputError):
            parse_spec(bad)


def test_local_cluster_tables_are_byte_identical_to_sequential(tmp_path, fixtures):
    folder = tmp_path / "nbs"
    shutil.copytree(fixtures / "notebooks", folder)
    base = json.loads((fixtures / "notebooks" / "workflow.ipynb").read_text())
    for i in range(6):  # variants, so chunks finish out of order
        nb = json.loads(json.dumps(base))
        nb["cells"] = nb["cells"][: 3 + i % 10]
        for k, c in enumerate(nb["cells"]):
            if c.get("cell_type") == "code":
                c["execution_count"] = (k * 7 + i) % 13 + 1
        (folder / f"variant{i:02d}.ipynb").write_text(json.dumps(nb))
    refs = discover([folder])
    rules = StageRules.from_csv(DEFAULT_RULES)
    sequential = mine_batch(refs, rules, "r", progress=False)
    ckpt = tmp_path / "ckpt.jsonl"
    spread = mine_batch(refs, rules, "r", checkpoint=ckpt, progress=False, dask_scheduler="local:2", chunk=2)
    a = write_traces(sequential, tmp_path / "seq", parquet=True)
    b = write_traces(spread, tmp_path / "dask", parquet=True)
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
        assert pa.with_suffix(".parquet").read_bytes() == pb.with_suffix(".parquet").read_bytes()
    # every result streamed into the checkpoint as it came back
    done = Checkpoint(ckpt, run_key("r", Limits())).done
    assert len(done) == len(refs)


def test_joining_a_running_scheduler_by_address(tmp_path, fixtures):
    from distributed import LocalCluster

    refs = discover([fixtures / "notebooks"])
    rules = StageRules.from_csv(DEFAULT_RULES)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        spread = mine_batch(refs, rules, "r", progress=False, dask_scheduler=cluster.scheduler_address, chunk=1)
        assert cluster.scheduler.clients.keys() <= {"fire-and-forget"}  # our client was closed
    assert [m.to_json() for m in spread] == [m.to_json() for m in mine_batch(refs, rules, "r", progress=False)]


def test_workers_with_other_miner_code_are_refused(fixtures, monkeypatch):
    from distributed import LocalCluster

    from mliter.traces.notebooks import mine as mine_mod

    refs = discover([fixtures / "notebooks"])
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        monkeypatch.setattr(mine_mod, "_CODE_VERSION", "this-process-only")  # threads share the module...
        import mliter.traces.notebooks.distributed as dist

        monkeypatch.setattr(dist, "_worker_code_version", lambda: "the-workers")  # ...so the workers say otherwise
        with pytest.raises(InputError, match="other miner code"):
            mine_batch(refs, StageRules.from_csv(DEFAULT_RULES), "r", progress=False,
                       dask_scheduler=cluster.scheduler_address)


def test_a_failed_task_is_retried_notebook_by_notebook(fixtures, monkeypatch):
    from distributed import LocalCluster

    import mliter.traces.notebooks.distributed as dist

    real = dist._mine_chunk

    def flaky(refs, rules, limits):  # a chunk of several dies; alone, only the truncated notebook does
        if len(refs) > 1 or refs[0].notebook_id == "file:truncated.ipynb":
            raise RuntimeError("worker lost")
        return real(refs, rules, limits)

    monkeypatch.setattr(dist, "_mine_chunk", flaky)
    refs = discover([fixtures / "notebooks"])
    rules = StageRules.from_csv(DEFAULT_RULES)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        spread = mine_batch(refs, rules, "r", progress=False, dask_scheduler=cluster.scheduler_address, chunk=5)
    lost = {m.error["notebook_id"] for m in spread if m.error and m.error["reason"] == "worker_lost"}
    assert lost == {"file:truncated.ipynb"}
    sequential = mine_batch(refs, rules, "r", progress=False)
    kept = [i for i, r in enumerate(refs) if r.notebook_id != "file:truncated.ipynb"]
    assert [spread[i].to_json() for i in kept] == [sequential[i].to_json() for i in kept]


def test_rules_sent_to_workers_label_as_the_originals():
    """Dask pickles the rules for its workers: the copy must pick the same rule for every feature (it was
    rebuilt from the merged list once, so the catalogue's rows outranked its more specific entries)."""
    import pickle

    rules = StageRules.from_csv(DEFAULT_RULES)
    copy = pickle.loads(pickle.dumps(rules))
    assert copy.rules == rules.rules
    features = {r.pattern.replace("*", "x") for r in rules.rules}
    features |= {f"call:{e.pattern.replace('*', 'x')}.sub" for e in rules.catalogue.entries}
    features |= {"call:fastai.imports.add_datepart", "call:fastai.vision.all.ClassificationInterpretation.from_learner"}
    assert [copy.feature_rule(f) for f in sorted(features)] == [rules.feature_rule(f) for f in sorted(features)]
