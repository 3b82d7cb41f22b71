"""A small, careful BibTeX reader for proceedings files (no dependency).

It reads `@type{key, name = {value} | "value" | bare, ...}` entries with nested
braces, skips `@comment`/`@preamble` and text between entries, expands `@string`
macros and `#` concatenation, and turns the common LaTeX accent commands and
escapes into Unicode. Errors name the file, the entry key (or its line) and what
was expected, e.g. an unbalanced brace.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from mliter.corpus.papers.record import RecordError

_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
            "r": "\u030a", "d": "\u0323", "b": "\u0331"}
_SYMBOLS = {"ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
            "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "&": "&", "%": "%", "$": "$", "#": "#", "_": "_",
            "{": "{", "}": "}", "textendash": "–", "textemdash": "—", "textquoteright": "’"}


@dataclass(frozen=True)
class BibEntry:
    type: str  # lower case: inproceedings, proceedings, article, ...
    key: str
    fields: dict[str, str]  # lower-case names; raw values (TeX kept)
    line: int  # 1-based line of the `@`

    def text(self, name: str) -> str:
        """Field as plain Unicode text (TeX accents decoded, braces dropped, whitespace collapsed)."""
        return detex(self.fields.get(name, ""))


def detex(value: str) -> str:
    """Decode the LaTeX a bibliography title or name uses into plain Unicode text."""
    s = value
    # \'{e}, \'e, {\'e}, \c{c}, \v s
    s = re.sub(r"\\([`'^\"~=.])\s*\{?\s*(\\?[A-Za-z])\s*\}?",
               lambda m: _accent(m.group(2), m.group(1)), s)
    s = re.sub(r"\\([uvHckrdb])(?:\{\s*(\\?[A-Za-z])\s*\}|\s+([A-Za-z]))",
               lambda m: _accent(m.group(2) or m.group(3), m.group(1)), s)
    s = re.sub(r"\\(ss|ae|AE|oe|OE|aa|AA|textendash|textemdash|textquoteright|[oOlLij])(?![A-Za-z])\s*(\{\})?",
               lambda m: _SYMBOLS[m.group(1)], s)
    s = re.sub(r"\\([&%$#_{}])", lambda m: _SYMBOLS[m.group(1)], s)
    s = s.replace("---", "—").replace("--", "–").replace("``", "“").replace("''", "”").replace("~", " ")
    s = re.sub(r"\\[A-Za-z]+\s*", "", s)  # any other command: keep its argument, drop the command
    s = s.replace("{", "").replace("}", "")
    s = unicodedata.normalize("NFC", s)
    return re.sub(r"\s+", " ", s).strip()


def _accent(letter: str, cmd: str) -> str:
    base = {"\\i": "i", "\\j": "j"}.get(letter, letter)
    return unicodedata.normalize("NFC", base + _ACCENTS[cmd])


def split_authors(value: str) -> list[str]:
    """`Last, First and First Last` -> ["First Last", ...], in Unicode."""
    names = [n.strip() for n in re.split(r"\s+and\s+", detex(value)) if n.strip()]
    out = []
    for n in names:
        if "," in n:
            last, _, first = n.partition(",")
            n = f"{first.strip()} {last.strip()}".strip()
        out.append(re.sub(r"\s+", " ", n))
    return out


class _Scanner:
    def __init__(self, text: str, file: str) -> None:
        self.s, self.i, self.file = text, 0, file

    def line(self, pos: int | None = None) -> int:
        return self.s.count("\n", 0, self.i if pos is None else pos) + 1

    def skip_ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def group(self, entry: str) -> str:
        """The text of a `{...}` or `"..."` value starting at the current character, nested braces kept.

        A braced value ends at its matching `}`; a quoted one at the first `"` outside braces.
        """
        start, quoted = self.i, self.peek() == '"'
        depth = 0 if quoted else 1
        self.i += 1
        while self.i < len(self.s):
            ch = self.s[self.i]
            self.i += 2 if ch == "\\" else 1
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if (depth == 0 and not quoted and ch == "}") or (quoted and depth == 0 and ch == '"'):
                return self.s[start + 1:self.i - 1]
        what = "quoted value" if quoted else "group"
        raise RecordError(self.file, entry, f"unbalanced braces: the {what} opened on line {self.line(start)} "
                                            "is never closed")


def parse_bibtex(text: str, file: str | Path = "<bibtex>") -> list[BibEntry]:
    """Every entry of a BibTeX text, in file order (`@string` expanded, comments skipped)."""
    file = str(file)
    sc = _Scanner(text, file)
    macros: dict[str, str] = {}
    entries: list[BibEntry] = []
    while True:
        at = text.find("@", sc.i)
        if at < 0:
            return entries
        sc.i = at + 1
        m = re.compile(r"[A-Za-z]+").match(text, sc.i)
        if not m:
            continue
        etype = m.group(0).lower()
        sc.i = m.end()
        sc.skip_ws()
        line = sc.line(at)
        if sc.peek() not in "{(":
            raise RecordError(file, f"at line {line}", f"expected '{{' after @{etype}")
        if etype in ("comment", "preamble"):
            if sc.peek() == "{":
                sc.group(f"@{etype} at line {line}")
            continue
        close = "}" if sc.peek() == "{" else ")"
        sc.i += 1
        sc.skip_ws()
        key = ""
        if etype != "string":
            km = re.compile(r"[^,\s{}()]+").match(text, sc.i)
            if not km:
                raise RecordError(file, f"at line {line}", f"@{etype} entry has no citation key")
            key = km.group(0)
            sc.i = km.end()
            sc.skip_ws()
        where = key or f"@{etype} at line {line}"
        fields: dict[str, str] = {}
        while True:
            sc.skip_ws()
            if sc.peek() == ",":
                sc.i += 1
                sc.skip_ws()
            if sc.peek() == close:
                sc.i += 1
                break
            if not sc.peek():
                raise RecordError(file, where, f"entry starting on line {line} is not closed with '{close}'")
            nm = re.compile(r"[A-Za-z][\w\-:.]*").match(text, sc.i)
            if not nm:
                raise RecordError(file, where, f"expected a field name on line {sc.line()}, "
                                               f"found {text[sc.i:sc.i + 20]!r}")
            name = nm.group(0).lower()
            sc.i = nm.end()
            sc.skip_ws()
            if sc.peek() != "=":
                raise RecordError(file, where, f"expected '=' after field {name!r} on line {sc.line()}")
            sc.i += 1
            parts = []
            while True:
                sc.skip_ws()
                ch = sc.peek()
                if ch in ('{', '"'):
                    parts.append(sc.group(where))
                else:
                    bm = re.compile(r"[\w\-.:/+]+").match(text, sc.i)
                    if not bm:
                        raise RecordError(file, where, f"field {name!r} on line {sc.line()} has no value")
                    sc.i = bm.end()
                    parts.append(macros.get(bm.group(0).lower(), bm.group(0)))
                sc.skip_ws()
                if sc.peek() == "#":
                    sc.i += 1
                    continue
                break
            fields[name] = "".join(parts)
        if etype == "string":
            macros.update(fields)
        else:
            entries.append(BibEntry(etype, key, fields, line))


def read_bibtex(path: str | Path) -> list[BibEntry]:
    path = Path(path)
    return parse_bibtex(path.read_text(encoding="utf-8"), path)
