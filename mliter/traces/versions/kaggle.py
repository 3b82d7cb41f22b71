"""Versions of Kaggle kernels: Meta Kaggle tables (every version) and the public Kaggle API.

Meta Kaggle (kaggle.com/datasets/kaggle/meta-kaggle) documents, among others:
  Kernels.csv         Id, AuthorUserId, CurrentKernelVersionId, ForkParentKernelVersionId, ForumTopicId,
                      FirstKernelVersionId, CreationDate, EvaluationDate, MadePublicDate,
                      IsProjectLanguageTemplate, CurrentUrlSlug, Medal, MedalAwardDate, TotalViews,
                      TotalComments, TotalVotes  (DistilKaggle's LocalKernels.csv adds ScriptLanguageId)
  KernelVersions.csv  Id, ScriptId, ParentScriptVersionId, ScriptLanguageId, AuthorUserId, CreationDate,
                      VersionNumber, Title, EvaluationDate, IsChange, TotalLines,
                      LinesInsertedFromPrevious, LinesChangedFromPrevious, LinesUnchangedFromPrevious,
                      LinesInsertedFromFork, LinesDeletedFromFork, LinesChangedFromFork,
                      LinesUnchangedFromFork, TotalVotes
  Users.csv           Id, UserName, DisplayName, RegisterDate, PerformanceTier
`KernelVersions.ScriptId` joins `Kernels.Id`, so every version of a kernel is taken, not
only the current one. The code of version `V` is in Meta Kaggle Code at
`<code root>/<first 4 of V zero-padded to 10>/<next 3>/<V>.<ipynb|py|r|rmd>`; notebooks and
Python scripts (read as one code cell) are mined, R versions are recorded as `not_python`.
Workflow ids are `kaggle:<UserName>/<CurrentUrlSlug>` (`kaggle:user<AuthorUserId>/...` without
Users.csv) and version ids add `@v<VersionNumber>`.

The Kaggle API (`https://www.kaggle.com/api/v1`) lists kernels (`kernels/list`) and pulls a
kernel's source (`kernels/pull`); credentials come from `~/.kaggle/kaggle.json` (or
`$KAGGLE_CONFIG_DIR/kaggle.json`) or `KAGGLE_USERNAME`/`KAGGLE_KEY`. All requests go
through `mliter.http.PoliteClient`. A pull asks for a version number; when the answer is
another version (the pull endpoint serves the current one), that version is recorded as
an error rather than mislabelled.
"""

from __future__ import annotations

from mliter.errors import InputError, MliterError
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from mliter.http import HTTPClientError, PoliteClient
from mliter.traces.versions.mine import Version, VersionReadError, utc_iso

KERNEL_COLUMNS = ("Id", "AuthorUserId", "CurrentKernelVersionId", "FirstKernelVersionId", "CreationDate",
                  "CurrentUrlSlug")
VERSION_COLUMNS = ("Id", "ScriptId", "AuthorUserId", "CreationDate", "VersionNumber")
CODE_EXTENSIONS = (".ipynb", ".py", ".r", ".rmd")
API = "https://www.kaggle.com/api/v1"
_DATE_FORMATS = ("%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y", "%Y-%m-%d")


class MetaKaggleError(MliterError, ValueError):
    """A Meta Kaggle table that does not fit the documented schema: names the file and row."""


def meta_time(value: str) -> str:
    """A Meta Kaggle date (`03/31/2016 19:45:12`, `2020-10-01 03:06:27`, `10/01/2020`) as UTC ISO 8601."""
    text = (value or "").strip()
    if not text:
        return ""
    for fmt in _DATE_FORMATS:
        try:
            return utc_iso(datetime.strptime(text, fmt))
        except ValueError:
            continue
    return utc_iso(text)  # ISO 8601 with a zone: raises ValueError when it is not one either


def _read(path: Path, need: Iterable[str]) -> pd.DataFrame:
    if not path.is_file():
        raise MetaKaggleError(f"{path}: not found")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise MetaKaggleError(f"{path}: missing columns {missing} of the Meta Kaggle schema (found {list(df.columns)})")
    return df


def _ints(df: pd.DataFrame, path: Path, columns: Iterable[str], required: bool = True) -> None:
    """Parse id columns in place (`43426419.0` -> 43426419); an unparsable value names its row."""
    for col in columns:
        values = []
        for i, raw in enumerate(df[col]):
            text = raw.strip()
            if not text and not required:
                values.append(None)
                continue
            try:
                number = float(text)
                if not number.is_integer():
                    raise ValueError
                values.append(int(number))
            except ValueError:
                raise MetaKaggleError(f"{path}, row {i + 2}: column {col} must be an integer id, found {raw!r}") from None
        df[col] = pd.array(values, dtype="Int64")


def _unique_ids(df: pd.DataFrame, path: Path, what: str) -> None:
    dup = df["Id"][df["Id"].duplicated()].dropna()
    if len(dup):
        raise MetaKaggleError(f"{path}: {what} Id {int(dup.iloc[0])} appears more than once")


def _times(df: pd.DataFrame, path: Path, column: str) -> list[str]:
    """A date column as UTC ISO 8601; an unreadable date names its row."""
    times = []
    for i, raw in enumerate(df[column]):
        try:
            times.append(meta_time(raw))
        except ValueError:
            raise MetaKaggleError(f"{path}, row {i + 2}: {column} {raw!r} is not a Meta Kaggle date") from None
    return times


def read_kernels(path: str | Path) -> pd.DataFrame:
    """Kernels.csv (or DistilKaggle's LocalKernels.csv): ids parsed, one row per kernel."""
    path = Path(path)
    df = _read(path, KERNEL_COLUMNS)
    _ints(df, path, ("Id", "AuthorUserId", "CurrentKernelVersionId", "FirstKernelVersionId"), required=False)
    _unique_ids(df, path, "kernel")
    return df


def read_kernel_versions(path: str | Path) -> pd.DataFrame:
    """KernelVersions.csv: ids and version numbers parsed, times as UTC ISO 8601."""
    path = Path(path)
    df = _read(path, VERSION_COLUMNS)
    _ints(df, path, ("Id", "ScriptId", "AuthorUserId"))
    _ints(df, path, ("VersionNumber",), required=False)
    df["timestamp"] = _times(df, path, "CreationDate")
    return df


COMPETITION_COLUMNS = ("Id", "Slug", "Title", "EvaluationAlgorithmAbbreviation", "EvaluationAlgorithmIsMax",
                       "EnabledDate", "DeadlineDate", "TotalTeams", "TotalSubmissions")
SOURCE_COLUMNS = ("KernelVersionId", "SourceCompetitionId")


def read_competitions(path: str | Path) -> pd.DataFrame:
    """Competitions.csv: one row per competition, with its evaluation metric and dates in UTC.

    A kernel version's competition (through KernelVersionCompetitionSources.csv) tells which
    metric its author was optimising, which is what a PPR change of that version is about.
    """
    path = Path(path)
    df = _read(path, COMPETITION_COLUMNS)
    _ints(df, path, ("Id",))
    _ints(df, path, ("TotalTeams", "TotalSubmissions"), required=False)
    for col in ("EnabledDate", "DeadlineDate"):
        df[col] = _times(df, path, col)
    _unique_ids(df, path, "competition")
    return df


def read_competition_sources(path: str | Path) -> pd.DataFrame:
    """KernelVersionCompetitionSources.csv: which competition's data a kernel version used."""
    path = Path(path)
    df = _read(path, SOURCE_COLUMNS)
    _ints(df, path, SOURCE_COLUMNS)
    return df


def competitions_of_versions(sources: pd.DataFrame, competitions: pd.DataFrame) -> pd.DataFrame:
    """Kernel version id -> competition slug and metric; versions whose competition is unknown are kept, empty."""
    cols = competitions.rename(columns={"Id": "SourceCompetitionId", "Slug": "competition",
                                        "EvaluationAlgorithmAbbreviation": "metric"})
    out = sources.merge(cols[["SourceCompetitionId", "competition", "metric"]], on="SourceCompetitionId", how="left")
    return out.sort_values(["KernelVersionId", "SourceCompetitionId"], kind="mergesort").reset_index(drop=True)


def read_users(path: str | Path) -> dict[int, str]:
    path = Path(path)
    df = _read(path, ("Id", "UserName"))
    _ints(df, path, ("Id",))
    return dict(zip(df["Id"].astype(int), df["UserName"]))


def code_path(code_root: str | Path, version_id: int) -> Path | None:
    """The Meta Kaggle Code file of a kernel version, or None when it is not there."""
    padded = f"{version_id:010d}"
    folder = Path(code_root) / padded[:4] / padded[4:7]
    for ext in CODE_EXTENSIONS:
        p = folder / f"{version_id}{ext}"
        if p.is_file():
            return p
    return None


def _code_reader(code_root: Path | None, version_id: int):
    def load() -> bytes:
        if code_root is None:
            raise VersionReadError("no_code", f"kernel version {version_id}: no Meta Kaggle Code folder given")
        p = code_path(code_root, version_id)
        if p is None:
            raise VersionReadError("missing_code", f"kernel version {version_id}: not in {code_root}")
        if p.suffix not in (".ipynb", ".py"):
            raise VersionReadError("not_python", f"kernel version {version_id} is an {p.suffix} (R) script")
        return p.read_bytes()

    return load


def _kind(code_root: Path | None, version_id: int) -> str:
    """`script` when the version's code file is a Python script, else `notebook` (also when absent)."""
    p = code_path(code_root, version_id) if code_root is not None else None
    return "script" if p is not None and p.suffix == ".py" else "notebook"


def join_versions(kernels: pd.DataFrame, versions: pd.DataFrame, users: dict[int, str] | None = None,
                  code_root: str | Path | None = None) -> list[Version]:
    """One `Version` per KernelVersions row whose ScriptId is a kernel in `kernels`.

    Versions without a VersionNumber are numbered after the numbered ones by creation
    time and id. A kernel whose CurrentKernelVersionId is not among its versions raises
    (the two tables do not belong together).
    """
    users = users or {}
    root = Path(code_root) if code_root is not None else None
    ks = kernels.dropna(subset=["Id"]).set_index("Id")
    joined = versions[versions["ScriptId"].isin(ks.index)]
    out = []
    for kid, group in joined.groupby("ScriptId", sort=True):
        k = ks.loc[kid]
        author = users.get(int(k["AuthorUserId"])) if pd.notna(k["AuthorUserId"]) else None
        wid = f"kaggle:{author or 'user' + str(k['AuthorUserId'])}/{k['CurrentUrlSlug']}"
        current = k["CurrentKernelVersionId"]
        if pd.notna(current) and int(current) not in set(group["Id"].astype(int)):
            raise MetaKaggleError(f"kernel {kid}: CurrentKernelVersionId {int(current)} is not among its "
                                  f"{len(group)} rows of KernelVersions.csv")
        numbered = group[group["VersionNumber"].notna()]
        top = int(numbered["VersionNumber"].max()) if len(numbered) else 0
        rest = group[group["VersionNumber"].isna()].sort_values(["timestamp", "Id"])
        numbers = {int(r.Id): int(r.VersionNumber) for r in numbered.itertuples()}
        numbers.update({int(r.Id): top + i for i, r in enumerate(rest.itertuples(), start=1)})
        for r in group.itertuples():
            n = numbers[int(r.Id)]
            kind = _kind(root, int(r.Id))
            out.append(Version(wid, n, f"{wid}@v{n}", r.timestamp, "kaggle", author=f"user{int(r.AuthorUserId)}",
                               commit=str(int(r.Id)), url=f"https://www.kaggle.com/code/{wid[7:]}?scriptVersionId={int(r.Id)}",
                               license="Apache-2.0", kind=kind, load=_code_reader(root, int(r.Id))))
    return out


def meta_kaggle_versions(folder: str | Path, code_root: str | Path | None = None) -> list[Version]:
    """Every kernel version in a Meta Kaggle download: Kernels.csv x KernelVersions.csv (+ Users.csv)."""
    folder = Path(folder)
    kernels_file = folder / "Kernels.csv" if (folder / "Kernels.csv").exists() else folder / "LocalKernels.csv"
    versions_file = folder / "KernelVersions.csv"
    if not versions_file.exists():
        raise MetaKaggleError(f"{versions_file}: not found; Kernels.csv alone names only each kernel's first "
                              "and current version, so no version sequence can be built from it")
    users = read_users(folder / "Users.csv") if (folder / "Users.csv").exists() else None
    return join_versions(read_kernels(kernels_file), read_kernel_versions(versions_file), users, code_root)


# -- the public API ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KernelMeta:
    """What a kernel's metadata says, from the API (`ApiKernelMetadata`) or a `kernel-metadata.json` file."""

    ref: str  # owner/slug
    title: str
    language: str
    kernel_type: str
    current_version: int | None
    last_run: str  # UTC ISO 8601 or ""
    data_sources: tuple[str, ...]  # datasets, competitions, kernels, models: `kind:ref`, sorted


def parse_kernel_metadata(doc: Any, where: str = "kernel metadata") -> KernelMeta:
    """Either shape of kernel metadata: the API's camelCase one or the CLI's snake_case file."""
    if not isinstance(doc, dict):
        raise InputError(f"{where}: expected a JSON object, found {type(doc).__name__}")
    ref = doc.get("ref") or doc.get("id")
    if not isinstance(ref, str) or "/" not in ref:
        raise InputError(f"{where}: no kernel reference 'owner/slug' in 'ref' or 'id' (found {ref!r})")
    sources = []
    for kind in ("dataset", "competition", "kernel", "model"):
        for key in (f"{kind}DataSources", f"{kind}_sources"):
            for s in doc.get(key) or []:
                sources.append(f"{kind}:{s}")
    version = doc.get("currentVersionNumber", doc.get("currentVersionNumberNullable", doc.get("version_number")))
    last_run = doc.get("lastRunTime") or ""
    return KernelMeta(ref, str(doc.get("title", "")), str(doc.get("language") or doc.get("languageNullable") or ""),
                      str(doc.get("kernelType") or doc.get("kernel_type") or ""),
                      int(version) if isinstance(version, (int, str)) and str(version).isdigit() else None,
                      utc_iso(last_run) if last_run else "", tuple(sorted(set(sources))))


def kaggle_credentials(env: dict[str, str] | None = None, home: Path | None = None) -> tuple[str, str] | None:
    """(username, key) from KAGGLE_USERNAME/KAGGLE_KEY, else `kaggle.json`; None when neither is set."""
    env = dict(os.environ) if env is None else env
    if env.get("KAGGLE_USERNAME") and env.get("KAGGLE_KEY"):
        return env["KAGGLE_USERNAME"], env["KAGGLE_KEY"]
    folder = Path(env["KAGGLE_CONFIG_DIR"]) if env.get("KAGGLE_CONFIG_DIR") else (home or Path.home()) / ".kaggle"
    path = folder / "kaggle.json"
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return str(doc["username"]), str(doc["key"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: expected a JSON object with 'username' and 'key'") from exc


class KaggleApi:
    """The two Kaggle API calls the version source needs, through a `PoliteClient`."""

    def __init__(self, client: PoliteClient, credentials: tuple[str, str] | None = None):
        self.client = client
        if credentials is not None:
            client.session.auth = credentials

    def list_kernels(self, user: str | None = None, competition: str | None = None, search: str | None = None,
                     page_size: int = 100, max_pages: int = 100) -> list[KernelMeta]:
        """Kernels matching the filters, page by page until a short page."""
        out: list[KernelMeta] = []
        for page in range(1, max_pages + 1):
            params = {"page": page, "pageSize": page_size, "user": user, "competition": competition, "search": search}
            params = {k: v for k, v in params.items() if v is not None}
            try:
                doc = self.client.get_json(f"{API}/kernels/list", params)
            except (HTTPClientError, ValueError) as exc:
                raise VersionReadError("api_error", f"{API}/kernels/list page {page}: {exc}") from exc
            if not isinstance(doc, list):
                raise VersionReadError("api_error", f"{API}/kernels/list page {page}: expected a JSON list")
            out += [parse_kernel_metadata(d, f"{API}/kernels/list page {page}, item {i}") for i, d in enumerate(doc)]
            if len(doc) < page_size:
                break
        return out

    def pull(self, ref: str, version: int | None = None) -> tuple[KernelMeta, bytes]:
        """A kernel's metadata and source bytes; with `version`, insists on getting that version."""
        owner, _, slug = ref.partition("/")
        params: dict[str, Any] = {"userName": owner, "kernelSlug": slug}
        if version is not None:
            params["kernelVersionNumber"] = version
        where = f"{API}/kernels/pull {ref}" + (f" v{version}" if version is not None else "")
        try:
            doc = self.client.get_json(f"{API}/kernels/pull", params)
        except (HTTPClientError, ValueError) as exc:
            raise VersionReadError("api_error", f"{where}: {exc}") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("blob"), dict):
            raise VersionReadError("api_error", f"{where}: expected an object with 'metadata' and 'blob'")
        meta = parse_kernel_metadata(doc.get("metadata") or {"ref": ref}, where)
        if version is not None and meta.current_version is not None and meta.current_version != version:
            raise VersionReadError("version_unavailable", f"{where}: the API served version {meta.current_version}")
        source = doc["blob"].get("source", doc["blob"].get("sourceNullable"))
        if not isinstance(source, str):
            raise VersionReadError("api_error", f"{where}: the blob has no source text")
        return meta, source.encode("utf-8")

    def versions(self, ref: str) -> list[Version]:
        """Versions 1..current of one kernel, each pulled on load (see the module docstring)."""
        meta, _ = self.pull(ref)
        n = meta.current_version or 1
        wid = f"kaggle:{ref}"
        return [Version(wid, k, f"{wid}@v{k}", meta.last_run if k == n else "", "kaggle-api",
                        url=f"https://www.kaggle.com/code/{ref}", license="Apache-2.0",
                        load=(lambda k=k: self.pull(ref, k)[1])) for k in range(1, n + 1)]
