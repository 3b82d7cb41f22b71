"""Merge records of the same paper found by several sources.

Two records are the same paper when they share a DOI, else an arXiv id, else the
normalised title together with the year (`record.normalize_title`), or simply the
same id (one arXiv entry in two recorded responses). Matching is transitive: a
group is a connected component of these links (union-find), so an arXiv preprint
with the DOI of its journal version joins both. A link is refused when it would put
two different ids of one kind (two PMLR ids, two arXiv ids, two DOIs, ...) in one
group: a title shared by two distinct records of one source is a metadata error,
not a duplicate. Records with the same id are always one paper. Records are
processed in a fixed preference order, so the result does not depend on the
order the sources were read in.

The merged record takes its id and core fields from the member whose id ranks best
(`record.ID_RANK`: a venue's own id, then arXiv, then DOI, then index ids), fills
empty fields (DOI, arXiv id, abstract, venue, year, authors, url) from the others
in that order, and keeps provenance: `sources` (every source name) and
`merged_ids` (every member id). Nothing is dropped silently: every input record's
id is in exactly one output's `merged_ids`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Iterable

from mliter.corpus.papers.record import Paper, id_rank, normalize_title


class _UnionFind:
    """Union-find whose groups refuse to hold two different ids of one kind (see `_identities`)."""

    def __init__(self, identities: list[dict[str, str]]) -> None:
        self.parent = list(range(len(identities)))
        self.ident = [dict(i) for i in identities]  # per root: kind -> the group's value

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int, force: bool = False) -> bool:
        """Join the groups of a and b unless they hold different ids of one kind (or `force`); True when joined."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        ia, ib = self.ident[ra], self.ident[rb]
        if not force and any(k in ib and ib[k] != v for k, v in ia.items()):
            return False
        lo, hi = min(ra, rb), max(ra, rb)
        self.parent[hi] = lo
        self.ident[lo] = {**ia, **ib}
        return True


def _identities(p: Paper) -> dict[str, str]:
    """Ids that name one paper only: two records with different values of one kind are different papers.

    A venue's own id (two PMLR ids are two papers even when the proceedings give both
    the same title, as v219 does for compton23a and do23a), the arXiv id and the DOI.
    """
    out = {}
    for pid in p.merged_ids:  # an already merged row keeps the ids of its members
        prefix = pid.split(":", 1)[0]
        if prefix in ("pmlr", "acl", "s2", "openalex"):
            out[prefix] = pid
    if p.arxiv_id:
        out["arxiv"] = p.arxiv_id
    if p.doi:
        out["doi"] = p.doi
    return out


def match_keys(p: Paper) -> list[str]:
    """The keys under which `p` is matched (id, DOI, arXiv id, title+year)."""
    keys = [f"id:{p.paper_id}"]
    if p.doi:
        keys.append(f"doi:{p.doi}")
    if p.arxiv_id:
        keys.append(f"arxiv:{p.arxiv_id}")
    title = normalize_title(p.title)
    if title and p.year is not None and len(title.split()) >= 3:  # short titles ("Preface") are not distinctive
        keys.append(f"title:{title}|{p.year}")
    return keys


def _order(p: Paper) -> tuple:
    """Preference among records of one paper; total, so the result never depends on input order."""
    return (id_rank(p.paper_id), p.paper_id, p.sha256, p.record_url, p.record, p.source)


def merge_group(group: list[Paper]) -> Paper:
    """One record from the records of one paper (see module docstring)."""
    members = sorted(group, key=_order)
    best = members[0]
    fill: dict = {}
    for name in ("doi", "arxiv_id", "abstract", "venue", "url", "section"):
        if not getattr(best, name):
            fill[name] = next((getattr(m, name) for m in members if getattr(m, name)), "")
    if best.year is None:
        fill["year"] = next((m.year for m in members if m.year is not None), None)
    if not best.authors:
        fill["authors"] = next((m.authors for m in members if m.authors), ())
    sources = tuple(sorted({s for m in members for s in m.sources}))
    merged = tuple(sorted({i for m in members for i in m.merged_ids}))
    return replace(best, **fill, sources=sources, merged_ids=merged, n_records=sum(m.n_records for m in members))


def deduplicate(papers: Iterable[Paper]) -> list[Paper]:
    """Records merged per paper, sorted by id; the same whatever the order of `papers`."""
    papers = sorted(papers, key=_order)
    uf = _UnionFind([_identities(p) for p in papers])
    first: dict[str, int] = {}
    for i, p in enumerate(papers):
        for key in match_keys(p):
            if key in first:
                uf.union(first[key], i, force=key.startswith("id:"))  # one id is one paper, whatever else differs
            else:
                first[key] = i
    groups: dict[int, list[Paper]] = {}
    for i, p in enumerate(papers):
        groups.setdefault(uf.find(i), []).append(p)
    merged = [merge_group(g) for g in groups.values()]
    dupes = sorted(i for i, n in Counter(m.paper_id for m in merged).items() if n > 1)
    if dupes:  # cannot happen: equal ids share the key id:<paper_id>
        raise AssertionError(f"deduplication produced repeated ids {dupes}")
    return sorted(merged, key=lambda p: p.paper_id)
