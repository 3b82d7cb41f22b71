"""Versions of workflows and the iteration sequences mined from them.

Every version source (git history, a folder of extracted versions, Meta Kaggle, the Kaggle
API, and OpenML in its own module) yields `Version` records. `mine_versions` groups them
by workflow, orders each sequence by version number, builds each version's signature,
classifies it against the previous version that could be read (`mliter.traces.changes`)
and returns one plain row per version for `traces/versions.csv`. A version that cannot be
read or parsed becomes an error row and the sequence goes on: the next readable version is
compared with the last readable one. Rows hold ids, counts, hashes and operator names,
never code or text. Finished workflows are checkpointed so a long run resumes.
"""

from __future__ import annotations

from mliter.errors import InputError, MliterError
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from mliter.tables import join_list
from mliter.traces.changes import ChangeCodebook, classify, default_codebook
from mliter.traces.notebooks.parse import Limits, NotebookError
from mliter.traces.versions.signature import Signature, script_signature, signature_from_bytes
from mliter.traces.notebooks.stages import StageRules


class VersionReadError(MliterError):
    """The content of one version could not be had; `reason` is a short stable code for the table."""

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason, self.message = reason, message


@dataclass(frozen=True)
class Version:
    """One version of one workflow, and how to load it.

    `workflow_id` follows the project's id scheme (`git:owner/repo/path.ipynb`,
    `kaggle:author/slug`, `openml:user/task`); `version_id` adds `@commit` or `@vN`.
    `timestamp` is ISO 8601 in UTC (`2016-03-12T18:03:33Z`, empty when unknown).
    `load` returns the version's bytes (a notebook, or a Python script when `kind` is
    `script`) or a ready `Signature` (OpenML); it raises `VersionReadError`/`NotebookError`/
    `OSError` when it cannot.
    """

    workflow_id: str
    version: int
    version_id: str
    timestamp: str
    source: str
    author: str = ""
    sha256: str = ""
    repo: str = ""
    path: str = ""
    commit: str = ""
    url: str = ""
    license: str = ""
    kind: str = "notebook"  # notebook | script: how `load`'s bytes are read
    load: Callable[[], "bytes | Signature"] | None = field(default=None, compare=False, repr=False)


def utc_iso(value: str | datetime) -> str:
    """Any ISO 8601 time (with offset, `Z`, or naive = UTC) as `YYYY-MM-DDTHH:MM:SSZ`."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return ""
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    else:
        dt = value
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sequences(versions: Iterable[Version]) -> dict[str, list[Version]]:
    """Versions grouped by workflow, each list ordered by version number (then time, then id)."""
    out: dict[str, list[Version]] = {}
    for v in versions:
        out.setdefault(v.workflow_id, []).append(v)
    for seq in out.values():
        seq.sort(key=lambda v: (v.version, v.timestamp, v.version_id))
        seen: set[int] = set()
        for v in seq:
            if v.version in seen:
                raise InputError(f"workflow {v.workflow_id}: version {v.version} appears twice ({v.version_id})")
            seen.add(v.version)
    return dict(sorted(out.items()))


def _load_signature(v: Version, rules: StageRules, limits: Limits) -> tuple[Signature, str]:
    if v.load is None:
        raise VersionReadError("no_content", f"{v.version_id}: the source gave no way to read this version")
    content = v.load()
    if isinstance(content, Signature):
        return content, v.sha256
    build = script_signature if v.kind == "script" else signature_from_bytes
    return build(content, rules, limits), hashlib.sha256(content).hexdigest()


def _base_row(v: Version) -> dict[str, Any]:
    return {
        "version_id": v.version_id, "workflow_id": v.workflow_id, "version": v.version, "source": v.source,
        "timestamp": v.timestamp, "author": v.author, "sha256": v.sha256,
    }


def mine_sequence(seq: list[Version], rules: StageRules, limits: Limits = Limits(),
                  codebook: ChangeCodebook | None = None) -> list[dict[str, Any]]:
    """Rows of one workflow's versions in order; unreadable versions become error rows."""
    book = codebook or default_codebook()
    rows = []
    prev: Signature | None = None
    prev_time = ""
    for v in seq:
        row = _base_row(v)
        try:
            sig, sha = _load_signature(v, rules, limits)
        except (VersionReadError, NotebookError) as exc:
            rows.append({**row, "status": "error", "error": f"{exc.reason}: {exc.message}"})
            continue
        except OSError as exc:
            rows.append({**row, "status": "error", "error": f"unreadable: {type(exc).__name__}: {exc.strerror or exc}"})
            continue
        except (RecursionError, MemoryError, ValueError, TypeError, AttributeError) as exc:
            # a file the parsers did not foresee: recorded so the batch goes on, and visible in the table
            rows.append({**row, "status": "error", "error": f"internal_error: {type(exc).__name__}: {exc}"[:300]})
            continue
        result = classify(prev, sig, book)
        minutes = None
        if prev is not None and prev_time and v.timestamp:
            delta = datetime.fromisoformat(v.timestamp.replace("Z", "+00:00")) - \
                datetime.fromisoformat(prev_time.replace("Z", "+00:00"))
            minutes = round(delta.total_seconds() / 60, 3)
        rows.append({
            **row, **sig.summary(), "sha256": sha or v.sha256, "status": "ok", "error": "",
            "change_type": result.code, "facets": join_list(result.facets),
            "model_ops_added": result.model.added, "model_ops_removed": result.model.removed,
            "model_ops_reparameterised": result.model.reparameterised,
            "preprocessing_ops_added": result.preprocessing.added,
            "preprocessing_ops_removed": result.preprocessing.removed,
            "preprocessing_ops_reparameterised": result.preprocessing.reparameterised,
            **operator_name_columns(result),
            "cells_added": result.cells.cells_added, "cells_removed": result.cells.cells_removed,
            "cells_changed": result.cells.cells_changed, "lines_added": result.cells.lines_added,
            "lines_removed": result.cells.lines_removed, "stages_touched": join_list(result.stages_touched),
            "minutes_since_previous": minutes,
        })
        prev, prev_time = sig, v.timestamp
    return rows


def mine_versions(versions: Iterable[Version], rules: StageRules, limits: Limits = Limits(),
                  checkpoint: Path | None = None, progress: bool = False) -> list[dict[str, Any]]:
    """Rows of every version, workflow by workflow; resumes from `checkpoint` (JSON lines) when given."""
    from tqdm import tqdm

    done: dict[str, list[dict[str, Any]]] = {}
    if checkpoint is not None and checkpoint.exists():
        for line in checkpoint.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                done[entry["workflow_id"]] = entry["rows"]
    rows: list[dict[str, Any]] = []
    seqs = sequences(versions)
    for wid, seq in tqdm(seqs.items(), desc="workflows", unit="workflow", disable=not progress):
        if wid in done:
            rows.extend(done[wid])
            continue
        got = mine_sequence(seq, rules, limits)
        rows.extend(got)
        if checkpoint is not None:
            checkpoint.parent.mkdir(parents=True, exist_ok=True)
            with open(checkpoint, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"workflow_id": wid, "rows": got}, sort_keys=True) + "\n")
    return rows


def operator_name_columns(result) -> dict[str, str]:
    """Names of the operators added, removed and re-parameterised, per side, ';'-joined
    (a name repeats once per instance: `sklearn.ensemble.RandomForestClassifier;...`)."""
    out = {}
    for side, diff in (("model", result.model), ("preprocessing", result.preprocessing)):
        out[f"{side}_ops_added_names"] = ";".join(diff.added_names)
        out[f"{side}_ops_removed_names"] = ";".join(diff.removed_names)
        out[f"{side}_ops_reparameterised_names"] = ";".join(diff.reparameterised_names)
    return out
