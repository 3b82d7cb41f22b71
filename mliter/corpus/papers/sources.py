"""The list of sources the shipped corpus is built from: `corpus/papers_sources.txt`.

One source per line (`#` starts a comment):

* a path to a local source (a PMLR volume folder or a response file), relative to
  the shared material folder (`mliter.paths.shared_data()`) unless absolute;
* a fetch: `pmlr-volume v250`, `arxiv-query <search_query>`, `s2-query <query>` or
  `openalex-search <query>`, run through the polite client (its on-disk cache makes
  a rebuild repeat the same bytes without going online again).

Extending the corpus means adding a line and rerunning `mliter corpus papers`; the
list is versioned next to the table it produces, so the table can always be rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from mliter.corpus.papers.load import parse_path
from mliter.corpus.papers.record import Paper, RecordError, report

SOURCE_LIST = "corpus/papers_sources.txt"
FETCH_KINDS = ("pmlr-volume", "arxiv-query", "s2-query", "openalex-search")


@dataclass(frozen=True)
class SourceSpec:
    """One line of the source list: `kind` is 'path' or one of FETCH_KINDS."""

    kind: str
    value: str
    file: str
    line: int


def parse_source_list(text: str, file: object = SOURCE_LIST) -> list[SourceSpec]:
    specs = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith(FETCH_KINDS) else raw.strip()
        if not line:
            continue
        kind, _, rest = line.partition(" ")
        if kind in FETCH_KINDS:
            if not rest.strip():
                raise RecordError(file, f"line {n}", f"{kind} needs a value, e.g. '{kind} ...'")
            specs.append(SourceSpec(kind, rest.strip(), str(file), n))
        else:
            specs.append(SourceSpec("path", line, str(file), n))
    return specs


def read_source_list(path: str | Path) -> list[SourceSpec]:
    path = Path(path)
    return parse_source_list(path.read_text(encoding="utf-8"), path)


def collect(specs: list[SourceSpec], shared_root: str | Path | None = None,
            client_factory: Callable[[], object] | None = None,
            errors: list[RecordError] | None = None) -> list[Paper]:
    """Records of every listed source, in list order (not deduplicated).

    `client_factory` makes the PoliteClient for fetch lines (created on first use);
    problems are raised, or recorded in `errors` while the rest continues.
    """
    from mliter.paths import shared_data

    root = Path(shared_root) if shared_root is not None else shared_data()
    client = None
    out: list[Paper] = []
    for spec in specs:
        try:
            if spec.kind == "path":
                path = Path(spec.value) if Path(spec.value).is_absolute() else root / spec.value
                if not path.exists():
                    raise RecordError(spec.file, f"line {spec.line}", f"source {path} does not exist")
                out.extend(parse_path(path, errors))
            else:
                from mliter.corpus.papers import fetch

                if client is None:
                    client = (client_factory or fetch.make_client)()
                out.extend(fetch.FETCHERS[spec.kind](client, spec.value, errors=errors))
        except RecordError as exc:
            report(errors, exc)
    return out
