"""The GitHub connector against a local HTTP server serving recorded GitHub responses.

The recordings are PyGithub ReplayData blocks, split into ``*.body.json`` (the recorded body, byte
for byte) and ``*.meta.json`` (status and response headers) by ``fixtures/github/convert_replay.py``.
They are served unchanged, except that the host in ``Link`` headers is rewritten to the local
server when serving (the files keep ``https://api.github.com``). Responses GitHub was never
recorded giving (a contents-API CITATION.cff, a 404, a rate-limit 403, 304s) are CONSTRUCTED here
in the documented shapes, and say so where they are built.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from werkzeug import Request, Response

from profilesync.config import load_config
from profilesync.connectors import registry
from profilesync.connectors.base import FetchContext
from profilesync.connectors.github import GithubConnector, GithubOptions, select_repos
from profilesync.errors import AuthError, RateLimited, SourceBlocked, SourceFormatError, UserError
from profilesync.model import Person, Snapshot, WorkType

FIXTURES = Path(__file__).parents[1] / "fixtures" / "github"
NOW = datetime(2025, 1, 3, 22, 10, tzinfo=timezone.utc)
TOKEN = "ghp_TESTTOKEN0123456789abcdefghijklmnopqrstu"  # a made-up token, checked for leaks below

USER = "pygithub_replay_GET_users_jacquev6.1"
REPOS_2020 = "pygithub_replay_GET_users_jacquev6_repos_allargs.1"
REPOS_2012 = "pygithub_replay_GET_users_jacquev6_repos_2012.1"
STARRED_1 = "pygithub_replay_GET_users_jacquev6_starred_paginated.1"
STARRED_2 = "pygithub_replay_GET_users_jacquev6_starred_paginated.2"

# Headers werkzeug writes itself, or that describe the recorded transfer rather than the data.
_TRANSFER_HEADERS = {"content-length", "transfer-encoding", "content-encoding", "status", "connection", "server", "date"}


def recorded(name: str) -> tuple[bytes, dict[str, Any]]:
    return (FIXTURES / f"{name}.body.json").read_bytes(), json.loads((FIXTURES / f"{name}.meta.json").read_text(encoding="utf-8"))


def recorded_json(name: str) -> Any:
    return json.loads(recorded(name)[0])


@dataclass
class Route:
    body: bytes
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def etag(self) -> str | None:
        return next((v for k, v in self.headers if k.lower() == "etag"), None)


def route_from_recording(name: str) -> Route:
    body, meta = recorded(name)
    headers = [(k, v) for k, v in meta["headers"] if k.lower() not in _TRANSFER_HEADERS]
    return Route(body=body, status=meta["status"], headers=headers)


def json_route(data: Any, *, status: int = 200, etag: str | None = None, headers: list[tuple[str, str]] | None = None) -> Route:
    extra = [("Content-Type", "application/json; charset=utf-8")] + list(headers or [])
    if etag:
        extra.append(("ETag", etag))
    return Route(body=json.dumps(data).encode(), status=status, headers=extra)


def not_found(path: str) -> Route:
    # CONSTRUCTED: the body GitHub sends with a 404 from the REST API.
    return json_route({"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}, status=404)


def contents_cff(full_name: str, text: str) -> Route:
    """CONSTRUCTED: a contents-API answer for CITATION.cff in the documented shape (the text is real)."""
    raw = text.encode("utf-8")
    encoded = base64.b64encode(raw).decode("ascii")
    content = "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))
    sha = hashlib.sha1(b"blob %d\0" % len(raw) + raw).hexdigest()
    api = f"https://api.github.com/repos/{full_name}/contents/CITATION.cff"
    data = {
        "name": "CITATION.cff",
        "path": "CITATION.cff",
        "sha": sha,
        "size": len(raw),
        "url": f"{api}?ref=main",
        "html_url": f"https://github.com/{full_name}/blob/main/CITATION.cff",
        "git_url": f"https://api.github.com/repos/{full_name}/git/blobs/{sha}",
        "download_url": f"https://raw.githubusercontent.com/{full_name}/main/CITATION.cff",
        "type": "file",
        "content": content,
        "encoding": "base64",
        "_links": {"self": f"{api}?ref=main", "git": f"https://api.github.com/repos/{full_name}/git/blobs/{sha}", "html": f"https://github.com/{full_name}/blob/main/CITATION.cff"},
    }
    return json_route(data, etag=f'"{sha}"')


def cff_text(name: str) -> str:
    return (FIXTURES / "cff" / f"{name}.CITATION.cff").read_text(encoding="utf-8")


class FakeGithub:
    """Routes (path, query) to recorded responses; answers If-None-Match with 304 like GitHub."""

    def __init__(self, server: Any):
        self.server = server
        self.base = server.url_for("/").rstrip("/")
        self.routes: dict[tuple[str, str], Route] = {}
        self.seen: list[Request] = []
        self.override: Callable[[Request], Response | None] | None = None
        server.expect_request(re.compile(r"/.*")).respond_with_handler(self._handle)

    def add(self, path: str, route: Route, query: str = "") -> None:
        self.routes[(path, query)] = route

    def _handle(self, request: Request) -> Response:
        self.seen.append(request)
        if self.override is not None:
            forced = self.override(request)
            if forced is not None:
                return forced
        query = request.query_string.decode()
        route = self.routes.get((request.path, query)) or self.routes.get((request.path, "*"))
        if route is None:
            route = not_found(request.path)
        if route.etag and request.headers.get("If-None-Match") == route.etag:
            # CONSTRUCTED: GitHub's 304 carries the ETag and the rate-limit headers, no body.
            keep = [(k, v) for k, v in route.headers if k.lower() == "etag" or k.lower().startswith("x-ratelimit")]
            return Response(status=304, headers=keep)
        headers = [(k, v.replace("https://api.github.com", self.base) if k.lower() == "link" else v) for k, v in route.headers]
        return Response(route.body, status=route.status, headers=headers)

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.seen if r.path == path]


@pytest.fixture
def github(httpserver) -> FakeGithub:
    fake = FakeGithub(httpserver)
    fake.add("/users/jacquev6", route_from_recording(USER))
    return fake


def write_config(tmp_path: Path, base_url: str, **github: Any) -> Path:
    settings = {"id": "jacquev6", "base_url": base_url, "token_env": "GITHUB_TOKEN", "min_interval_s": 0, "retries": 0, "timeout_s": 10, **github}
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps({"profile": {"name": "Vincent Jacques"}, "sources": {"github": settings}}), encoding="utf-8")
    return path


def make_connector(tmp_path: Path, github: FakeGithub, environ: Mapping[str, str] | None = None, **options: Any) -> GithubConnector:
    """The connector exactly as the CLI builds it: config file -> registry -> policy -> HttpClient."""
    config = load_config(write_config(tmp_path, github.base, **options))
    connector = registry.create(config, "github", environ or {})
    assert isinstance(connector, GithubConnector)
    return connector


def pull(connector: GithubConnector, *, refresh: bool = False) -> Snapshot:
    return connector.fetch(FetchContext(person=Person(name="Vincent Jacques"), now=NOW, refresh=refresh))


# ------------------------------------------------------------------------------- profile + repos


def test_profile_and_repositories_become_person_and_software_works(tmp_path, github):
    github.add("/users/jacquev6/repos", route_from_recording(REPOS_2020), "*")
    connector = make_connector(tmp_path, github, {"GITHUB_TOKEN": TOKEN})

    snapshot = pull(connector)

    person = snapshot.person
    assert person is not None
    assert (person.name, person.homepage, person.affiliation) == ("Vincent Jacques", "http://vincent-jacques.net", None)
    assert person.ids.github == "jacquev6"
    assert person.extra["location"] == "France"
    assert len(snapshot.works) == 10
    first = snapshot.works[0]
    assert first.type is WorkType.SOFTWARE
    assert (first.title, first.ids.github, first.url, first.year) == ("DrawTurksHead", "jacquev6/drawturkshead", "https://github.com/jacquev6/DrawTurksHead", 2010)
    assert first.description == "Python library to draw Turk's Head knots"
    assert first.extra["homepage"] == "http://jacquev6.github.io/DrawTurksHead"
    assert first.extra["language"] == "Python"
    assert (first.extra["fork"], first.extra["archived"]) == (False, False)
    assert first.cites.to_dict() == {}
    blank = next(w for w in snapshot.works if w.title == "jacquev6.github.io")
    assert blank.description is None
    assert blank.extra["homepage"] is None

    listing = github.requests_to("/users/jacquev6/repos")[0]
    assert dict(listing.args) == {"per_page": "100", "type": "owner", "sort": "updated"}
    for request in github.seen:
        assert request.headers["Accept"] == "application/vnd.github+json"
        assert request.headers["X-GitHub-Api-Version"] == "2022-11-28"
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert TOKEN not in request.url
    # one profile, one listing page, one CITATION.cff lookup per repository
    assert connector.stats is not None
    assert connector.stats.requests == 1 + 1 + 10 == len(github.seen)


def test_no_token_means_no_authorization_header(tmp_path, github):
    github.add("/users/jacquev6/repos", route_from_recording(REPOS_2020), "*")
    connector = make_connector(tmp_path, github, {}, citation_files=False)

    pull(connector)

    assert len(github.seen) == 2
    assert all("Authorization" not in r.headers for r in github.seen)


def test_all_pages_are_read_by_following_the_link_header(tmp_path, github):
    # The starred recording is GitHub's real two-page Link example: page 1 says rel="next" to
    # .../starred?page=2, page 2 has only first/prev. Page 1 is served for the repos listing.
    github.add("/users/jacquev6/repos", route_from_recording(STARRED_1), "*")
    github.add("/users/jacquev6/starred", route_from_recording(STARRED_2), "page=2")
    connector = make_connector(tmp_path, github, citation_files=False, include_forks=True)

    snapshot = pull(connector)

    assert snapshot.extra["repositories_listed"] == 30 + 5
    assert len(snapshot.works) == 35
    assert snapshot.works[0].ids.github == "git/git"
    assert snapshot.works[-1].ids.github == "facebook/folly"
    # the next URL was followed exactly as written (path and query), and nothing past the last page
    second = github.requests_to("/users/jacquev6/starred")
    assert [r.query_string.decode() for r in second] == ["page=2"]
    assert len(github.seen) == 1 + 2


def test_page_bound_stops_and_says_so(tmp_path, github):
    github.add("/users/jacquev6/repos", route_from_recording(STARRED_1), "*")
    github.add("/users/jacquev6/starred", route_from_recording(STARRED_2), "page=2")
    connector = make_connector(tmp_path, github, citation_files=False, include_forks=True, max_pages=1)

    snapshot = pull(connector)

    assert len(snapshot.works) == 30
    assert github.requests_to("/users/jacquev6/starred") == []
    assert any("only the first 1 pages" in n for n in snapshot.notes)


def test_next_link_to_another_host_is_not_followed(tmp_path, github):
    body, meta = recorded(STARRED_1)
    route = route_from_recording(STARRED_1)
    # CONSTRUCTED variation: a Link naming a foreign host; the token must not go there.
    route.headers = [(k, v.replace("https://api.github.com", "https://evil.example")) if k.lower() == "link" else (k, v) for k, v in route.headers]
    github.add("/users/jacquev6/repos", route, "*")
    connector = make_connector(tmp_path, github, {"GITHUB_TOKEN": TOKEN}, citation_files=False, include_forks=True)

    snapshot = pull(connector)

    assert len(snapshot.works) == 30
    assert any("another host (evil.example)" in n for n in snapshot.notes)


# ----------------------------------------------------------------------------- ETag, 304, cache


def test_second_pull_revalidates_with_etag_and_reuses_the_cached_body(tmp_path, github):
    github.add("/users/jacquev6/repos", route_from_recording(REPOS_2020), "*")
    github.add("/repos/jacquev6/DrawTurksHead/contents/CITATION.cff", contents_cff("jacquev6/DrawTurksHead", cff_text("pytorch_pytorch")))
    environ = {"GITHUB_TOKEN": TOKEN}
    first_connector = make_connector(tmp_path, github, environ)
    first = pull(first_connector)
    first_count = len(github.seen)
    assert first_connector.stats.requests == first_count == 12

    second_connector = make_connector(tmp_path, github, environ)  # a new run: new client, same cache
    second = pull(second_connector)

    again = github.seen[first_count:]
    # Profile and listing are revalidated with the recorded ETags and answered 304 ...
    assert [(r.path, r.headers.get("If-None-Match")) for r in again] == [
        ("/users/jacquev6", 'W/"cdcdd165941281cdc3948a0cdff00dcb40d91a0ba044e67272d5b433326e8f81"'),
        ("/users/jacquev6/repos", 'W/"225fda3e11dd88d655981156434638f6"'),
    ]
    # ... and, the listing being unchanged, the CITATION.cff answers (200 and 404) come from the cache.
    stats = second_connector.stats
    assert (stats.requests, stats.not_modified, stats.quota_cost) == (2, 2, 0)
    # the stored bodies were used: the same snapshot, CITATION.cff data included
    assert [w.to_dict() for w in second.works] == [w.to_dict() for w in first.works]
    assert second.person == first.person
    assert second.works[0].cites.doi == "10.1145/3620665.3640366"


def test_unauthenticated_304s_still_cost_quota(tmp_path, github):
    github.add("/users/jacquev6/repos", route_from_recording(REPOS_2020), "*")
    pull(make_connector(tmp_path, github, citation_files=False))
    connector = make_connector(tmp_path, github, citation_files=False)

    pull(connector)

    assert (connector.stats.requests, connector.stats.not_modified, connector.stats.quota_cost) == (2, 2, 2)


def test_refresh_revalidates_every_lookup(tmp_path, github):
    github.add("/users/jacquev6/repos", route_from_recording(REPOS_2020), "*")
    github.add("/repos/jacquev6/DrawTurksHead/contents/CITATION.cff", contents_cff("jacquev6/DrawTurksHead", cff_text("pytorch_pytorch")))
    environ = {"GITHUB_TOKEN": TOKEN}
    pull(make_connector(tmp_path, github, environ))
    before = len(github.seen)
    connector = make_connector(tmp_path, github, environ)

    snapshot = pull(connector, refresh=True)

    again = github.seen[before:]
    assert len(again) == 12
    cff = [r for r in again if r.path == "/repos/jacquev6/DrawTurksHead/contents/CITATION.cff"][0]
    assert cff.headers.get("If-None-Match")  # revalidated, not fetched blind
    # 3 answered 304 (profile, listing, the one CITATION.cff); the 9 "no CITATION.cff" 404s carry no ETag
    assert (connector.stats.requests, connector.stats.not_modified, connector.stats.quota_cost) == (12, 3, 9)
    assert snapshot.works[0].title == "PyTorch"


def test_token_is_kept_out_of_cache_and_snapshot(tmp_path, github):
    github.add("/users/jacquev6/repos", route_from_recording(REPOS_2020), "*")
    connector = make_connector(tmp_path, github, {"GITHUB_TOKEN": TOKEN})
    snapshot = pull(connector)
    connector.close()

    cache_files = list((tmp_path / "cache").rglob("*"))
    assert any(p.name == "http_cache.sqlite" for p in cache_files)
    for path in cache_files:
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    assert TOKEN not in json.dumps(snapshot.to_dict())


# ----------------------------------------------------------------------------------- rate limits


def rate_limited_route(status: int) -> Route:
    # CONSTRUCTED: GitHub's primary rate-limit answer. The reset epoch is the one recorded in the
    # profile response (X-RateLimit-Reset 1735944560 = 2025-01-03 22:49:20 UTC).
    return json_route(
        {"message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit.)", "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"},
        status=status,
        headers=[("X-RateLimit-Limit", "60"), ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Used", "60"), ("X-RateLimit-Reset", "1735944560"), ("X-RateLimit-Resource", "core")],
    )


@pytest.mark.parametrize("status", [403, 429])
def test_rate_limit_says_when_it_resets(tmp_path, github, status):
    github.add("/users/jacquev6", rate_limited_route(status))
    connector = make_connector(tmp_path, github, {})

    with pytest.raises(RateLimited) as caught:
        pull(connector)

    error = caught.value
    assert error.reset_at == datetime(2025, 1, 3, 22, 49, 20, tzinfo=timezone.utc)
    assert "resets at 2025-01-03 22:49:20 UTC" in error.reason
    assert "60 requests/hour" in error.reason
    assert "$GITHUB_TOKEN" in error.reason  # no token: tell the user how to get 5,000/hour
    assert len(github.seen) == 1  # no retry storm against an exhausted quota


def test_forbidden_without_rate_limit_headers_is_blocked(tmp_path, github):
    # CONSTRUCTED: a plain 403 (e.g. a blocked account), no rate-limit headers.
    github.add("/users/jacquev6", json_route({"message": "Repository access blocked"}, status=403))
    connector = make_connector(tmp_path, github, {})

    with pytest.raises(SourceBlocked) as caught:
        pull(connector)

    assert "HTTP 403: Repository access blocked" in caught.value.reason


def test_quota_running_out_during_citation_lookups_keeps_the_listing(tmp_path, github):
    github.add("/users/jacquev6/repos", route_from_recording(REPOS_2020), "*")
    limited = rate_limited_route(403)
    calls = {"n": 0}

    def third_lookup_hits_the_limit(request: Request) -> Response | None:
        if request.path.endswith("/contents/CITATION.cff"):
            calls["n"] += 1
            if calls["n"] >= 3:
                return Response(limited.body, status=403, headers=limited.headers)
        return None

    github.override = third_lookup_hits_the_limit
    connector = make_connector(tmp_path, github, {})

    snapshot = pull(connector)

    assert len(snapshot.works) == 10
    assert calls["n"] == 3  # no lookups after the limit was hit
    note = next(n for n in snapshot.notes if "CITATION.cff/README not checked for 8 repositories" in n)
    assert "resets at 2025-01-03 22:49:20 UTC" in note


def test_low_quota_skips_optional_lookups(tmp_path, github):
    route = route_from_recording(REPOS_2020)  # recorded X-RateLimit-Remaining: 4996
    github.add("/users/jacquev6/repos", route, "*")
    connector = make_connector(tmp_path, github, {"GITHUB_TOKEN": TOKEN}, quota_reserve=5000)

    snapshot = pull(connector)

    assert len(github.seen) == 2
    assert any("not checked for 10 repositories: only 4996 requests were left" in n for n in snapshot.notes)


def test_bad_token_is_an_auth_error(tmp_path, github):
    # CONSTRUCTED: GitHub's 401 body.
    github.add("/users/jacquev6", json_route({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}, status=401))
    connector = make_connector(tmp_path, github, {"GITHUB_TOKEN": TOKEN})

    with pytest.raises(AuthError) as caught:
        pull(connector)

    assert "$GITHUB_TOKEN" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_unknown_login_is_a_user_error(tmp_path, github):
    connector = make_connector(tmp_path, github, {}, id="nobody-here")

    with pytest.raises(UserError) as caught:
        pull(connector)

    assert caught.value.problems[0].where == "sources.github.id"
    assert 'no user "nobody-here"' in caught.value.problems[0].what


# -------------------------------------------------------------------------------- CITATION.cff


def test_citation_cff_gives_title_authors_and_the_paper_to_cite(tmp_path, github):
    github.add("/users/jacquev6/repos", route_from_recording(REPOS_2020), "*")
    github.add("/repos/jacquev6/DrawTurksHead/contents/CITATION.cff", contents_cff("jacquev6/DrawTurksHead", cff_text("pytorch_pytorch")))
    connector = make_connector(tmp_path, github, {})

    snapshot = pull(connector)

    work = snapshot.works[0]
    assert work.title == "PyTorch"
    assert work.author_names == ("PyTorch Team",)
    cites = work.cites.to_dict()
    assert cites["doi"] == "10.1145/3620665.3640366"
    assert cites["title"].startswith("PyTorch 2: Faster Machine Learning")
    assert cites["year"] == 2024
    assert len(cites["authors"]) == 49
    assert cites["authors"][0] == "Jason Ansel"
    assert "ASPLOS '24" in cites["venue"]
    assert cites["from"] == ["preferred-citation"]
    assert work.extra["citation_file"]["valid"] is True
    # the other nine answered 404: no CITATION.cff, titled by repository name
    assert [w.title for w in snapshot.works[1:3]] == ["vincent-jacques.net", "IpMap"]
    assert not snapshot.notes


def test_invalid_citation_cff_is_used_as_far_as_it_goes(tmp_path, github):
    github.add("/users/jacquev6/repos", route_from_recording(REPOS_2020), "*")
    github.add("/repos/jacquev6/IpMap/contents/CITATION.cff", contents_cff("jacquev6/IpMap", cff_text("VIDA-NYU_reprozip")))
    connector = make_connector(tmp_path, github, {})

    snapshot = pull(connector)

    work = next(w for w in snapshot.works if w.source_ref == "jacquev6/IpMap")
    assert work.title == "ReproZip"
    assert work.author_names[0] == "Remi Rampin"
    assert work.authors[0].orcid == "0000-0002-0524-2282"
    assert work.ids.doi == "10.5281/zenodo.5081097"  # the software's own DOI
    assert work.extra["citation_file"]["version"] == "1.1"
    assert work.extra["citation_file"]["date_released"] == "2021-07-06"
    assert work.extra["citation_file"]["valid"] is False
    note = next(n for n in snapshot.notes if n.startswith("jacquev6/IpMap: CITATION.cff does not follow CFF 1.2.0"))
    assert "cff-version" in note


def test_unparsable_citation_cff_is_noted_not_fatal(tmp_path, github):
    github.add("/users/jacquev6/repos", route_from_recording(REPOS_2020), "*")
    github.add("/repos/jacquev6/IpMap/contents/CITATION.cff", contents_cff("jacquev6/IpMap", "title: [unclosed\n"))
    connector = make_connector(tmp_path, github, {})

    snapshot = pull(connector)

    assert next(w for w in snapshot.works if w.source_ref == "jacquev6/IpMap").title == "IpMap"
    assert any(n.startswith("jacquev6/IpMap: CITATION.cff could not be read (not valid YAML") for n in snapshot.notes)


def test_doi_and_arxiv_in_description_and_homepage_are_citation_hints(tmp_path, github):
    repos = recorded_json(REPOS_2020)[:2]
    # Derived from the recorded objects: descriptions/homepages that point at papers.
    repos[0]["description"] = "Artifact for our NSDI'23 paper, see https://doi.org/10.5555/3600000.3600001 (code DOI 10.5281/zenodo.7000000)"
    repos[1]["homepage"] = "https://arxiv.org/abs/2305.05920v2"
    github.add("/users/jacquev6/repos", json_route(repos), "*")
    connector = make_connector(tmp_path, github, {}, citation_files=False)

    snapshot = pull(connector)

    first, second = snapshot.works
    assert first.cites.to_dict() == {"doi": "10.5555/3600000.3600001", "from": ["description"]}
    assert first.ids.doi == "10.5281/zenodo.7000000"
    assert second.cites.to_dict() == {"arxiv": "2305.05920", "from": ["homepage"]}


def test_readme_is_read_only_when_asked_and_nothing_else_points_at_a_paper(tmp_path, github):
    repos = recorded_json(REPOS_2020)[:2]
    repos[1]["description"] = "see arXiv:2305.05920"  # derived: this one needs no README
    github.add("/users/jacquev6/repos", json_route(repos), "*")
    readme = "# DrawTurksHead\n\nPlease cite:\n\n```bibtex\n@inproceedings{x,\n  title = {Drawing Turk's Head Knots},\n  doi = {10.5555/1234567.7654321},\n}\n```\n"
    route = contents_cff("jacquev6/DrawTurksHead", readme)  # CONSTRUCTED: the readme endpoint has the same shape
    github.add("/repos/jacquev6/DrawTurksHead/readme", route)
    connector = make_connector(tmp_path, github, {}, readme=True)

    snapshot = pull(connector)

    readme_requests = [r.path for r in github.seen if r.path.endswith("/readme")]
    assert readme_requests == ["/repos/jacquev6/DrawTurksHead/readme"]
    assert snapshot.works[0].cites.to_dict() == {"doi": "10.5555/1234567.7654321", "title": "Drawing Turk's Head Knots", "from": ["readme"]}


# --------------------------------------------------------------------- forks, archived, lists


def test_forks_are_excluded_by_default(tmp_path, github):
    github.add("/users/jacquev6/repos", route_from_recording(REPOS_2012), "*")
    connector = make_connector(tmp_path, github, {}, citation_files=False)

    snapshot = pull(connector)

    names = [w.source_ref for w in snapshot.works]
    assert len(names) == 9
    assert "jacquev6/django" not in names
    assert "jacquev6/developer.github.com" not in names
    assert snapshot.extra["excluded"] == {"fork": ["jacquev6/django", "jacquev6/developer.github.com"]}
    # the 2012 field set has "watchers"/"forks" instead of stargazers_count/forks_count
    pygithub = next(w for w in snapshot.works if w.source_ref == "jacquev6/PyGithub")
    assert pygithub.extra["stars"] == recorded_json(REPOS_2012)[2]["watchers"]


def test_include_forks_option_and_include_list(tmp_path, github):
    github.add("/users/jacquev6/repos", route_from_recording(REPOS_2012), "*")
    everything = pull(make_connector(tmp_path / "a", github, {}, citation_files=False, include_forks=True))
    one_back = pull(make_connector(tmp_path / "b", github, {}, citation_files=False, include=["Django"]))

    assert len(everything.works) == 11
    assert [w.source_ref for w in one_back.works if w.extra["fork"]] == ["jacquev6/django"]


def test_exclude_list_with_bare_names_and_wildcards(tmp_path, github):
    github.add("/users/jacquev6/repos", route_from_recording(REPOS_2020), "*")
    connector = make_connector(tmp_path, github, {}, citation_files=False, exclude=["*.github.io", "jacquev6/vincent-jacques.NET", "IpMap"])

    snapshot = pull(connector)

    assert len(snapshot.works) == 7
    assert snapshot.extra["excluded"] == {"config": ["jacquev6/vincent-jacques.net", "jacquev6/IpMap", "jacquev6/jacquev6.github.io"]}


def test_archived_repositories_are_excluded_unless_asked():
    repos = recorded_json(REPOS_2020)
    # Derived: the recordings hold no archived repository, so one recorded object is flipped.
    archived = copy.deepcopy(repos[3])
    archived["archived"] = True
    listing = [*repos[:3], archived, *repos[4:]]

    kept, dropped = select_repos(listing, "jacquev6", GithubOptions())
    kept_all, _ = select_repos(listing, "jacquev6", GithubOptions(include_archived=True))
    kept_named, _ = select_repos(listing, "jacquev6", GithubOptions(include=["jacquev6/MockMockMock"]))
    excluded_wins, _ = select_repos(listing, "jacquev6", GithubOptions(include_archived=True, exclude=["MockMockMock"]))

    assert dropped == {"archived": ["jacquev6/MockMockMock"]}
    assert len(kept) == 9
    assert len(kept_all) == 10
    assert len(kept_named) == 10
    assert len(excluded_wins) == 9


def test_extra_repos_are_fetched_one_by_one(tmp_path, github):
    github.add("/users/jacquev6/repos", json_route(recorded_json(REPOS_2020)[:1]), "*")
    # The listing object of a recorded repository stands in for the single-repository answer
    # (which has the same fields plus a few); served under another owner, as a lab's repository.
    other = recorded_json(REPOS_2012)[0]
    github.add("/repos/pkusys/Auncel", json_route(dict(other, full_name="pkusys/Auncel", name="Auncel", html_url="https://github.com/pkusys/Auncel")))
    github.add("/repos/pkusys/Auncel/contents/CITATION.cff", contents_cff("pkusys/Auncel", cff_text("scikit-learn_scikit-learn")))
    connector = make_connector(tmp_path, github, {}, extra_repos=["pkusys/Auncel", "pkusys/gone"])

    snapshot = pull(connector)

    assert [w.ids.github for w in snapshot.works] == ["jacquev6/drawturkshead", "pkusys/auncel"]
    assert snapshot.works[1].cites.title == "Scikit-learn: Machine Learning in Python"
    assert any("extra repository pkusys/gone was not found" in n for n in snapshot.notes)


# ------------------------------------------------------------------ a 100-repository account


def hundred_repositories() -> list[dict[str, Any]]:
    """100 repository objects built from the 10 real recorded ones (2020 listing), each copied ten
    times under a distinct name; nothing else is changed."""
    out = []
    for copy_no in range(10):
        for repo in recorded_json(REPOS_2020):
            name = f"{repo['name']}-{copy_no}"
            out.append(dict(repo, name=name, full_name=f"jacquev6/{name}", html_url=f"https://github.com/jacquev6/{name}"))
    return out


@pytest.mark.slow
def test_request_counts_of_first_and_second_pull_of_a_100_repository_account(tmp_path, github):
    repos = hundred_repositories()
    github.add("/users/jacquev6/repos", json_route(repos, etag='W/"listing-v1"'), "*")
    for name in ("DrawTurksHead-0", "IpMap-4", "LowVoltage-9"):
        github.add(f"/repos/jacquev6/{name}/contents/CITATION.cff", contents_cff(f"jacquev6/{name}", cff_text("pytorch_pytorch")))
    environ = {"GITHUB_TOKEN": TOKEN}

    first = make_connector(tmp_path, github, environ)
    snapshot = pull(first)
    second = make_connector(tmp_path, github, environ)
    pull(second)
    # a star or a push changes the listing: the CITATION.cff lookups are revalidated
    github.add("/users/jacquev6/repos", json_route(repos, etag='W/"listing-v2"'), "*")
    third = make_connector(tmp_path, github, environ)
    pull(third)

    assert len(snapshot.works) == 100
    assert sum(1 for w in snapshot.works if w.cites) == 3
    # first pull: profile + 1 listing page (100 per page) + 100 CITATION.cff lookups
    assert (first.stats.requests, first.stats.quota_cost) == (102, 102)
    # second pull, nothing changed: 2 conditional requests, both 304, no quota with a token
    assert (second.stats.requests, second.stats.not_modified, second.stats.quota_cost) == (2, 2, 0)
    # listing changed: profile 304, listing 200, 3 CITATION.cff 304, 97 cached 404s asked again
    assert (third.stats.requests, third.stats.not_modified, third.stats.quota_cost) == (102, 4, 98)
    assert len(github.seen) == 102 + 2 + 102


# ------------------------------------------------------------------ from pull to paper links


def test_pulled_repository_links_to_the_cv_paper_it_cites(tmp_path, github):
    from profilesync.cv.record import publication_to_work
    from profilesync.diff.software import LinkBasis, link_software

    github.add("/users/jacquev6/repos", route_from_recording(REPOS_2020), "*")
    github.add("/repos/jacquev6/DrawTurksHead/contents/CITATION.cff", contents_cff("jacquev6/DrawTurksHead", cff_text("pytorch_pytorch")))
    snapshot = pull(make_connector(tmp_path, github, {}))
    # round trip through the snapshot's JSON form, as the diff reads it from cache/snapshots/
    software = Snapshot.from_dict(json.loads(json.dumps(snapshot.to_dict()))).works
    cv_works = [
        publication_to_work({"key": "ansel2024", "title": "PyTorch 2", "authors": [], "year": 2024, "type": "conference", "ids": {"doi": "10.1145/3620665.3640366"}}),
        publication_to_work({"key": "knots", "title": "Drawing Turk's Head knots", "authors": [], "type": "journal"}),
    ]

    links = link_software(cv_works, software)

    assert [(link.repo, link.cv_key, link.how) for link in links] == [("jacquev6/drawturkshead", "ansel2024", LinkBasis.DOI)]


# ------------------------------------------------------------------------- bad answers, writes


def test_unparsable_listing_fails_and_is_not_kept_in_the_cache(tmp_path, github):
    good = route_from_recording(REPOS_2020)
    # CONSTRUCTED: a cut-off body under the recorded ETag, as a broken proxy might deliver it.
    github.add("/users/jacquev6/repos", Route(body=good.body[:500], headers=good.headers), "*")
    with pytest.raises(SourceFormatError) as caught:
        pull(make_connector(tmp_path, github, {}, citation_files=False))
    assert "not valid JSON" in caught.value.reason

    github.add("/users/jacquev6/repos", good, "*")
    snapshot = pull(make_connector(tmp_path, github, {}, citation_files=False))

    retry = github.requests_to("/users/jacquev6/repos")[-1]
    assert retry.headers.get("If-None-Match") is None  # the broken body was dropped, not revalidated
    assert len(snapshot.works) == 10


def test_one_refused_citation_file_is_noted_and_the_others_are_read(tmp_path, github):
    github.add("/users/jacquev6/repos", route_from_recording(REPOS_2020), "*")
    # CONSTRUCTED: a 403 without rate-limit exhaustion for one repository's file.
    github.add("/repos/jacquev6/IpMap/contents/CITATION.cff", json_route({"message": "Repository access blocked"}, status=403))
    github.add("/repos/jacquev6/LowVoltage/contents/CITATION.cff", contents_cff("jacquev6/LowVoltage", cff_text("pytorch_pytorch")))
    connector = make_connector(tmp_path, github, {})

    snapshot = pull(connector)

    assert any(n.startswith("jacquev6/IpMap/contents/CITATION.cff: not read (") for n in snapshot.notes)
    assert snapshot.works[-1].title == "PyTorch"
    assert connector.stats.requests == 12


def test_github_is_read_only():
    from profilesync.config import SourceConfig
    from profilesync.errors import ReadOnlyError

    connector = GithubConnector(SourceConfig("github", True, "jacquev6", "https://api.github.com", 10.0))

    with pytest.raises(ReadOnlyError):
        connector.push([], dry_run=False)


@pytest.mark.slow
def test_stored_citation_answers_outlive_the_cache_expiry_while_the_listing_is_unchanged(tmp_path, github):
    import time

    from profilesync.config import SourceConfig
    from profilesync.connectors.http import HttpClient, HttpPolicy

    github.add("/users/jacquev6/repos", route_from_recording(REPOS_2020), "*")
    github.add("/repos/jacquev6/DrawTurksHead/contents/CITATION.cff", contents_cff("jacquev6/DrawTurksHead", cff_text("pytorch_pytorch")))
    config = SourceConfig("github", True, "jacquev6", github.base, 10.0, token_env="GITHUB_TOKEN")

    def connector() -> GithubConnector:
        # Built by hand only to shorten the cache lifetime to one second (the config has no key for it).
        policy = HttpPolicy(source="github", cache_dir=tmp_path / "http", cache_expire_s=1.0, min_interval_s=0, retries=0, cache_statuses=(200, 404))
        return GithubConnector(config, HttpClient(policy), token=TOKEN)

    pull(connector())
    time.sleep(1.2)  # every stored answer is now expired
    later = connector()
    snapshot = pull(later)

    # profile and listing revalidated (304); the 10 CITATION.cff answers (1 file, 9 absent) reused unasked
    assert (later.stats.requests, later.stats.not_modified) == (2, 2)
    assert snapshot.works[0].cites.doi == "10.1145/3620665.3640366"
