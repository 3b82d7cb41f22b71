"""The API catalogue (`coding/api_catalogue.csv`), compiled once into dict lookups.

Each row names a library, an API pattern, its role in a workflow and the stage of a cell that
uses it for its product:

- `pandas.read_csv`: a fully qualified callable (after import aliases are resolved);
- `sklearn.ensemble.*`, `transformers.*For*`: `*` matches any text, dots included, as in a glob;
- `.head`, `.suggest_*`: a method called on a value whose type static analysis does not know.

Roles: load, save, display, plot, transform, split, construct model, fit, predict, tune, metric,
explain, serve. Star imports of a catalogued module resolve through `star_name` (`from
fastai.vision.all import *` makes `vision_learner` name `fastai.vision_learner`).

Why compiled: the trace miner looks up tens of thousands of call names per corpus. Exact
patterns go in a dict; a wildcard pattern is filed under its literal head cut at the last dot
(`sklearn.ensemble.`), so a lookup tries only the heads that are dotted prefixes of the name
(a handful of dict probes), and every answer is memoised. Nothing is scanned per call.
A name inside a library also matches by library and last component (`transformers.models.bert.
modeling_bert.BertModel` is looked up as `transformers.BertModel` when the full name misses),
since libraries re-export their classes at the top.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mliter.errors import MliterError
from mliter.paths import CODING

DEFAULT_CATALOGUE = CODING / "api_catalogue.csv"
ROLES = ("load", "save", "display", "plot", "transform", "split", "construct model", "fit", "predict",
         "tune", "metric", "explain", "serve")
STAGES = ("setup", "load", "EDA", "DPR", "LI", "PPR", "other")
#: Roles whose calls only show something: a statement made of them defines nothing for later.
DISPLAY_ROLES = frozenset({"display", "plot"})
#: Roles of a call whose value, when a statement is the call alone, is shown rather than kept.
SHOWN_ROLES = frozenset({"load", "transform", "split", "metric", "explain", "predict"})
#: Roles that make or use a model (the signature's model operators) and pre-processing operators.
MODEL_ROLES = frozenset({"construct model", "fit", "tune"})
PREPROCESSING_ROLES = frozenset({"transform", "split"})


_MISS = object()


class CatalogueError(MliterError, ValueError):
    """A malformed catalogue row; the message names the file and row."""


@dataclass(frozen=True)
class Entry:
    library: str
    pattern: str
    role: str
    stage: str


def _glob_regex(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if ch == "*" else re.escape(ch) for ch in pattern) + r"\Z")


class Catalogue:
    """The compiled catalogue: `call(qualified)` and `method(name)` return an `Entry` or None."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self._exact: dict[str, Entry] = {}
        self._wild: dict[str, list[tuple[re.Pattern[str], Entry]]] = {}
        self._method_exact: dict[str, Entry] = {}
        self._method_wild: list[tuple[re.Pattern[str], Entry]] = []
        self.libraries: set[str] = set()  # top-level module names the catalogue covers
        for e in entries:
            if e.pattern.startswith("."):
                name = e.pattern[1:]
                if "*" in name:
                    self._method_wild.append((_glob_regex(name), e))
                else:
                    self._method_exact.setdefault(name, e)
                continue
            self.libraries.add(e.pattern.split(".", 1)[0])
            if "*" not in e.pattern:
                self._exact.setdefault(e.pattern, e)
            else:
                head = e.pattern[: e.pattern.index("*")]
                head = head[: head.rfind(".") + 1]
                self._wild.setdefault(head, []).append((_glob_regex(e.pattern), e))
        self._memo: dict[str, Entry | None] = {}
        self._mmemo: dict[str, Entry | None] = {}

    @classmethod
    def from_csv(cls, path: str | Path = DEFAULT_CATALOGUE) -> "Catalogue":
        entries = []
        try:
            fh = open(path, newline="", encoding="utf-8")
        except OSError as exc:
            raise CatalogueError(f"{path}: cannot read the API catalogue ({exc})") from exc
        with fh:
            reader = csv.DictReader(fh)
            need = ["library", "pattern", "role", "stage"]
            if reader.fieldnames != need:
                raise CatalogueError(f"{path}: header must be {','.join(need)}, found {reader.fieldnames}")
            for n, row in enumerate(reader, 2):
                if None in row or any(v is None or not v.strip() for v in row.values()):
                    raise CatalogueError(f"{path}, row {n}: four non-empty fields expected")
                if row["role"] not in ROLES:
                    raise CatalogueError(f"{path}, row {n}: role {row['role']!r} is not one of {', '.join(ROLES)}")
                if row["stage"] not in STAGES:
                    raise CatalogueError(f"{path}, row {n}: stage {row['stage']!r} is not one of {', '.join(STAGES)}")
                entries.append(Entry(row["library"], row["pattern"], row["role"], row["stage"]))
        return cls(entries)

    def _lookup(self, name: str) -> Entry | None:
        hit = self._exact.get(name)
        if hit is not None:
            return hit
        best = None
        pos = name.find(".")
        heads = [""]
        while pos != -1:
            heads.append(name[: pos + 1])
            pos = name.find(".", pos + 1)
        for head in reversed(heads):  # longest head first: the most specific pattern
            for rx, e in self._wild.get(head, ()):
                if rx.match(name):
                    return e
        return best

    def call(self, qualified: str) -> Entry | None:
        """The entry of a resolved callable, or None."""
        hit = self._memo.get(qualified, _MISS)
        if hit is _MISS:
            hit = self._lookup(qualified)
            if hit is None and qualified.count(".") > 1:
                top, _, rest = qualified.partition(".")
                hit = self._lookup(f"{top}.{rest.rsplit('.', 1)[-1]}")
            self._memo[qualified] = hit
        return hit

    def method(self, name: str) -> Entry | None:
        """The entry of a method name called on a value of unknown type, or None."""
        hit = self._mmemo.get(name, _MISS)
        if hit is _MISS:
            hit = self._method_exact.get(name)
            if hit is None:
                hit = next((e for rx, e in self._method_wild if rx.match(name)), None)
            self._mmemo[name] = hit
        return hit

    def star_name(self, module: str, name: str) -> str | None:
        """The qualified name a star import of `module` gives `name`, when the catalogue knows it."""
        if module.split(".", 1)[0] not in self.libraries:
            return None
        for q in (f"{module}.{name}", f"{module.split('.', 1)[0]}.{name}"):
            if self.call(q) is not None:
                return q
        return None


@lru_cache(maxsize=4)
def default_catalogue(path: str = str(DEFAULT_CATALOGUE)) -> Catalogue:
    return Catalogue.from_csv(path)
