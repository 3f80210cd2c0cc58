"""Hugo Blox (formerly Wowchemy / Hugo Academic) publication bundles.

One page bundle per work: ``content/publication/<slug>/index.md`` (YAML front matter in the
fields the theme's publication layout reads) and ``cite.bib`` (the theme's "Cite" button).
"""

from __future__ import annotations

import re

from profilesync.export.bibtex import render_entries
from profilesync.export.common import arxiv_url, code_url, display_venue, slugify, unique_name, web_url
from profilesync.export.frontmatter import front_matter_page, html_inert
from profilesync.model import Work, WorkType

# Hugo Blox reads CSL type names in publication_types (since v5.8; older themes used "1", "2", ...).
_PUBLICATION_TYPES: dict[WorkType, str] = {
    WorkType.CONFERENCE: "paper-conference",
    WorkType.JOURNAL: "article-journal",
    WorkType.PREPRINT: "article",
    WorkType.CHAPTER: "chapter",
    WorkType.BOOK: "book",
    WorkType.THESIS: "thesis",
    WorkType.SOFTWARE: "software",
    WorkType.DATASET: "dataset",
    WorkType.OTHER: "article",
}

BUNDLE_DIR = "content/publication"

# In "publication" (Markdown, rendered with markdownify): what could start a link, an image,
# emphasis, code or HTML. A table pipe or a "#" mid-line does nothing there and is left as it is.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>])")


def _md_inline(text: str) -> str:
    return _MD_INLINE.sub(r"\\\1", text).replace("{%", "{&#37;").replace("{{", "{&#123;")


def bundle_slug(work: Work) -> str:
    return slugify(work.key or work.title)


def index_page(work: Work) -> str:
    """The ``index.md`` of one bundle."""
    # Hugo themes print the title with markdownify/safeHTML, and "publication" is Markdown
    # ("*venue*"): no raw HTML in either, and the venue's Markdown characters are escaped.
    data: dict[str, object] = {"title": html_inert(work.title), "authors": list(work.author_names)}
    if work.year:
        # Only the year is known; Hugo needs a full timestamp to sort by.
        date = f"{work.year}-{work.month or 1:02d}-01T00:00:00Z"  # January when the month is not known
        data["date"] = date
        data["publishDate"] = date
    data["publication_types"] = [_PUBLICATION_TYPES[work.type]]
    venue = display_venue(work)
    if venue:
        data["publication"] = f"*{_md_inline(venue)}*"
    if work.venue_acronym:
        data["publication_short"] = f"*{_md_inline(work.venue_acronym)}*"
    if work.ids.doi:
        data["doi"] = work.ids.doi
    if web_url(work.url):
        data["url_pdf"] = work.url
    code = code_url(work)
    if code:
        data["url_code"] = code
    arxiv = arxiv_url(work)
    if arxiv:
        data["links"] = [{"name": "arXiv", "url": arxiv}]
    data["featured"] = False
    return front_matter_page(data, "")


def export_hugo(works: tuple[Work, ...]) -> dict[str, str]:
    """``{relative path: text}`` for every bundle, relative to the site root."""
    files: dict[str, str] = {}
    used: set[str] = set()
    for work in works:
        slug = unique_name(bundle_slug(work), used)
        files[f"{BUNDLE_DIR}/{slug}/index.md"] = index_page(work)
        files[f"{BUNDLE_DIR}/{slug}/cite.bib"] = render_entries([work])
    return files
