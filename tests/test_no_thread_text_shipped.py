"""No thread text and no username in any shipped file.

Scans every tracked table-like file of the repository (CSV/TSV/JSON/Markdown/TeX/YAML/QDC
under corpus/, coding/, traces/, figures/, docs/, plus datapackage.json) for (a) any run of
eight consecutive words of a staged thread excerpt or title and (b) any GitHub account name
shown in an excerpt, as a whole token (repository owners excepted: they are part of every
thread URL and id, which the study ships by design). A repository the fresh rounds list in a `repo` column of
corpus/repos_round*.csv (a public repository chosen or screened as material, named by owner/name) is removed from
the text before the scan, so an account that owns such a repository is still caught anywhere else. The corpus is
shared data, so the test needs it.
"""

import csv
import re
import subprocess

import pytest

from mliter.coding.validate import _words
from mliter.corpus.threads.staged import read_staged

pytestmark = pytest.mark.integration
RUN = 8
URL = re.compile(r"https?://\S+")
SUFFIXES = (".csv", ".tsv", ".json", ".md", ".tex", ".yaml", ".yml", ".qdc", ".txt")
FOLDERS = ("corpus/", "coding/", "traces/", "figures/", "docs/", "datapackage.json")
#: Account names that are also ordinary words or tool names used in our own prose and tables.
COMMON = {"github", "pycaret", "automl", "autokeras", "ludwig", "mljar", "flaml", "tpot", "nni", "h2o"}


def shipped_files(root):
    out = subprocess.run(["git", "ls-files", *FOLDERS], cwd=root, capture_output=True, text=True, check=True).stdout
    files = [root / p for p in out.splitlines() if p.endswith(SUFFIXES)]
    # coder files appear before they are committed: scan them too
    files += [p for p in (root / "coding/threads").rglob("*.csv") if p not in files]
    return [p for p in files if p.exists()]


def test_no_excerpt_text_and_no_username_in_shipped_files(shared, repo_root):
    recs = read_staged(shared / "automl_threads/automl_threads.jsonl")
    grams = set()
    for r in recs:
        for text in (r.excerpt, r.title):
            w = _words(URL.sub(" ", text))  # URLs are shipped on purpose (they identify threads)
            grams.update(tuple(w[i:i + RUN]) for i in range(len(w) - RUN + 1))
    # repository owners appear in every shipped URL and id by design; they are not participants
    owners = {r.repo.split("/")[0].lower() for r in recs}
    accounts = {a.lower() for r in recs for a in r.accounts() if len(a) >= 4} - COMMON - owners
    assert len(grams) > 10_000 and len(accounts) > 200
    screened = sorted({row["repo"] for table in sorted((repo_root / "corpus").glob("repos_round*.csv"))
                       for row in csv.DictReader(open(table, newline="", encoding="utf-8"))}, key=len, reverse=True)
    hits = []
    for path in shipped_files(repo_root):
        text = path.read_text(encoding="utf-8", errors="replace")
        for repo in screened:  # material repositories by name, not participants (module docstring)
            text = text.replace(repo, " ")
        w = _words(text)
        copied = next((" ".join(w[i:i + RUN]) for i in range(len(w) - RUN + 1) if tuple(w[i:i + RUN]) in grams), None)
        if copied:
            hits.append(f"{path.relative_to(repo_root)}: excerpt text '{copied}'")
        tokens = {t.lower() for t in re.findall(r"[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9]|[A-Za-z0-9]", text)}
        names = sorted(tokens & accounts)
        if names:
            hits.append(f"{path.relative_to(repo_root)}: usernames {names[:5]}")
    assert not hits, "\n".join(hits)


def test_the_scan_finds_what_it_looks_for(shared, tmp_path):
    recs = read_staged(shared / "automl_threads/automl_threads.jsonl")
    r = next(x for x in recs if x.opener()[1] == "description")
    leaked = " ".join(_words(r.excerpt)[40:52])
    grams = set()
    w = _words(r.excerpt)
    grams.update(tuple(w[i:i + RUN]) for i in range(len(w) - RUN + 1))
    lw = _words(f"a,b,{leaked}\n")
    assert any(tuple(lw[i:i + RUN]) in grams for i in range(len(lw) - RUN + 1))
