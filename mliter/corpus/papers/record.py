"""The one typed record every paper source produces, and the identifier rules.

Each source module (PMLR, arXiv, Semantic Scholar, ACL Anthology, OpenAlex, a curated
Markdown list) turns its own format into `Paper` records; deduplication, the shipped
table `corpus/papers.csv` and the coders' abstract reader only ever see `Paper`.

Identifiers are stable and readable (see DESIGN.md): `pmlr:v219/adams23a`,
`acl:2022.naloma-1.3`, `arxiv:2101.04834`, `doi:10.1145/...`, `s2:<paperId>`,
`openalex:W...`, `list:<slug>`. A record's id is the best one its source knows,
ranked by `ID_RANK` (a venue's own id first, then arXiv, then DOI, then the id of the
index that found it), so the same paper found twice tends to get the same id.

`abstract` is held in memory only, so that coders can read it; it never goes into a
shipped file (many sources carry no license for their text).
"""

from __future__ import annotations

from mliter.errors import MliterError
import html
import re
import unicodedata
from dataclasses import dataclass, field, replace

#: Id prefixes from most to least preferred when records of one paper are merged.
ID_RANK = ("pmlr", "acl", "arxiv", "doi", "s2", "openalex", "list")


class RecordError(MliterError, ValueError):
    """A record that cannot be read: names the file, the entry and what was expected."""

    def __init__(self, file: object, entry: object, message: str) -> None:
        self.file, self.entry, self.reason = str(file), str(entry), message
        super().__init__(f"{file}, entry {entry}: {message}")


@dataclass(frozen=True)
class Paper:
    """One paper as one source describes it.

    `record` says where in the raw material the record sits (`file#entry`), `sha256`
    is the hash of the raw record's bytes (the whole file when the file is one record,
    else the entry's canonical serialisation, see each source), `record_url` is a
    permanent URL of that raw record (a GitHub blob at a commit, or the API request),
    `commit`/`license` come from the material's provenance. `sources` and
    `merged_ids` list every record merged into this one by deduplication.
    """

    paper_id: str
    title: str
    authors: tuple[str, ...]
    venue: str
    year: int | None
    source: str
    doi: str = ""
    arxiv_id: str = ""
    url: str = ""
    abstract: str = ""
    section: str = ""
    retrieved_at: str = ""
    sha256: str = ""
    record: str = ""
    record_url: str = ""
    commit: str = ""
    license: str = ""
    sources: tuple[str, ...] = field(default=())
    merged_ids: tuple[str, ...] = field(default=())
    #: Raw records merged into this one (identical ids from two responses count twice).
    n_records: int = 1

    def __post_init__(self) -> None:
        if not self.sources:
            object.__setattr__(self, "sources", (self.source,))
        if not self.merged_ids:
            object.__setattr__(self, "merged_ids", (self.paper_id,))

    def with_provenance(self, **kw: str) -> "Paper":
        """A copy with provenance fields (record_url, commit, license, retrieved_at) filled in."""
        return replace(self, **{k: v for k, v in kw.items() if v})


def clean_text(text: object) -> str:
    """One line of plain text: HTML entities decoded, whitespace collapsed, NFC normalised."""
    if text is None:
        return ""
    s = html.unescape(str(text))
    s = unicodedata.normalize("NFC", s)
    return re.sub(r"\s+", " ", s).strip()


def normalize_doi(doi: object) -> str:
    """Lower-case bare DOI (`10.x/y`), from a bare DOI, a `doi:` or a doi.org URL; '' when absent."""
    s = clean_text(doi).lower()
    s = re.sub(r"^(https?://)?(dx\.)?doi\.org/", "", s)
    s = re.sub(r"^doi:\s*", "", s)
    return s if s.startswith("10.") and "/" in s else ""


_ARXIV_NEW = re.compile(r"(\d{4}\.\d{4,5})(v\d+)?$")
_ARXIV_OLD = re.compile(r"([a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")


def normalize_arxiv_id(value: object) -> str:
    """Bare arXiv id without version (`2101.04834`, `cond-mat/0102536`) from an id or abs/pdf URL."""
    s = clean_text(value)
    s = re.sub(r"^(https?://)?(export\.)?arxiv\.org/(abs|pdf)/", "", s, flags=re.I)
    s = re.sub(r"^arxiv:", "", s, flags=re.I)
    s = re.sub(r"\.pdf$", "", s)
    for pattern in (_ARXIV_NEW, _ARXIV_OLD):
        m = pattern.fullmatch(s)
        if m:
            return m.group(1)
    return ""


def normalize_title(title: object) -> str:
    """Title key for matching: accents stripped, lower case, letters and digits only, single spaces."""
    s = unicodedata.normalize("NFKD", clean_text(title))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return s.strip()


def slugify(text: object, max_len: int = 80) -> str:
    """A readable ASCII slug (for `list:` ids)."""
    s = normalize_title(text).replace(" ", "-")
    return s[:max_len].rstrip("-")


def best_id(*, native: str = "", arxiv_id: str = "", doi: str = "", fallback: str = "") -> str:
    """The record id by `ID_RANK`: a venue-native id (pmlr/acl) beats arXiv, which beats DOI, then `fallback`."""
    if native:
        return native
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    if doi:
        return f"doi:{doi}"
    return fallback


def id_rank(paper_id: str) -> int:
    prefix = paper_id.split(":", 1)[0]
    return ID_RANK.index(prefix) if prefix in ID_RANK else len(ID_RANK)


def report(errors: list[RecordError] | None, exc: RecordError) -> None:
    """The batch rule of every parser: raise when no error list is given, else record and go on."""
    if errors is None:
        raise exc
    errors.append(exc)
