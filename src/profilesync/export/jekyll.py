"""Jekyll publication pages for the academicpages template (``_publications/*.md``).

The front matter has the fields academicpages' ``_layouts``/``_includes`` read: title, collection,
category (conferences / manuscripts / books, and preprints / theses / other, which the site's
_config.yml must list: the export says so), permalink, date, venue, paperurl, citation.
"""

from __future__ import annotations

import datetime as dt
import html

from profilesync.export.common import best_url, display_venue, slugify, unique_name
from profilesync.export.frontmatter import front_matter_page, html_inert, liquid_inert
from profilesync.export.markdown import work_line
from profilesync.model import Work, WorkType

_CATEGORIES: dict[WorkType, str] = {
    WorkType.CONFERENCE: "conferences",
    WorkType.JOURNAL: "manuscripts",
    WorkType.BOOK: "books",
    WorkType.CHAPTER: "books",
    WorkType.THESIS: "theses",
}
# academicpages' _config.yml names three categories (publication_category) and its publications
# page lists only those, with these headings. "manuscripts" is headed "Journal Articles", so a
# preprint or a thesis filed there would be listed as a journal article.
SHIPPED_CATEGORIES: dict[str, str] = {"books": "Books", "manuscripts": "Journal Articles", "conferences": "Conference Papers"}
ADDED_CATEGORIES: dict[str, str] = {"preprints": "Preprints", "theses": "Theses", "other": "Other Publications"}


def category(work: Work) -> str:
    if work.declared_preprint:
        return "preprints"
    return _CATEGORIES.get(work.type, "other")


def category_notes(works: tuple[Work, ...]) -> tuple[str, ...]:
    """What to add to the site's _config.yml for the categories beyond the shipped three."""
    needed = sorted({category(w) for w in works} - set(SHIPPED_CATEGORIES), key=list(ADDED_CATEGORIES).index)
    if not needed:
        return ()
    lines = "; ".join(f"{name}: {{title: '{ADDED_CATEGORIES[name]}'}}" for name in needed)
    return (f"academicpages lists only the categories in _config.yml's publication_category: add {lines}",)

PUBLICATIONS_DIR = "_publications"


def page_name(work: Work) -> str:
    """``2023-01-01-zhang2023auncel``: academicpages sorts and links pages by this stem."""
    return f"{work.year or 1900}-01-01-{slugify(work.key or work.title)}"


def citation_text(work: Work) -> str:
    """The one-line citation academicpages shows under the title (HTML-escaped, as it expects)."""
    authors = ", ".join(work.author_names)
    venue = display_venue(work)
    year = f" ({work.year})" if work.year else ""
    text = f'{html.escape(authors)}{year}. "{html.escape(work.title)}."'
    if venue:
        text += f" <i>{html.escape(venue)}</i>."
    return text


def publication_page(work: Work, self_names: tuple[str, ...] = (), name: str | None = None) -> str:
    """The page for ``work``; ``name`` (default ``page_name(work)``) is its file stem and permalink."""
    name = name or page_name(work)
    # academicpages prints title and venue into its HTML unescaped: no tag of a title may reach it.
    data: dict[str, object] = {
        "title": html_inert(work.title),
        "collection": "publications",
        "category": category(work),
        "permalink": f"/publication/{name}",
        "date": dt.date(work.year or 1900, work.month or 1, 1),  # the file name keeps -01-01: stable when a month is added
    }
    venue = display_venue(work)
    if venue:
        data["venue"] = html_inert(venue)
    url = best_url(work)
    if url:
        data["paperurl"] = url
    data["citation"] = liquid_inert(citation_text(work))
    return front_matter_page(data, work_line(work, self_names))


def export_jekyll(works: tuple[Work, ...], self_names: tuple[str, ...] = ()) -> dict[str, str]:
    """``{relative path: text}`` under ``_publications/``, relative to the site root."""
    files: dict[str, str] = {}
    used: set[str] = set()
    for work in works:
        name = unique_name(page_name(work), used)
        files[f"{PUBLICATIONS_DIR}/{name}.md"] = publication_page(work, self_names, name)
    return files
