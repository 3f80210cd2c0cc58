"""Snapshot identity (issue 12, item 4) and "in sync" about nothing (item 5).

A snapshot records the target it was pulled for (``pulled_for``: the source id, or the profile name
a DBLP search used). The demo's bundled snapshots must never be reported as a new person's data
after they put their own ids in config.yaml and cv.yaml, as the README tells them to.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO_ROOT, copy_demo, run_cli, tree_digest
from reliability import fixtures
from reliability.servers import status
from reliability.sources import BY_NAME, ORCID_ID

_templates = fixtures._templates
source_server = fixtures.source_server
make_profile = fixtures.make_profile

SOURCES = ("dblp", "orcid", "scholar", "github")
DEMO_ORCID = "0000-0003-4209-9451"
# Josiah Carberry, ORCID's own test iD (valid checksum).
OTHER_ORCID = "0000-0002-1825-0097"

OTHER_CV = """\
person:
  name: Jane Roe
  ids:
    orcid: 0000-0002-1825-0097
    scholar: ROEjaneAAAAJ
    github: janeroe
publications:
  - key: roe2024tides
    title: Tidal Scheduling of Batch Jobs
    authors: [Jane Roe, Ada Coauthor]
    venue: RELCONF
    year: 2024
    type: conference
"""


def _as_another_person(directory: Path) -> Path:
    """What the README says a new user does: their own name and ids in config.yaml and cv.yaml."""
    config = (directory / "config.yaml").read_text(encoding="utf-8")
    for old, new in (("Zili Zhang", "Jane Roe"), (DEMO_ORCID, OTHER_ORCID), ("310QUvQAAAAJ", "ROEjaneAAAAJ"), ("id: Gold-Sea", "id: janeroe")):
        assert old in config
        config = config.replace(old, new)
    config = config.replace("    base_url: https://dblp.org\n", '    id: "99/9999"\n    base_url: https://dblp.org\n', 1)
    (directory / "config.yaml").write_text(config, encoding="utf-8")
    (directory / "cv.yaml").write_text(OTHER_CV, encoding="utf-8")
    return directory


def _json_diff(directory: Path, *extra: str) -> tuple[int, dict]:
    result = run_cli(["diff", "--offline", "--format", "json", *extra], directory)
    assert "Traceback" not in result.stderr
    return result.exit_code, json.loads(result.stdout)


def test_the_bundled_snapshots_record_the_demo_targets():
    for name, ident in (("dblp", None), ("orcid", DEMO_ORCID), ("scholar", "310QUvQAAAAJ"), ("github", "Gold-Sea")):
        data = json.loads((REPO_ROOT / "cache" / "snapshots" / f"{name}.json").read_text(encoding="utf-8"))
        assert data["pulled_for"] == {"id": ident, "name": "Zili Zhang"}


def test_the_demo_itself_still_uses_its_snapshots(tmp_path):
    code, report = _json_diff(copy_demo(tmp_path))
    assert code == 1
    assert {name: info["status"] for name, info in report["sources"].items()} == dict.fromkeys(SOURCES, "ok")
    assert report["compared"] == list(SOURCES)


def test_the_demo_pointed_at_another_person_uses_none_of_its_snapshots(tmp_path):
    profile = _as_another_person(copy_demo(tmp_path))
    before = tree_digest(profile)
    code, report = _json_diff(profile)
    assert code == 3
    assert {name: info["status"] for name, info in report["sources"].items()} == dict.fromkeys(SOURCES, "failed")
    errors = {name: report["sources"][name]["error"] for name in SOURCES}
    # Each message says whose snapshot it is, whom the config names, and what to run.
    assert f"ORCID iD {DEMO_ORCID} (Zili Zhang), not for the configured ORCID iD {OTHER_ORCID}" in errors["orcid"]
    assert "Scholar user 310QUvQAAAAJ" in errors["scholar"] and "ROEjaneAAAAJ" in errors["scholar"]
    assert "GitHub login Gold-Sea" in errors["github"] and "janeroe" in errors["github"]
    assert 'a search for the name "Zili Zhang"' in errors["dblp"] and "DBLP pid 99/9999" in errors["dblp"]
    for name in SOURCES:
        assert f"{name}.json" in errors[name]
        assert f"`profilesync pull --source {name}`" in errors[name]
    assert report["changes"] == []  # none of the demo researcher's papers is proposed
    assert report["in_sync"] is False
    assert report["compared"] == []
    assert tree_digest(profile) == before  # an offline diff writes nothing, and keeps the files

    text = run_cli(["diff", "--offline"], profile)
    assert text.exit_code == 3
    assert "In sync" not in text.stdout
    assert "Nothing was compared" in text.stdout


def test_a_changed_profile_name_disowns_a_dblp_search_snapshot(tmp_path):
    profile = copy_demo(tmp_path)
    config = (profile / "config.yaml").read_text(encoding="utf-8").replace("name: Zili Zhang", "name: Zili Zhao", 1)
    (profile / "config.yaml").write_text(config, encoding="utf-8")
    code, report = _json_diff(profile, "--source", "dblp")
    assert code == 3
    assert report["sources"]["dblp"]["status"] == "failed"
    assert 'pulled for a search for the name "Zili Zhang", not for a search for the profile name "Zili Zhao"' in report["sources"]["dblp"]["error"]


def _drop_target(path: Path, **person_ids: str) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["pulled_for"]
    data["person"].setdefault("ids", {}).update(person_ids)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_an_old_snapshot_is_trusted_only_when_the_source_named_the_configured_id(tmp_path):
    profile = copy_demo(tmp_path)
    snapshots = profile / "cache" / "snapshots"
    _drop_target(snapshots / "orcid.json")  # person.ids.orcid is the demo's own iD
    _drop_target(snapshots / "github.json", github="someone-else")
    code, report = _json_diff(profile)
    assert report["sources"]["orcid"]["status"] == "ok"
    assert report["sources"]["github"]["status"] == "failed"
    assert "records no target (an older snapshot)" in report["sources"]["github"]["error"]
    assert "GitHub login someone-else" in report["sources"]["github"]["error"]
    assert code == 3
    assert "github" not in report["compared"]


def test_a_dblp_search_snapshot_serves_the_pid_it_found(tmp_path):
    """Writing the pid the name search found into config.yaml (what the connector advises) keeps
    the snapshot: the source itself recorded that pid."""
    profile = copy_demo(tmp_path)
    path = profile / "cache" / "snapshots" / "dblp.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["person"]["ids"] = {"dblp": "12/3456"}
    path.write_text(json.dumps(data), encoding="utf-8")
    config = (profile / "config.yaml").read_text(encoding="utf-8").replace("    base_url: https://dblp.org\n", '    id: "12/3456"\n    base_url: https://dblp.org\n', 1)
    (profile / "config.yaml").write_text(config, encoding="utf-8")
    code, report = _json_diff(profile, "--source", "dblp")
    assert report["sources"]["dblp"]["status"] == "ok"
    assert code == 1


def _retarget(profile: Path, name: str, ident: str) -> Path:
    """Make the cached snapshot of ``name`` one pulled for ``ident`` (another person)."""
    path = profile / "cache" / "snapshots" / f"{name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["pulled_for"]["id"] = ident
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_diff_pulls_a_source_whose_snapshot_is_of_another_id(make_profile, source_server):
    profile = make_profile("orcid")
    path = _retarget(profile, "orcid", OTHER_ORCID)
    result = run_cli(["diff", "--format", "json"], profile)
    assert result.exit_code in (0, 1), result.stderr
    assert "pulling orcid" in result.stderr, "the snapshot of another iD counts as none: diff fetched"
    report = json.loads(result.stdout)
    assert report["sources"]["orcid"]["status"] == "ok"
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["pulled_for"]["id"] == ORCID_ID
    assert report["sources"]["orcid"]["works"] == len(saved["works"]) == BY_NAME["orcid"].works_ok


def test_a_failed_pull_never_falls_back_on_another_ids_snapshot(make_profile, source_server):
    profile = make_profile("orcid")
    path = _retarget(profile, "orcid", OTHER_ORCID)
    kept = path.read_bytes()
    shutil.rmtree(profile / "cache" / "http")  # no cached answers: the pull reaches the failing server
    source_server.fail_always("orcid", status(503))
    result = run_cli(["diff", "--format", "json"], profile)
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["sources"]["orcid"]["status"] == "failed"  # not "stale" with the other person's works
    assert "works" not in report["sources"]["orcid"]
    assert OTHER_ORCID in report["sources"]["orcid"]["error"]
    assert report["changes"] == []
    assert path.read_bytes() == kept  # the failing source did not touch the file

    pulled = run_cli(["pull", "--source", "orcid"], profile)
    assert pulled.exit_code == 3
    assert "no snapshot to fall back on" in pulled.stdout
    assert OTHER_ORCID in pulled.stdout


def test_a_pull_records_its_target(make_profile):
    profile = make_profile("github")
    data = json.loads((profile / "cache" / "snapshots" / "github.json").read_text(encoding="utf-8"))
    assert data["pulled_for"] == {"id": BY_NAME["github"].ident, "name": BY_NAME["github"].person}


# --- "in sync" about nothing ---------------------------------------------------------------------


def test_no_data_at_all_is_not_in_sync(tmp_path):
    profile = copy_demo(tmp_path)
    shutil.rmtree(profile / "cache" / "snapshots")
    code, report = _json_diff(profile)
    assert code == 3
    assert report["in_sync"] is False
    assert report["compared"] == []
    for fmt, sign in (("text", "Nothing was compared"), ("markdown", "**Nothing was compared:**"), ("html", "<b>Nothing was compared:</b>")):
        result = run_cli(["diff", "--offline", "--format", fmt], profile)
        assert result.exit_code == 3
        assert sign in result.stdout
        assert "In sync" not in result.stdout


def test_every_pull_failed_is_not_in_sync(make_profile, source_server):
    profile = make_profile("github")
    (profile / "cache" / "snapshots" / "github.json").unlink()
    source_server.fail_always("github", status(500))
    result = run_cli(["diff", "--format", "json"], profile)
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["sources"]["github"]["status"] == "failed"
    assert report["in_sync"] is False


def test_a_source_without_data_makes_an_empty_report_partial(make_profile):
    """With one source's data and nothing different, the report is in sync only with all of it."""
    profile = make_profile("github")
    snapshot = json.loads((profile / "cache" / "snapshots" / "github.json").read_text(encoding="utf-8"))
    config = json.loads((profile / "config.yaml").read_text(encoding="utf-8"))
    # A CV holding exactly the works the source lists, so that nothing differs.
    cv = {"person": {"name": config["profile"]["name"]}, "publications": []}
    (profile / "cv.yaml").write_text(json.dumps(cv), encoding="utf-8")
    snapshot["works"] = []
    snapshot["person"] = {"name": snapshot["person"]["name"], "ids": snapshot["person"].get("ids", {})}
    (profile / "cache" / "snapshots" / "github.json").write_text(json.dumps(snapshot), encoding="utf-8")
    code, report = _json_diff(profile)
    assert report["changes"] == []
    assert (code, report["in_sync"], report["compared"]) == (0, True, ["github"])
    config["sources"]["orcid"] = {"id": ORCID_ID, "base_url": "http://127.0.0.1:9/"}  # never contacted: --offline
    (profile / "config.yaml").write_text(json.dumps(config), encoding="utf-8")
    code, report = _json_diff(profile)
    assert (code, report["in_sync"], report["compared"]) == (3, False, ["github"])
    text = run_cli(["diff", "--offline"], profile).stdout
    assert "Not fully compared: no differences with github, but orcid had no data." in text


@pytest.mark.slow
def test_another_profiles_metrics_history_is_set_aside_not_compared(make_profile):
    profile = make_profile("scholar")
    history = profile / "cache" / "history" / "scholar.json"
    assert history.is_file(), "a scholar pull records its metrics"
    # The cache held another profile: its snapshot and its citation history (the demo's numbers).
    _retarget(profile, "scholar", "310QUvQAAAAJ")
    other = [{"fetched_at": "2026-08-17T06:00:00Z", "citations": 99999, "h_index": 77, "i10_index": 70}]
    history.write_text(json.dumps(other), encoding="utf-8")
    result = run_cli(["diff", "--format", "json"], profile)
    assert result.exit_code in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert report["sources"]["scholar"]["status"] == "ok"
    assert all(entry.get("citations") != 99999 for entry in report["history"].get("scholar", []))
    assert not [c for c in report["changes"] if c["kind"] == "metric_changed" and "99999" in c["reason"]]
    aside = list(history.parent.glob("scholar.other-profile-*.json"))
    assert [json.loads(p.read_text(encoding="utf-8")) for p in aside] == [other]  # kept, not deleted
