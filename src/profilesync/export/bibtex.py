"""BibTeX export (al-folio's ``_bibliography/papers.bib``, or any LaTeX bibliography).

Keys are the CV's keys, so a ``\\cite{zhang2023auncel}`` keeps working across exports. Values are
LaTeX-escaped by pylatexenc; the file is written by bibtexparser's own writer. al-folio reads a few
extra fields (``abbr`` for the venue badge, ``arxiv``, ``code``) that other styles ignore.
"""

from __future__ import annotations

import re

from profilesync.export.common import code_url, is_preprint, latex_escape, split_name, web_url
from profilesync.model import Work, WorkType

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
    if work.type is WorkType.OTHER and is_preprint(work):
        entry_type, venue_field = _ENTRY_TYPES[WorkType.PREPRINT]
    fields: list[tuple[str, str]] = [("title", latex_escape(work.title, for_bibtex=True))]
    if work.authors:
        names = [split_name(a.name).bibtex for a in work.authors]
        fields.append(("author", " and ".join(latex_escape(n, for_bibtex=True) for n in names)))
    venue = work.venue or work.venue_acronym
    if venue and venue_field and not (is_preprint(work) and work.ids.arxiv and not work.venue):
        fields.append((venue_field, latex_escape(venue, for_bibtex=True)))
    elif is_preprint(work) and not work.ids.arxiv:
        # Without a venue or an eprint a @misc is anonymous; say what it is.
        fields.append(("howpublished", "Preprint"))
    if work.year:
        fields.append(("year", str(work.year)))
    if work.pages:
        # BibTeX writes page ranges with an en dash, "--".
        fields.append(("pages", latex_escape(work.pages.replace("--", "-").replace("-", "--").replace("–", "--"), for_bibtex=True)))
    if work.ids.doi:
        fields.append(("doi", _verbatim(work.ids.doi)))
    if work.ids.arxiv:
        if is_preprint(work):
            fields.append(("eprint", work.ids.arxiv))
            fields.append(("archiveprefix", "arXiv"))
        fields.append(("arxiv", work.ids.arxiv))
    if web_url(work.url):  # a javascript: or data: URL in the CV is not written as a link
        fields.append(("url", _verbatim(work.url)))
    if work.venue_acronym:
        fields.append(("abbr", latex_escape(work.venue_acronym, for_bibtex=True)))
    code = code_url(work)
    if code:
        fields.append(("code", _verbatim(code)))
    return entry_type, fields


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
        library.add(Entry(entry_type, work.key or "work", [Field(k, v) for k, v in fields]))
    fmt = bibtexparser.BibtexFormat()
    fmt.indent = "  "
    fmt.block_separator = "\n"
    fmt.trailing_comma = True
    return bibtexparser.write_string(library, bibtex_format=fmt)


def export_bibtex(works: tuple[Work, ...]) -> str:
    """The whole ``.bib`` file for the CV's works, in the CV's order."""
    return render_entries(works)
