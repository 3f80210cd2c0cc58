"""The drift corpus: real DBLP person pages, as the bytes ``GET /pid/<pid>.xml`` returns.

Pages are stored under ``pages/`` as DBLP person XML (``*.xml`` or ``*.xml.gz``) or, where only
DBLP's BibTeX export of a person was found in public repositories, as that export
(``*.bib`` / ``*.bib.gz``). A BibTeX export is turned into the person XML the DBLP connector
reads (``bib_to_person_xml``): every field DBLP's BibTeX carries is written to the XML element DBLP
uses for it. What the export lacks (author pids, ``publtype``) is said in ``SOURCES.md``; the
person's pid is the one recorded there.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import bibtexparser
from pylatexenc.latex2text import LatexNodes2Text

PAGES_DIR = Path(__file__).resolve().parent / "pages"

# Person pid and display name of BibTeX exports (the export itself names neither).
BIB_PEOPLE: dict[str, tuple[str, str]] = {}


@dataclass(frozen=True)
class Page:
    """One corpus page: its id (the file stem), DBLP pid, DBLP name and the person XML bytes."""

    page_id: str
    pid: str
    name: str
    xml: bytes
    origin: str  # "xml" or "bib"


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def page_files() -> list[Path]:
    return sorted(p for p in PAGES_DIR.iterdir() if re.search(r"\.(xml|bib)(\.gz)?$", p.name))


def page_id_of(path: Path) -> str:
    return re.sub(r"\.(xml|bib)(\.gz)?$", "", path.name)


def load_page(path: Path) -> Page:
    raw = _read(path)
    pid_name = _people_table()
    page_id = page_id_of(path)
    if ".bib" in path.name:
        if page_id not in pid_name:
            raise SystemExit(
                f"{path}: no pid/name for this BibTeX page in pages/people.tsv; add a line '{page_id}<TAB>pid<TAB>name'"
            )
        pid, name = pid_name[page_id]
        return Page(page_id, pid, name, bib_to_person_xml(raw.decode("utf-8"), pid, name), "bib")
    head = raw[:2000].decode("utf-8", "replace")
    found = re.search(r'<dblpperson\s+name="([^"]+)"\s+pid="([^"]+)"', head)
    if not found:
        raise SystemExit(f"{path}: not a DBLP person page (no <dblpperson name=... pid=...>)")
    return Page(page_id, found.group(2), found.group(1), raw, "xml")


def load_pages(selected: list[str] | None = None) -> list[Page]:
    files = page_files()
    if selected:
        wanted = set(selected)
        files = [f for f in files if page_id_of(f) in wanted]
        missing = wanted - {page_id_of(f) for f in files}
        if missing:
            known = ", ".join(page_id_of(f) for f in page_files())
            raise SystemExit(f"unknown page(s): {', '.join(sorted(missing))}; known: {known}")
    return [load_page(f) for f in files]


def _people_table() -> dict[str, tuple[str, str]]:
    table = dict(BIB_PEOPLE)
    path = PAGES_DIR / "people.tsv"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                page_id, pid, name = line.split("\t")[:3]
                table[page_id] = (pid, name)
    return table


# --- BibTeX export -> person XML -------------------------------------------------------------

_TO_TEXT = LatexNodes2Text(math_mode="verbatim", keep_braced_groups=False)
_ELEMENT = {
    "article": "article",
    "inproceedings": "inproceedings",
    "proceedings": "proceedings",
    "book": "book",
    "incollection": "incollection",
    "phdthesis": "phdthesis",
    "mastersthesis": "mastersthesis",
    "misc": "data",
}
# DBLP marks these streams' records publtype="informal" in its XML (the BibTeX export drops it).
_INFORMAL_STREAMS = ("journals/corr/", "journals/eccc/", "journals/iacr/")


def _text(value: str) -> str:
    return " ".join(_TO_TEXT.latex_to_text(value).split())


def _names(value: str) -> list[str]:
    return [_text(n) for n in re.split(r"\s+and\s+", " ".join(value.split())) if n.strip()]


def bib_to_person_xml(text: str, pid: str, name: str) -> bytes:
    """DBLP's BibTeX export of a person as the ``<dblpperson>`` XML DBLP serves for that person."""
    library = bibtexparser.parse_string(text)
    records = []
    for entry in library.entries:
        key = entry.key.removeprefix("DBLP:")
        tag = _ELEMENT.get(entry.entry_type.lower(), "article")
        fields = {f.key.lower(): str(f.value) for f in entry.fields}
        attrs = f" key={quoteattr(key)}"
        if key.startswith(_INFORMAL_STREAMS):
            attrs = ' publtype="informal"' + attrs
        parts = []
        people = "author" if "author" in fields else "editor"
        for person in _names(fields.get(people, "")):
            extra = f" pid={quoteattr(pid)}" if _same(person, name) else ""
            parts.append(f"<{people}{extra}>{escape(person)}</{people}>")
        title = _text(fields.get("title", ""))
        if title and title[-1] not in ".?!":
            title += "."  # DBLP's XML titles end with a full stop; its BibTeX drops it
        parts.append(f"<title>{escape(title)}</title>")
        for field_name in (
            "pages",
            "year",
            "volume",
            "journal",
            "number",
            "booktitle",
            "series",
            "publisher",
            "school",
        ):
            if fields.get(field_name):
                value = _text(fields[field_name])
                if field_name == "pages":
                    value = fields[field_name].replace("--", "-").strip()
                parts.append(f"<{field_name}>{escape(value)}</{field_name}>")
        if fields.get("doi"):
            parts.append(f"<ee>https://doi.org/{escape(fields['doi'].replace(chr(92) + '_', '_'))}</ee>")
        if (
            fields.get("eprint")
            and "arxiv" in (fields.get("eprinttype", "") + fields.get("archiveprefix", "")).lower()
        ):
            parts.append(f'<ee type="oa">https://arxiv.org/abs/{escape(fields["eprint"])}</ee>')
        elif fields.get("url") and not fields.get("doi"):
            parts.append(f"<ee>{escape(fields['url'])}</ee>")
        body = "\n".join(parts)
        records.append(f"<r><{tag}{attrs}>\n{body}\n</{tag}>\n</r>")
    head = f'<dblpperson name={quoteattr(name)} pid={quoteattr(pid)} n="{len(records)}">\n'
    person = f'<person key="homepages/{escape(pid)}"><author pid={quoteattr(pid)}>{escape(name)}</author></person>\n'
    return ('<?xml version="1.0"?>\n' + head + person + "\n".join(records) + "\n</dblpperson>\n").encode(
        "utf-8"
    )


def _same(a: str, b: str) -> bool:
    strip = re.compile(r"\s+\d{4}$")
    return strip.sub("", a).strip().lower() == strip.sub("", b).strip().lower()
