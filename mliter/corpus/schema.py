"""Declared tables of `corpus/` (manifests of captured material)."""

from dataclasses import replace

from mliter.corpus.rounds import FRAMES_AHEAD, FRESH_ROUNDS, ROUND3, ROUND4, FreshRound
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

# Columns every git-material manifest has (where a file came from and how to verify it).
_REPO = Column("repo", "string", "GitHub owner/name.", required=True)
_BLOB = Column("blob", "string", "Git blob id of the file.", required=True)
_SHA256 = Column("sha256", "string", "SHA-256 of the file's bytes.", required=True)
_BYTES = Column("bytes", "integer", "File size.", unit="bytes", required=True, minimum=0)
_URL = Column("url", "string", "raw.githubusercontent.com URL of the file at `commit`.", required=True)
_LICENSE = Column("license", "string", "License file at the repository root at HEAD (may be none).")

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
        _REPO,
        Column("path_at_head", "string", "The notebook's path at the mirror's HEAD (the series).", required=True),
        Column("path_at_commit", "string", "Its path at `commit` (differs where git followed a rename).", required=True),
        Column("commit", "string", "The commit that first introduced this blob (40 hex digits).", required=True),
        Column("commit_time_utc", "string", "Committer time of `commit`, UTC."),
        Column("version_index", "integer", "NN: position among the versions kept.", required=True, minimum=1),
        _BLOB, _SHA256, _BYTES, _URL, _LICENSE,
    ),
    primary_key=("local_path",),
)

def fresh_tables(rnd: FreshRound) -> list[Table]:
    """The corpus tables of a fresh round (mliter.corpus.rounds): its version series, its notebooks at a
    pinned commit, and its screened candidate repositories."""
    n, name = rnd.number, rnd.name
    series = Table(
        name=f"notebook_versions_{name}",
        path=rnd.versions_manifest.as_posix(),
        title=f"Fresh version series from git histories (round-{n} held-out, fresh repositories)",
        description=("Every version of the version series `mliter corpus versions-from-git` chose by its mechanical "
                     f"rule from the git history of the repositories chosen in {rnd.repos_table.as_posix()} (issue 7, "
                     f"round {n}). The notebooks are kept outside the repository ({rnd.versions_source}/); this is "
                     "where each came from. No notebook content."),
        columns=tuple(replace(c, description=c.description.replace("round2", name)) for c in GIT_SERIES_MANIFEST.columns),
        primary_key=("local_path",),
    )
    heads = Table(
        name=f"notebooks_{name}",
        path=rnd.notebooks_manifest.as_posix(),
        title=f"Fresh notebooks at a pinned commit (round-{n} held-out, fresh repositories)",
        description=("The notebooks `mliter corpus notebooks-from-git` chose by its mechanical rule (5 per repository, "
                     "seeded order, ML import, at least 4 non-blank code cells) at the HEAD commit of each repository "
                     f"chosen in {rnd.repos_table.as_posix()}. Kept outside the repository ({rnd.notebooks_source}/). "
                     "No content."),
        columns=(
            Column("local_path", "string", f"<owner>__<repo>/<path> inside {rnd.notebooks_source}/.", required=True,
                   unique=True),
            _REPO,
            Column("repo_path", "string", "Path of the notebook in the repository.", required=True),
            Column("commit", "string", "The pinned commit (40 hex digits).", required=True),
            _BLOB, _SHA256, _BYTES,
            Column("n_code_cells", "integer", "Code cells (blank ones included).", required=True, minimum=0),
            _URL, _LICENSE,
        ),
        primary_key=("local_path",),
    )
    repos = Table(
        name=f"repos_{name}",
        path=rnd.repos_table.as_posix(),
        title=f"Candidate repositories of round {n} and why each was or was not chosen",
        description=(f"Every candidate repository of the round-{n} fresh sample, in the order written down before any "
                     "was looked at, screened by `mliter corpus screen-repos` (rule: docs/trace-validity.md, "
                     f"\"Round {n}\"): its counts at HEAD, the reasons it was not eligible, and whether it was chosen "
                     "(the first two eligible of each kind)."),
        columns=(
            Column("order", "integer", "Position in the candidate list.", required=True, unique=True, minimum=1),
            Column("kind", "string", "Kind of work read from the candidate's notebooks (repo_screen.kind_by_imports; "
                   "`unread`: never read)." if rnd.kinds_read else "Kind of work the candidate was listed for.",
                   required=True, enum=rnd.kinds + (("unread",) if rnd.kinds_read else ())),
            Column("repo", "string", "GitHub owner/name.", required=True, unique=True),
            Column("head_commit", "string", "HEAD of the mirror screened (empty without a mirror)."),
            Column("licence", "string", "License files at the root of HEAD (';'-joined)."),
            Column("head_nb", "integer", "Notebooks at HEAD.", minimum=0),
            *((Column("kind_nb", "string", "Per kind (after the first), the ML notebooks importing one of its "
                      "libraries (`kind:count`, ';'-joined; repo_screen.KIND_IMPORTS)."),) if rnd.kinds_read else ()),
            Column("ml_nb", "integer", "Notebooks at HEAD (<= 1.5 MB, nbformat 4) importing an ML library.", minimum=0),
            Column("nb_touched3", "integer", "Notebooks at HEAD touched by at least 3 commits.", minimum=0),
            Column("commits", "integer", "Commits reachable from HEAD.", minimum=0),
            Column("why", "string", "`eligible`, or why not.", required=True),
            Column("chosen", "string", "Chosen for the sample.", required=True, enum=("yes", "no")),
        ),
        primary_key=("repo",),
    )
    if not rnd.kinds_read:
        return [series, heads, repos]
    return [series, heads, repos, frame_table(n)]


def frame_table(n: int) -> Table:
    """Round `n`'s candidate frame (round 9 on: names only, kinds read at screening), declared from the commit that
    writes it, before the round is (`mliter.corpus.rounds.FRAMES_AHEAD`)."""
    name = f"round{n}"
    return Table(
        name=f"frame_{name}",
        path=f"coding/labels/{name}/frame.csv",
        title=f"Candidate frame of round {n}, committed before any candidate was screened",
        description=(f"The listing the round-{n} candidates came from (coding/labels/{name}/README.md): repository "
                     "names from the tool library's index of GitHub repositories, the query each came from and its "
                     "rank there, exclusion tables applied, in the seeded order the screening visits them. Names "
                     "only; kinds are read at screening."),
        columns=(
            Column("order", "integer", "Position in the frame (the screening's order).", required=True, unique=True,
                   minimum=1),
            Column("repo", "string", "GitHub owner/name.", required=True, unique=True),
            Column("query", "string", "The listing query (`attempt:<kind>`: a further list, see the README).",
                   required=True),
            Column("rank", "integer", "Rank in that listing.", required=True, minimum=1),
        ),
        primary_key=("repo",),
    )


#: Kinds of work the round-3 candidate repositories were listed for (also the `group` of the round-3 cells).
ROUND3_KINDS = ROUND3.kinds
#: The same for round 4.
ROUND4_KINDS = ROUND4.kinds

TABLES = [NOTEBOOK_MANIFEST, GIT_SERIES_MANIFEST, *(t for r in FRESH_ROUNDS.values() for t in fresh_tables(r)),
          *(frame_table(n) for n in FRAMES_AHEAD)]
