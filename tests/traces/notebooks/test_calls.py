"""Constant propagation of `mliter.traces.notebooks.calls.const_value`: what it can tell and what it refuses."""

from __future__ import annotations

import ast

import pytest

from mliter.traces.notebooks.calls import _literal, const_value


def value(expr: str, **literals):
    return const_value(ast.parse(expr, mode="eval").body, dict(literals))


def test_items_of_known_containers_are_known():
    assert value("d['epochs']", d={"epochs": 5, "lr": 0.1}) == 5
    assert value("sizes[1]", sizes=[32, 64]) == 64
    assert value("{'a': 1, 'b': 2}['b']") == 2
    assert value("(3, 4)[k]", k=0) == 3


@pytest.mark.parametrize("expr", ["d['missing']", "sizes[5]", "sizes['a']", "sizes[1:]", "x[0]", "d[x]"])
def test_items_it_cannot_tell_are_no_constants(expr):
    ok, _ = _literal(ast.parse(expr, mode="eval").body, {"d": {"a": 1}, "sizes": [1, 2]})
    assert not ok
