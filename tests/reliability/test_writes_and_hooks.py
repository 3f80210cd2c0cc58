"""Where a token could travel besides the source it is for: an ORCID push that is redirected or
pointed at plain http, and the ``schedule.on_change`` hook's environment.

Everything runs against local servers: the member API is a route on the suite's source server,
and "another host" is a second server on 127.0.0.1 (a different host and port than the first,
which listens on localhost).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import run_cli
from profilesync.config import SourceConfig
from profilesync.cv.record import load_cv
from profilesync.errors import UserError
from profilesync.push.orcid import resolve_target

from .servers import SourceServer
from .sources import ORCID_ID

ORCID_TOKEN = "0a1b2c3d-orcid-WRITECANARY-4e5f6a7b8c9d"
GITHUB_TOKEN = "ghp_HOOKCANARYgithub9f8e7d6c5b4a3210zz"
GH_TOKEN = "gho_HOOKCANARYgh0123456789abcdefABCDEF"
CUSTOM_TOKEN = "custom-HOOKCANARY-token-for-a-renamed-variable"


def set_orcid(profile: Path, **options: object) -> None:
    config = json.loads((profile / "config.yaml").read_text())
    config["sources"]["orcid"].update(options)
    (profile / "config.yaml").write_text(json.dumps(config, indent=1))


# --- push --to orcid: no redirect, https only ----------------------------------------------------


@pytest.fixture
def other_host():
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request(re.compile(r"^/.*$")).respond_with_data(b"", status=201, headers={"Location": "http://127.0.0.1/x/work/1"})
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.mark.parametrize("code", [307, 308, 301])
def test_orcid_push_follows_no_redirect(code: int, full_profile: Path, source_server: SourceServer, other_host: HTTPServer, record_case, timer):
    elsewhere = other_host.url_for("/stolen/work")

    def member(request: Request) -> Response:
        return Response(b"", status=code, headers=[("Location", elsewhere)])

    source_server.routes["/member/"] = member
    set_orcid(full_profile, token_env="ORCID_TOKEN", member_base_url=f"{source_server.root}/member/v3.0")
    started = timer()
    result = run_cli(["push", "--to", "orcid", "--yes"], full_profile, environ={"ORCID_TOKEN": ORCID_TOKEN})
    record_case("orcid-push", f"member API answers {code} to another host", timer() - started, failure=True)
    assert "Traceback" not in result.stderr
    assert result.exit_code == 3, result.stdout + result.stderr
    # Nothing reached the other host: no body, no token.
    assert other_host.log == []
    assert f"HTTP {code}" in result.stderr
    assert elsewhere in result.stderr
    assert "sources.orcid.member_base_url" in result.stderr
    # One POST was tried, then the push stopped: every other work would be redirected the same way.
    posts = [path for prefix, path, _ in source_server.seen if prefix == "/member/"]
    assert len(posts) == 1, posts
    assert ORCID_TOKEN not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "http://api.sandbox.orcid.org/v3.0",
        "http://10.1.2.3/v3.0",
        "http://localhost.example.org/v3.0",
        "ftp://api.sandbox.orcid.org/v3.0",
        "api.sandbox.orcid.org/v3.0",
    ],
)
def test_orcid_push_needs_https(url: str, full_profile: Path, source_server: SourceServer):
    set_orcid(full_profile, token_env="ORCID_TOKEN", member_base_url=url)
    before = (full_profile / "cache").exists() and sorted(p.name for p in (full_profile / "cache").rglob("*"))
    # A dry run sends nothing either way, so refusing it shows the check comes before any request.
    result = run_cli(["push", "--to", "orcid", "--dry-run"], full_profile, environ={"ORCID_TOKEN": ORCID_TOKEN})
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "sources.orcid.member_base_url" in result.stderr
    assert "https" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (full_profile / "cache").rglob("*")) == before
    assert not [s for s in source_server.seen if s[0] == "/member/"]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/v3.0", "http://127.3.4.5/v3.0", "http://localhost:9/v3.0", "http://[::1]:8080/v3.0", "https://api.sandbox.orcid.org/v3.0"])
def test_orcid_push_accepts_https_and_loopback(url: str, tmp_path: Path):
    cv = tmp_path / "cv.yaml"
    cv.write_text("person:\n  name: Ada\npublications: []\n", encoding="utf-8")
    source = SourceConfig(name="orcid", enabled=True, id=ORCID_ID, base_url="https://pub.orcid.org/v3.0", timeout_s=10, options={"member_base_url": url})
    target = resolve_target(source, load_cv(cv), "config.yaml")
    assert target.base_url == url


def test_orcid_push_refuses_http_for_a_public_address(tmp_path: Path):
    cv = tmp_path / "cv.yaml"
    cv.write_text("person:\n  name: Ada\npublications: []\n", encoding="utf-8")
    source = SourceConfig(name="orcid", enabled=True, id=ORCID_ID, base_url="https://pub.orcid.org/v3.0", timeout_s=10, options={"member_base_url": "http://192.0.2.1/v3.0"})
    with pytest.raises(UserError, match="not an https URL"):
        resolve_target(source, load_cv(cv), "config.yaml")


# --- the on_change hook's environment ------------------------------------------------------------


HOOK = """\
import json, os, sys
with open(os.environ["HOOK_ENV_FILE"], "w") as out:
    json.dump(dict(os.environ), out)
"""


@pytest.mark.slow
def test_on_change_hook_gets_no_token(full_profile: Path, source_server: SourceServer, tmp_path: Path, record_case, timer):
    script = tmp_path / "hook.py"
    script.write_text(HOOK)
    dump = tmp_path / "hook-env.json"
    config = json.loads((full_profile / "config.yaml").read_text())
    config["sources"]["orcid"]["token_env"] = "MY_ORCID_WRITE_TOKEN"  # a renamed variable
    config["sources"]["github"]["token_env"] = "GITHUB_TOKEN"
    config["schedule"] = {"deadline_s": 60, "report_dir": "reports", "on_change": f"{sys.executable} {script}"}
    (full_profile / "config.yaml").write_text(json.dumps(config, indent=1))
    environ = {
        "HOOK_ENV_FILE": str(dump),
        "MY_ORCID_WRITE_TOKEN": CUSTOM_TOKEN,
        "ORCID_TOKEN": ORCID_TOKEN,
        "GITHUB_TOKEN": GITHUB_TOKEN,
        "GH_TOKEN": GH_TOKEN,
        "LANG": "C.UTF-8",
    }
    started = timer()
    result = run_cli(["schedule", "--once"], full_profile, environ=environ)
    record_case("schedule", "on_change hook environment", timer() - started, failure=False)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    # The pull itself had the token: the GitHub server saw it.
    assert f"Bearer {GITHUB_TOKEN}" in {headers.get("Authorization") for source, _, headers in source_server.seen if source == "github"}
    seen = json.loads(dump.read_text())
    assert not {"MY_ORCID_WRITE_TOKEN", "ORCID_TOKEN", "GITHUB_TOKEN", "GH_TOKEN"} & set(seen)
    blob = json.dumps(seen)
    for token in (CUSTOM_TOKEN, ORCID_TOKEN, GITHUB_TOKEN, GH_TOKEN):
        assert token not in blob
    # The rest of the environment is passed on, and the report's path is added.
    assert seen["LANG"] == "C.UTF-8"
    assert seen["HOOK_ENV_FILE"] == str(dump)
    assert seen["PROFILESYNC_REPORT"].endswith(".md")


# --- the HTTP cache across a redirect ------------------------------------------------------------


def test_the_http_cache_stores_no_request_header_of_any_redirect_hop(httpserver, tmp_path: Path, record_case, timer):
    """GitHub answers 301 for a renamed user or repository, on the same host, so the token goes
    to both hops. requests-cache kept the first hop's request, Authorization included, in its
    SQLite file. Only the content-negotiation headers (for ``Vary``) may be stored."""
    from profilesync.connectors.http import HttpClient, HttpPolicy

    token = "ghp_REDIRECTCANARY0123456789abcdefghij"
    httpserver.expect_request("/users/old-name").respond_with_data(b"", status=301, headers={"Location": httpserver.url_for("/users/new-name")})
    httpserver.expect_request("/users/new-name").respond_with_json({"login": "new-name"}, headers={"Vary": "Accept"})
    cache = tmp_path / "http"
    client = HttpClient(HttpPolicy(source="github", cache_dir=cache, min_interval_s=0, retries=0))
    headers = {"Accept": "application/json", "Authorization": f"Bearer {token}", "X-Api-Key": f"key-{token}", "Cookie": f"session={token}"}
    started = timer()
    try:
        first = client.get(httpserver.url_for("/users/old-name"), headers=headers)
        second = client.get(httpserver.url_for("/users/old-name"), headers=headers)
    finally:
        client.close()
    record_case("http", "token sent through a 301 (cache contents)", timer() - started, failure=False)
    assert first.json() == {"login": "new-name"} and not first.from_cache
    assert second.from_cache, "the redirected answer is still served from the cache"
    # The token reached both hops, so its absence from the cache is the point.
    assert [entry[0].headers.get("Authorization") for entry in httpserver.log] == [f"Bearer {token}"] * 2
    files = [p for p in cache.iterdir() if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        assert token.encode() not in data, path.name
        for name in (b"Authorization", b"X-Api-Key", b"Cookie", b"User-Agent"):
            assert name not in data, (path.name, name)
    assert b"application/json" in (cache / "http_cache.sqlite").read_bytes(), "Accept is kept for Vary"


def test_validate_refuses_an_http_member_api(full_profile):
    """The push refuses an http member API; `validate` says so before any push is tried."""
    set_orcid(full_profile, member_base_url="http://api.sandbox.orcid.org/v3.0")
    result = run_cli(["validate"], full_profile)
    assert result.exit_code == 2
    assert "sources.orcid.member_base_url" in result.stderr and "not an https URL" in result.stderr
    set_orcid(full_profile, member_base_url="http://127.0.0.1:9/v3.0")  # a local test server is fine
    assert run_cli(["validate"], full_profile).exit_code == 0
