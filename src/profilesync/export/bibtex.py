"""BibTeX export (al-folio's ``_bibliography/papers.bib``, or any LaTeX bibliography).

Keys are the CV's keys, so a ``\\cite{zhang2023auncel}`` keeps working across exports. Values are
LaTeX-escaped by pylatexenc; the file is written by bibtexparser's own writer. al-folio reads a few
extra fields (``abbr`` for the venue badge, ``arxiv``, ``code``) that other styles ignore.
"""

from __future__ import annotations

import re

from profilesync.export.common import code_url, latex_escape, split_name, web_url
from profilesync.model import Work, WorkType
from profilesync.normalize.bibliography import well_nested
from profilesync.normalize.dates import BIBTEX_MACROS

# WorkType -> (BibTeX entry type, the field that holds the venue)
_ENTRY_TYPES: dict[WorkType, tuple[str, str | None]] = {
    WorkType.CONFERENCE: ("inproceedings", "booktitle"),
    WorkType.JOURNAL: ("article", "journal"),
    WorkType.CHAPTER: ("incollection", "booktitle"),
    WorkType.BOOK: ("book", "publisher"),
    WorkType.THESIS: ("phdthesis", "school"),
    WorkType.PREPRINT: ("misc", "howpublished"),
    WorkType.SOFTWARE: ("misc", "howpublished"),
    WorkType.DATASET: ("misc", "howpublished"),
    WorkType.OTHER: ("misc", "howpublished"),
}


def entry_fields(work: Work) -> tuple[str, list[tuple[str, str]]]:
    """The entry type and the (field, LaTeX-escaped value) pairs for one work, in a fixed order."""
    entry_type, venue_field = _ENTRY_TYPES[work.type]
    if work.type is WorkType.OTHER and work.declared_preprint:
        entry_type, venue_field = _ENTRY_TYPES[WorkType.PREPRINT]
    fields: list[tuple[str, str]] = [("title", protected_title(work.title))]
    if work.authors:
        names = [split_name(a.name).bibtex for a in work.authors]
        fields.append(("author", " and ".join(latex_escape(n, for_bibtex=True) for n in names)))
    venue = work.venue or work.venue_acronym
    if venue and venue_field and not (work.declared_preprint and work.ids.arxiv and not work.venue):
        fields.append((venue_field, latex_escape(venue, for_bibtex=True)))
    elif work.declared_preprint and not work.ids.arxiv:
        # Without a venue or an eprint a @misc is anonymous; say what it is.
        fields.append(("howpublished", "Preprint"))
    if work.year:
        fields.append(("year", str(work.year)))
    if work.month:
        fields.append(("month", BIBTEX_MACROS[work.month - 1]))  # written unbraced: the macro
    if work.pages:
        # BibTeX writes page ranges with an en dash, "--".
        fields.append(("pages", latex_escape(work.pages.replace("--", "-").replace("-", "--").replace("–", "--"), for_bibtex=True)))
    if work.ids.doi:
        fields.append(("doi", _verbatim(work.ids.doi)))
    if work.ids.arxiv:
        if work.declared_preprint:
            fields.append(("eprint", work.ids.arxiv))
            fields.append(("archiveprefix", "arXiv"))
        fields.append(("arxiv", work.ids.arxiv))
    url = web_url(work.url)  # a javascript: or data: URL in the CV is not written as a link
    if url:
        fields.append(("url", _verbatim(url)))
    badge = badge_venue(work)
    if badge:
        fields.append(("abbr", latex_escape(badge, for_bibtex=True)))
    code = code_url(work)
    if code:
        fields.append(("code", _verbatim(code)))
    return entry_type, fields


# A word BibTeX styles must not lower-case has a capital after the first letter of one of its
# parts (GPU, FastServe, dLoRA, k-NN, GPU-based). This is DBLP's rule for its own BibTeX ({GPU},
# {RAGCache:}); a word capitalised only at the start of its parts (Bayesian, Many-Core) is left to
# the style, as DBLP leaves it.
_TOKENS = re.compile(r"(\s+)")
_PARTS = re.compile(r"[^\W_]+", re.UNICODE)


def _needs_case_protection(token: str) -> bool:
    return any(any(char.isupper() for char in part[1:]) for part in _PARTS.findall(token))


def protected_title(title: str) -> str:
    """The title as a BibTeX value whose case survives every style (plain, plainnat, IEEEtran,
    biblatex's sentence-casing ones): acronyms and mixed-case names in braces, as DBLP writes
    them, and the writer's own well-nested braces (``{BERT}``) kept as protection rather than
    printed as literal braces."""
    if "{" in title and well_nested(title):
        out = []
        for group, text in _brace_groups(title):
            out.append("{" + latex_escape(text, for_bibtex=True) + "}" if group else _protect_words(text))
        return "".join(out)
    return _protect_words(title)


def _protect_words(text: str) -> str:
    out = []
    for token in _TOKENS.split(text):
        if not token or token.isspace():
            out.append(token)
            continue
        escaped = latex_escape(token, for_bibtex=True)
        out.append("{" + escaped + "}" if _needs_case_protection(token) else escaped)
    return "".join(out)


def _brace_groups(text: str) -> list[tuple[bool, str]]:
    """``(is_group, text)`` runs of a well-nested string; a group's text has its inner braces
    removed (the whole group is protected, so nested ones add nothing)."""
    runs: list[tuple[bool, str]] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char == "{":
            if depth == 0:
                runs.append((False, text[start:index]))
                start = index + 1
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                runs.append((True, text[start:index].replace("{", "").replace("}", "")))
                start = index + 1
    runs.append((False, text[start:]))
    return [run for run in runs if run[1]]


# al-folio prints ``abbr`` in a small badge beside the paper: an acronym fits, a full venue name does not.
_BADGE_MAX = 16
# A trailing year, and DBLP's generic "Conference"/"Workshop" ("SIGMOD Conference" -> "SIGMOD").
_BADGE_TAIL = re.compile(r"(?:\s+(?:Conference|Workshops?|Symposium))?\s*(?:'\d{2}|\d{4})?$")


def badge_venue(work: Work) -> str | None:
    """The short venue for al-folio's ``abbr``: the acronym, else a venue name short enough for a
    badge; never a long name, and without a trailing year (al-folio shows the year itself)."""
    for candidate in (work.venue_acronym, work.venue):
        if candidate:
            short = _BADGE_TAIL.sub("", candidate.strip(), count=1)
            if short and len(short) <= _BADGE_MAX:
                return short
    return None


# Braces break the entry; the rest can break out of the link or attribute a site generator
# (jekyll-scholar, al-folio) builds from the field. None occurs in a valid DOI or URL.
_VERBATIM_UNSAFE = re.compile(r"[{}<>\"'\\^`|\s]")


def _verbatim(value: str) -> str:
    """DOIs and URLs are verbatim fields (biblatex prints them with ``\\url``): escaping ``_`` or ``%``
    there would corrupt the link. Characters that could end the field or the link are
    percent-encoded instead."""
    return _VERBATIM_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), value)


def render_entries(works: tuple[Work, ...] | list[Work]) -> str:
    """BibTeX text for ``works`` in the given order, one blank line between entries."""
    import bibtexparser
    from bibtexparser.model import Entry, Field

    library = bibtexparser.Library()
    for work in works:
        entry_type, fields = entry_fields(work)
        # Values are enclosed here rather than by bibtexparser's writer, which would brace the
        # month macro too ("{may}" prints "may"; the macro "may" prints "May" and sorts as 5).
        library.add(Entry(entry_type, work.key or "work", [Field(k, v if k == "month" else "{" + v + "}") for k, v in fields]))
    fmt = bibtexparser.BibtexFormat()
    fmt.indent = "  "
    fmt.block_separator = "\n"
    fmt.trailing_comma = True
    return bibtexparser.write_string(library, unparse_stack=[], bibtex_format=fmt)


def export_bibtex(works: tuple[Work, ...]) -> str:
    """The whole ``.bib`` file for the CV's works, in the CV's order."""
    return render_entries(works)
