"""The recorded ORCID bodies under tests/fixtures/orcid, and a local server that serves them.

The .json files were extracted from the rorcid vcr cassettes by ``fixtures/orcid/extract_cassettes.py``;
the tests here check that they are still byte for byte the cassettes' ``response.body.string``
(when the shared fixture directory is present). The other ORCID test modules import the helpers.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from werkzeug import Request, Response

from profilesync.config import SourceConfig
from profilesync.connectors.http import HttpClient, HttpPolicy
from profilesync.connectors.orcid import OrcidConnector

HERE = Path(__file__).parents[1]
ORCID_FIXTURES = HERE / "fixtures" / "orcid"
SHARED = Path("/work/shared/fixtures/orcid")

EGLEN = "0000-0001-8607-8025"  # 74 groups, 78 summaries, nulls everywhere
JOHNSON = "0000-0003-1620-1408"  # 0 works
CHAMBERLAIN = "0000-0003-1444-9135"  # 111 groups, 114 summaries, duplicates in 3 groups
KREUTZER = "0000-0002-0734-2199"  # two full single works (contributors, Unicode)
TRACKER = "0000-0003-1910-4865"  # re-serialised works with UPPER-case relationship and type


def fixture_bytes(name: str) -> bytes:
    return (ORCID_FIXTURES / name).read_bytes()


def fixture_json(name: str) -> Any:
    return json.loads(fixture_bytes(name))


def person_file(orcid: str) -> str:
    return {EGLEN: "eglen", JOHNSON: "johnson", CHAMBERLAIN: "chamberlain"}[orcid] + f"_{orcid}_person.json"


def works_file(orcid: str) -> str:
    return {EGLEN: "eglen", JOHNSON: "johnson", CHAMBERLAIN: "chamberlain"}[orcid] + f"_{orcid}_works.json"


def summaries_by_put_code(works_doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(s["put-code"]): s for g in works_doc["group"] for s in g["work-summary"]}


def bulk_body(put_codes: list[str], works: Mapping[str, Mapping[str, Any]]) -> bytes:
    """A bulk ``/works/<pcs>`` answer: each known put-code's body as ``{"work": ...}``, else an error slot.

    There is no recorded bulk response in the fixture set, so the local server wraps the real
    recorded bodies (full works, or work summaries, which are a subset of a full work) in the
    documented envelope ``{"bulk": [{"work": {...}} | {"error": {...}}]}`` (docs/sources.md §2.4).
    """
    items: list[dict[str, Any]] = []
    for pc in put_codes:
        if pc in works:
            items.append({"work": works[pc]})
        else:
            items.append({"error": {"response-code": 404, "developer-message": f"404 Not Found: The resource was not found. Put-code {pc}", "error-code": 9016}})
    return json.dumps({"bulk": items}).encode()


class OrcidServer:
    """Routes of the public API on a pytest-httpserver, counting what was asked.

    ``details`` maps put-code -> full work body for the bulk endpoint; ``bulk_status`` makes
    every bulk call fail with that status instead.
    """

    def __init__(self, httpserver, orcid: str, person: bytes, works: bytes, *, details: Mapping[str, Any] | None = None, employments_status: int = 404):
        self.server = httpserver
        self.orcid = orcid
        self.person = person
        self.works = works
        self.details = dict(details or {})
        self.bulk_status: int | None = None
        self.bulk_calls: list[list[str]] = []
        self.employments_status = employments_status
        self.employments: bytes | None = None  # a body for /employments; else employments_status
        self.refuse_tokens = False  # answer 401 to any request that carries a token
        self.paths: list[str] = []
        self.authorizations: list[str | None] = []
        httpserver.expect_request(re.compile(r"^/v3\.0/.*$")).respond_with_handler(self._handle)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/v3.0")

    def _handle(self, request: Request) -> Response:
        self.paths.append(request.path)
        self.authorizations.append(request.headers.get("Authorization"))
        prefix = f"/v3.0/{self.orcid}"
        json_type = "application/json;charset=UTF-8"
        if request.headers.get("Accept") != "application/json":
            return Response(b'{"response-code":406}', status=406, content_type=json_type)
        if self.refuse_tokens and request.headers.get("Authorization"):
            return Response(b'{"error":"invalid_token","error_description":"Invalid access token"}', status=401, content_type=json_type)
        if request.path == f"{prefix}/person":
            return Response(self.person, content_type=json_type)
        if request.path == f"{prefix}/works":
            return Response(self.works, content_type=json_type)
        if request.path == f"{prefix}/employments":
            if self.employments is not None:
                return Response(self.employments, content_type=json_type)
            return Response(b'{"response-code":404}', status=self.employments_status, content_type=json_type)
        match = re.fullmatch(rf"{re.escape(prefix)}/works/([0-9,]+)", request.path)
        if match:
            codes = match.group(1).split(",")
            self.bulk_calls.append(codes)
            if self.bulk_status is not None:
                return Response(b'{"response-code":500,"developer-message":"boom"}', status=self.bulk_status, content_type=json_type)
            return Response(bulk_body(codes, self.details), content_type=json_type)
        return Response(b'{"response-code":404}', status=404, content_type=json_type)


def make_connector(base_url: str, *, retries: int = 0, options: Mapping[str, Any] | None = None, orcid: str | None = None, cache_dir: Path | None = None, token: str | None = None) -> OrcidConnector:
    """The connector as the registry builds it, with test timings (no rate-limit sleeps, no backoff)."""
    config = SourceConfig(name="orcid", enabled=True, id=orcid, base_url=base_url, timeout_s=10.0, token_env="ORCID_TOKEN", options=dict(options or {}))
    policy = HttpPolicy(source="orcid", min_interval_s=0, retries=retries, backoff_factor=0, connect_timeout_s=2, read_timeout_s=5, deadline_s=20, cache_dir=cache_dir)
    return OrcidConnector(config, HttpClient(policy), token=token)


def replicate_groups(works_doc: Mapping[str, Any], count: int, start: int = 900_000_000) -> dict[str, Any]:
    """A /works body of ``count`` groups made by copying real recorded groups with new put-codes.

    Used for the request-count test of a 200-work record: no recorded record is that large, so the
    real group bodies are replicated round-robin and each copy gets a distinct put-code (and path).
    """
    source = [g for g in works_doc["group"] if len(g["work-summary"]) == 1]
    groups = []
    for i in range(count):
        group = copy.deepcopy(source[i % len(source)])
        summary = group["work-summary"][0]
        summary["put-code"] = start + i
        summary["path"] = re.sub(r"/work/\d+$", f"/work/{start + i}", summary["path"])
        groups.append(group)
    return {**works_doc, "group": groups}


def full_work_record() -> tuple[bytes, dict[str, Any]]:
    """A /works body for the KREUTZER record built from its two recorded full works.

    Only the two single-work responses were recorded for this iD, so the summary list is made
    from them: a work summary is the full work minus contributors, citation and description
    (docs/sources.md §2.4). The bulk endpoint then serves the full bodies unchanged.
    """
    details: dict[str, Any] = {}
    groups = []
    for name in ("0000-0002-0734-2199_work_40038622.json", "0000-0002-0734-2199_work_77226586.json"):
        work = fixture_json(name)
        details[str(work["put-code"])] = work
        summary = {k: v for k, v in work.items() if k not in {"contributors", "citation", "short-description", "language-code", "country"}}
        groups.append({"last-modified-date": work["last-modified-date"], "external-ids": work["external-ids"], "work-summary": [summary]})
    return json.dumps({"last-modified-date": None, "group": groups, "path": f"/{KREUTZER}/works"}).encode(), details


Factory = Callable[..., OrcidServer]


def server_factory(httpserver) -> Factory:
    """``make(orcid, works=..., person=..., details=...)`` -> an ``OrcidServer`` on ``httpserver``.

    Each test module wraps this in its own ``orcid_server`` fixture.
    """

    def make(orcid: str, *, works: bytes | None = None, person: bytes | None = None, details: Mapping[str, Any] | None = None, employments_status: int = 404) -> OrcidServer:
        person_body = person if person is not None else fixture_bytes(person_file(orcid))
        works_body = works if works is not None else fixture_bytes(works_file(orcid))
        return OrcidServer(httpserver, orcid, person_body, works_body, details=details, employments_status=employments_status)

    return make


# --- the fixtures are what the cassettes recorded ----------------------------------------------


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared cassettes are not on this machine")
def test_extracted_bodies_are_byte_faithful_to_the_cassettes():
    import importlib.util

    spec = importlib.util.spec_from_file_location("extract_cassettes", ORCID_FIXTURES / "extract_cassettes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for cassette, index, name in module.EXTRACTS:
        assert fixture_bytes(name) == module.cassette_body(SHARED / cassette, index).encode("utf-8"), name
    for name in module.COPIES:
        assert fixture_bytes(name) == (SHARED / name).read_bytes(), name


def test_recorded_facts_hold():
    """The facts SOURCES.md states about the recordings, so a re-extraction cannot drift silently."""
    eglen = fixture_json(works_file(EGLEN))
    assert len(eglen["group"]) == 74
    assert sum(len(g["work-summary"]) for g in eglen["group"]) == 78
    assert fixture_json(works_file(JOHNSON))["group"] == []
    chamberlain = fixture_json(works_file(CHAMBERLAIN))
    assert len(chamberlain["group"]) == 111
    assert sum(1 for g in chamberlain["group"] if len(g["work-summary"]) > 1) == 3
    assert fixture_json("0000-0002-0734-2199_work_40038622.json")["external-ids"] == {"external-id": None}
