"""Issue 12 on DBLP records: crossed versions, venue "corrections", distinct works called duplicates.

The records are DBLP's (``fixtures/dblp/trust_cases.xml``: a learned-index paper and its CoRR copy,
a NIPS paper and its CoRR copy, a WWW paper and its TODS extension with the same title, DASFAA
proceedings parts I and II; and the recorded Di Xu page). The CVs are kept as a researcher keeps
them from DBLP: DBLP's own titles and venue strings.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from profilesync.config import Policy
from profilesync.connectors.dblp_xml import parse_person_xml
from profilesync.cv.record import CvRecord
from profilesync.diff.changes import ChangeKind
from profilesync.diff.engine import DiffInput, compute
from profilesync.match.matcher import load_params, match_works
from profilesync.model import ExternalIds, Person, Snapshot, Work, WorkStatus, WorkType
from profilesync.normalize.text import clean_title

FIXTURES = Path(__file__).parents[1] / "fixtures" / "dblp"
NOW = datetime(2026, 12, 7, tzinfo=timezone.utc)


def dblp_works(name: str) -> dict[str, Work]:
    page = parse_person_xml((FIXTURES / name).read_bytes(), name)
    return {w.ids.dblp or "": w for w in page.works}


TRUST = dblp_works("trust_cases.xml")
LEARNED = TRUST["conf/sigmod/KraskaBCDP18"]
LEARNED_CORR = TRUST["journals/corr/abs-1712-01208"]
ATTENTION = TRUST["conf/nips/VaswaniSPUJGKP17"]
ATTENTION_CORR = TRUST["journals/corr/VaswaniSPUJGKP17"]
SIMJOIN_WWW = TRUST["conf/www/XiaoWLY08"]
SIMJOIN_TODS = TRUST["journals/tods/XiaoWLYW11"]
DASFAA_1 = TRUST["conf/dasfaa/2018-1"]
DASFAA_2 = TRUST["conf/dasfaa/2018-2"]


def as_cv(work: Work, key: str, *, ids: bool = True) -> Work:
    """The CV entry a researcher copies from DBLP: its title, authors, year and venue string."""
    preprint = work.type is WorkType.PREPRINT
    return Work(
        title=clean_title(work.title),
        authors=work.authors,
        year=work.year,
        venue=work.venue,
        venue_acronym=work.venue,
        pages=work.pages,
        type=work.type,
        ids=ExternalIds(doi=work.ids.doi, arxiv=work.ids.arxiv) if ids else ExternalIds(),
        key=key,
        source_ref=key,
        status=WorkStatus.PREPRINT if preprint else WorkStatus.PUBLISHED,
    )


def diff(person: str, cv_works: list[Work], *snapshots: Snapshot) -> list:
    me = Person(name=person)
    cv = CvRecord(path=Path("cv.yaml"), person=me, works=tuple(cv_works), locks={}, ignore=())
    data = DiffInput(cv=cv, snapshots={s.source: s for s in snapshots}, policy=Policy(), params=load_params(), person=me)
    return list(compute(data).changes)


def snap(source: str, *works: Work) -> Snapshot:
    return Snapshot(source=source, fetched_at=NOW, person=None, works=works)


@pytest.mark.parametrize("with_ids", [True, False], ids=["with-ids", "title-and-authors-only"])
def test_cv_listing_preprint_and_paper_pairs_each_with_its_own_record(with_ids):
    # The CV keeps the SIGMOD paper and its CoRR preprint; DBLP lists both. Each pairs with its own
    # record: nothing differs. (Greedy ranks gave the CV's paper the CoRR record and proposed the
    # preprint's year and venue "CoRR" for it.)
    cv = [as_cv(LEARNED, "kraska2018learned", ids=with_ids), as_cv(LEARNED_CORR, "kraska2017learned", ids=with_ids)]
    result = match_works(cv, [LEARNED_CORR, LEARNED], load_params().for_source("dblp"))
    assert sorted((p.cv_index, p.source_index, p.version) for p in result.pairs) == [(0, 1, False), (1, 0, False)]
    changes = diff("Tim Kraska", cv, snap("dblp", LEARNED_CORR, LEARNED))
    # Without ids in the CV, each record offers its own identifier, and nothing else.
    expected = [] if with_ids else [("kraska2017learned", "arxiv", "1712.01208"), ("kraska2018learned", "doi", "10.1145/3183713.3196909")]
    assert sorted((c.cv_key, c.field, c.source_value) for c in changes) == expected


def test_published_cv_entry_never_takes_values_from_the_preprint_record():
    # Only the CV's published entry, and DBLP lists both forms: the CoRR record is the other form
    # of a CV work, so it proposes nothing and is no missing work.
    cv = [as_cv(ATTENTION, "vaswani2017attention")]
    assert diff("Ashish Vaswani", cv, snap("dblp", ATTENTION_CORR, ATTENTION)) == []


def test_cv_preprint_with_both_forms_on_dblp_is_a_new_version_and_no_duplicate():
    cv = [as_cv(LEARNED_CORR, "kraska2017learned")]
    changes = diff("Tim Kraska", cv, snap("dblp", LEARNED_CORR, LEARNED))
    assert [(c.kind, c.cv_key) for c in changes] == [(ChangeKind.NEW_VERSION, "kraska2017learned")]
    assert changes[0].source_value["venue"] == "SIGMOD Conference"


def test_dblp_preprint_and_paper_the_cv_lacks_are_two_missing_works_not_a_duplicate():
    changes = diff("Ashish Vaswani", [], snap("dblp", ATTENTION_CORR, ATTENTION))
    assert sorted((c.kind.value, c.work.ids.dblp) for c in changes) == [
        ("missing_in_cv", "conf/nips/VaswaniSPUJGKP17"),
        ("missing_in_cv", "journals/corr/VaswaniSPUJGKP17"),
    ]


def test_journal_extension_with_the_conference_title_is_its_own_missing_work():
    # WWW 2008 and its TODS 2011 extension: same title, other DOI, year, venue and one more author.
    cv = [as_cv(SIMJOIN_WWW, "xiao2008simjoin")]
    changes = diff("Chuan Xiao", cv, snap("dblp", SIMJOIN_WWW, SIMJOIN_TODS))
    assert [(c.kind.value, c.work.ids.dblp) for c in changes] == [("missing_in_cv", "journals/tods/XiaoWLYW11")]
    # Neither paper in the CV: two missing works.
    changes = diff("Chuan Xiao", [], snap("dblp", SIMJOIN_WWW, SIMJOIN_TODS))
    assert sorted(c.kind.value for c in changes) == ["missing_in_cv", "missing_in_cv"]


def test_proceedings_parts_are_two_works():
    changes = diff("Jian Pei", [], snap("dblp", DASFAA_1, DASFAA_2))
    assert sorted((c.kind.value, c.work.ids.dblp) for c in changes) == [("missing_in_cv", "conf/dasfaa/2018-1"), ("missing_in_cv", "conf/dasfaa/2018-2")]


def test_book_and_chapter_with_one_title_are_two_works():
    book = DASFAA_1.with_(title="Data Management in the Cloud.", type=WorkType.BOOK, ids=ExternalIds(doi="10.1007/978-3-031-01895-0", dblp="series/synthesis/2012Agrawal"))
    chapter = book.with_(type=WorkType.CHAPTER, ids=ExternalIds(dblp="reference/db/Agrawal2018"))
    changes = diff("Jian Pei", [], snap("dblp", book, chapter))
    assert sorted(c.kind.value for c in changes) == ["missing_in_cv", "missing_in_cv"]


def test_one_work_listed_twice_with_one_doi_is_a_duplicate_quoting_the_same_source():
    # ORCID lists the TODS article twice (two self-added copies with one DOI) and DBLP once; the
    # CV lacks it. The duplicate names ORCID's own two records.
    orcid_a = SIMJOIN_TODS.with_(ids=ExternalIds(doi=SIMJOIN_TODS.ids.doi, orcid_put_code="101"), venue="ACM Transactions on Database Systems", venue_acronym=None)
    orcid_b = orcid_a.with_(ids=ExternalIds(doi=SIMJOIN_TODS.ids.doi, orcid_put_code="102"), title="Efficient Similarity Joins for Near-Duplicate Detection")
    changes = diff("Chuan Xiao", [], snap("dblp", SIMJOIN_TODS), snap("orcid", orcid_a, orcid_b))
    [missing] = [c for c in changes if c.kind is ChangeKind.MISSING_IN_CV]
    assert missing.also_in == ("orcid",)
    [dup] = [c for c in changes if c.kind is ChangeKind.DUPLICATE_IN_SOURCE]
    assert dup.source == "orcid"
    assert "ACM Transactions on Database Systems" in dup.reason and "ACM Trans. Database Syst." not in dup.reason


def test_scholar_arxiv_row_beside_the_paper_row_is_scholars_duplicate_quoting_scholar():
    # Scholar merges versions, so its arXiv row beside the NIPS row is a listing to merge there;
    # the quoted second listing is Scholar's own row, not DBLP's record.
    arxiv_row = Work(title="Attention is all you need", authors=ATTENTION.authors, year=2017, venue="arXiv preprint arXiv:1706.03762", type=WorkType.PREPRINT, ids=ExternalIds(arxiv="1706.03762"))
    paper_row = Work(title="Attention is all you need", authors=ATTENTION.authors, year=2017, venue="Advances in neural information processing systems 30", type=WorkType.CONFERENCE)
    changes = diff("Ashish Vaswani", [], snap("dblp", ATTENTION), snap("scholar", paper_row, arxiv_row))
    [dup] = [c for c in changes if c.kind is ChangeKind.DUPLICATE_IN_SOURCE]
    assert dup.source == "scholar"
    assert "arXiv preprint arXiv:1706.03762" in dup.reason and "Advances in neural information processing systems" in dup.reason
    assert "(NIPS" not in dup.reason and "(NeurIPS" not in dup.reason


def test_cv_listing_both_forms_of_one_orcid_work_is_one_note_naming_both_keys():
    # ORCID groups the preprint and the paper into one work (DOI and arXiv id): the CV's two entries
    # are one note, and the preprint entry is not "missing on orcid".
    cv = [as_cv(LEARNED, "kraska2018learned"), as_cv(LEARNED_CORR, "kraska2017learned")]
    grouped = LEARNED.with_(ids=ExternalIds(doi=LEARNED.ids.doi, arxiv="1712.01208", orcid_put_code="7"), venue="Proceedings of the 2018 International Conference on Management of Data", venue_acronym=None)
    changes = diff("Tim Kraska", cv, snap("orcid", grouped))
    assert [(c.kind, sorted(c.cv_value)) for c in changes] == [(ChangeKind.DUPLICATE_IN_CV, ["kraska2017learned", "kraska2018learned"])]
    assert "kraska2017learned" in changes[0].reason and "kraska2018learned" in changes[0].reason


def test_orcid_preprint_and_paper_in_separate_groups_without_authors_are_versions():
    # ORCID works often carry no contributors. The CV keeps the preprint; ORCID has the preprint
    # (arXiv id) and the paper (DOI) as two groups: the paper is the preprint's new version.
    cv = [as_cv(LEARNED_CORR, "kraska2017learned")]
    pre = Work(title="The Case for Learned Index Structures", year=2017, type=WorkType.PREPRINT, ids=ExternalIds(arxiv="1712.01208", orcid_put_code="1"))
    paper = Work(title="The Case for Learned Index Structures", year=2018, venue="Proceedings of the 2018 International Conference on Management of Data", type=WorkType.CONFERENCE, ids=ExternalIds(doi=LEARNED.ids.doi, orcid_put_code="2"))
    changes = diff("Tim Kraska", cv, snap("orcid", pre, paper))
    assert [(c.kind, c.cv_key) for c in changes] == [(ChangeKind.NEW_VERSION, "kraska2017learned")]


def test_no_author_version_needs_a_near_identical_title():
    pre = Work(title="Learned Index Structures for Main Memory", year=2017, type=WorkType.PREPRINT, ids=ExternalIds(arxiv="1712.01208"))
    other = Work(title="Learned Cardinality Estimation for Main Memory Joins", year=2018, venue="SIGMOD Conference", type=WorkType.CONFERENCE, ids=ExternalIds(doi="10.1145/1"))
    assert match_works([pre], [other], load_params()).pairs == ()


def test_a_cv_entry_filed_under_a_preprint_server_is_a_preprint_whatever_its_type():
    # A DBLP .bib export types a CoRR or ECCC record @article; the CV entry is still the preprint,
    # so the published record is its new version, and no field of the paper is proposed for it.
    cv = [as_cv(LEARNED_CORR, "DBLP:journals/corr/abs-1712-01208").with_(type=WorkType.JOURNAL, status=None, ids=ExternalIds())]
    changes = diff("Tim Kraska", cv, snap("dblp", LEARNED))
    assert [(c.kind, c.cv_key) for c in changes] == [(ChangeKind.NEW_VERSION, "DBLP:journals/corr/abs-1712-01208")]


def test_a_cv_venue_the_researcher_changed_is_compared_as_written_not_by_its_dblp_key():
    # A .bib CV keeps DBLP's key (DBLP:conf/sigmod/...) but its booktitle says ICDE: that differs.
    entry = as_cv(LEARNED, "kraska2018learned").with_(venue="ICDE", venue_acronym="ICDE", ids=ExternalIds(doi=LEARNED.ids.doi, dblp=LEARNED.ids.dblp))
    changes = diff("Tim Kraska", [entry], snap("dblp", LEARNED))
    assert [(c.field, c.cv_value, c.source_value) for c in changes] == [("venue", "ICDE", "SIGMOD Conference")]


def test_scholar_row_with_a_cut_title_beside_the_full_row_is_a_duplicate_not_a_missing_work():
    full = Work(title="Efficient similarity joins for near duplicate detection", authors=SIMJOIN_WWW.authors, year=2008, venue="Proceedings of the 17th international conference on World Wide Web, 131-140", type=WorkType.CONFERENCE)
    cut = full.with_(title="Efficient similarity joins for near duplicate …", venue=None, cut=frozenset({"title"}))
    changes = diff("Chuan Xiao", [as_cv(SIMJOIN_WWW, "xiao2008simjoin")], snap("scholar", full, cut))
    assert [(c.kind, c.source) for c in changes if c.kind is not ChangeKind.FIELD_DIFFERS] == [(ChangeKind.DUPLICATE_IN_SOURCE, "scholar")]


def test_one_title_by_the_same_authors_in_two_venues_pairs_by_venue():
    # DBLP lists a paper's workshop version and its conference version under one title (same
    # authors, same year, no DOI on the workshop one); the CV lists both. Each pairs with the record
    # of its own venue: nothing differs.
    workshop = SIMJOIN_WWW.with_(venue="WebDB", venue_acronym="WEBDB", ids=ExternalIds(dblp="conf/webdb/XiaoWLY08"), pages="1-6")
    cv = [as_cv(SIMJOIN_WWW, "xiao2008www", ids=False), as_cv(workshop, "xiao2008webdb", ids=False)]
    changes = diff("Chuan Xiao", cv, snap("dblp", workshop, SIMJOIN_WWW))
    assert sorted((c.cv_key, c.field, c.source_value) for c in changes) == [("xiao2008www", "doi", SIMJOIN_WWW.ids.doi)]


def test_a_title_that_extends_another_is_another_work_not_a_duplicate():
    # "...: An Initial Report" beside the paper's title: DBLP never cuts titles, so two works.
    report = SIMJOIN_WWW.with_(title="Efficient similarity joins for near duplicate detection: An initial report.", venue="WebDB", venue_acronym="WEBDB", ids=ExternalIds(dblp="conf/webdb/XiaoWLY08"))
    changes = diff("Chuan Xiao", [], snap("dblp", SIMJOIN_WWW, report))
    assert sorted(c.kind.value for c in changes) == ["missing_in_cv", "missing_in_cv"]


def test_a_paper_whose_cv_venue_reads_corr_is_still_the_published_paper():
    # A CV typo puts "CoRR" as the venue of the SIGMOD paper (conference, publisher DOI): the venue
    # differs; the entry is not taken for a preprint (no new_version, no preprint pairing).
    entry = as_cv(LEARNED, "kraska2018learned").with_(venue="CoRR", venue_acronym="CoRR")
    changes = diff("Tim Kraska", [entry], snap("dblp", LEARNED_CORR, LEARNED))
    assert [(c.kind, c.field, c.cv_value, c.source_value) for c in changes] == [(ChangeKind.FIELD_DIFFERS, "venue", "CoRR", "SIGMOD Conference")]


def test_a_reworded_same_group_paper_beside_the_preprints_own_record_is_its_own_work():
    # The CV keeps a preprint that DBLP lists (CoRR); a later paper of the same authors shares words
    # with it but has no arXiv link and another title: it is reported missing, never as the
    # preprint's new version (whose push would rewrite the CV entry with another paper's values).
    later = LEARNED.with_(title="Learned Index Structures for Spatial Data and Beyond.", ids=ExternalIds(doi="10.1145/0000000.0000001", dblp="conf/sigmod/KraskaBCDP20"), year=2020)
    changes = diff("Tim Kraska", [as_cv(LEARNED_CORR, "kraska2017learned")], snap("dblp", LEARNED_CORR, later))
    assert [(c.kind.value, c.work.ids.dblp) for c in changes] == [("missing_in_cv", "conf/sigmod/KraskaBCDP20")]


def test_one_title_in_two_venues_the_same_year_is_two_works_not_a_duplicate():
    workshop = SIMJOIN_WWW.with_(venue="WebDB", venue_acronym="WEBDB", ids=ExternalIds(dblp="conf/webdb/XiaoWLY08"), pages="1-6")
    www = SIMJOIN_WWW.with_(ids=ExternalIds(dblp=SIMJOIN_WWW.ids.dblp))
    changes = diff("Chuan Xiao", [], snap("dblp", workshop, www))
    assert sorted((c.kind.value, c.work.ids.dblp) for c in changes) == [("missing_in_cv", "conf/webdb/XiaoWLY08"), ("missing_in_cv", "conf/www/XiaoWLY08")]


def test_the_corr_copy_is_the_papers_other_form_despite_a_misspelt_first_author():
    # DBLP spells the first author differently on the two records ("Tim Kr" is a slip); the
    # title is unchanged and the other authors agree: the CoRR record is the paper's other form.
    slip = LEARNED.with_(authors=(LEARNED.authors[0].__class__("Tim Kr"), *LEARNED.authors[1:]))
    cv = [as_cv(slip, "kraska2018learned")]
    assert diff("Alex Beutel", cv, snap("dblp", LEARNED_CORR, slip)) == []


def test_the_cv_note_is_valid_in_the_json_report_and_has_a_heading():
    import jsonschema

    from profilesync.report.json import change_to_report
    from profilesync.report.text import HEADINGS
    from profilesync.validation import load_schema

    cv = [as_cv(LEARNED, "kraska2018learned"), as_cv(LEARNED_CORR, "kraska2017learned")]
    grouped = LEARNED.with_(ids=ExternalIds(doi=LEARNED.ids.doi, arxiv="1712.01208", orcid_put_code="7"))
    [note] = diff("Tim Kraska", cv, snap("orcid", grouped))
    item = change_to_report(note)
    schema = load_schema("diff.schema.json")
    jsonschema.validate(item, {"$defs": schema["$defs"], "$ref": "#/$defs/change"})
    assert item["kind"] == "duplicate_in_cv" and note.kind.value in HEADINGS
