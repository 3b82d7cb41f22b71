"""The learned coder's context features (round 7): what a notebook's markdown and stored outputs say about a
code cell, read statically; absent when the notebook has neither; bounded; the same under other hash seeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from mliter.paths import ROOT
from mliter.traces.notebooks.learned import MAX_WORDS, OPEN_PREFIXES, context_features
from mliter.traces.notebooks.parse import parse_notebook


def _nb(cells) -> bytes:
    out = []
    for kind, src, *outputs in cells:
        c = {"cell_type": kind, "source": src, "metadata": {}}
        if kind == "code":
            c.update(outputs=outputs[0] if outputs else [], execution_count=None)
        out.append(c)
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": out}).encode()


NB = _nb([
    ("markdown", "# Training the model\nWe fit a forest."),
    ("code", "clf.fit(X, y)", [{"output_type": "stream", "name": "stdout", "text": ["epoch 1 loss 0.3\n", "done"]}]),
    ("code", "df.head()", [{"output_type": "execute_result", "execution_count": 2,
                            "data": {"text/html": "<table><tr><td>1</td></tr></table>", "text/plain": "   a\n0  1"}}]),
    ("markdown", "<h2>Evaluation</h2>"),
    ("code", "plt.plot(h)", [{"output_type": "display_data", "data": {"image/png": "AAAA"}},
                             {"output_type": "error", "ename": "ValueError", "evalue": "x", "traceback": []}]),
    ("code", "x = 1"),
])


def feats(data: bytes, families=("md", "out")):
    return context_features(parse_notebook(data).cells, families)


def test_markdown_above_a_cell_gives_its_heading_words_and_position():
    f = feats(NB, ("md",))
    assert len(f) == 4  # one list per code cell
    assert {"md:h:training", "md:h:the", "md:h:model", "md:direct", "md:w:we", "md:w:fit", "md:under:1"} <= set(f[0])
    assert "md:direct" not in f[1] and "md:under:2" in f[1] and "md:h:training" in f[1]
    assert {"md:h:evaluation", "md:under:1", "md:direct"} <= set(f[2])  # an HTML heading starts a new section
    assert "md:under:2" in f[3] and not any(x.startswith("out:") for x in f[3])


def test_stored_outputs_give_types_mime_types_and_words():
    f = feats(NB, ("out",))
    assert {"out:type:stream", "out:w:epoch", "out:w:loss", "out:w:done"} <= set(f[0])
    assert not any(x[6:].isdigit() for x in f[0])  # no digits: scores and sizes are not words
    assert {"out:type:execute_result", "out:kind:execute_result:text/html", "out:table"} <= set(f[1])
    assert {"out:kind:display_data:image/png", "out:type:error"} <= set(f[2])
    assert f[3] == ["out:none"]


def test_notebooks_without_markdown_or_outputs_still_work():
    bare = _nb([("code", "import pandas as pd"), ("code", "df = pd.read_csv('a.csv')")])
    assert feats(bare) == [["md:nb_none", "out:nb_none"]] * 2
    assert feats(_nb([])) == []
    odd = _nb([("markdown", "plain text, no heading"), ("code", "x = 1", ["not a dict", {"output_type": 3}])])
    assert feats(odd) == [["md:none", "md:direct", "md:w:plain", "md:w:text", "md:w:no", "md:w:heading",
                           "out:type:unknown"]]


def test_the_work_is_bounded_and_the_word_features_are_open():
    long = _nb([("markdown", "# " + " ".join(f"w{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}" for i in range(5000))),
                ("code", "x", [{"output_type": "stream", "name": "stdout", "text": "word " * 100000}])])
    (f,) = feats(long)
    assert sum(x.startswith("md:h:") for x in f) == MAX_WORDS
    assert [x for x in f if x.startswith("out:w:")] == ["out:w:word"]
    assert all(x.startswith(OPEN_PREFIXES) for x in f if x.startswith(("md:h:", "md:w:", "out:w:", "out:kind:")))


def test_the_same_features_under_other_hash_seeds(tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_bytes(NB)
    code = ("import sys; from mliter.traces.notebooks.learned import context_features;"
            "from mliter.traces.notebooks.parse import parse_notebook;"
            "print(context_features(parse_notebook(open(sys.argv[1], 'rb').read()).cells))")
    outs = {subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}).stdout
            for seed in ("0", "7")}
    assert len(outs) == 1


def test_the_miner_gives_the_learned_coder_the_outputs_and_an_output_can_decide(tmp_path):
    """Two notebooks with the same code, one whose cell shows a table: the features the miner makes differ by the
    kept family (`out`), and a coefficient table that weighs `out:table` (made here, not the shipped one) codes
    the two cells differently. Before round 7 the miner gave the coder nothing of the outputs."""
    import mliter.traces.notebooks.mine as mine
    from mliter.traces.notebooks.learned import CLASSES, CONTEXT_FAMILIES, StageCoder
    from mliter.traces.notebooks.stages import StageRules

    assert CONTEXT_FAMILIES == ("out",)  # round 7's keep rule kept the outputs, not the markdown
    rules = StageRules.from_csv()
    shown = [{"output_type": "execute_result", "execution_count": 1,
              "data": {"text/html": "<table></table>", "text/plain": "a table"}}]
    with_out = _nb([("markdown", "# Look"), ("code", "df", shown)])
    without = _nb([("markdown", "# Look"), ("code", "df")])
    f_with = mine.mine_bytes("a", with_out, rules, coder=None, keep_features=True).features[0]
    f_without = mine.mine_bytes("b", without, rules, coder=None, keep_features=True).features[0]
    assert {"out:table", "out:type:execute_result", "out:kind:execute_result:text/html", "out:w:table"} <= set(f_with)
    assert "out:nb_none" in f_without and not any(x.startswith("out:") and x != "out:nb_none" for x in f_without)
    assert not any(x.startswith("md:") for x in f_with)  # the markdown family was dropped
    eda = [0.0] * len(CLASSES)
    eda[CLASSES.index("EDA")] = 50.0
    coder = StageCoder(["out:table"], [eda], [0.0] * len(CLASSES))
    a = mine.mine_bytes("a", with_out, rules, coder=coder).cells[0]["stage_learned"]
    b = mine.mine_bytes("b", without, rules, coder=coder).cells[0]["stage_learned"]
    assert a == "EDA" and b != "EDA"


def test_mining_filters_open_output_words_to_the_table(tmp_path):
    """At mining time an output word the table lacks is not emitted (it would weigh nothing): the scores are the
    same, and the open-token set of a table holds its `out:w:` / `out:kind:` rows."""
    from mliter.traces.notebooks.learned import StageCoder

    coder = StageCoder(["out:w:loss", "api:fn:fit", "out:none"], [[0.0] * 7] * 3, [0.0] * 7)
    assert coder.open_tokens == frozenset({"out:w:loss", "api:fn:fit"})
