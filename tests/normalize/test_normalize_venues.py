"""Venues by identity: the venue table and what the diff proposes (issue 12, point 2)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from profilesync.config import Policy
from profilesync.connectors.dblp_xml import parse_person_xml
from profilesync.cv.record import CvRecord
from profilesync.diff.changes import ChangeKind
from profilesync.diff.engine import DiffInput, compute
from profilesync.match.matcher import load_params
from profilesync.model import Person, Snapshot, Work, WorkStatus
from profilesync.normalize.text import clean_title
from profilesync.normalize.venues import (
    VenueKind,
    dblp_stream,
    name_key,
    table_from_data,
    venue_identity,
    venue_table,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "dblp"
DIXU = FIXTURES / "person_pid_95-7448-1_DiXu0001_extracted_from_openreview_test.xml"


@pytest.mark.parametrize(
    ("cv_name", "source_name", "key", "same"),
    [
        ("SIGMOD Conference", "SIGMOD Conference", "conf/sigmod/KraskaBCDP18", True),
        ("SIGMOD", "SIGMOD Conference", "conf/sigmod/KraskaBCDP18", True),
        ("ACM SIGMOD International Conference on Management of Data", "SIGMOD Conference", "conf/sigmod/KraskaBCDP18", True),
        ("Proc. SIGMOD '18", "SIGMOD Conference", "conf/sigmod/KraskaBCDP18", True),
        ("VLDB J.", "VLDB J.", "journals/vldb/X20", True),
        ("The VLDB Journal", "VLDB J.", "journals/vldb/X20", True),
        ("VLDB", "VLDB J.", "journals/vldb/X20", False),  # the conference is not the journal
        ("PVLDB", "Proc. VLDB Endow.", "journals/pvldb/X20", True),
        ("VLDB", "Proc. VLDB Endow.", "journals/pvldb/X20", False),  # DBLP's string for the conference
        ("SIGMOD", "Proc. ACM Manag. Data", "journals/pacmmod/X24", True),  # what people write for PACMMOD
        ("SIGMOD Conference", "Proc. ACM Manag. Data", "journals/pacmmod/X24", False),
        ("TVCG", "IEEE Trans. Vis. Comput. Graph.", "journals/tvcg/XuDN11", True),
        ("3DTV-CON", "3DTV-Conference", "conf/3dtv/Coria-MendozaXN12", True),
        ("ICDE", "SIGMOD Conference", "conf/sigmod/X18", False),
        ("ECCV", "ECCV (2)", "conf/eccv/X20-2", True),
        # Streams outside the table: the record's own string, or the stream's name.
        ("FooConf", "FooConf", "conf/fooconf/X20", True),
        ("FOOCONF 2020", "Proc. Foo Conference", "conf/fooconf/X20", True),
        ("BarConf", "Proc. Foo Conference", "conf/fooconf/X20", False),
        # No DBLP key (ORCID, Scholar): names and the patterns decide.
        ("SIGCOMM", "Proceedings of the ACM SIGCOMM 2023 Conference", None, True),
        ("ICDE", "2018 IEEE 34th International Conference on Data Engineering (ICDE)", None, True),
        ("NSDI", "Proceedings of the ACM SIGCOMM 2023 Conference", None, False),
    ],
)
def test_venue_identity(cv_name, source_name, key, same):
    assert venue_identity([cv_name]).same_as(venue_identity([source_name], key)) is same


def test_name_key_drops_years_ordinals_parts_and_proceedings():
    assert name_key("Proc. SIGMOD '18") == name_key("SIGMOD 2018") == name_key("sigmod18") == "sigmod"
    assert name_key("ECCV (1)") == "eccv"
    assert name_key("Proceedings of the 34th ICDE") == "icde"


def test_shipped_table_covers_the_streams_of_real_pages():
    table = venue_table()
    for stream in ("conf/sigmod", "journals/vldb", "journals/pvldb", "journals/tvcg", "conf/3dtv", "journals/corr", "conf/nips", "conf/icde", "journals/tods", "conf/osdi", "conf/cvpr", "conf/acl", "conf/icse", "conf/ccs"):
        assert stream in table.by_stream, stream
    assert table.by_stream["journals/vldb"].kind is VenueKind.JOURNAL
    assert table.by_stream["conf/sigmod"].dblp[0] == "SIGMOD Conference"
    assert dblp_stream("conf/sigmod/KraskaBCDP18") == "conf/sigmod"
    assert dblp_stream("homepages/0/0") is None


def test_table_errors_name_the_entry():
    with pytest.raises(ValueError, match="entry 2: kind 'talk'"):
        table_from_data([{"id": "a", "kind": "journal", "short": "A", "long": "A"}, {"id": "b", "kind": "talk", "short": "B", "long": "B"}], "t.json")
    with pytest.raises(ValueError, match="entry 2: id 'a' is used twice"):
        table_from_data([{"id": "a", "kind": "journal", "short": "A", "long": "A"}] * 2, "t.json")
    with pytest.raises(ValueError, match="goes by 'VLDB', which DBLP writes for 'vldb'"):
        table_from_data([{"id": "vldb", "kind": "conference", "short": "VLDB", "long": "Very Large Data Bases", "dblp": ["VLDB"]}, {"id": "pvldb", "kind": "journal", "short": "PVLDB", "long": "Proc. VLDB Endowment", "aliases": ["VLDB"]}], "t.json")
    shipped = json.loads((Path(__file__).parents[2] / "src/profilesync/normalize/venues.json").read_text(encoding="utf-8"))
    assert table_from_data(shipped["venues"]).by_id["sigmod"].short == "SIGMOD"


def _cv_from(works: list[Work], venue_of) -> CvRecord:
    entries = []
    for n, w in enumerate(works):
        venue = venue_of(w)
        entries.append(Work(title=clean_title(w.title), authors=w.authors, year=w.year, venue=venue, venue_acronym=venue, pages=w.pages, type=w.type, ids=replace(w.ids, dblp=None), key=f"w{n}", status=WorkStatus.PUBLISHED))
    me = Person(name="Di Xu")
    return CvRecord(path=Path("cv.yaml"), person=me, works=tuple(entries), locks={}, ignore=())


def _diff(cv: CvRecord, works: list[Work]) -> list:
    snapshot = Snapshot(source="dblp", fetched_at=datetime(2026, 12, 7, tzinfo=timezone.utc), person=None, works=tuple(works))
    data = DiffInput(cv=cv, snapshots={"dblp": snapshot}, policy=Policy(), params=load_params(), person=cv.person)
    return list(compute(data).changes)


def test_cv_copying_dblps_venue_strings_gets_no_venue_change():
    # The recorded Di Xu page: "3DTV-Conference", "IEEE Trans. Vis. Comput. Graph.", "ICIP"...
    works = list(parse_person_xml(DIXU.read_bytes(), "dixu").works)
    assert _diff(_cv_from(works, lambda w: w.venue), works) == []
    # The acronyms people write are the same venues too.
    short = {"3DTV-Conference": "3DTV-CON", "IEEE Trans. Vis. Comput. Graph.": "TVCG"}
    assert _diff(_cv_from(works, lambda w: short.get(w.venue or "", w.venue)), works) == []


def test_a_different_venue_is_proposed_with_dblps_own_string():
    works = list(parse_person_xml(DIXU.read_bytes(), "dixu").works)
    wrong = {"IEEE Trans. Vis. Comput. Graph.": "IEEE Trans. Image Process.", "ICCE": "ICIP"}
    changes = _diff(_cv_from(works, lambda w: wrong.get(w.venue or "", w.venue)), works)
    got = sorted((c.kind, c.field, c.cv_value, c.source_value) for c in changes)
    assert got == [
        (ChangeKind.FIELD_DIFFERS, "venue", "ICIP", "ICCE"),
        (ChangeKind.FIELD_DIFFERS, "venue", "IEEE Trans. Image Process.", "IEEE Trans. Vis. Comput. Graph."),
    ]


def test_pattern_keys_are_table_ids_and_preprint_servers_are_known():
    from profilesync.normalize.venues import _VENUES, is_preprint_venue

    assert {key for key, _ in _VENUES} <= set(venue_table().by_id)
    assert is_preprint_venue("CoRR") and is_preprint_venue("Electron. Colloquium Comput. Complex.") and is_preprint_venue("IACR Cryptol. ePrint Arch.")
    assert not is_preprint_venue("SIGMOD Conference") and not is_preprint_venue("Theor. Comput. Sci.")


@pytest.mark.parametrize(
    ("cv_name", "source_name", "key"),
    [
        # Strings DBLP writes for other streams on one real page are other venues.
        ("SC", "The Journal of Supercomputing", "journals/tjs/X20"),
        ("AAMAS", "Auton. Agents Multi Agent Syst.", "journals/aamas/X20"),
        ("ICCV", "ICCV Workshops", "conf/iccvw/X21"),
        ("ICS", "SC", "conf/sc/X12"),
    ],
)
def test_another_streams_string_is_another_venue(cv_name, source_name, key):
    assert not venue_identity([cv_name]).same_as(venue_identity([source_name], key))
