"""Tokens never leave the environment: every command runs with ORCID_TOKEN and GITHUB_TOKEN set
(and used: the local servers check they arrived), and no output, log line, report, snapshot,
state file or HTTP-cache byte contains them afterwards."""

from __future__ import annotations

import base64
import importlib.util
import json
import logging
import re
import shutil
import stat
from pathlib import Path
from urllib.parse import quote

import pytest
from werkzeug import Request, Response

from conftest import run_cli
from reliability import fixtures
from reliability.sources import ORCID_ID

_templates = fixtures._templates
source_server = fixtures.source_server
full_profile = fixtures.full_profile

ORCID_TOKEN = "0a1b2c3d-orcid-LEAKCANARY-4e5f6a7b8c9d"
GITHUB_TOKEN = "ghp_LEAKCANARYgithub9f8e7d6c5b4a3210zz"
ENVIRON = {"ORCID_TOKEN": ORCID_TOKEN, "GITHUB_TOKEN": GITHUB_TOKEN}


def forms(token: str) -> list[bytes]:
    """The token as bytes, and the encodings it could hide in."""
    raw = token.encode()
    return [raw, quote(token).encode(), base64.b64encode(raw), base64.b64encode(b"x-access-token:" + raw), raw.hex().encode()]


def leaks(data: bytes | str) -> list[str]:
    blob = data.encode() if isinstance(data, str) else data
    return [token for token in (ORCID_TOKEN, GITHUB_TOKEN) for form in forms(token) if form in blob]


def member_api(root: str):
    """A local stand-in for ORCID's member API: 201 Created with the new put-code's Location."""
    counter = iter(range(900001, 999999))

    def handle(request: Request) -> Response:
        if request.method == "POST" and re.fullmatch(rf"/member/v3\.0/{ORCID_ID}/work", request.path):
            return Response(b"", status=201, headers=[("Location", f"{root}/member/v3.0/{ORCID_ID}/work/{next(counter)}")])
        return Response(b'{"response-code": 404}', status=404, content_type="application/json")

    return handle


def renderer_available(fmt: str) -> bool:
    return fmt in ("text", "json") or importlib.util.find_spec(f"profilesync.report.{'markdown' if fmt == 'markdown' else 'html'}") is not None


@pytest.mark.slow
def test_no_command_leaks_a_token(full_profile: Path, source_server, caplog):
    caplog.set_level(logging.DEBUG)  # every library's debug log, urllib3's and requests-cache's too
    source_server.routes["/member/"] = member_api(source_server.root)
    config = json.loads((full_profile / "config.yaml").read_text())
    config["sources"]["orcid"].update(token_env="ORCID_TOKEN", member_base_url=f"{source_server.root}/member/v3.0")
    config["sources"]["github"]["token_env"] = "GITHUB_TOKEN"
    config["schedule"] = {"cron": "0 6 * * 1", "report_dir": "reports", "deadline_s": 60}
    (full_profile / "config.yaml").write_text(json.dumps(config, indent=1))
    out = full_profile / "out"

    commands = [
        ["validate"],
        ["pull"],
        ["pull", "--refresh", "--source", "github"],
        *[["diff", "--format", fmt, "--output", str(out / f"report.{fmt}")] for fmt in ("text", "json", "markdown", "html") if renderer_available(fmt)],
        ["diff", "--format", "json"],
        ["push", "--to", "orcid", "--dry-run"],
        ["push", "--to", "orcid", "--yes"],
        ["push", "--to", "cv", "--dry-run"],
        ["export", "--format", "bibtex", "--output", str(out / "papers.bib")],
        ["export", "--format", "csl-json"],
        ["status"],
        ["status", "--format", "json"],
        ["schedule", "--once"],
        ["schedule", "--print", "cron"],
        ["schedule", "--print", "systemd"],
        ["schedule", "--print", "github-actions"],
    ]
    codes = {}
    for command in commands:
        result = run_cli(["-vv", *command], full_profile, environ=ENVIRON)
        codes[" ".join(command)] = result.exit_code
        assert "Traceback" not in result.stderr, (command, result.stderr)
        assert not leaks(result.stdout), (command, "stdout")
        assert not leaks(result.stderr), (command, "stderr")
    assert codes["push --to orcid --yes"] == 0, codes
    assert codes["schedule --once"] in (0, 1), codes
    assert "********" in run_cli(["push", "--to", "orcid", "--dry-run"], full_profile, environ=ENVIRON).stdout or codes["push --to orcid --dry-run"] == 0
    assert not leaks(caplog.text), "a log record"

    # The tokens were really used, so not finding them means something.
    github_auth = {headers.get("Authorization") for source, _, headers in source_server.seen if source == "github"}
    assert f"Bearer {GITHUB_TOKEN}" in github_auth
    member_auth = {headers.get("Authorization") for source, _, headers in source_server.seen if source == "/member/"}
    assert member_auth == {f"Bearer {ORCID_TOKEN}"}

    files = [p for p in full_profile.rglob("*") if p.is_file()]
    names = {p.relative_to(full_profile).as_posix() for p in files}
    # Everything a run leaves behind is there to be searched: reports, snapshots, state, HTTP cache.
    assert {"cache/http/http_cache.sqlite", "cache/state.db", "cache/status.json", "cache/snapshots/github.json", "reports/latest.json", "reports/latest.md"} <= names
    assert b"jacquev6" in (full_profile / "cache" / "http" / "http_cache.sqlite").read_bytes(), "GitHub answers are cached"
    leaked = {p.relative_to(full_profile).as_posix(): leaks(p.read_bytes()) for p in files}
    assert not {name: tokens for name, tokens in leaked.items() if tokens}


def test_a_token_pasted_into_the_config_is_refused_not_echoed(full_profile: Path):
    config = json.loads((full_profile / "config.yaml").read_text())
    config["sources"]["orcid"]["token_env"] = ORCID_TOKEN  # the value, pasted where its NAME belongs
    (full_profile / "config.yaml").write_text(json.dumps(config))
    for command in (["validate"], ["schedule", "--once"], ["status"]):
        result = run_cli(command, full_profile, environ=ENVIRON)
        assert result.exit_code == 2
        assert "sources.orcid.token_env" in result.stderr
        assert not leaks(result.stderr + result.stdout), command


def moved(root: str, prefix: str):
    """A source that moved: every request under ``prefix`` is answered 301 to the same path
    without it, on the same host (so the client sends its token to both hops, as with GitHub's
    renamed users and repositories)."""

    def handle(request: Request) -> Response:
        target = request.full_path[len(prefix) :] if request.query_string else request.path[len(prefix) :]
        return Response(b"", status=301, headers=[("Location", f"{root}{target}")])

    return handle


def test_a_redirect_leaves_no_token_in_the_http_cache(full_profile: Path, source_server, caplog):
    caplog.set_level(logging.DEBUG)
    source_server.routes["/moved/"] = moved(source_server.root, "/moved")
    config = json.loads((full_profile / "config.yaml").read_text())
    config["sources"]["orcid"].update(token_env="ORCID_TOKEN", base_url=f"{source_server.root}/moved/v3.0")
    config["sources"]["github"].update(token_env="GITHUB_TOKEN", base_url=f"{source_server.root}/moved")
    (full_profile / "config.yaml").write_text(json.dumps(config, indent=1))
    cache = full_profile / "cache" / "http"
    shutil.rmtree(cache)  # a cache made by this run only

    result = run_cli(["-vv", "pull", "--source", "github", "--source", "orcid"], full_profile, environ=ENVIRON)
    assert result.exit_code == 0, result.stdout + result.stderr
    # Both hops of each redirect carried the token: the server saw it on the old and the new path.
    moved_auth = {headers.get("Authorization") for source, _, headers in source_server.seen if source == "/moved/"}
    assert {f"Bearer {GITHUB_TOKEN}", f"Bearer {ORCID_TOKEN}"} <= moved_auth
    final_auth = {headers.get("Authorization") for source, _, headers in source_server.seen if source in ("github", "orcid")}
    assert {f"Bearer {GITHUB_TOKEN}", f"Bearer {ORCID_TOKEN}"} <= final_auth

    database = cache / "http_cache.sqlite"
    assert b"/moved/" in database.read_bytes(), "the redirected answers are in the cache"
    for path in [p for p in cache.iterdir() if p.is_file()]:
        assert not leaks(path.read_bytes()), path.name
        assert b"Bearer" not in path.read_bytes(), path.name
    assert not leaks(result.stdout + result.stderr)
    assert not leaks(caplog.text)

    # A second pull works from the cache as before, and the reports and logs of the commands
    # that follow hold no token either.
    source_server.seen.clear()
    outputs = []
    for command in (
        ["pull", "--source", "github", "--source", "orcid"],
        ["diff", "--format", "json", "--output", "reports/after-redirect.json"],
        ["diff", "--format", "markdown", "--output", "reports/after-redirect.md"],
        ["status", "--format", "json"],
    ):
        again = run_cli(["-vv", *command], full_profile, environ=ENVIRON)
        assert again.exit_code in (0, 1), (command, again.stdout + again.stderr)
        outputs.append(again.stdout + again.stderr)
    assert not leaks("".join(outputs))
    assert not leaks(caplog.text)
    assert (full_profile / "reports" / "after-redirect.json").exists()
    files = [p for p in full_profile.rglob("*") if p.is_file()]
    assert not {p.relative_to(full_profile).as_posix(): leaks(p.read_bytes()) for p in files if leaks(p.read_bytes())}


def test_the_http_cache_is_private(full_profile: Path, source_server):
    """The cache holds private records and answers to authenticated requests: 0600 files in a
    0700 folder, also when an older version left them readable to everyone."""
    cache = full_profile / "cache" / "http"
    database = cache / "http_cache.sqlite"
    cache.chmod(0o755)
    database.chmod(0o644)
    result = run_cli(["pull", "--source", "github"], full_profile, environ=ENVIRON)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600

    shutil.rmtree(cache)
    result = run_cli(["pull", "--source", "github"], full_profile, environ=ENVIRON)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in cache.iterdir()}
    assert "http_cache.sqlite" in modes
    assert set(modes.values()) == {0o600}, modes
