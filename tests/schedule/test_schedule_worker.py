"""The scheduled job's worker process (``schedule/worker.py``): it runs ``pipeline.run`` with a
refresh and answers over a pipe with typed messages, never with text for the parent to parse."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from conftest import run_cli
from profilesync.errors import ExitStatus
from profilesync.schedule.worker import WorkerJob, run_worker
from profilesync.source_status import SourceState
from profilesync.validation import load_schema
from reliability import fixtures

_templates = fixtures._templates
source_server = fixtures.source_server
full_profile = fixtures.full_profile


def _job(profile: Path) -> WorkerJob:
    return WorkerJob(config_path=str(profile / "config.yaml"), cache_dir=None, cwd=str(profile))


@pytest.mark.slow
def test_worker_answers_with_the_run_result_and_names_each_source_as_it_ends(full_profile: Path):
    said: list[str] = []
    outcome = run_worker(_job(full_profile), environ=dict(os.environ), budget_s=60, say=said.append)

    assert not outcome.stopped and outcome.failure is None
    assert outcome.result is not None
    assert outcome.exit_code == int(outcome.result.exit_status) == ExitStatus.DIFFERENCES
    # Every enabled source announced the end of its pull, each once.
    assert sorted(outcome.pulled) == ["dblp", "github", "orcid", "scholar"]
    assert {name: status.state for name, status in outcome.result.statuses.items()} == dict.fromkeys(outcome.pulled, SourceState.OK)
    # Progress came over the pipe, not from stderr (which holds log lines only).
    assert any(line.startswith("pulling ") for line in said)
    assert "pulling " not in outcome.stderr
    report = outcome.result.report.to_json()
    jsonschema.validate(report, load_schema("diff.schema.json"))
    # The same comparison as a diff of the cache it just refreshed.
    offline = json.loads(run_cli(["diff", "--offline", "--format", "json"], full_profile).stdout)
    assert [c["id"] for c in report["changes"]] == [c["id"] for c in offline["changes"]]


def test_a_config_error_in_the_worker_is_a_typed_failure_naming_the_key(full_profile: Path):
    config = full_profile / "config.yaml"
    data = json.loads(config.read_text())
    data["sources"]["dblp"]["timeout_s"] = "soon"
    config.write_text(json.dumps(data))

    outcome = run_worker(_job(full_profile), environ=dict(os.environ), budget_s=60, say=lambda _: None)

    assert outcome.result is None and outcome.pulled == ()
    assert outcome.failure is not None
    assert outcome.failure.exit_status is ExitStatus.ERROR
    assert outcome.exit_code == ExitStatus.ERROR
    assert any("sources.dblp.timeout_s" in problem and "config.yaml" in problem for problem in outcome.failure.problems), outcome.failure.problems


def test_the_worker_is_killed_at_its_budget_and_says_what_finished(full_profile: Path):
    # A budget shorter than the interpreter's start: nothing can finish, and nothing is waited for.
    outcome = run_worker(_job(full_profile), environ=dict(os.environ), budget_s=0.05, say=lambda _: None)
    assert outcome.stopped and outcome.exit_code is None
    assert outcome.result is None and outcome.pulled == ()
    assert outcome.elapsed_s < 10
