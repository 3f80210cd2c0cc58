"""The CLI end to end, in-process: exit codes, error messages, the JSON contract, no surprise writes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import run_cli, tree_digest
from profilesync.validation import load_schema


def test_help_lists_commands_and_exit_codes(tmp_path):
    result = run_cli(["--help"], tmp_path)
    assert result.exit_code == 0
    for command in ("init", "pull", "diff", "validate"):
        assert command in result.stdout
    assert "3 a source failed" in result.stdout


def test_no_command_prints_help_and_exits_2(tmp_path):
    result = run_cli([], tmp_path)
    assert result.exit_code == 2
    assert "COMMAND" in result.stdout


def test_validate_demo_profile(demo):
    result = run_cli(["validate"], demo)
    assert result.exit_code == 0, result.stderr
    assert "config.yaml: ok" in result.stdout
    assert "cv.yaml: ok (6 publications" in result.stdout


def _edit_config(demo: Path, old: str, new: str) -> None:
    path = demo / "config.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_bad_dblp_pid_names_file_key_and_fix(demo):
    _edit_config(demo, "    base_url: https://dblp.org\n", '    base_url: https://dblp.org\n    id: "Zili Zhang"\n')
    before = tree_digest(demo)
    result = run_cli(["diff"], demo)
    assert result.exit_code == 2
    assert 'config.yaml: sources.dblp.id: expected a DBLP pid like "95/7448-1"' in result.stderr
    assert 'got "Zili Zhang"' in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(demo) == before


def test_unknown_key_gets_did_you_mean(demo):
    _edit_config(demo, "cache_dir: cache", "cache_dir: cache\ncontact_emial: x@example.org")
    result = run_cli(["validate"], demo)
    assert result.exit_code == 2
    assert 'config.yaml: contact_emial: unknown key "contact_emial" (fix: did you mean "contact_email"?)' in result.stderr


def test_orcid_checksum_is_checked(demo):
    _edit_config(demo, "0000-0003-4209-9451", "0000-0003-4209-9452")
    result = run_cli(["validate"], demo)
    assert result.exit_code == 2
    assert "sources.orcid.id" in result.stderr and "checksum" in result.stderr


def test_token_in_config_is_rejected(demo):
    _edit_config(demo, "token_env: ORCID_TOKEN", "token_env: 1234-abcd-secret")
    result = run_cli(["validate"], demo)
    assert result.exit_code == 2
    assert "sources.orcid.token_env" in result.stderr
    assert "environment variable" in result.stderr


def test_missing_config_says_how_to_start(tmp_path):
    result = run_cli(["diff"], tmp_path)
    assert result.exit_code == 2
    # Discovery names every place it looked and how to make a config.
    assert "no profilesync config found (looked at profilesync.yaml, config.yaml)" in result.stderr
    assert "profilesync init --write" in result.stderr


def test_missing_explicit_config_names_that_file(tmp_path):
    result = run_cli(["--config", "mine.yaml", "diff"], tmp_path)
    assert result.exit_code == 2
    assert "mine.yaml: file not found" in result.stderr


def test_yaml_syntax_error_names_line(demo):
    (demo / "cv.yaml").write_text("person:\n  name: X\npublications:\n  - key: a\n    title: [unclosed\n")
    result = run_cli(["validate"], demo)
    assert result.exit_code == 2
    assert "cv.yaml: line " in result.stderr and "invalid YAML" in result.stderr


def test_cv_errors_are_all_listed(demo):
    (demo / "cv.yaml").write_text(
        "person:\n  name: Zili Zhang\npublications:\n"
        "  - key: a2023x\n    title: One\n    year: 23\n"
        "  - key: a2023x\n    title: Two\n    ids: {doi: https://doi.org/10.1/x}\n"
        "  - key: b\n"
    )
    before = tree_digest(demo)
    result = run_cli(["diff"], demo)
    assert result.exit_code == 2
    err = result.stderr
    assert "cv.yaml: publications[0].year" in err
    assert 'cv.yaml: publications[1].key: "a2023x" is used twice' in err
    assert "cv.yaml: publications[1].ids.doi: expected a bare DOI" in err
    assert 'cv.yaml: publications[2]: missing required key "title"' in err
    assert tree_digest(demo) == before


def test_cv_duplicate_yaml_key_is_an_error(demo):
    (demo / "cv.yaml").write_text("person:\n  name: A\n  name: B\npublications: []\n")
    result = run_cli(["validate"], demo)
    assert result.exit_code == 2
    assert "duplicate key" in result.stderr


def _demo_report(demo: Path) -> tuple[int, dict]:
    result = run_cli(["diff", "--offline", "--format", "json"], demo)
    return result.exit_code, json.loads(result.stdout)


def test_demo_report_is_valid_and_shows_every_kind_of_drift(demo):
    before = tree_digest(demo)
    code, report = _demo_report(demo)
    assert code == 1
    jsonschema.validate(report, load_schema("diff.schema.json"))
    assert tree_digest(demo) == before, "diff must write nothing"
    changes = report["changes"]

    def find(kind, **fields):
        return [c for c in changes if c["kind"] == kind and all(c.get(k) == v for k, v in fields.items())]

    # the preprint published at a conference with more authors, under a new title
    [fastserve] = find("new_version", cv_key="wu2023fastserve")
    assert fastserve["work"]["title"].startswith("FastServe")
    assert len(fastserve["work"]["authors"]) == 9 and len(fastserve["cv_value"]["authors"]) == 6
    # the reworded title
    [tgs] = find("field_differs", cv_key="wu2023tgs", field="title")
    assert tgs["source_value"].endswith("Deep Learning Workloads") and tgs["match"]["tier"] == "strong"
    # newer papers the CV lacks, each once, naming the other sources
    missing = {c["work"]["title"].split(":")[0] for c in find("missing_in_cv")}
    assert {"Jolteon", "RAGCache", "DistTrain", "dLoRA"} <= missing
    assert len(find("missing_in_cv")) == len(missing)
    # the namesake's paper on the Scholar profile
    [foreign] = find("foreign_work", source="scholar")
    assert "single photon" in foreign["work"]["title"].lower()
    assert "namesake" in foreign["reason"]
    # a paper missing from ORCID
    assert find("missing_in_source", source="orcid")
    # Scholar lists a paper twice
    assert find("duplicate_in_source", source="scholar")
    # a repository that belongs to a paper: offered as the paper's code link
    [ditto_code] = find("field_differs", cv_key="jin2023ditto", field="code")
    assert ditto_code["source"] == "github" and ditto_code["source_value"].lower() == "https://github.com/chaojin0310/ditto"
    assert ditto_code["match"]["by"] == "doi" and ditto_code["match"]["tier"] == "strong"
    # ... and a repository citing a paper the CV lacks counts as evidence for it
    [jolteon] = [c for c in find("missing_in_cv") if c["work"]["title"].startswith("Jolteon")]
    assert "github" in jolteon["also_in"]
    # citation counts
    assert report["metrics"]["scholar"]["citations"] > 0
    assert report["summary"] == {k: sum(1 for c in changes if c["kind"] == k) for k in report["summary"]}
    assert all(s["status"] == "ok" and s.get("sample") for s in report["sources"].values())


def test_demo_text_report_is_grouped_and_plain_off_terminal(demo):
    result = run_cli(["diff"], demo)
    assert result.exit_code == 1
    assert "Preprints that were published (1)" in result.stdout
    assert "Works that are not the researcher's" in result.stdout
    assert "\033[" not in result.stdout
    coloured = run_cli(["diff"], demo, tty=True)
    assert "\033[1m" in coloured.stdout


def test_output_file_is_written_atomically(demo):
    result = run_cli(["diff", "--format", "json", "--output", "out/report.json"], demo)
    assert result.exit_code == 1
    report = json.loads((demo / "out" / "report.json").read_text())
    assert report["schema_version"] == 1
    assert not list((demo / "out").glob(".*tmp"))


def test_rewritten_output_file_keeps_its_permissions(demo):
    report = demo / "report.html"
    report.write_text("old\n", encoding="utf-8")
    report.chmod(0o644)  # a report a web server publishes
    result = run_cli(["diff", "--offline", "--format", "html", "--output", "report.html"], demo)
    assert result.exit_code == 1, result.stderr
    assert report.read_text(encoding="utf-8") != "old\n"
    assert report.stat().st_mode & 0o777 == 0o644


def test_offline_never_pulled_source_is_failed_exit_3(demo):
    (demo / "cache" / "snapshots" / "github.json").unlink()
    result = run_cli(["diff", "--offline", "--format", "json"], demo)
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["sources"]["github"]["status"] == "failed"
    assert "profilesync pull --source github" in report["sources"]["github"]["error"]
    assert report["incomplete"] is True


def test_unknown_source_is_a_usage_error(demo):
    result = run_cli(["diff", "--source", "arxiv"], demo)
    assert result.exit_code == 2
    assert "invalid choice" in result.stderr


def test_failing_source_marks_report_stale_and_keeps_snapshot(demo, httpserver):
    httpserver.expect_request("/pid/95/7448-1.xml").respond_with_data("oops", status=500)
    _edit_config(
        demo,
        "    base_url: https://dblp.org\n",
        f'    base_url: "{httpserver.url_for("")}"\n    id: "95/7448-1"\n    retries: 1\n    min_interval_s: 0\n    timeout_s: 10\n',
    )
    snapshot = demo / "cache" / "snapshots" / "dblp.json"
    # The last good pull was of the pid now configured (a snapshot of another pid is never used).
    data = json.loads(snapshot.read_text(encoding="utf-8"))
    data["pulled_for"]["id"] = "95/7448-1"
    snapshot.write_text(json.dumps(data), encoding="utf-8")
    before = snapshot.read_bytes()
    result = run_cli(["diff", "--refresh", "--source", "dblp", "--format", "json"], demo)
    assert result.exit_code == 3, result.stderr
    report = json.loads(result.stdout)
    dblp = report["sources"]["dblp"]
    assert dblp["status"] == "stale"
    assert "500" in dblp["error"]
    assert dblp["works"] == 14
    assert snapshot.read_bytes() == before
    # the next plain diff still says the source is stale, from the recorded attempt
    again = run_cli(["diff", "--format", "json", "--source", "dblp"], demo)
    assert again.exit_code == 3
    assert json.loads(again.stdout)["sources"]["dblp"]["status"] == "stale"


def test_pasted_github_token_in_token_env_is_rejected_without_echoing_it(demo):
    secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    _edit_config(demo, "token_env: GITHUB_TOKEN", f"token_env: {secret}")
    result = run_cli(["validate"], demo)
    assert result.exit_code == 2
    assert "sources.github.token_env" in result.stderr
    assert secret not in result.stderr + result.stdout


def test_new_report_file_is_readable_by_others(demo):
    import os
    import stat

    old = os.umask(0o022)
    try:
        result = run_cli(["diff", "--format", "json", "--output", "new-report.json"], demo)
    finally:
        os.umask(old)
    assert result.exit_code == 1
    assert stat.S_IMODE((demo / "new-report.json").stat().st_mode) == 0o644


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["diff", "--format", "json"], "diff"),
        (["--config", "diff", "push", "--to", "cv"], "push"),  # a config file called "diff"
        (["-c", "x.yaml", "-q", "--color", "never", "status"], "status"),
        (["--config=x.yaml", "pull", "--source", "dblp"], "pull"),
        (["--conf", "diff", "push", "--to", "cv"], "push"),  # an abbreviated option, as argparse allows
        (["--cache", "c", "-v", "export"], "export"),
        (["--help"], None),
        (["dif"], None),
        (["--", "diff"], None),
    ],
)
def test_the_command_is_found_before_parsing(argv, command):
    from profilesync.cli import _command_in, build_parser

    assert _command_in(argv, build_parser()) == command


def test_a_command_parses_as_with_every_command_configured():
    # Only the command being run is configured; the others are listed. Its options and the
    # global ones parse exactly as with the full parser.
    from profilesync.cli import build_parser

    argv = ["-q", "--cache-dir", "c", "diff", "--source", "dblp", "--offline", "--format", "json", "-o", "r.json"]
    assert vars(build_parser(argv=argv).parse_args(argv)) == vars(build_parser().parse_args(argv))
