"""Helpers every export format shares: LaTeX escaping, name parts, slugs, display strings.

LaTeX escaping is pylatexenc's job (it knows the special characters and thousands of Unicode
characters); name splitting is bibtexparser's (it knows "von" particles and "Family, Given").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from profilesync.model import Work, WorkStatus, WorkType
from profilesync.normalize.names import same_person_name, strip_dblp_suffix


@dataclass(frozen=True)
class NameParts:
    """A person's name split the way bibliographies need it."""

    given: str
    family: str
    particle: str = ""
    suffix: str = ""

    @property
    def bibtex(self) -> str:
        """``von Family, Jr, Given`` (or ``Family, Given``): the unambiguous BibTeX form."""
        family = f"{self.particle} {self.family}".strip()
        if self.suffix:
            return f"{family}, {self.suffix}, {self.given}".rstrip(", ")
        return f"{family}, {self.given}" if self.given else family


# Generational suffixes, the only ones a bibliography keeps (nameparser also knows degrees, "PhD").
_GENERATIONAL = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "2nd", "3rd"})


def split_name(name: str) -> NameParts:
    """Split a written name ("Zili Zhang", "Zhang, Zili", "Ludwig van Beethoven",
    "Martin Luther King Jr.") into parts.

    bibtexparser knows "von" particles and BibTeX's comma forms but reads the last word of
    "Martin Luther King Jr." as the family name; nameparser knows suffixes. So nameparser peels a
    generational suffix off a name written in reading order, and bibtexparser splits the rest.
    """
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    clean = strip_dblp_suffix(name.replace("*", "").strip())
    clean, suffix = _peel_suffix(clean)
    try:
        parts = parse_single_name_into_parts(clean, strict=False)
    except Exception:  # bibtexparser raises on unbalanced braces; a bare split is better than nothing
        words = clean.split()
        return NameParts(given=" ".join(words[:-1]), family=words[-1] if words else clean, suffix=suffix)
    return NameParts(
        given=" ".join(parts.first),
        family=" ".join(parts.last),
        particle=" ".join(parts.von),
        suffix=suffix or " ".join(parts.jr),
    )


def _peel_suffix(name: str) -> tuple[str, str]:
    """``("Martin Luther King", "Jr.")`` for "Martin Luther King Jr." or "Martin Luther King, Jr.";
    BibTeX's own three-part "King, Jr., Martin Luther" and names without a suffix are left as they are."""
    words = name.replace(",", " ").split()
    if name.count(",") > 1 or "{" in name or not words or words[-1].lower() not in _GENERATIONAL:
        return name, ""  # the common case, decided without parsing the name
    from nameparser import HumanName

    parsed = HumanName(name)
    suffix = parsed.suffix.strip()
    if not suffix or suffix.lower() not in _GENERATIONAL or not parsed.last:
        return name, ""
    rest = name[: name.rfind(suffix)].rstrip(" ,")
    return (rest, suffix) if rest else (name, "")


@lru_cache(maxsize=4)
def _encoder(protect: str):
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    # "keep" leaves characters with no LaTeX macro (CJK, emoji) as they are: XeLaTeX and biber
    # read UTF-8, and a silent "?" would be worse than an unusual character.
    return UnicodeToLatexEncoder(
        non_ascii_only=False,
        replacement_latex_protection=protect,
        unknown_char_policy="keep",
        unknown_char_warning=False,
    )


def latex_escape(text: str, *, for_bibtex: bool = False) -> str:
    """Escape ``& % $ # _ { } ~ ^ \\`` and accented letters for LaTeX.

    For BibTeX every replacement is wrapped in braces (``{\\"u}``), so BibTeX's case changes and
    sorting treat it as one letter.
    """
    from profilesync.normalize.sanitize import clean_text

    # Control characters are invalid input to TeX, and a blank line inside a macro argument is a
    # \par that ends \cventry early: values are cleaned (line breaks become spaces) first.
    encoded = _encoder("braces-all" if for_bibtex else "braces").unicode_to_latex(clean_text(text))
    if for_bibtex and not _well_nested(text):
        # BibTeX counts braces without regard to backslashes, so "\{" still opens a group: a value
        # whose braces do not nest ("x }, note = {y") would end the field early or swallow the rest
        # of the file. Its braces are written as macros that contain none.
        encoded = encoded.replace("{\\{}", "{\\textbraceleft}").replace("{\\}}", "{\\textbraceright}")
    return encoded


def _well_nested(text: str) -> bool:
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def slugify(text: str) -> str:
    """A lower-case ASCII slug for file and directory names."""
    from unidecode import unidecode

    slug = re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-")
    return slug or "work"


def unique_name(name: str, used: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3``, ... : the first one not in ``used`` (which it joins).

    Keys differing only in case or punctuation ("Zhang2023", "zhang2023", "a.b", "a-b") slugify
    alike; each still needs its own file and permalink.
    """
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{name}-{n}"
    used.add(candidate)
    return candidate


def display_venue(work: Work) -> str:
    """The venue as a reader would like to see it: full name, or acronym, or "Preprint"."""
    if work.venue:
        return work.venue
    if work.venue_acronym:
        return work.venue_acronym
    if work.type is WorkType.PREPRINT or work.status is WorkStatus.PREPRINT:
        return "Preprint"
    return ""


def short_venue(work: Work) -> str:
    """The acronym with a two-digit year (``NSDI'23``), as CVs print it; falls back to the full name."""
    if work.venue_acronym and work.year:
        return f"{work.venue_acronym}'{work.year % 100:02d}"
    return work.venue_acronym or display_venue(work)


def is_preprint(work: Work) -> bool:
    return work.type is WorkType.PREPRINT or work.status is WorkStatus.PREPRINT


def web_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) URL (or a bare host name) that cannot break out of a link;
    otherwise None. A CV may hold a ``javascript:`` or ``data:`` URL written by hand or pulled
    before values were checked: no export turns it into a link."""
    from profilesync.normalize.identifiers import web_url_ok

    return url if url and web_url_ok(url) else None


def _path_part(value: str) -> str:
    """An identifier percent-encoded for a URL path (``/`` and ``:`` kept; ``( ) < > " '`` and
    spaces encoded, so it can end neither a Markdown link nor an HTML attribute)."""
    from urllib.parse import quote

    return quote(value, safe="/:;")


def code_url(work: Work) -> str | None:
    return f"https://github.com/{_path_part(work.ids.github)}" if work.ids.github else None


def doi_url(work: Work) -> str | None:
    """``https://doi.org/<DOI>``, the DOI percent-encoded (doi.org decodes it)."""
    return f"https://doi.org/{_path_part(work.ids.doi)}" if work.ids.doi else None


def arxiv_url(work: Work) -> str | None:
    return f"https://arxiv.org/abs/{_path_part(work.ids.arxiv)}" if work.ids.arxiv else None


# The page of a record on the source that holds it, by identifier kind (the value is path-encoded).
_RECORD_PAGES: dict[str, tuple[str, str]] = {
    "doi": ("DOI", "https://doi.org/{}"),
    "arxiv": ("arXiv", "https://arxiv.org/abs/{}"),
    "dblp": ("dblp", "https://dblp.org/rec/{}"),
    "github": ("code", "https://github.com/{}"),
}
_SCHOLAR_PAGE = "https://scholar.google.com/citations?view_op=view_citation&citation_for_view={}"


def identifier_links(ids: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(label, url)`` for every identifier that has a public page: DOI, arXiv, the DBLP record,
    the Scholar entry, the code repository, and the record's own http(s) URL when it is another
    page. A value that is not a string, or a URL that is not http(s), gives no link."""
    from urllib.parse import quote

    links: list[tuple[str, str]] = []
    for kind, (label, pattern) in _RECORD_PAGES.items():
        value = ids.get(kind)
        if isinstance(value, str) and value:
            links.append((label, pattern.format(_path_part(value))))
    scholar = ids.get("scholar")
    if isinstance(scholar, str) and scholar:
        links.append(("Scholar", _SCHOLAR_PAGE.format(quote(scholar, safe=":"))))
    url = ids.get("url")
    if isinstance(url, str) and web_url(url) and url not in {link for _, link in links}:
        links.append(("page", url))
    return links


def best_url(work: Work) -> str | None:
    """The link a reader should follow: the work's own (http/https) URL, else DOI, else arXiv."""
    return web_url(work.url) or doi_url(work) or arxiv_url(work)


def is_self(author: str, names: tuple[str, ...]) -> bool:
    """True when ``author`` is one of the researcher's names (for highlighting)."""
    return any(same_person_name(author, n) for n in names)


def by_year_desc(works: tuple[Work, ...]) -> list[Work]:
    """Newest first; works of the same year keep the CV's order (the sort is stable)."""
    return sorted(works, key=lambda w: -(w.year or 0))
