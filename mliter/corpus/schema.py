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

TABLES = [NOTEBOOK_MANIFEST]
