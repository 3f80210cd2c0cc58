"""The drift benchmark's own mechanics (benchmarks/drift): the generator is deterministic and
faithful to DBLP except for what it plants, and the scorer counts TP/FP/FN and wrong rewrites
as defined in its README. These tests say nothing about the engine's quality."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import bibtexparser
import pytest
import yaml

DRIFT = Path(__file__).resolve().parents[2] / "benchmarks" / "drift"
sys.path.insert(0, str(DRIFT))

from drift_corpus import load_pages  # noqa: E402
from drift_cvfiles import cv_data, write_cv  # noqa: E402
from drift_generate import FIELDS, Kind, generate  # noqa: E402
from drift_score import perfect_changes, score_report  # noqa: E402

from profilesync.connectors.dblp_xml import parse_person_xml  # noqa: E402
from profilesync.cv.formats.bibtex import decode, split_authors  # noqa: E402
from profilesync.normalize.names import strip_dblp_suffix  # noqa: E402

PAGE = "song_23-7512"


@pytest.fixture(scope="module")
def pages():
    return load_pages()


@pytest.fixture(scope="module")
def case(pages):
    page = next(p for p in pages if p.page_id == PAGE)
    return generate(page, 7, donors=pages)


def _totals(score):
    tp = sum(t.tp for t in score.rows.values())
    fp = sum(t.fp for t in score.rows.values())
    fn = sum(t.fn for t in score.rows.values())
    return tp, fp, fn


@pytest.mark.slow
def test_generator_is_deterministic_per_seed(pages, case):
    page = next(p for p in pages if p.page_id == PAGE)
    again = generate(page, 7, donors=pages)
    other = generate(page, 8, donors=pages)
    assert again.xml == case.xml
    assert again.truth == case.truth
    assert [e.fields for e in again.entries] == [e.fields for e in case.entries]
    assert other.truth != case.truth


def test_every_change_kind_is_planted(case):
    kinds = {t.kind for t in case.truth}
    assert kinds == set(Kind)
    fields = {t.field for t in case.truth if t.kind is Kind.FIELD_DIFFERS}
    assert fields == set(FIELDS)
    # One plant per CV work, so no truth depends on how two plants interact.
    planted_entries = [t.entry for t in case.truth if t.entry is not None]
    assert len(planted_entries) == len(set(planted_entries))


def test_cv_is_faithful_to_dblp_except_for_the_plants(case):
    """Comparing every CV entry with its own DBLP record finds exactly the field plants."""
    records = {w.ids.dblp: w for w in parse_person_xml(case.xml, "drift").works}
    planted = {(t.entry, t.field) for t in case.truth if t.kind is Kind.FIELD_DIFFERS}
    found = set()
    for n, entry in enumerate(case.entries):
        if entry.dblp_key is None:
            continue
        work = records[entry.dblp_key]
        f = entry.fields
        own = {
            "title": (f["title"], work.title),
            "year": (f["year"], work.year),
            "venue": (f["venue"], work.venue),
            "authors": (f["authors"], [strip_dblp_suffix(a.name) for a in work.authors]),
            "pages": (f.get("pages"), work.pages),
            "doi": (f["ids"].get("doi"), work.ids.doi),
        }
        found |= {(n, name) for name, (mine, theirs) in own.items() if mine != theirs}
    assert found == planted


def test_source_plants_are_in_the_served_page(case):
    keys = {w.ids.dblp for w in parse_person_xml(case.xml, "drift").works}
    for t in case.truth:
        if t.kind in (Kind.FOREIGN_WORK, Kind.DUPLICATE_IN_SOURCE):
            assert set(t.records) <= keys
        if t.kind is Kind.MISSING_IN_CV:
            assert t.records[0] in keys
            assert all(t.records[0] not in e.records for e in case.entries)


@pytest.mark.parametrize("variant", ["yaml", "bib"])
def test_perfect_report_scores_full_marks(case, variant):
    score = score_report(case, variant, perfect_changes(case, variant))
    tp, fp, fn = _totals(score)
    assert (tp, fp, fn) == (len(case.truth), 0, 0)
    assert score.wrong_rewrites == 0
    assert all(t.bad_value == 0 for t in score.rows.values())


def test_a_missed_change_is_a_false_negative_and_an_extra_one_a_false_positive(case):
    changes = perfect_changes(case, "yaml")
    dropped = next(c for c in changes if c["kind"] == "field_differs" and c["field"] == "year")
    changes.remove(dropped)
    # A venue "correction" of an entry whose venue is DBLP's own string: nothing was planted there.
    planted = {t.entry for t in case.truth}
    n, entry = next(
        (n, e) for n, e in enumerate(case.entries) if n not in planted and e.dblp_key and e.fields["venue"]
    )
    changes.append(
        {
            "kind": "field_differs",
            "source": "dblp",
            "cv_key": entry.key("yaml"),
            "field": "venue",
            "cv_value": entry.fields["venue"],
            "source_value": "ACRONYM",
            "work": {"ids": {"dblp": entry.dblp_key}},
        }
    )
    score = score_report(case, "yaml", changes)
    assert score.rows["field_differs:year"].fn == 1
    assert score.rows["field_differs:venue"].fp == 1
    assert any("DBLP's own string" in k for k in score.fp_classes)
    assert score.wrong_rewrites == 0  # the value came from this work's own record


def test_a_proposal_from_another_record_is_a_wrong_rewrite(case):
    changes = perfect_changes(case, "yaml")
    title = next(c for c in changes if c["kind"] == "field_differs" and c["field"] == "title")
    other = next(
        e.dblp_key for e in case.entries if e.dblp_key and e.dblp_key != title["work"]["ids"]["dblp"]
    )
    title["work"] = {"ids": {"dblp": other}}
    title["source_value"] = case.values[other]["title"]
    score = score_report(case, "yaml", changes)
    titles = sum(1 for t in case.truth if t.field == "title")
    assert score.wrong_rewrites == 1
    assert score.rows["field_differs:title"].tp == titles  # found, but with another work's value
    assert score.rows["field_differs:title"].bad_value == 1


def test_no_report_counts_every_plant_as_missed(case):
    score = score_report(case, "bib", None, "diff exited 2: key refused")
    tp, fp, fn = _totals(score)
    assert (tp, fp, fn) == (0, 0, len(case.truth))
    assert score.failure == "diff exited 2: key refused"


def test_cv_variants_carry_the_same_entries(case):
    name, ruamel_text = write_cv(case, "yaml")
    _, pyyaml_text = write_cv(case, "yaml-pyyaml")
    bib_name, bib_text = write_cv(case, "bib")
    assert name == "cv.yaml" and bib_name == "cv.bib"
    assert "\npublications:\n  - key: " in ruamel_text  # list items indented under their key
    assert "\npublications:\n- key: " in pyyaml_text  # PyYAML's default: flush with the key
    first = case.entries[0]
    assert f"DBLP:{first.dblp_key}," in bib_text
    assert bib_text.count("\n@") + 1 == len(case.entries)


@pytest.mark.parametrize("variant", ["yaml", "yaml-pyyaml"])
def test_yaml_cv_reads_back_as_the_generated_entries(case, variant):
    _, text = write_cv(case, variant)
    assert yaml.safe_load(text) == cv_data(case, variant)


def test_bib_cv_values_read_back_with_the_readers_decoding(case):
    """Titles, names, pages, DOIs survive the .bib writer as the BibTeX CV reader decodes them,
    so a difference the engine reports on the .bib CV is not the writer's doing."""
    _, text = write_cv(case, "bib")
    entries = bibtexparser.parse_string(text).entries
    assert [e.key for e in entries] == [entry.key("bib") for entry in case.entries]
    for parsed, entry in zip(entries, case.entries, strict=True):
        fields = {f.key: str(f.value) for f in parsed.fields}
        assert decode(fields["title"]) == entry.fields["title"]
        assert split_authors(fields["author"]) == entry.fields["authors"]
        assert int(fields["year"]) == entry.fields["year"]
        assert fields.get("doi") == entry.fields["ids"].get("doi")
        assert (fields.get("pages") or "").replace("--", "-") == (entry.fields.get("pages") or "")


def test_a_note_naming_both_keys_of_a_cv_listing_both_forms_is_not_scored(pages):
    page = next(p for p in pages if p.page_id == PAGE)
    big = generate(page, 1, donors=pages)
    assert big.both, "the page has CoRR + published pairs the CV lists in both forms"
    pre, pub = big.both[0]
    pre_key, pub_key = big.entries[pre].key("yaml"), big.entries[pub].key("yaml")
    note = {
        "kind": "new_version",
        "source": "dblp",
        "cv_key": pre_key,
        "reason": f"the CV lists {pre_key} and {pub_key}: one work",
    }
    score = score_report(big, "yaml", [*perfect_changes(big, "yaml"), note, dict(note)])
    assert score.unscored["note: the CV lists both forms"] == 1
    assert score.rows["new_version"].fp == 1  # a second note on the same pair is not free


@pytest.mark.slow
def test_the_real_cli_runs_against_a_local_page_and_every_plant_is_counted_once(case, tmp_path):
    """End to end on 127.0.0.1: the served page, pull, diff --format json, score."""
    spec = importlib.util.spec_from_file_location("drift_run", DRIFT / "run.py")
    drift_run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(drift_run)

    server = drift_run._Server()
    try:
        changes, failure = drift_run.run_cli(case, "yaml", server, tmp_path)
    finally:
        server.close()
    assert failure is None
    assert (tmp_path / "cache").is_dir() and (tmp_path / "cv.yaml").is_file()
    score = score_report(case, "yaml", changes)
    tp, _, fn = _totals(score)
    assert tp + fn == len(case.truth)
    assert server.base_url.startswith("http://127.0.0.1:")


def test_a_change_naming_no_record_is_judged_by_its_value(case):
    changes = perfect_changes(case, "yaml")
    title = next(c for c in changes if c["kind"] == "field_differs" and c["field"] == "title")
    other = next(
        e.dblp_key for e in case.entries if e.dblp_key and e.dblp_key != title["work"]["ids"]["dblp"]
    )
    del title["work"]
    score = score_report(case, "yaml", changes)
    assert score.wrong_rewrites == 0  # DBLP's own title of this work
    title["source_value"] = case.values[other]["title"]
    score = score_report(case, "yaml", changes)
    assert score.wrong_rewrites == 1
