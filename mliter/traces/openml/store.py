"""Everything known about OpenML runs of one server, gathered from recorded or fetched responses.

Ids of runs, flows, setups and tasks are unique only within one OpenML server (the
production server, the test server and a staging server each count from 1), so responses
are collected per *collection*: one server, or one folder of recorded responses of one
server. `load_recorded(root)` reads every `*.xml` under a folder of recorded responses and
sorts them into collections by path (`collection_of`); `fetch_live` asks the API through
`mliter.corpus.openml.OpenMLApi`. Responses that fail to parse are recorded as problems
and the batch goes on; OpenML error documents (answers to deletes, empty lists) are skipped.
"""

from __future__ import annotations

from mliter.errors import InputError
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from mliter.traces.openml.parse import (
    FlowComponent, OpenMLApiError, OpenMLParseError, RunRecord, Setup, Task, merge_runs, parse_flow,
    parse_flow_list, parse_runs, parse_setup, parse_task, root_kind,
)

AUC = "area_under_roc_curve"


@dataclass
class OpenMLStore:
    """Parsed responses of one collection; `add` files a response by its root element."""

    collection: str
    records: dict[int, list[RunRecord]] = field(default_factory=dict)
    run_files: dict[int, set[str]] = field(default_factory=dict)
    flows: dict[int, FlowComponent] = field(default_factory=dict)
    flow_names: dict[int, str] = field(default_factory=dict)
    setups: dict[int, Setup] = field(default_factory=dict)
    tasks: dict[int, Task] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    #: task -> {run id: AUC} over every run on the task (all uploaders), when fetched (`task_means`)
    task_auc: dict[int, dict[int, float]] = field(default_factory=dict)
    #: response (file or URL) -> provenance: source (repo@commit or api:host), license, retrieved_at
    provenance: dict[str, dict[str, str]] = field(default_factory=dict)

    def note(self, message: str) -> None:
        """Record a problem once, prefixed with the collection."""
        text = f"{self.collection}: {message}"
        if text not in self.problems:
            self.problems.append(text)

    def add(self, data: bytes, where: str) -> str:
        """Parse one response and file what it says; returns the root element's name."""
        kind = root_kind(data, where)
        if kind in ("run", "runs", "evaluations"):
            for rec in parse_runs(data, where):
                self.records.setdefault(rec.run_id, []).append(rec)
                self.run_files.setdefault(rec.run_id, set()).add(where)
                if rec.flow_id is not None and rec.flow_name:
                    self.flow_names.setdefault(rec.flow_id, rec.flow_name)
        elif kind == "flow":
            flow = parse_flow(data, where)
            if flow.flow_id is not None:
                self.flows[flow.flow_id] = flow
        elif kind == "flows":
            for fid, name in parse_flow_list(data, where).items():
                self.flow_names.setdefault(fid, name)
        elif kind == "setup_parameters":
            setup = parse_setup(data, where)
            self.setups[setup.setup_id] = setup
        elif kind == "task":
            task = parse_task(data, where)
            self.tasks[task.task_id] = task
        return kind

    def runs(self) -> dict[int, RunRecord]:
        """One merged record per run id (conflicts between records are added to `problems`)."""
        out = {}
        for rid in sorted(self.records):
            merged, conflicts = merge_runs(self.records[rid])
            for c in conflicts:
                self.note(c)
            out[rid] = merged
        return out


def collection_of(rel: Path) -> str:
    """The collection of a recorded response, from its path below the recorded root.

    openml-python's cache layout names the server (`org/openml/<server>/...`, e.g. `test`,
    `staging`, `www`); its `mock_responses/` mock the test server; any other top folder is
    its own collection (a recorded cache of one server, e.g. openml-r's test cache).
    """
    parts = rel.parts
    for i in range(len(parts) - 2):
        if parts[i] == "org" and parts[i + 1] == "openml":
            return parts[i + 2]
    if parts and parts[0] == "mock_responses":
        return "test"
    return parts[0] if len(parts) > 1 else "recorded"


def recorded_provenance(root: Path) -> dict[str, dict[str, str]]:
    """Provenance of recorded files from a `PROVENANCE.tsv` in `root` or a parent (local_path, repo, commit, license).

    Keys are paths relative to `root`; an absent or unreadable table gives no provenance.
    """
    import csv

    root = root.resolve()
    for folder in (root, *list(root.parents)[:2]):
        table = folder / "PROVENANCE.tsv"
        if not table.is_file():
            continue
        prefix = root.relative_to(folder).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        out = {}
        with open(table, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                path = row.get("local_path") or ""
                if path.startswith(prefix) and row.get("repo"):
                    out[path[len(prefix):]] = {"source": f"{row['repo']}@{row.get('commit', '')}".rstrip("@"),
                                               "license": row.get("license") or "", "retrieved_at": ""}
        return out
    return {}


def load_recorded(root: str | Path, progress: bool = False) -> dict[str, OpenMLStore]:
    """Every XML response under `root`, parsed into one store per collection."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: not a folder of recorded OpenML responses")
    provenance = recorded_provenance(root)
    stores: dict[str, OpenMLStore] = {}
    files = sorted(p for p in root.rglob("*.xml") if p.is_file())
    for path in tqdm(files, desc="OpenML responses", unit="file", disable=not progress):
        rel = path.relative_to(root)
        store = stores.setdefault(collection_of(rel), OpenMLStore(collection_of(rel)))
        if rel.as_posix() in provenance:
            store.provenance[rel.as_posix()] = provenance[rel.as_posix()]
        try:
            store.add(path.read_bytes(), rel.as_posix())
        except OpenMLApiError:
            continue  # the recorded answer to a delete or an empty list
        except (OpenMLParseError, OSError) as exc:
            store.note(str(exc))
    return dict(sorted(stores.items()))


def fetch_live(api, uploaders: Iterable[int] | None = None, tasks: Iterable[int] | None = None,
               with_setups: bool = False, task_means: bool = False, progress: bool = False) -> OpenMLStore:
    """Runs of `uploaders` on `tasks` from the API `api` (an `OpenMLApi`), with their flows and tasks.

    A run description carries its parameter settings and evaluations, so setups are only
    fetched when `with_setups`. `task_means` also fetches the AUC of every run on each task
    (all uploaders; paged), so `dist_from_mean_auc` is relative to the whole task as in the
    published data. A response that fails (HTTP error, parse error) is recorded in
    `problems` and the rest goes on.
    """
    from mliter.http import HTTPClientError

    store = OpenMLStore(api.host)

    def keep(response) -> None:
        store.provenance[response.url] = {"source": f"api:{api.host}", "license": "",
                                          "retrieved_at": response.retrieved_at}
        store.add(response.content, response.url)

    def take(fetch, label: str) -> None:
        try:
            keep(fetch())
        except (HTTPClientError, OpenMLParseError) as exc:  # OpenMLApiError included
            store.note(f"{label}: {exc}")

    uploaders = list(uploaders) if uploaders is not None else None
    tasks = list(tasks) if tasks is not None else None
    try:
        for page in api.run_list(uploaders, tasks):
            keep(page)
    except (HTTPClientError, OpenMLParseError) as exc:
        store.note(f"run list: {exc}")
    run_ids = sorted(store.records)
    for rid in tqdm(run_ids, desc="OpenML runs", unit="run", disable=not progress):
        take(lambda rid=rid: api.run(rid), f"run {rid}")
    runs = store.runs()
    for fid in sorted({r.flow_id for r in runs.values() if r.flow_id is not None}):
        take(lambda fid=fid: api.flow(fid), f"flow {fid}")
    for tid in sorted({r.task_id for r in runs.values() if r.task_id is not None}):
        take(lambda tid=tid: api.task(tid), f"task {tid}")
    if with_setups:
        for sid in sorted({r.setup_id for r in runs.values() if r.setup_id is not None}):
            take(lambda sid=sid: api.setup(sid), f"setup {sid}")
    if task_means:
        for tid in sorted({r.task_id for r in runs.values() if r.task_id is not None}):
            try:
                for page in api.task_evaluations(AUC, tid):
                    for rec in parse_runs(page.content, page.url):
                        if AUC in rec.evaluation:
                            store.task_auc.setdefault(tid, {})[rec.run_id] = rec.evaluation[AUC]
            except (HTTPClientError, OpenMLParseError) as exc:
                store.note(f"AUC of the runs on task {tid}: {exc}")
    return store
