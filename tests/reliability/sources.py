"""The connector table of the reliability suite: one ``SourceCase`` per connector.

Adding a connector to the suite is one entry in ``CASES``: how its config section looks, which
request paths are its own, its good answer (REAL recorded responses from ``tests/fixtures``,
served unchanged), an empty profile (the recorded response with every work removed), and a few
malformed bodies in its own format. Every fault in ``faults.py`` then runs against it.

What is derived rather than recorded, and why:
- the empty profiles are the recorded responses with the work entries cut out (no recording of an
  empty profile exists for DBLP, Scholar or GitHub; ORCID's recorded empty record belongs to
  another iD, so the same cut is used for uniformity);
- ORCID's bulk ``/works/<put-codes>`` answer wraps the recorded work summaries in the documented
  ``{"bulk": [{"work": ...}]}`` envelope (no bulk response was recorded; see test_orcid_fixtures);
- GitHub's 404 for a missing CITATION.cff is not needed: the suite's config sets
  ``citation_files: false`` (fewer requests, same failure paths).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug import Request, Response

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

XML = "application/xml; charset=utf-8"
JSON = "application/json;charset=UTF-8"
HTML = "text/html; charset=utf-8"

# An HTML maintenance page a proxy might put in front of any API (constructed).
MAINTENANCE_HTML = b"<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>We'll be back soon</h1><p>Scheduled maintenance.</p></body></html>"
GARBAGE = bytes(range(256)) * 8


def _fixture(*parts: str) -> bytes:
    return FIXTURES.joinpath(*parts).read_bytes()


def _cut(body: bytes, fraction: float = 0.6) -> bytes:
    """A document that ends in the middle (a server that sent a broken document in full)."""
    return body[: int(len(body) * fraction)]


@dataclass(frozen=True)
class SourceCase:
    """One connector as the reliability suite drives it."""

    name: str
    person: str  # the researcher's name, as the recorded profile shows it
    ident: str  # sources.<name>.id
    base_path: str  # base_url = server root + base_path
    owns: Callable[[str], bool]  # is this request path one of this source's?
    respond_ok: Callable[[Request], Response]
    respond_empty: Callable[[Request], Response]
    malformed: Mapping[str, tuple[bytes, str]]  # kind -> (body, content type)
    works_ok: int  # works the recorded profile yields
    id_kind: str  # the ExternalIds field a work of this source carries
    first_body: bytes  # the answer to the connector's first request (cut short in transit by one case)
    content_type: str
    work_type: str = "conference"
    options: Mapping[str, Any] = field(default_factory=dict)

    def config_section(self, server_root: str, *, timeout_s: float, retries: int) -> dict[str, Any]:
        return {
            "id": self.ident,
            "base_url": server_root.rstrip("/") + self.base_path,
            "timeout_s": timeout_s,
            "retries": retries,
            "min_interval_s": 0,
            **self.options,
        }


# --- DBLP: the recorded person XML of pid 95/7448-1 ----------------------------------------------

DBLP_PID = "95/7448-1"
DBLP_XML = _fixture("dblp", "person_pid_95-7448-1_DiXu0001_extracted_from_openreview_test.xml")
DBLP_EMPTY = re.sub(rb"<r>.*?</r>\s*", b"", DBLP_XML, flags=re.S).replace(b'n="8"', b'n="0"', 1)


def _dblp(body: bytes) -> Callable[[Request], Response]:
    def respond(request: Request) -> Response:
        if request.path == f"/pid/{DBLP_PID}.xml":
            return Response(body, content_type=XML)
        return Response(b"<error>not found</error>", status=404, content_type=XML)

    return respond


# --- ORCID: the recorded public-API record of 0000-0001-8607-8025 --------------------------------

ORCID_ID = "0000-0001-8607-8025"
ORCID_PERSON = _fixture("orcid", f"eglen_{ORCID_ID}_person.json")
ORCID_WORKS = _fixture("orcid", f"eglen_{ORCID_ID}_works.json")
_ORCID_WORKS_DOC = json.loads(ORCID_WORKS)
ORCID_EMPTY_WORKS = json.dumps({**_ORCID_WORKS_DOC, "group": []}).encode()


def orcid_handler(works: bytes) -> Callable[[Request], Response]:
    """ORCID's public API for one record whose works are ``works``: person, grouped works, and
    bulk details drawn from those works' summaries (404 for an unknown put-code)."""
    summaries = {str(s["put-code"]): s for g in json.loads(works)["group"] for s in g["work-summary"]}
    prefix = f"/v3.0/{ORCID_ID}"

    def respond(request: Request) -> Response:
        if request.path == f"{prefix}/person":
            return Response(ORCID_PERSON, content_type=JSON)
        if request.path == f"{prefix}/works":
            return Response(works, content_type=JSON)
        if request.path.startswith(f"{prefix}/works/"):
            codes = request.path.rsplit("/", 1)[1].split(",")
            items = [{"work": summaries[c]} if c in summaries else {"error": {"response-code": 404}} for c in codes]
            return Response(json.dumps({"bulk": items}).encode(), content_type=JSON)
        return Response(b'{"response-code":404}', status=404, content_type=JSON)

    return respond


# --- Google Scholar: the recorded first page of profile LZ5D_p4AAAAJ -----------------------------

SCHOLAR_ID = "LZ5D_p4AAAAJ"
SCHOLAR_PAGE = _fixture("scholar", f"profile_{SCHOLAR_ID}_2026.html")
SCHOLAR_EMPTY = re.sub(rb'<tr class="gsc_a_tr">.*?</tr>', b"", SCHOLAR_PAGE, flags=re.S)


def _scholar(page: bytes) -> Callable[[Request], Response]:
    def respond(request: Request) -> Response:
        if request.path == "/citations" and request.args.get("user") == SCHOLAR_ID:
            return Response(page, content_type=HTML)
        return Response(b"<html><body>not found</body></html>", status=404, content_type=HTML)

    return respond


# --- GitHub: PyGithub's recorded /users/jacquev6 and repository listing --------------------------

GITHUB_LOGIN = "jacquev6"
_GH = FIXTURES / "github"
GITHUB_USER = (_GH / "pygithub_replay_GET_users_jacquev6.1.body.json").read_bytes()
GITHUB_REPOS = (_GH / "pygithub_replay_GET_users_jacquev6_repos_2012.1.body.json").read_bytes()
_GITHUB_USER_HEADERS = [
    (k, v)
    for k, v in json.loads((_GH / "pygithub_replay_GET_users_jacquev6.1.meta.json").read_text(encoding="utf-8"))["headers"]
    if k.lower() in ("etag", "last-modified", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")
]


def _github(repos: bytes) -> Callable[[Request], Response]:
    def respond(request: Request) -> Response:
        if request.path == f"/users/{GITHUB_LOGIN}":
            return Response(GITHUB_USER, content_type="application/json; charset=utf-8", headers=_GITHUB_USER_HEADERS)
        if request.path == f"/users/{GITHUB_LOGIN}/repos":
            return Response(repos, content_type="application/json; charset=utf-8")
        return Response(b'{"message":"Not Found"}', status=404, content_type="application/json; charset=utf-8")

    return respond


CASES: tuple[SourceCase, ...] = (
    SourceCase(
        name="dblp",
        person="Di Xu",
        ident=DBLP_PID,
        base_path="",
        owns=lambda path: path.startswith("/pid/") or path.startswith("/search/"),
        respond_ok=_dblp(DBLP_XML),
        respond_empty=_dblp(DBLP_EMPTY),
        malformed={
            "cut-document": (_cut(DBLP_XML), XML),
            "other-format": (MAINTENANCE_HTML, XML),
            "garbage": (GARBAGE, XML),
        },
        works_ok=8,
        id_kind="dblp",
        first_body=DBLP_XML,
        content_type=XML,
    ),
    SourceCase(
        name="orcid",
        person="Stephen Eglen",
        ident=ORCID_ID,
        base_path="/v3.0",
        owns=lambda path: path.startswith("/v3.0/"),
        respond_ok=orcid_handler(ORCID_WORKS),
        respond_empty=orcid_handler(ORCID_EMPTY_WORKS),
        malformed={
            "cut-document": (_cut(ORCID_PERSON), JSON),
            "other-format": (MAINTENANCE_HTML, JSON),
            "garbage": (GARBAGE, JSON),
        },
        works_ok=74,
        id_kind="orcid_put_code",
        first_body=ORCID_PERSON,
        content_type=JSON,
        work_type="journal",
        options={"details_chunk": 100, "employments": False},
    ),
    SourceCase(
        name="scholar",
        person="Doaa Elmatary",
        ident=SCHOLAR_ID,
        base_path="",
        owns=lambda path: path.startswith("/citations"),
        respond_ok=_scholar(SCHOLAR_PAGE),
        respond_empty=_scholar(SCHOLAR_EMPTY),
        malformed={
            "cut-document": (_cut(SCHOLAR_PAGE, 0.3), HTML),
            "other-format": (b'{"error": "not a page"}', HTML),
            "garbage": (GARBAGE, HTML),
        },
        works_ok=12,
        id_kind="scholar",
        first_body=SCHOLAR_PAGE,
        content_type=HTML,
    ),
    SourceCase(
        name="github",
        person="Vincent Jacques",
        ident=GITHUB_LOGIN,
        base_path="",
        owns=lambda path: path.startswith("/users/") or path.startswith("/repos/"),
        respond_ok=_github(GITHUB_REPOS),
        respond_empty=_github(b"[]"),
        malformed={
            "cut-document": (_cut(GITHUB_USER), "application/json; charset=utf-8"),
            "other-format": (MAINTENANCE_HTML, "application/json; charset=utf-8"),
            "garbage": (GARBAGE, "application/json; charset=utf-8"),
        },
        works_ok=sum(1 for repo in json.loads(GITHUB_REPOS) if not repo["fork"]),  # forks are left out by default
        id_kind="github",
        first_body=GITHUB_USER,
        content_type="application/json; charset=utf-8",
        work_type="software",
        options={"citation_files": False},
    ),
)

BY_NAME: dict[str, SourceCase] = {case.name: case for case in CASES}
