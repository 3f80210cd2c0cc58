"""Table linkage: clusters, the right record's margin, and forked workers agreeing with one process."""

from __future__ import annotations

import random
from pathlib import Path

from profilesync.bench.data import Record, read_mapping, read_table
from profilesync.bench.pairs import prepare_record
from profilesync.match.features import prepare_fields
from profilesync.match.linkage import link_tables, quick_title
from profilesync.match.params import load_params

FIX = Path(__file__).parents[1] / "fixtures" / "match"
NOISY = load_params().with_profile("noisy").model
WORDS = "adaptive query index storage stream cache mining rules spatial temporal transaction recovery parallel join view warehouse semantic schema graph xml olap cube sampling".split()


def links(left, right, **kw):
    found, _ = link_tables([prepare_record(r) for r in left], [r.title for r in right], lambda j: prepare_record(right[j]), NOISY, **kw)
    return {(left[x.left].id, right[x.right].id) for x in found}


def test_quick_title_is_only_for_blocking():
    assert quick_title("SjÃ¶strÃ¶m: R-Trees &amp; More") == "sj str m r trees amp more"


def test_every_listing_of_a_paper_joins_its_cluster():
    dblp = [Record("d1", "Incremental Maintenance for Non-Distributive Aggregate Functions", "T Palpanas, R Sidle, H Pirahesh, R Cochrane", "VLDB", "2002")]
    scholar = [
        Record("s1", "Incremental maintenance for non-distributive aggregate functions", "T Palpanas, R Sidle, R Cochrane, H Pirahesh", "VLDB,", "2002"),
        Record("s2", "Incremental Maintenance for Non-Distributive Aggregate Functions, VLDB", "T Palpanas, R Sidle, R Cochrane", "", ""),
        Record("s3", "Incremental maintenance of views with duplicates", "T Griffin, L Libkin", "SIGMOD", "1995"),
    ]
    assert links(dblp, scholar) == {("d1", "s1"), ("d1", "s2")}


def test_a_right_record_keeps_only_its_best_left_partners():
    # Two DBLP records with the same title (conference and journal version): a Scholar listing
    # that names the journal goes to the journal record alone.
    dblp = [
        Record("conf", "Answering Queries Using Views: A Survey", "A Halevy", "VLDB", "1999"),
        Record("jour", "Answering Queries Using Views: A Survey", "A Halevy", "VLDB J.", "2001"),
    ]
    scholar = [Record("s", "Answering queries using views: A survey", "AY Halevy", "The VLDB Journal", "2001")]
    assert links(dblp, scholar) == {("jour", "s")}
    assert len(links(dblp, scholar, margin=100.0)) == 2


def test_forked_workers_find_the_same_links_as_one_process():
    left = read_table(FIX / "dblp1_sample.csv")
    right = read_table(FIX / "scholar_sample.csv")
    rng = random.Random(3)
    # Pad the right table past the size at which workers are used, with distractor titles.
    right = right + [Record(f"x{k}", " ".join(rng.sample(WORDS, 6)), "A Nobody, B Noone", "", "") for k in range(5200)]
    one = links(left, right, workers=1)
    two = links(left, right, workers=2)
    truth = read_mapping(FIX / "mapping_sample.csv")
    assert one == two
    assert len(one & truth) >= 0.85 * len(truth)
    assert not any(r.startswith("x") for _, r in one)


def test_empty_titles_link_nothing():
    left = [Record("a", "", "A B", "", "")]
    assert links(left, [Record("b", "", "A B", "", "")]) == set()
    assert prepare_fields("", "A B").title == ""
