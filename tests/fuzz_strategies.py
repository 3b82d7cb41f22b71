"""Hypothesis strategies for fuzzing the miner and the coding checks, with the checks each case must pass.

Shared by the quick fuzz tests in `make test` (a few hundred cases) and `bench/fuzz.py`
(10,000 and more). Notebooks are built as structures (every field given odd types and
values: huge and negative counts, lone surrogates, deep nesting, Python 2, magics) and then
as bytes (truncated, bit-flipped, spliced, not UTF-8); coder files and codebooks likewise.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import time
from pathlib import Path

import yaml
from hypothesis import strategies as st

from mliter.coding.codebook import DEFAULT_CODEBOOK, CodebookError, parse
from mliter.coding.validate import Problem, validate_file
from mliter.traces.notebooks.parse import KNOWN_LANGUAGES

LONE = ["\ud800", "\udbff", "\udc00", "\udfff", "\udcff"]
ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(LONE + ["token=ghp_abc alice@example.com", "\u2028", "\x00", "python", "R", "PYTHON3 "]),
    st.builds(lambda a, b: a + b, st.text(max_size=10), st.sampled_from(LONE)),
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                    st.floats(allow_nan=False, allow_infinity=False), ODD_TEXT)
JSONISH = st.recursive(SCALARS, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                       st.dictionaries(ODD_TEXT, kids, max_size=4)), max_leaves=12)

CODE = st.one_of(
    st.sampled_from([
        "import pandas as pd\ndf = pd.read_csv('x.csv')", "print 'hello', x", "print", "%matplotlib inline",
        "!pip install x", "%%bash\nls", "x = (" * 300 + ")" * 300, "def f(:\n  pass", "model.fit(X, y)",
        "from sklearn.svm import SVC\nclf = SVC()\nclf.fit(a, b)", "df[df.x > 0]", "?help", "a = %time f()",
        "print x" + " " * 5000 + "y z(", "[" * 150 + "]" * 150, "lambda: " * 120 + "0", "\t\tx = 1\n  y = 2",
    ]),
    st.text(max_size=200),
    ODD_TEXT,
)
SOURCE = st.one_of(CODE, st.lists(CODE, max_size=4), JSONISH)
OUTPUT = st.one_of(
    st.fixed_dictionaries({"output_type": st.sampled_from(["stream", "display_data", "execute_result", "error"]),
                           "data": st.dictionaries(ODD_TEXT, JSONISH, max_size=3),
                           "ename": ODD_TEXT, "text": ODD_TEXT}),
    JSONISH,
)
COUNT = st.one_of(st.none(), st.integers(min_value=-5, max_value=60), st.integers(min_value=-2**80, max_value=2**80),
                  st.sampled_from([2**53 - 1, 2**53, 2**63, 2**64]), st.floats(allow_nan=False), st.booleans(), ODD_TEXT)
CELL = st.one_of(
    st.fixed_dictionaries({"cell_type": st.sampled_from(["code", "code", "markdown", "raw", "other"]),
                           "execution_count": COUNT, "source": SOURCE, "metadata": st.just({}),
                           "outputs": st.one_of(st.lists(OUTPUT, max_size=3), JSONISH)}),
    JSONISH,
)
METADATA = st.one_of(
    st.fixed_dictionaries({"language_info": st.one_of(st.fixed_dictionaries({"name": st.one_of(ODD_TEXT, JSONISH)}),
                                                      JSONISH),
                           "kernelspec": st.one_of(st.fixed_dictionaries({"language": ODD_TEXT}), JSONISH)}),
    JSONISH,
)
NOTEBOOK = st.one_of(
    st.fixed_dictionaries({"nbformat": st.one_of(st.just(4), st.just(4), st.just(3), SCALARS),
                           "nbformat_minor": st.one_of(st.integers(0, 10), SCALARS),
                           "metadata": METADATA, "cells": st.one_of(st.lists(CELL, max_size=8), JSONISH)}),
    st.fixed_dictionaries({"nbformat": st.just(3), "metadata": METADATA,
                           "worksheets": st.lists(st.fixed_dictionaries({"cells": st.lists(CELL, max_size=4)}),
                                                  max_size=2)}),
    JSONISH,
)


@st.composite
def notebook_bytes(draw) -> bytes:
    """A notebook as bytes: a structure serialised, then sometimes damaged."""
    doc = draw(NOTEBOOK)
    # ensure_ascii=False writes lone surrogates raw: bytes that are not UTF-8
    data = json.dumps(doc, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    how = draw(st.sampled_from(["keep", "keep", "keep", "truncate", "flip", "splice", "latin1", "random"]))
    if how == "truncate" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif how == "flip" and data:
        i = draw(st.integers(0, len(data) - 1))
        data = data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1:]
    elif how == "splice":
        i = draw(st.integers(0, len(data)))
        data = data[:i] + draw(st.binary(max_size=20)) + data[i:]
    elif how == "latin1":
        data = data.replace(b"a", b"\xe9", 1)
    elif how == "random":
        data = draw(st.binary(max_size=200))
    return data


FILE_NAMES = st.one_of(st.just("nb"), st.text(alphabet="abcXYZ_-. é日", min_size=1, max_size=12),
                       st.binary(min_size=1, max_size=8).map(lambda b: b.replace(b"/", b"_").replace(b"\0", b"_")))


def check_mined(mined, ref, elapsed: float, hang_seconds: float) -> list[str]:
    """What is wrong with one notebook's outcome (empty when it is a clean row of one table)."""
    wrong = []
    if (mined.notebook is None) == (mined.error is None):
        wrong.append("unaccounted: neither or both of a notebook row and an error row")
    if mined.error is not None and mined.error.get("reason") in ("internal_error", "worker_lost"):
        wrong.append(f"crash: {mined.error['message']}")
    if mined.error is not None and not mined.error["message"].startswith(mined.error["local_path"] + ": "):
        wrong.append("error message does not name the file")
    if mined.notebook is not None:
        if mined.notebook["language"] not in KNOWN_LANGUAGES | {"other"}:
            wrong.append(f"language not validated: {mined.notebook['language']!r}")
        if not re.fullmatch(r"[34]\.(\d{1,3}|other)", mined.notebook["nbformat"]):
            wrong.append(f"nbformat not validated: {mined.notebook['nbformat']!r}")
    try:  # every value must be UTF-8 text (the whole batch's tables are written by `check_batch`)
        json.dumps(mined.to_json(), ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, TypeError, ValueError) as exc:
        wrong.append(f"crash: rows cannot be written ({type(exc).__name__})")
    if elapsed > hang_seconds:
        wrong.append(f"hang: {elapsed:.1f} s")
    return wrong


def check_batch(refs, results, out: Path) -> list[str]:
    """The batch's tables written and read back: every ref is in exactly one of them."""
    from mliter.traces.notebooks.schema import ERRORS, NOTEBOOKS
    from mliter.traces.notebooks.write import write_traces

    try:
        write_traces(results, out)
    except Exception as exc:  # noqa: BLE001
        return [f"crash: tables cannot be written ({type(exc).__name__}: {exc})"]
    ids = list(NOTEBOOKS.read(out).notebook_id) + list(ERRORS.read(out).notebook_id)
    expected = sorted(r.notebook_id for r in refs)
    return [] if sorted(ids) == expected else [f"unaccounted: {len(expected)} notebooks, {len(ids)} rows"]


# -- coder files and codebooks --------------------------------------------------------------------

CODEBOOK_DATA = yaml.safe_load(DEFAULT_CODEBOOK.read_text(encoding="utf-8"))
CELL_TEXT = st.one_of(st.sampled_from(["", "0", "2", "3", "10", "11", "1", "-1", "abstract", "health_medicine",
                                       "1.0", "1.2", "coder_a", "pmlr:v0/p1", "9" * 5000, "x\u2028y", "a\u0085b",
                                       "\"quoted\"", "x" * 140_000, "é", "\x00"]), st.text(max_size=30))


@st.composite
def coder_file_text(draw, columns: tuple[str, ...]) -> str:
    header = list(columns)
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    if draw(st.integers(0, 4)) == 0:
        header = header[:-1] + [draw(ODD_TEXT)]
    rows = [header] + draw(st.lists(st.lists(CELL_TEXT, min_size=len(header) - 1, max_size=len(header) + 1),
                                    max_size=5))
    buf = io.StringIO()
    csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(rows)
    text = buf.getvalue()
    if draw(st.integers(0, 5)) == 0 and text:
        text = text[: draw(st.integers(0, len(text)))]
    return text


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


ALL_PATHS = [p for p in _paths(CODEBOOK_DATA) if p]


@st.composite
def codebook_data(draw):
    """The shipped codebook with one to three values replaced by odd ones (or deleted)."""
    data = copy.deepcopy(CODEBOOK_DATA)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(ALL_PATHS))
        node = data
        try:
            for k in path[:-1]:
                node = node[k]
            if draw(st.integers(0, 3)) == 0 and isinstance(node, dict):
                node.pop(path[-1], None)
            else:
                node[path[-1]] = draw(st.one_of(JSONISH, st.sampled_from(["([a-z", "1.1", "", "ten", 0, -3])))
        except (KeyError, IndexError, TypeError):
            continue
    return data


def check_codebook(data) -> tuple[object, list[str]]:
    """(codebook or None, what is wrong): parse raises CodebookError naming the source, or succeeds."""
    try:
        return parse(data, "fuzz.codebook.yaml"), []
    except CodebookError as exc:
        return None, [] if str(exc).startswith("fuzz.codebook.yaml") else [f"error does not name the file: {exc}"]
    except Exception as exc:  # noqa: BLE001
        return None, [f"crash: {type(exc).__name__}: {exc}"]


def check_coder_file(path: Path, codebook, hang_seconds: float = 10.0) -> list[str]:
    t0 = time.perf_counter()
    try:
        problems = validate_file(path, codebook, {"pmlr:v0/p1", "pmlr:v0/p2"})
    except Exception as exc:  # noqa: BLE001
        return [f"crash: {type(exc).__name__}: {exc}"]
    wrong = []
    for p in problems:
        if not isinstance(p, Problem) or not str(p).startswith(str(path)):
            wrong.append(f"problem does not name the file: {p}")
        if len(str(p)) > 2000:
            wrong.append("problem message of more than 2000 characters")
    if time.perf_counter() - t0 > hang_seconds:
        wrong.append("hang")
    return wrong
