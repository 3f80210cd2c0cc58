"""Read Google Scholar's HTML: a profile page, a publication's detail page, and block pages.

Pure functions from text to frozen records; no HTTP here. The element ids and classes are the
ones Scholar has used since its 2012 profile layout and that scholarly also reads
(docs/sources.md section 4.5): ``#gsc_prf_in`` name, ``.gsc_prf_il`` affiliation and e-mail
line, ``a.gsc_prf_inta`` interests, ``#gsc_rsb_st td.gsc_rsb_std`` the six metrics, ``.gsc_g_t``
/ ``a.gsc_g_a`` the citations-per-year chart, ``tr.gsc_a_tr`` one publication row and
``#gsc_bpf_more`` the "Show more" button.

A page that lacks the name or the publications table raises ``LayoutError``: we would rather
report "the layout changed" than hand the diff engine an empty profile that looks like every
paper was removed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import lxml.html
from lxml import etree

from profilesync.connectors.scholar_errors import ScholarFailure
from profilesync.connectors.shapes import FormatProblem

# Directional marks Scholar wraps around names in <title> and meta tags; never part of a value.
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_MAX_DIGITS = 15
_INT = re.compile(r"\d[\d,.\u00a0\u202f ]*")


class LayoutError(FormatProblem):
    """The page is not a Scholar page we can read (a redesign, an unrecognised block page, or a
    value of the wrong kind such as a count thousands of digits long)."""


@dataclass(frozen=True)
class ProfileHeader:
    """The person part of a profile page, values as shown."""

    name: str
    user_id: str | None = None
    affiliation: str | None = None
    email_domain: str | None = None
    homepage: str | None = None
    interests: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProfileMetrics:
    """The "Cited by" box: all-time and recent values, and the per-year bars."""

    citations: int | None = None
    citations_recent: int | None = None
    h_index: int | None = None
    h_index_recent: int | None = None
    i10_index: int | None = None
    i10_index_recent: int | None = None
    recent_since: int | None = None
    citations_per_year: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ProfileRow:
    """One publication row as the list shows it. ``citations`` is 0 where the cell is blank."""

    title: str
    pub_id: str | None
    authors_text: str
    venue_text: str
    year: int | None
    citations: int
    citations_merged: bool = False


@dataclass(frozen=True)
class ProfilePage:
    """One page of a profile: header and metrics (same on every page) and up to 100 rows."""

    header: ProfileHeader
    metrics: ProfileMetrics
    rows: tuple[ProfileRow, ...]
    has_more: bool


@dataclass(frozen=True)
class DetailPage:
    """A publication's own page (``view_op=view_citation``): the fields the list abbreviates."""

    title: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    url: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BlockPage:
    """Scholar refused to show the page; ``reason`` is one sentence for the report."""

    failure: ScholarFailure
    reason: str


@functools.cache
def _xp(expression: str) -> etree.XPath:
    """A compiled XPath (compiling one per row doubled the time to parse a 1,000-row profile)."""
    return etree.XPath(expression)


def _xcls(name: str) -> str:
    """XPath predicate: the element has CSS class ``name``."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def clean(text: str | None) -> str:
    """Collapse whitespace, drop bidi marks and non-breaking spaces."""
    if not text:
        return ""
    return _SPACE.sub(" ", _BIDI.sub("", text).replace("\u00a0", " ")).strip()


def _to_int(text: str | None) -> int | None:
    text = clean(text)
    match = _INT.search(text)
    if not match:
        return None
    digits = re.sub(r"\D", "", match.group(0))
    if len(digits) > _MAX_DIGITS:
        # No count Scholar shows is this long; int() would also refuse past 4,300 digits.
        raise LayoutError(f"a count on the page should be a number but is {len(digits):,} digits long")
    return int(digits) if digits else None


def _parse(text: str) -> etree._Element:
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise LayoutError(f"the page is not HTML ({exc})") from None


# --- block pages ------------------------------------------------------------------------------

_CAPTCHA_MARKERS = ('id="gs_captcha_ccl"', 'id="recaptcha"', 'id="captcha-form"', 'class="g-recaptcha"')
_SIGN_IN_HOSTS = ("accounts.google.com",)
# Google's own sentence, not the bare words: a profile may list a paper on "unusual traffic".
_UNUSUAL_TRAFFIC = re.compile(r"unusual\s+traffic\s+from\s+your\s+computer\s+network", re.IGNORECASE)


def detect_block(url: str, text: str) -> BlockPage | None:
    """Recognise Scholar's refusal pages in a 200 response (or the page a redirect ended on).

    Returns None for an ordinary page. Checks the DOS-CAPTCHA first: it is the page scholarly
    loops on forever, and it also contains CAPTCHA markup.
    """
    parts = urlsplit(url)
    if 'class="rc-doscaptcha-body"' in text or "rc-doscaptcha-body" in text:
        return BlockPage(ScholarFailure.DOS_CAPTCHA, "blocked by Scholar's anti-abuse CAPTCHA (DOS-CAPTCHA page); try again in a day, or use `profilesync import scholar FILE`")
    if any(marker in text for marker in _CAPTCHA_MARKERS):
        return BlockPage(ScholarFailure.CAPTCHA, "blocked by CAPTCHA: Scholar wants a person to solve a puzzle; try again later, or use `profilesync import scholar FILE`")
    if "/sorry/" in parts.path or _UNUSUAL_TRAFFIC.search(text):
        return BlockPage(ScholarFailure.UNUSUAL_TRAFFIC, 'blocked: Scholar reports "unusual traffic" from this network; try again later, or use `profilesync import scholar FILE`')
    if parts.hostname in _SIGN_IN_HOSTS or "ServiceLogin" in parts.path or "/signin" in parts.path:
        return BlockPage(ScholarFailure.SIGN_IN, "Scholar asked for a Google sign-in instead of showing the profile: the user id is probably wrong or the profile is not public (check sources.scholar.id)")
    return None


# --- the profile page -------------------------------------------------------------------------


def parse_profile(text: str) -> ProfilePage:
    """Parse one page of ``/citations?user=...``. Raises ``LayoutError`` if it is not one."""
    root = _parse(text)
    name_el = root.find(".//*[@id='gsc_prf_in']")
    if name_el is None:
        raise LayoutError("the page has no profile name (#gsc_prf_in): Scholar's layout may have changed")
    table = root.find(".//*[@id='gsc_a_t']")
    if table is None:
        raise LayoutError("the page has no publications table (#gsc_a_t): Scholar's layout may have changed")
    header = _parse_header(root, clean(name_el.text_content()))
    if not header.name:
        raise LayoutError("the profile name (#gsc_prf_in) is empty: Scholar's layout may have changed")
    rows = parse_rows_of(table)
    return ProfilePage(header=header, metrics=_parse_metrics(root), rows=rows, has_more=_has_more(root))


def parse_rows(text: str) -> tuple[ProfileRow, ...]:
    """The publication rows in any HTML text (a whole page or only the ``<tr>`` rows)."""
    return parse_rows_of(lxml.html.fragment_fromstring(text, create_parent="table"))


def parse_rows_of(container: etree._Element) -> tuple[ProfileRow, ...]:
    rows = []
    for tr in _xp(f".//tr[{_xcls('gsc_a_tr')}]")(container):
        row = _parse_row(tr)
        if row is not None:
            rows.append(row)
    return tuple(rows)


def _parse_header(root: etree._Element, name: str) -> ProfileHeader:
    lines = _xp(f".//div[{_xcls('gsc_prf_il')}]")(root)
    affiliation = None
    email_domain = None
    homepage = None
    for line in lines:
        line_id = line.get("id")
        if line_id == "gsc_prf_ivh":
            text = clean(line.text_content())
            match = re.search(r"Verified email at (\S+?)(?:\s|$|-)", text)
            if match:
                email_domain = match.group(1).rstrip(".")
            for link in _xp(".//a[@href]")(line):
                # The e-mail line ends with "- Homepage", a link to the researcher's own site.
                href = link.get("href", "")
                if href.startswith(("http://", "https://")):
                    homepage = href
                    break
        elif line_id == "gsc_prf_int":
            continue
        elif affiliation is None:
            affiliation = clean(line.text_content()) or None
    interests = tuple(t for t in (clean(a.text_content()) for a in _xp(f".//a[{_xcls('gsc_prf_inta')}]")(root)) if t)
    return ProfileHeader(
        name=name,
        user_id=_canonical_user(root),
        affiliation=affiliation,
        email_domain=email_domain,
        homepage=homepage,
        interests=interests,
    )


def _canonical_user(root: etree._Element) -> str | None:
    for link in _xp(".//link[@rel='canonical']")(root):
        users = parse_qs(urlsplit(link.get("href", "")).query).get("user")
        if users:
            return users[0]
    return None


def _parse_metrics(root: etree._Element) -> ProfileMetrics:
    table = root.find(".//*[@id='gsc_rsb_st']")
    if table is None:
        # A profile nobody has cited yet shows no "Cited by" box: no metrics, not an error.
        return ProfileMetrics(citations_per_year=_parse_chart(root))
    since = None
    for th in _xp(".//th")(table):
        match = _YEAR.search(clean(th.text_content()))
        if match:
            since = int(match.group(1))
    values: dict[str, tuple[int | None, int | None]] = {}
    for tr in _xp(".//tbody/tr")(table) or _xp(".//tr")(table):
        cells = _xp(f".//td[{_xcls('gsc_rsb_std')}]")(tr)
        if len(cells) < 2:
            continue
        label = clean(_xp(f"string(.//td[{_xcls('gsc_rsb_sc1')}])")(tr)).lower()
        values[_metric_key(label, len(values))] = (_to_int(cells[0].text_content()), _to_int(cells[1].text_content()))
    citations = values.get("citations", (None, None))
    h_index = values.get("h_index", (None, None))
    i10 = values.get("i10_index", (None, None))
    return ProfileMetrics(
        citations=citations[0],
        citations_recent=citations[1],
        h_index=h_index[0],
        h_index_recent=h_index[1],
        i10_index=i10[0],
        i10_index_recent=i10[1],
        recent_since=since,
        citations_per_year=_parse_chart(root),
    )


def _metric_key(label: str, position: int) -> str:
    """Name a metrics row by its label, falling back to Scholar's fixed order (the label is
    translated when ``hl`` is not English)."""
    if label.startswith("cit"):
        return "citations"
    if label.startswith("h-") or label.startswith("h "):
        return "h_index"
    if label.startswith("i10"):
        return "i10_index"
    return ("citations", "h_index", "i10_index", "other")[min(position, 3)]


def _parse_chart(root: etree._Element) -> dict[int, int]:
    """Citations per year from the bar chart.

    The chart lists every year as a label (``span.gsc_g_t``) but draws a bar (``a.gsc_g_a``) only
    for years with citations; a bar's ``z-index`` counts from the right-most (latest) year. So a
    year without a bar had 0 citations, not "unknown".
    """
    years = [y for y in (_to_int(s.text_content()) for s in _xp(f".//span[{_xcls('gsc_g_t')}]")(root)) if y]
    if not years:
        return {}
    counts = dict.fromkeys(years, 0)
    for bar in _xp(f".//a[{_xcls('gsc_g_a')}]")(root):
        match = re.search(r"z-index\s*:\s*(\d+)", bar.get("style", ""))
        value = _to_int(_xp(f"string(.//span[{_xcls('gsc_g_al')}])")(bar))
        if not match or value is None:
            continue
        offset = int(match.group(1))
        if 1 <= offset <= len(years):
            counts[years[-offset]] = value
    return counts


def _has_more(root: etree._Element) -> bool:
    button = root.find(".//*[@id='gsc_bpf_more']")
    return button is not None and button.get("disabled") is None


def _parse_row(tr: etree._Element) -> ProfileRow | None:
    links = _xp(f".//a[{_xcls('gsc_a_at')}]")(tr)
    if not links:
        return None
    link = links[0]
    title = clean(link.text_content())
    grays = _xp(f".//div[{_xcls('gs_gray')}]")(tr)
    authors = clean(grays[0].text_content()) if grays else ""
    venue = _venue_text(grays[1]) if len(grays) > 1 else ""
    cites_links = _xp(f".//a[{_xcls('gsc_a_ac')}]")(tr)
    citations = 0
    merged = False
    if cites_links:
        citations = _to_int(cites_links[0].text_content()) or 0
        merged = "gsc_a_acm" in (cites_links[0].get("class") or "").split()
    year_text = clean(_xp(f"string(.//span[{_xcls('gsc_a_h')}])")(tr))
    year_match = _YEAR.fullmatch(year_text)
    return ProfileRow(
        title=title,
        pub_id=_pub_id(link.get("href") or link.get("data-href") or ""),
        authors_text=authors,
        venue_text=venue,
        year=int(year_match.group(1)) if year_match else None,
        citations=citations,
        citations_merged=merged,
    )


def _venue_text(div: etree._Element) -> str:
    """The venue line without the ", 2022" Scholar appends for narrow screens (``span.gs_oph``)."""
    full = clean(div.text_content())
    for span in _xp(f".//span[{_xcls('gs_oph')}]")(div):
        tail = clean(span.text_content())
        if tail and full.endswith(tail):
            full = full[: -len(tail)].rstrip()
    return full.rstrip(",").strip()


def _pub_id(href: str) -> str | None:
    """``citation_for_view=USER:KEY`` from a row link (the id Scholar keeps for the entry)."""
    # lxml has already decoded "&amp;"; decoding again would turn "&not..." into "¬...".
    values = parse_qs(urlsplit(href).query).get("citation_for_view")
    return values[0] if values else None


# --- the detail page --------------------------------------------------------------------------


def parse_detail(text: str) -> DetailPage:
    """Parse ``/citations?view_op=view_citation&citation_for_view=...``.

    Raises ``LayoutError`` when the page has no ``#gsc_oci_title``.
    """
    root = _parse(text)
    title_el = root.find(".//*[@id='gsc_oci_title']")
    if title_el is None:
        raise LayoutError("the publication page has no title (#gsc_oci_title): Scholar's layout may have changed")
    fields: dict[str, str] = {}
    for row in _xp(f".//div[{_xcls('gs_scl')}]")(root):
        key = clean(_xp(f"string(.//div[{_xcls('gsc_oci_field')}])")(row))
        value = clean(_xp(f"string(.//div[{_xcls('gsc_oci_value')}])")(row))
        if key and key not in fields:
            fields[key] = value
    authors = tuple(a for a in (clean(p) for p in fields.get("Authors", fields.get("Inventors", "")).split(",")) if a)
    year_match = _YEAR.search(fields.get("Publication date", ""))
    link = _xp(f".//a[{_xcls('gsc_oci_title_link')}]/@href")(title_el)
    return DetailPage(
        title=clean(title_el.text_content()),
        authors=authors,
        year=int(year_match.group(1)) if year_match else None,
        url=str(link[0]) if link else None,
        fields=fields,
    )
