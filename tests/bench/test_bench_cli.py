"""`python -m profilesync.bench`: er-pairs (joined and Magellan layouts) and er-link, on real trimmed data."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from profilesync.bench.__main__ import main
from profilesync.bench.data import read_table
from profilesync.bench.metrics import link_quality, pair_quality

FIX = Path(__file__).parents[1] / "fixtures" / "match"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_er_pairs_joined_layout(tmp_path):
    out_file = tmp_path / "pred.csv"
    code, out, err = run("er-pairs", "--pairs", str(FIX / "dblp_scholar_train_hard.csv"), "--predictions", str(out_file))
    assert code == 0, err
    assert "profile noisy" in out  # Scholar-like data (no years, initials) picks the noisy profile
    assert "22 pairs scored" in out
    assert "pairs/s" in out
    assert "F1 100.00" in out
    rows = read_csv(out_file)
    assert [r["id"] for r in rows][:2] == ["2", "3"]
    assert set(rows[0]) == {"id", "prediction", "score"}
    assert all(r["prediction"] in ("0", "1") and 0.0 <= float(r["score"]) <= 1.0 for r in rows)


def test_er_pairs_without_labels_prints_no_quality(tmp_path):
    source = read_csv(FIX / "dblp_scholar_train_hard.csv")
    unlabelled = tmp_path / "pairs.csv"
    with unlabelled.open("w", encoding="utf-8", newline="") as handle:
        fields = [k for k in source[0] if k != "label"]
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(source)
    code, out, _ = run("er-pairs", "--pairs", str(unlabelled), "--predictions", str(tmp_path / "p.csv"), "--profile", "noisy")
    assert code == 0
    assert "F1" not in out
    assert len(read_csv(tmp_path / "p.csv")) == 22


def test_er_pairs_magellan_tables(tmp_path):
    code, out, err = run(
        "er-pairs",
        "--tables",
        str(FIX / "acm_tableA.csv"),
        str(FIX / "acm_tableB.csv"),
        "--pairs",
        str(FIX / "acm_train_pairs.csv"),
        "--predictions",
        str(tmp_path / "p.csv"),
    )
    assert code == 0, err
    assert "profile clean" in out
    assert "tp 6, fp 0, fn 0" in out


def test_er_link_latin1_and_mojibake_tables_against_the_truth(tmp_path):
    links = tmp_path / "links.csv"
    code, out, err = run(
        "er-link",
        "--left",
        str(FIX / "dblp1_sample.csv"),
        "--right",
        str(FIX / "scholar_sample.csv"),
        "--output",
        str(links),
        "--truth",
        str(FIX / "mapping_sample.csv"),
        "--workers",
        "1",
    )
    assert code == 0, err
    assert "14 x 94 records" in out
    assert "peak memory:" in out
    assert "time: read" in out
    rows = read_csv(links)
    assert set(rows[0]) == {"left_id", "right_id", "score"}
    truth = {(a, b) for a, b in csv.reader((FIX / "mapping_sample.csv").read_text(encoding="utf-8").splitlines()[1:])}
    quality = link_quality({(r["left_id"], r["right_id"]) for r in rows}, truth)
    assert quality.precision == 1.0
    assert quality.recall >= 0.85
    # Many-to-many: a DBLP paper Scholar lists several times links to each listing.
    per_left: dict[str, int] = {}
    for r in rows:
        per_left[r["left_id"]] = per_left.get(r["left_id"], 0) + 1
    assert max(per_left.values()) >= 3
    # The latin-1 DBLP file was read correctly (a name with an umlaut survives).
    assert any("ä" in r.authors or "ö" in r.authors or "ü" in r.authors for r in read_table(FIX / "dblp1_sample.csv"))


def test_bad_input_names_the_file_and_the_fix(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,title\n1,x\n", encoding="utf-8")
    code, _, err = run("er-pairs", "--pairs", str(bad), "--predictions", str(tmp_path / "p.csv"))
    assert code == 2
    assert str(bad) in err
    assert "missing column(s)" in err
    assert not (tmp_path / "p.csv").exists()
    code, _, err = run("er-link", "--left", str(tmp_path / "nope.csv"), "--right", str(bad), "--output", str(tmp_path / "l.csv"))
    assert code == 2
    assert "nope.csv" in err
    code, _, err = run("er-pairs", "--pairs", str(FIX / "dblp_scholar_train_hard.csv"), "--predictions", str(tmp_path / "p.csv"), "--profile", "fuzzy")
    assert code == 2
    assert "unknown matcher profile 'fuzzy'" in err


@pytest.mark.parametrize(
    ("labels", "predictions", "p", "r"),
    [([1, 1, 0, 0], [1, 0, 1, 0], 0.5, 0.5), ([1, 0], [0, 0], 0.0, 0.0), ([0], [0], 0.0, 0.0)],
)
def test_pair_quality(labels, predictions, p, r):
    q = pair_quality(labels, predictions)
    assert (q.precision, q.recall) == (p, r)
