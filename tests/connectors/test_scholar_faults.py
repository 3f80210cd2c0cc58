"""Every way Scholar refuses or hangs ends within the deadline as one typed error, and the last
good snapshot stays byte-identical.

The refusal pages are CONSTRUCTED (tests/fixtures/scholar/README.md): no recording of them exists
in the shared fixtures. Each carries the markers docs/sources.md 4.6 documents.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from werkzeug import Response

from conftest import REPO_ROOT, run_cli, tree_digest
from profilesync.connectors.scholar import ScholarFailure, ScholarUnavailable
from profilesync.errors import SourceError, UserError
from profilesync.model import Metrics, Person, PulledFor, Snapshot, Work
from profilesync.snapshots import SnapshotStore
from test_scholar_support import HTML, NOW, base_url, connector_for, context, fixture, write_config

LAST_GOOD = Snapshot(
    source="scholar",
    fetched_at=NOW.replace(month=1),
    person=Person(name="Doaa Elmatary"),
    works=(Work(title="Performance of polar codes for OFDM-based UWB channel", year=2018, citations=4),),
    metrics=Metrics(citations=50, h_index=4, i10_index=2),
    # The profile write_config names: a snapshot of another user is never fallen back on.
    pulled_for=PulledFor(id="LZ5D_p4AAAAJ", name="Doaa Elmatary"),
)


def save_last_good(directory: Path) -> Path:
    return SnapshotStore(directory / "cache" / "snapshots").save(LAST_GOOD)


def release_hung_request(httpserver, release: threading.Event) -> None:
    """Let the hanging handler return, and wait until the server logged it, so the late request
    does not show up in the next test's log."""
    release.set()
    waited = time.monotonic()
    while not httpserver.log and time.monotonic() - waited < 5:
        time.sleep(0.05)


def expect_failure(connector, failure: ScholarFailure, *, within_s: float) -> ScholarUnavailable:
    started = time.monotonic()
    with pytest.raises(ScholarUnavailable) as caught:
        connector.fetch(context())
    elapsed = time.monotonic() - started
    assert caught.value.failure is failure, caught.value.reason
    assert isinstance(caught.value, SourceError)
    assert caught.value.source == "scholar"
    assert elapsed < within_s, f"took {elapsed:.1f} s"
    return caught.value


def test_captcha_page(httpserver, tmp_path):
    httpserver.expect_request("/citations").respond_with_data(fixture("constructed_captcha.html"), content_type=HTML)
    _, connector = connector_for(tmp_path, base_url(httpserver))

    error = expect_failure(connector, ScholarFailure.CAPTCHA, within_s=10)

    assert error.reason.startswith("blocked by CAPTCHA")
    assert "profilesync import scholar FILE" in error.reason
    assert error.blocked
    assert len(httpserver.log) == 1


def test_dos_captcha_is_one_request_not_an_endless_loop(httpserver, tmp_path):
    # scholarly 1.7.11 retries this page forever without counting a try (5,535 requests in 8 s
    # with its sleeps patched out). The server here answers every request with it.
    httpserver.expect_request("/citations").respond_with_data(fixture("constructed_doscaptcha.html"), content_type=HTML)
    _, connector = connector_for(tmp_path, base_url(httpserver))

    error = expect_failure(connector, ScholarFailure.DOS_CAPTCHA, within_s=10)

    assert "DOS-CAPTCHA" in error.reason
    assert len(httpserver.log) == 1


def test_endless_redirects_end_as_an_error(httpserver, tmp_path):
    # A server that keeps bouncing the request (consent / sorry loops) is cut off by the HTTP
    # policy's redirect limit.
    httpserver.expect_request("/citations").respond_with_response(Response(status=302, headers={"Location": "/citations?hl=en&loop=1"}))
    _, connector = connector_for(tmp_path, base_url(httpserver))

    error = expect_failure(connector, ScholarFailure.UNUSUAL_TRAFFIC, within_s=10)

    assert "redirect" in error.reason
    assert len(httpserver.log) <= 6


def test_unusual_traffic_redirect_to_a_429_sorry_page(httpserver, tmp_path):
    httpserver.expect_request("/citations").respond_with_response(
        Response(status=302, headers={"Location": "/sorry/index?continue=/citations%3Fuser%3DLZ5D_p4AAAAJ"})
    )
    httpserver.expect_request("/sorry/index").respond_with_data(fixture("constructed_sorry.html"), status=429, content_type=HTML, headers={"Retry-After": "3600"})
    _, connector = connector_for(tmp_path, base_url(httpserver))

    error = expect_failure(connector, ScholarFailure.CAPTCHA, within_s=10)

    assert error.reset_at is not None
    assert len(httpserver.log) == 2


def test_rate_limited_429(httpserver, tmp_path):
    httpserver.expect_request("/citations").respond_with_data("Too Many Requests", status=429, headers={"Retry-After": "7200"})
    _, connector = connector_for(tmp_path, base_url(httpserver))

    error = expect_failure(connector, ScholarFailure.RATE_LIMITED, within_s=10)

    assert error.reason.startswith("rate limited by Scholar (HTTP 429); it allows more after ")
    assert error.reset_at is not None
    assert len(httpserver.log) == 1  # no retries against a server that said "too many"


def test_forbidden_403(httpserver, tmp_path):
    httpserver.expect_request("/citations").respond_with_data("<html><body>403. That's an error.</body></html>", status=403, content_type=HTML)
    _, connector = connector_for(tmp_path, base_url(httpserver))

    error = expect_failure(connector, ScholarFailure.FORBIDDEN, within_s=10)

    assert "HTTP 403" in error.reason
    assert len(httpserver.log) == 1


def test_wrong_user_id_sign_in_redirect(httpserver, tmp_path):
    # For an unknown id Scholar redirects to a Google sign-in page (SOURCES.md); here the
    # redirect stays on the test server, on the same path shape.
    httpserver.expect_request("/citations").respond_with_response(Response(status=302, headers={"Location": "/v3/signin/identifier?continue=x"}))
    httpserver.expect_request("/v3/signin/identifier").respond_with_data("<html><body>Sign in</body></html>", content_type=HTML)
    _, connector = connector_for(tmp_path, base_url(httpserver), "AAAAAAAAAAAA")

    error = expect_failure(connector, ScholarFailure.SIGN_IN, within_s=10)

    assert "sources.scholar.id" in error.reason
    assert not error.blocked


def test_changed_layout(httpserver, tmp_path):
    # Real Scholar rows without the page around them: what a redesign that moved the profile
    # header would look like to the parser.
    httpserver.expect_request("/citations").respond_with_data(fixture("gssa_aeinstein_profile_rows_fragment.html"), content_type=HTML)
    _, connector = connector_for(tmp_path, base_url(httpserver))

    error = expect_failure(connector, ScholarFailure.LAYOUT_CHANGED, within_s=10)

    assert "layout may have changed" in error.reason


def test_a_server_that_ignores_paging_cannot_loop(httpserver, tmp_path):
    # The amIM page always says "Show more"; a server that ignores cstart would serve it forever.
    httpserver.expect_request("/citations").respond_with_data(fixture("profile_amIMrIEAAAAJ_2026.html"), content_type=HTML)
    _, connector = connector_for(tmp_path, base_url(httpserver), "amIMrIEAAAAJ")

    error = expect_failure(connector, ScholarFailure.LAYOUT_CHANGED, within_s=10)

    assert "repeated the publication list" in error.reason
    assert len(httpserver.log) == 2


@pytest.mark.slow
def test_server_that_never_answers_is_cut_off_at_the_deadline(httpserver, tmp_path):
    release = threading.Event()

    def hang(request):
        release.wait(30)  # far longer than the 3 s deadline; released when the test ends
        return Response(fixture("profile_LZ5D_p4AAAAJ_2026.html"), content_type=HTML)

    httpserver.expect_request("/citations").respond_with_handler(hang)
    _, connector = connector_for(tmp_path, base_url(httpserver), timeout_s=3)
    try:
        error = expect_failure(connector, ScholarFailure.TIMEOUT, within_s=3 + 3.0)
    finally:
        release_hung_request(httpserver, release)

    assert "did not answer in time" in error.reason or "deadline" in error.reason


def test_refused_page_is_not_cached(httpserver, tmp_path):
    httpserver.expect_oneshot_request("/citations").respond_with_data(fixture("constructed_captcha.html"), content_type=HTML)
    httpserver.expect_oneshot_request("/citations").respond_with_data(fixture("profile_LZ5D_p4AAAAJ_2026.html"), content_type=HTML)
    _, connector = connector_for(tmp_path, base_url(httpserver))
    expect_failure(connector, ScholarFailure.CAPTCHA, within_s=10)

    snapshot = connector_for(tmp_path, base_url(httpserver))[1].fetch(context())

    assert len(snapshot.works) == 12
    assert len(httpserver.log) == 2


@pytest.mark.parametrize(
    ("respond", "needle"),
    [
        (lambda s: s.expect_request("/citations").respond_with_data(fixture("constructed_captcha.html"), content_type=HTML), "blocked by CAPTCHA"),
        (lambda s: s.expect_request("/citations").respond_with_data(fixture("constructed_doscaptcha.html"), content_type=HTML), "DOS-CAPTCHA"),
        (lambda s: s.expect_request("/citations").respond_with_data("slow down", status=429), "HTTP 429"),
        (lambda s: s.expect_request("/citations").respond_with_data("no", status=403), "HTTP 403"),
    ],
    ids=["captcha", "dos-captcha", "429", "403"],
)
def test_pull_keeps_the_last_snapshot_and_reports_stale(httpserver, tmp_path, respond, needle):
    respond(httpserver)
    write_config(tmp_path, base_url(httpserver))
    snapshot_file = save_last_good(tmp_path)
    before = snapshot_file.read_bytes()
    snapshots_before = tree_digest(snapshot_file.parent)

    result = run_cli(["pull", "--source", "scholar"], tmp_path, now=NOW)

    assert result.exit_code == 3, result.stdout + result.stderr
    assert "STALE" in result.stdout
    assert needle in result.stdout
    assert snapshot_file.read_bytes() == before
    assert tree_digest(snapshot_file.parent) == snapshots_before
    assert not (tmp_path / "cache" / "history" / "scholar.json").exists()


@pytest.mark.slow
def test_timeout_through_the_cli_keeps_the_snapshot(httpserver, tmp_path):
    release = threading.Event()

    def hang(request):
        release.wait(30)
        return Response("late", content_type=HTML)

    httpserver.expect_request("/citations").respond_with_handler(hang)
    write_config(tmp_path, base_url(httpserver), timeout_s=3)
    snapshot_file = save_last_good(tmp_path)
    before = snapshot_file.read_bytes()
    started = time.monotonic()
    try:
        result = run_cli(["pull", "--source", "scholar"], tmp_path, now=NOW)
        elapsed = time.monotonic() - started
    finally:
        release_hung_request(httpserver, release)

    assert result.exit_code == 3
    assert elapsed < 3 + 4.0
    assert "STALE" in result.stdout
    assert "did not answer in time" in result.stdout or "deadline" in result.stdout
    assert snapshot_file.read_bytes() == before


def test_scheduled_diff_reports_scholar_stale_with_metrics(httpserver, tmp_path):
    """What a cron job sees: `diff --refresh --format json` on the bundled demo profile while
    Scholar answers with a CAPTCHA: exit 3, Scholar stale with the reason, the last snapshot's
    metrics still in the report, and the snapshot untouched."""
    for name in ("config.yaml", "cv.yaml"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    shutil.copytree(REPO_ROOT / "cache", tmp_path / "cache", ignore=shutil.ignore_patterns("http", "*.sqlite", "state.db", "status.json", "backups"))
    config = tmp_path / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert "    timeout_s: 120\n" in text
    config.write_text(text.replace("    timeout_s: 120\n", f'    timeout_s: 10\n    base_url: "{base_url(httpserver)}"\n    min_interval_s: 0\n'), encoding="utf-8")
    httpserver.expect_request("/citations").respond_with_data(fixture("constructed_captcha.html"), content_type=HTML)
    snapshot_file = tmp_path / "cache" / "snapshots" / "scholar.json"
    before = snapshot_file.read_bytes()

    result = run_cli(["diff", "--refresh", "--source", "scholar", "--format", "json"], tmp_path, now=NOW)

    assert result.exit_code == 3, result.stderr
    report = json.loads(result.stdout)
    scholar = report["sources"]["scholar"]
    assert scholar["status"] == "stale"
    assert scholar["error"].startswith("blocked by CAPTCHA")
    assert report["metrics"]["scholar"]["citations"] == 1027
    assert report["metrics"]["scholar"]["h_index"] == 12
    assert snapshot_file.read_bytes() == before


def test_a_user_error_in_the_worker_reaches_the_user(httpserver, tmp_path):
    # The HTTP cache directory cannot be created (a file is in its place): the worker stops
    # before any request, and the user is told what to fix, as for any other source.
    httpserver.expect_request("/citations").respond_with_data(fixture("profile_LZ5D_p4AAAAJ_2026.html"), content_type=HTML)
    write_config(tmp_path, base_url(httpserver))
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "http").write_text("not a directory", encoding="utf-8")
    _, connector = connector_for(tmp_path, base_url(httpserver))

    with pytest.raises(UserError) as caught:
        connector.fetch(context())

    assert "the HTTP cache cannot be used" in str(caught.value)
    assert caught.value.problems[0].file.endswith("cache/http")
    assert len(httpserver.log) == 0


def test_missing_user_id_is_a_config_error(tmp_path):
    (tmp_path / "config.yaml").write_text("profile:\n  name: Test Researcher\nsources:\n  scholar:\n    enabled: true\n", encoding="utf-8")

    result = run_cli(["pull", "--source", "scholar"], tmp_path, now=NOW)

    assert result.exit_code == 2
    assert "sources.scholar.id: no Google Scholar user id is set" in result.stderr
    assert not (tmp_path / "cache" / "snapshots").exists()


def test_a_worker_that_dies_before_answering(httpserver, tmp_path, monkeypatch):
    # Stands in for an interpreter that cannot start the worker (a broken install): the child
    # exits at once with a message on stderr, which the error quotes.
    from profilesync.connectors import scholar_worker

    monkeypatch.setattr(scholar_worker, "WORKER_MODULE", "profilesync.connectors.no_such_worker")
    _, connector = connector_for(tmp_path, base_url(httpserver))

    error = expect_failure(connector, ScholarFailure.WORKER_CRASHED, within_s=10)

    assert "No module named profilesync.connectors.no_such_worker" in error.reason
    assert "exit code 1" in error.reason
    assert len(httpserver.log) == 0
