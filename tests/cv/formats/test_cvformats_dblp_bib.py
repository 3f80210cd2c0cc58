"""A researcher's DBLP-exported .bib as the canonical CV (issue 12.6).

``dblp_export.bib`` is real: Jilin Hu's DBLP export (19 entries, standard style) as his homepage
uses it, followed by DBLP's crossref-style and newer-style exports of two other records; see
tests/fixtures/cvformats/README.md. Keys are DBLP's (``DBLP:conf/icde/Hu0GJX20``), venues are
DBLP's strings (``{{VLDB} J.}``) and no entry has al-folio's ``abbr``.

The push test serves DBLP's person XML from a local HTTP server. That XML is CONSTRUCTED from the
same export (``person_xml`` below: one ``<r>`` record per entry, in the shape of the real person
XML in tests/fixtures/dblp/), because no recorded person XML of this researcher exists; drift is
planted in the CV copy, never in the fixture.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape

import bibtexparser
import pytest

from conftest import run_cli
from cvformats_helpers import field_change
from profilesync.config import CvFormat, load_config
from profilesync.cv.formats import open_document
from profilesync.cv.formats.bibtex import decode, split_authors
from profilesync.cv.load import load_cv_for
from profilesync.model import WorkType
from profilesync.push.cv_apply import apply_changes

FIXTURES = Path(__file__).parents[2] / "fixtures" / "cvformats"
EXPORT = FIXTURES / "dblp_export.bib"
NOW = datetime(2026, 11, 28, tzinfo=timezone.utc)
PID = "148/1364"  # constructed: the test serves the person XML under this pid
ICDE20 = "DBLP:conf/icde/Hu0GJX20"
MDM17 = "DBLP:conf/mdm/WauryH0J17"
VLDBJ20 = "DBLP:journals/vldb/GuoYHJC20"


def write_profile(directory: Path, bib_text: str, dblp_url: str = "http://127.0.0.1:9") -> Path:
    (directory / "cv.bib").write_text(bib_text, encoding="utf-8")
    (directory / "config.yaml").write_text(
        "profile:\n  name: Jilin Hu\n"
        "cv: {path: cv.bib, format: bibtex}\n"
        "cache_dir: cache\n"
        f'sources:\n  dblp: {{id: "{PID}", base_url: "{dblp_url}", min_interval_s: 0, retries: 1, timeout_s: 10}}\n',
        encoding="utf-8",
    )
    return directory


def entries_by_key(text: str) -> dict[str, str]:
    """Each entry's exact text, by key (the file's bytes from one ``@`` to the next)."""
    starts = [m.start() for m in re.finditer(r"(?m)^@", text)] + [len(text)]
    blocks = [text[a:b] for a, b in zip(starts, starts[1:], strict=False)]
    return {re.match(r"@\w+\{([^,]+),", block).group(1): block for block in blocks}


def test_a_dblp_export_loads_as_it_is(tmp_path: Path):
    text = EXPORT.read_text(encoding="utf-8")
    record = load_cv_for(load_config(write_profile(tmp_path, text) / "config.yaml"))

    library = bibtexparser.parse_string(text)
    keys = [e.key for e in library.entries if e.entry_type != "proceedings"]
    assert [w.key for w in record.works] == keys  # every DBLP key, unchanged; the crossref'd proceedings is not a work
    assert len(record.works) == 21
    by_key = {w.key: w for w in record.works}
    # The venue is DBLP's journal/booktitle with BibTeX's braces dropped; no abbr is needed.
    assert by_key[VLDBJ20].venue_acronym == by_key[VLDBJ20].venue == "VLDB J."
    assert by_key["DBLP:journals/pvldb/DaiYGJH16"].venue_acronym == "Proc. VLDB Endow."
    assert by_key[ICDE20].venue.startswith("36th IEEE International Conference on Data Engineering, ICDE 2020")
    for entry in library.entries:
        if entry.key in by_key:
            venue = entry.fields_dict.get("journal") or entry.fields_dict.get("booktitle") or entry.fields_dict.get("publisher")
            assert by_key[entry.key].venue_acronym == decode(venue.value), entry.key
    assert (by_key[ICDE20].year, by_key[ICDE20].type, by_key[ICDE20].pages) == (2020, WorkType.CONFERENCE, "1417-1428")
    assert by_key[ICDE20].ids.dblp == "conf/icde/Hu0GJX20"
    assert by_key["DBLP:journals/corr/abs-2106-09373"].type is WorkType.PREPRINT
    assert by_key["DBLP:journals/corr/abs-2106-09373"].ids.arxiv == "2106.09373"
    assert by_key["DBLP:conf/spire/BastMW06"].ids.doi == "10.1007/11880561_13"


@pytest.mark.parametrize("style", ["crossref", "condensed", "standard"])
def test_each_dblp_export_style_of_one_record(tmp_path: Path, style: str):
    text = (FIXTURES / f"rec_conf_spire_BastMW06_{style}.bib").read_text(encoding="utf-8")
    [work] = load_cv_for(load_config(write_profile(tmp_path, text) / "config.yaml")).works
    assert (work.key, work.year, work.type, work.ids.dblp) == ("DBLP:conf/spire/BastMW06", 2006, WorkType.CONFERENCE, "conf/spire/BastMW06")
    assert work.venue_acronym == ("SPIRE" if style == "condensed" else "String Processing and Information Retrieval, 13th International Conference, SPIRE 2006, Glasgow, UK, October 11-13, 2006, Proceedings")
    assert work.author_names == ("H. Bast", "Christian Worm Mortensen", "Ingmar Weber")


def test_crossref_supplies_the_venue_and_year_a_child_lacks(tmp_path: Path):
    """BibTeX's crossref: the child takes the proceedings' fields it does not have itself."""
    text = (FIXTURES / "rec_conf_spire_BastMW06_crossref.bib").read_text(encoding="utf-8")
    child = re.sub(r"  booktitle = \{String.*?Proceedings\},\n", "", text, count=1, flags=re.S).replace("  year      = {2006},\n  crossref", "  crossref", 1)
    assert "booktitle" not in child.split("@proceedings")[0] and "year" not in child.split("@proceedings")[0]
    [work] = load_cv_for(load_config(write_profile(tmp_path, child) / "config.yaml")).works
    assert work.year == 2006
    assert work.venue_acronym.startswith("String Processing and Information Retrieval, 13th International Conference, SPIRE 2006")
    assert work.ids.doi == "10.1007/11880561_13"  # its own DOI, not the proceedings' 10.1007/11880561


def test_a_proceedings_the_researcher_edited_stays_a_publication(tmp_path: Path):
    text = (FIXTURES / "rec_conf_spire_BastMW06_crossref.bib").read_text(encoding="utf-8")
    config = write_profile(tmp_path, text) / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("Jilin Hu", "Paolo Ferragina"), encoding="utf-8")
    assert [w.key for w in load_cv_for(load_config(config)).works] == ["DBLP:conf/spire/BastMW06", "DBLP:conf/spire/2006"]


@pytest.mark.parametrize("key", ["DBLP:conf/sigmod/SmithJ21", "smith+jones.2021", "Müller2020-a/b"])
def test_keys_bibtex_accepts_are_accepted(tmp_path: Path, key: str):
    text = f"@article{{{key},\n  title = {{A Title}},\n  journal = {{{{VLDB}} J.}},\n  year = {{2021}}\n}}\n"
    [work] = load_cv_for(load_config(write_profile(tmp_path, text) / "config.yaml")).works
    assert (work.key, work.venue_acronym) == (key, "VLDB J.")


def test_a_key_bibtex_refuses_is_a_clear_error(tmp_path: Path, cli):
    write_profile(tmp_path, "@article{smith~2021,\n  title = {A Title},\n  year = {2021}\n}\n")
    result = cli(["validate"], tmp_path)
    assert result.exit_code == 2
    assert "cv.bib: entry smith~2021: key: expected a key BibTeX accepts" in result.stderr


def test_edits_keep_dblp_keys_and_braces(tmp_path: Path):
    write_profile(tmp_path, EXPORT.read_text(encoding="utf-8"))
    document = open_document(tmp_path / "cv.bib", CvFormat.BIBTEX, person_name="Jilin Hu")
    apply_changes(document, [field_change(VLDBJ20, "pages", "1149-1171")])
    new = entries_by_key(document.render())[VLDBJ20]
    assert new.startswith("@article{DBLP:journals/vldb/GuoYHJC20,\n")
    assert "  journal   = {{VLDB} J.},\n" in new
    assert "  pages     = {1149--1171},\n" in new


# --- push --to cv against DBLP served locally ------------------------------------------------


def person_xml(bib_text: str, name: str) -> bytes:
    """DBLP's person XML for the entries of a DBLP BibTeX export (see the module docstring)."""
    records = []
    for entry in bibtexparser.parse_string(bib_text).entries:
        fields = {k.lower(): f.value for k, f in entry.fields_dict.items()}
        authors = split_authors(fields.get("author", ""))
        if name not in authors:
            continue
        key = entry.key.removeprefix("DBLP:")
        tag = "article" if entry.entry_type == "article" else "inproceedings"
        venue = f"<journal>{escape(decode(fields['journal']))}</journal>" if tag == "article" else f"<booktitle>{key.split('/')[1].upper()}</booktitle>"
        parts = [f'<r><{tag} key="{key}" mdate="2022-04-11">']
        parts += [f"<author>{escape(a)}</author>" for a in authors]
        parts.append(f"<title>{escape(decode(fields['title']))}.</title>")
        if fields.get("pages"):
            parts.append(f"<pages>{fields['pages'].replace('--', '-')}</pages>")
        parts.append(f"<year>{fields['year']}</year>")
        parts.append(venue)
        if fields.get("doi"):
            parts.append(f"<ee>https://doi.org/{fields['doi'].replace(chr(92), '')}</ee>")
        parts.append(f"</{tag}></r>")
        records.append("\n".join(parts))
    head = f'<?xml version="1.0"?>\n<dblpperson name="{name}" pid="{PID}" n="{len(records)}">\n<person key="homepages/{PID}" mdate="2022-04-11">\n<author pid="{PID}">{name}</author>\n</person>\n'
    return (head + "\n".join(records) + "\n</dblpperson>\n").encode()


@pytest.mark.slow
def test_pushing_two_changes_leaves_every_other_entry_byte_identical(httpserver, tmp_path: Path):
    real = EXPORT.read_text(encoding="utf-8")
    # Drift planted in the CV copy: a wrong year on one paper, wrong pages on another.
    drifted = real.replace("  year      = {2017},\n  url       = {https://doi.org/10.1109/MDM.2017.40}", "  year      = {2016},\n  url       = {https://doi.org/10.1109/MDM.2017.40}", 1)
    drifted = drifted.replace("  pages     = {1149--1170},", "  pages     = {1149--1107},", 1)
    assert len(drifted) == len(real) and drifted != real
    httpserver.expect_request(f"/pid/{PID}.xml").respond_with_data(person_xml(real, "Jilin Hu"), content_type="application/xml")
    profile = write_profile(tmp_path, drifted, httpserver.url_for("/").rstrip("/"))

    report = run_cli(["diff", "--refresh", "--format", "json"], profile, now=NOW)
    assert report.exit_code == 1, report.stderr
    changes = json.loads(report.stdout)["changes"]
    ids = {c["id"] for c in changes}
    # No entry has abbr, and none is said to lack a venue: journal/booktitle is the venue.
    assert not [c for c in changes if c.get("field") == "venue" and c.get("cv_value") in (None, "")]
    assert "the CV has none" not in " ".join(c["reason"] for c in changes if c.get("field") == "venue")
    year_fix, pages_fix = f"field_differs|dblp|{MDM17}|year", f"field_differs|dblp|{VLDBJ20}|pages"
    assert {year_fix, pages_fix} <= ids

    push = run_cli(["push", "--to", "cv", "--yes", "--only", year_fix, "--only", pages_fix], profile, now=NOW)
    assert push.exit_code == 0, push.stderr

    after = (profile / "cv.bib").read_text(encoding="utf-8")
    before_entries, after_entries = entries_by_key(drifted), entries_by_key(after)
    assert list(after_entries) == list(before_entries)  # same keys, same order, nothing added
    changed = [k for k in before_entries if before_entries[k] != after_entries[k]]
    assert changed == [VLDBJ20, MDM17]
    # The two fixed entries are now DBLP's export again, byte for byte; so is the whole file.
    assert after == real


@pytest.mark.slow
def test_exports_keep_the_dblp_keys(tmp_path: Path, cli):
    """\\cite{DBLP:conf/icde/Hu0GJX20} keeps working; file names never take a key's slashes."""
    write_profile(tmp_path, EXPORT.read_text(encoding="utf-8"))
    bib = cli(["export", "--format", "bibtex", "--output", "papers.bib"], tmp_path)
    assert bib.exit_code == 0, bib.stderr
    exported = [e.key for e in bibtexparser.parse_file(str(tmp_path / "papers.bib")).entries]
    assert sorted(exported) == sorted(w.key for w in load_cv_for(load_config(tmp_path / "config.yaml")).works)
    hugo = cli(["export", "--format", "hugo", "--output", "site"], tmp_path)
    assert hugo.exit_code == 0, hugo.stderr
    bundles = [p for p in (tmp_path / "site" / "content" / "publication").iterdir() if p.is_dir()]
    assert len(bundles) == 21
    assert all(p.parent.parent == tmp_path / "site" / "content" / "publication" for p in (tmp_path / "site").rglob("index.md"))


def test_added_fields_follow_the_entry_alignment(tmp_path: Path):
    """DBLP pads names so "=" lines up (10 columns in the older style, 13 in the newer)."""
    write_profile(tmp_path, EXPORT.read_text(encoding="utf-8"))
    document = open_document(tmp_path / "cv.bib", CvFormat.BIBTEX, person_name="Jilin Hu")
    apply_changes(document, [field_change("DBLP:journals/corr/abs-2106-09373", "doi", "10.48550/arXiv.2106.09373"), field_change("DBLP:series/sci/2023-1062", "pages", "1-250")])
    entries = entries_by_key(document.render())
    assert entries["DBLP:journals/corr/abs-2106-09373"].endswith("  bibsource = {dblp computer science bibliography, https://dblp.org},\n  doi       = {10.48550/arxiv.2106.09373}\n}\n\n")
    assert entries["DBLP:series/sci/2023-1062"].endswith("https://dblp.org},\n  pages        = {1--250}\n}\n")
