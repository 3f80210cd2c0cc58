"""A Markdown publication list: grouped by year, newest first, the researcher's name in bold."""

from __future__ import annotations

import re

from profilesync.export.common import (
    arxiv_url,
    by_year_desc,
    code_url,
    display_venue,
    doi_url,
    is_self,
    web_url,
)
from profilesync.model import Work

# Characters that would start emphasis, links, HTML or a heading inside running text.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


def md_escape(text: str) -> str:
    # After escaping, "{{" cannot occur ("\{\{"), but "\{%" would still open a Liquid tag when the
    # text lands in a Jekyll page: the "%" is written as an entity, which Markdown shows as "%".
    return _MD_SPECIAL.sub(r"\\\1", text).replace("{%", "{&#37;")


def md_link(label: str, url: str) -> str:
    """``[label](url)``; parentheses in the URL are percent-encoded so none can end the link."""
    return f"[{label}]({url.replace('(', '%28').replace(')', '%29')})"


def work_line(work: Work, self_names: tuple[str, ...] = ()) -> str:
    """One work as a Markdown paragraph: title, authors, venue and year, then links."""
    authors = ", ".join(
        f"**{md_escape(name)}**" if self_names and is_self(name, self_names) else md_escape(name) for name in work.author_names
    )
    parts = [f"**{md_escape(work.title)}**."]
    if authors:
        parts.append(f"{authors}.")
    venue = display_venue(work)
    where = f"*{md_escape(venue)}*" if venue else ""
    if work.venue_acronym and work.venue and work.venue_acronym != work.venue:
        where += f" ({md_escape(work.venue_acronym)})"
    if work.year:
        where = f"{where}, {work.year}" if where else str(work.year)
    if where:
        parts.append(f"{where}.")
    links = [
        md_link(label, url)
        for label, url in (
            ("paper", web_url(work.url)),
            ("DOI", doi_url(work)),
            ("arXiv", arxiv_url(work)),
            ("code", code_url(work)),
        )
        if url
    ]
    if links:
        parts.append(" · ".join(links))
    return " ".join(parts)


def export_markdown(works: tuple[Work, ...], self_names: tuple[str, ...] = (), heading: str | None = "Publications") -> str:
    """The whole list; one ``###`` section per year (preprints under "Preprints")."""
    lines: list[str] = []
    if heading:
        lines += [f"## {heading}", ""]
    current: str | None = None
    ordered = [w for w in by_year_desc(works) if w.declared_preprint] + [w for w in by_year_desc(works) if not w.declared_preprint]
    for work in ordered:
        group = "Preprints" if work.declared_preprint else str(work.year or "Undated")
        if group != current:
            lines += [f"### {group}", ""]
            current = group
        lines += [f"- {work_line(work, self_names)}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
