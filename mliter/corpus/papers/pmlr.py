"""PMLR volumes: a clone of `mlresearch/vNNN` (Jekyll `_posts/*.md` + the volume `.bib`) or its web index page.

A volume folder holds one post per paper whose YAML front matter is the authoritative
record (PMLR id, title, authors, pages, section, abstract), the volume's BibTeX file
(an `@Proceedings` entry with the venue's short name and one `@InProceedings` per
paper) and usually `_config.yml`. Posts give the papers; the BibTeX gives the venue
name when `_config.yml` lacks one and an abstract when a post has none; every post
should match one BibTeX entry (by title, else by first page) and every entry one post:
mismatches are reported as errors naming the entry, and the batch continues.

The web index page (`https://proceedings.mlr.press/v219/`) lists each paper as a
`div.paper` with `p.title`, `span.authors`, `span.info` and the `abs` link, which
holds the PMLR id; see `parse_index_html`. It carries no abstracts.

Ids: `pmlr:v<volume>/<id>`; url: the paper's abstract page on proceedings.mlr.press;
sha256: of the post file's bytes (of the `div.paper` markup for the index page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from mliter.corpus.papers.bibtex import BibEntry, read_bibtex, split_authors
from mliter.corpus.papers.provenance import provenance_fields
from mliter.corpus.papers.record import Paper, RecordError, clean_text, normalize_doi, normalize_title, report
from mliter.io import sha256_bytes

BASE_URL = "https://proceedings.mlr.press"
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^---[ \t]*$", re.S | re.M)


@dataclass(frozen=True)
class VolumeInfo:
    """What a volume says about itself (from `_config.yml`, else the `@Proceedings` entry)."""

    volume: str  # digits, e.g. "219"
    shortname: str
    booktitle: str
    year: int | None

    @property
    def venue(self) -> str:
        return self.shortname or self.booktitle


def is_volume_folder(path: Path) -> bool:
    return path.is_dir() and ((path / "_posts").is_dir() or any(path.glob("*.bib")))


def read_front_matter(path: Path) -> tuple[dict, bytes]:
    """The YAML front matter of a Jekyll post (and the file's bytes); errors name the file."""
    raw = path.read_bytes()
    text = raw.decode("utf-8", errors="replace")
    m = _FRONT_MATTER.match(text)
    if not m:
        raise RecordError(path, path.stem, "no YAML front matter: expected the file to start with '---' "
                                           "and a closing '---' line")
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError as exc:
        raise RecordError(path, path.stem, f"front matter is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise RecordError(path, path.stem, f"front matter is a {type(data).__name__}, expected a mapping")
    return data, raw


def _int_or_none(value) -> int | None:
    try:
        return int(str(value).strip()[:4])
    except (TypeError, ValueError):
        return None


def _volume_digits(value) -> str:
    m = re.search(r"\d+", str(value or ""))
    return m.group(0) if m else ""


def volume_info(folder: Path, bib: list[BibEntry]) -> VolumeInfo:
    """Volume number, venue short name, book title and year of a volume folder."""
    cfg: dict = {}
    cfg_path = folder / "_config.yml"
    if cfg_path.is_file():
        try:
            cfg = yaml.safe_load(cfg_path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise RecordError(cfg_path, "_config.yml", f"not valid YAML: {exc}") from None
    proc = next((e for e in bib if e.type == "proceedings"), None)
    volume = _volume_digits(cfg.get("volume")) or _volume_digits(proc.fields.get("volume") if proc else "")
    if not volume:
        m = re.search(r"v(\d+)", folder.name)
        volume = m.group(1) if m else ""
    shortname = clean_text(cfg.get("shortname")) or (proc.text("shortname") if proc else "")
    booktitle = clean_text(cfg.get("booktitle")) or (proc.text("booktitle") if proc else "")
    year = _int_or_none(cfg.get("year")) or (_int_or_none(proc.fields.get("year")) if proc else None)
    return VolumeInfo(volume, shortname, booktitle, year)


def _authors(fm: dict, path: Path, pid: str) -> tuple[str, ...]:
    authors = fm.get("author") or []
    if not isinstance(authors, list):
        raise RecordError(path, pid, f"'author' is a {type(authors).__name__}, expected a list of given/family")
    names = []
    for a in authors:
        if isinstance(a, dict):
            names.append(clean_text(f"{a.get('given') or ''} {a.get('family') or ''}"))
        else:
            names.append(clean_text(a))
    return tuple(n for n in names if n)


def paper_from_post(path: Path, info: VolumeInfo | None = None) -> Paper:
    """One PMLR paper from its Jekyll post; RecordError names the file and the post when it is malformed."""
    return _post(Path(path), info)[0]


def _post(path: Path, info: VolumeInfo | None) -> tuple[Paper, dict]:
    """The paper of a post and the post's front matter (for matching it to the BibTeX)."""
    fm, raw = read_front_matter(path)
    pid = clean_text(fm.get("id"))
    if not pid:
        raise RecordError(path, path.stem, "front matter has no 'id' (the PMLR paper id, e.g. adams23a)")
    title = clean_text(fm.get("title"))
    if not title:
        raise RecordError(path, pid, "front matter has no 'title'")
    volume = _volume_digits(fm.get("volume")) or (info.volume if info else "")
    if not volume:
        raise RecordError(path, pid, "no volume number in the front matter or the volume's _config.yml/.bib")
    year = _int_or_none(fm.get("year")) or _int_or_none(fm.get("date")) or (info.year if info else None)
    venue = info.venue if info else clean_text(fm.get("booktitle") or fm.get("container-title"))
    paper = Paper(
        paper_id=f"pmlr:v{volume}/{pid}",
        title=title,
        authors=_authors(fm, path, pid),
        venue=venue,
        year=year,
        source="pmlr",
        doi=normalize_doi(fm.get("doi")),
        url=f"{BASE_URL}/v{volume}/{pid}.html",
        abstract=clean_text(fm.get("abstract")),
        section=clean_text(fm.get("section")),
        sha256=sha256_bytes(raw),
        record=f"{path}#{pid}",
        **provenance_fields(path),
    )
    return paper, fm


def _first_page(value: object) -> str:
    m = re.match(r"\s*(\d+)", str(value or ""))
    return m.group(1) if m else ""


def _match_bib(papers: list[Paper], firstpages: dict[str, str], bib: list[BibEntry], bib_path: Path | None,
               errors: list[RecordError] | None) -> list[Paper]:
    """Fill missing abstracts from the BibTeX; report posts and entries that do not match."""
    entries = [e for e in bib if e.type == "inproceedings"]
    by_title: dict[str, list[BibEntry]] = {}
    by_page: dict[str, list[BibEntry]] = {}
    for e in entries:
        by_title.setdefault(normalize_title(e.text("title")), []).append(e)
        by_page.setdefault(_first_page(e.fields.get("pages")), []).append(e)
    used: set[str] = set()
    out = []
    for p in papers:
        cands = [e for e in by_title.get(normalize_title(p.title), []) if e.key not in used]
        if len(cands) != 1:
            cands = [e for e in by_page.get(firstpages.get(p.paper_id, ""), []) if e.key not in used]
        if len(cands) == 1:
            e = cands[0]
            used.add(e.key)
            if not p.abstract and e.fields.get("abstract"):
                p = replace(p, abstract=e.text("abstract"))
            if not p.authors and e.fields.get("author"):
                p = replace(p, authors=tuple(split_authors(e.fields["author"])))
        elif entries:
            report(errors, RecordError(p.record.split("#")[0], p.paper_id,
                                        f"no matching @InProceedings entry in {bib_path} (by title or first page)"))
        out.append(p)
    for e in entries:
        if e.key not in used:
            report(errors, RecordError(bib_path, e.key, f"@InProceedings entry on line {e.line} has no post "
                                                         "in _posts/ (no PMLR id, so it is not listed)"))
    return out


def parse_volume(folder: str | Path, errors: list[RecordError] | None = None) -> list[Paper]:
    """Every paper of a PMLR volume folder, sorted by id.

    With `errors=None` the first malformed record raises `RecordError`; with a list,
    malformed records are appended to it and skipped, and the rest is returned.
    """
    folder = Path(folder)
    bib_files = sorted(folder.glob("*.bib"))
    bib: list[BibEntry] = []
    for b in bib_files:
        try:
            bib.extend(read_bibtex(b))
        except RecordError as exc:
            report(errors, exc)
    info = volume_info(folder, bib)
    papers, firstpages = [], {}
    for post in sorted((folder / "_posts").glob("*.md")):
        try:
            p, fm = _post(post, info)
            firstpages[p.paper_id] = _first_page(fm.get("firstpage") or fm.get("page"))
            papers.append(p)
        except RecordError as exc:
            report(errors, exc)
    papers = _match_bib(papers, firstpages, bib, bib_files[0] if bib_files else None, errors)
    return sorted(papers, key=lambda p: p.paper_id)


def _index_heading(text: str) -> tuple[str, str, int | None]:
    """(volume, venue, year) from an index page heading such as
    'Volume 219: Machine Learning for Healthcare Conference, 11-12 August 2023, New York, USA'."""
    vol = re.search(r"Volume\s+(\d+)", text)
    venue = re.search(r"Volume\s+\d+:\s*([^,]*)", text)
    year = re.search(r"\b(?:19|20)\d\d\b", text[vol.end():] if vol else text)
    return (vol.group(1) if vol else "", clean_text(venue.group(1)) if venue else "",
            int(year.group(0)) if year else None)


def _index_entry(div, n: int, page_url: str, venue: str, year: int | None) -> Paper:
    """One `div.paper` of an index page; RecordError names the page and the entry."""
    from urllib.parse import urljoin

    where = f"div.paper #{n}"
    title_el = div.select_one("p.title")
    title = clean_text(title_el.get_text(" ")) if title_el else ""
    if not title:
        raise RecordError(page_url, where, "no p.title")
    where = f"{where} ({title[:40]})"
    abs_link = next((a for a in div.select("p.links a") if clean_text(a.get_text()).lower() == "abs"), None)
    if abs_link is None or not abs_link.get("href"):
        raise RecordError(page_url, where, "no 'abs' link with the paper's PMLR id")
    href = urljoin(page_url, abs_link["href"])
    m = re.search(r"/v(\d+)/([^/]+?)\.html$", href)
    if not m:
        raise RecordError(page_url, where, f"abs link {href!r} is not .../vNNN/<id>.html")
    vol, pid = m.group(1), m.group(2)
    authors_el = div.select_one("span.authors")
    names = (authors_el.get_text() if authors_el else "").replace("\xa0", " ").split(",")
    info_el = div.select_one("span.info")
    return Paper(
        paper_id=f"pmlr:v{vol}/{pid}", title=title, authors=tuple(n for n in map(clean_text, names) if n),
        venue=venue or (clean_text(info_el.get_text()).split(",")[0] if info_el else ""),
        year=year, source="pmlr", url=f"{BASE_URL}/v{vol}/{pid}.html",
        sha256=sha256_bytes(str(div).encode("utf-8")), record=f"{page_url}#{pid}", record_url=page_url,
    )


def parse_index_html(html_text: str, page_url: str, volume: str | None = None,
                     errors: list[RecordError] | None = None) -> list[Paper]:
    """Papers listed on a PMLR volume's web index page (no abstracts there)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html_text, "html.parser")
    heading = soup.find("h2")
    head_volume, venue, year = _index_heading(clean_text(heading.get_text(" ")) if heading else "")
    divs = soup.select("div.paper")
    if not divs:
        report(errors, RecordError(page_url, f"volume {volume or head_volume or '?'}",
                                   "no div.paper entries: not a PMLR volume index"))
    papers = []
    for n, div in enumerate(divs, start=1):
        try:
            papers.append(_index_entry(div, n, page_url, venue, year))
        except RecordError as exc:
            report(errors, exc)
    return sorted(papers, key=lambda p: p.paper_id)


def parse_path(path: Path, errors: list[RecordError] | None = None) -> list[Paper]:
    """`load.parse_path` entry point: a volume folder."""
    return parse_volume(path, errors)
