"""Declared tables of `corpus/` (manifests of captured material)."""

from mliter.tables import Column, Table

NOTEBOOK_MANIFEST = Table(
    name="notebook_manifest",
    path="corpus/notebooks.csv",
    title="Notebook manifest",
    description="Every notebook given to the trace miner, with where it came from. No notebook content.",
    columns=(
        Column("notebook_id", "string", "Stable id: git:<owner>/<repo>/<path> or file:<relative path>.", required=True, unique=True),
        Column("source", "string", "Where the notebook was captured from.", required=True, enum=("github", "file", "kaggle")),
        Column("repo", "string", "GitHub owner/name of the source repository."),
        Column("path", "string", "Path of the notebook inside the repository at `commit`."),
        Column("commit", "string", "Git commit the file was taken from (40 hex digits)."),
        Column("url", "string", "Permanent URL of the file at that commit.", ),
        Column("license", "string", "License of the source repository as recorded at capture (may be none)."),
        Column("local_path", "string", "Path relative to the notebooks folder the miner read."),
        Column("bytes", "integer", "File size.", unit="bytes", required=True, minimum=0),
        Column("sha256", "string", "SHA-256 of the file's bytes, to verify a local copy.", required=True),
    ),
    primary_key=("notebook_id",),
)

GIT_SERIES_MANIFEST = Table(
    name="notebook_versions_round2",
    path="corpus/notebook_versions_round2.csv",
    title="Fresh version series from git histories (round-2 held-out)",
    description=("Every version of the version series `mliter corpus versions-from-git` chose by its mechanical "
                 "rule from the git history of the held-out-half repositories (issue 7, round 2). The notebooks "
                 "are kept outside the repository (notebook_versions_round2/); this is where each came from. "
                 "No notebook content."),
    columns=(
        Column("local_path", "string", "<owner>__<repo>/<stem>/vNN_<sha7>.ipynb inside notebook_versions_round2/.",
               required=True, unique=True),
        Column("repo", "string", "GitHub owner/name.", required=True),
        Column("path_at_head", "string", "The notebook's path at the mirror's HEAD (the series).", required=True),
        Column("path_at_commit", "string", "Its path at `commit` (differs where git followed a rename).", required=True),
        Column("commit", "string", "The commit that first introduced this blob (40 hex digits).", required=True),
        Column("commit_time_utc", "string", "Committer time of `commit`, UTC."),
        Column("version_index", "integer", "NN: position among the versions kept.", required=True, minimum=1),
        Column("blob", "string", "Git blob id of the file.", required=True),
        Column("sha256", "string", "SHA-256 of the file's bytes.", required=True),
        Column("bytes", "integer", "File size.", unit="bytes", required=True, minimum=0),
        Column("url", "string", "raw.githubusercontent.com URL of the file at `commit`.", required=True),
        Column("license", "string", "License file at the repository root at HEAD (may be none)."),
    ),
    primary_key=("local_path",),
)

TABLES = [NOTEBOOK_MANIFEST, GIT_SERIES_MANIFEST]
