"""Integration over ../shared/data/notebooks: every notebook mined, tables current, nothing leaked."""

import json
import re
import subprocess

import pytest

from mliter.corpus.notebooks import discover, manifest_frame
from mliter.corpus.schema import NOTEBOOK_MANIFEST
from mliter.paths import ROOT
from mliter.traces.notebooks.mine import digest_rules, mine_batch
from mliter.traces.notebooks.schema import CELLS, ERRORS, NOTEBOOKS, STAGE_SUMMARY
from mliter.traces.notebooks.stages import DEFAULT_RULES, StageRules
from mliter.traces.notebooks.write import trace_frames


@pytest.fixture(scope="module")
def notebooks(shared):
    return shared / "notebooks"


@pytest.fixture(scope="module")
def mined(notebooks):
    refs = discover([ROOT / "corpus" / "notebooks.csv"], root=notebooks)
    return refs, mine_batch(refs, StageRules.from_csv(DEFAULT_RULES), digest_rules(DEFAULT_RULES), progress=False)


def test_all_notebooks_mined_without_crash(mined):
    refs, results = mined
    assert len(refs) == 300
    frames = trace_frames(results)
    mined_ids = set(frames[NOTEBOOKS.name].notebook_id)
    error_ids = set(frames[ERRORS.name].notebook_id)
    assert mined_ids | error_ids == {r.notebook_id for r in refs} and not mined_ids & error_ids
    assert "internal_error" not in set(frames[ERRORS.name].reason)


def test_shipped_tables_are_what_the_miner_produces(mined):
    """Re-mining gives the committed tables byte for byte: deterministic, and up to date."""
    _, results = mined
    frames = trace_frames(results)
    for table in (NOTEBOOKS, CELLS, STAGE_SUMMARY, ERRORS):
        assert table.to_csv_bytes(frames[table.name]) == (ROOT / table.path).read_bytes(), \
            f"{table.path} is stale: run `make traces`"


def test_manifest_is_current(notebooks):
    fresh = manifest_frame(discover([notebooks]))
    assert NOTEBOOK_MANIFEST.to_csv_bytes(fresh) == (ROOT / NOTEBOOK_MANIFEST.path).read_bytes()


def _notebook_texts(notebooks):
    """Every line of code and of text output in the shared notebooks (stripped)."""
    lines = set()
    for path in notebooks.rglob("*.ipynb"):
        try:
            nb = json.loads(path.read_bytes())
        except ValueError:
            continue
        for cell in nb.get("cells", []):
            chunks = [cell.get("source", "")]
            for out in cell.get("outputs", []):
                chunks.append(out.get("text", ""))
                chunks.extend(v for k, v in out.get("data", {}).items() if k.startswith("text/"))
            for chunk in chunks:
                text = "".join(chunk) if isinstance(chunk, list) else str(chunk)
                lines.update(ln.strip() for ln in text.splitlines())
    return lines


PROVENANCE_FIELD = re.compile(r"^(git:|file:|https?://|[0-9a-f]{40,64}$)")
IDENTIFIER = re.compile(r"^[\w./:@+-]+$")  # module names, API names, repo names: derived identifiers


#: A field of at least LONG characters that occurs inside any notebook line is a leak. To avoid scanning the
#: whole text once per field, the text's GRAM-character pieces starting at every STEP-th position are indexed:
#: a substring of length >= STEP + GRAM - 1 always contains one of them whole (at an offset below STEP), so a
#: field none of whose pieces is indexed cannot occur; the rest are checked with `in`.
LONG, GRAM, STEP = 30, 16, 15


def _gram_index(haystack: str) -> set[str]:
    return {haystack[i:i + GRAM] for i in range(0, len(haystack) - GRAM + 1, STEP)}


def _occurs(field: str, haystack: str, grams: set[str]) -> bool:
    return any(field[o:o + GRAM] in grams for o in range(STEP)) and field in haystack


def test_gram_index_finds_every_long_substring():
    hay = "".join(chr(97 + (i * 7919) % 26) for i in range(2000))
    grams = _gram_index(hay)
    for start in range(0, len(hay) - LONG, 37):
        assert _occurs(hay[start:start + LONG + start % 9], hay, grams)
    assert not _occurs("z" * LONG, hay, grams)


def test_no_code_or_output_text_in_shipped_files(notebooks):
    texts = {ln for ln in _notebook_texts(notebooks) if len(ln) >= 25}
    haystack = "\n".join(texts)
    grams = _gram_index(haystack)
    tracked = subprocess.run(["git", "ls-files", "corpus", "traces", "figures", "coding"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    leaks = []
    for rel in tracked:
        if not rel.endswith((".csv", ".md", ".tex", ".json", ".tsv")):
            continue
        content = (ROOT / rel).read_text(encoding="utf-8")
        fields = {f.strip() for f in re.split(r'[\n,;|\t"]', content)}
        fields = {f for f in fields if not IDENTIFIER.match(f)}
        leaks += [(rel, f) for f in fields & texts]
        leaks += [(rel, f) for f in fields
                  if len(f) >= LONG and not PROVENANCE_FIELD.match(f) and _occurs(f, haystack, grams)]
    assert not leaks, leaks[:10]
