"""Answers of the right format but the wrong types: a number where text belongs, null where an
object belongs, an object where a list belongs, a year that is not a number, a count too long to
be a number, JSON nested 200,000 levels deep.

Each starts from the connector's REAL recorded answer with one value changed (or, for the
nesting cases, a body that is nothing but brackets), served by the suite's local server. For
each, through `profilesync diff --refresh` as a scheduled job runs it:

- the source is reported stale (exit 3), the last good snapshot is used, no traceback;
- the error names the URL path that sent it and what was wrong there;
- the broken answer is NOT kept in the HTTP cache: once the server answers normally again, a
  plain `pull` (no --refresh) succeeds and asked the server for that path again. Before, the
  stored body was replayed and every later pull failed the same way.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug import Request, Response

from conftest import run_cli, tree_digest

from .fixtures import run_diff
from .profile import ALLOWED_TO_CHANGE, Settings, changed_files
from .servers import Fault, SourceServer
from .sources import BY_NAME, DBLP_PID, GITHUB_LOGIN, ORCID_ID, SourceCase

SETTINGS = Settings(timeout_s=6.0, cv_works=5)
DEEP = 200_000


def json_edit(edit: Callable[[Any], Any]) -> Callable[[bytes], bytes]:
    def change(body: bytes) -> bytes:
        doc = copy.deepcopy(json.loads(body))
        edit(doc)
        return json.dumps(doc).encode()

    return change


def setting(*path: str | int, value: Any) -> Callable[[Any], None]:
    """An edit that sets ``doc[path[0]][path[1]]... = value`` in place."""

    def edit(doc: Any) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


def replacing(pattern: bytes, replacement: bytes) -> Callable[[bytes], bytes]:
    def change(body: bytes) -> bytes:
        changed, count = re.subn(pattern, replacement, body, count=1)
        assert count == 1, pattern
        return changed

    return change


def whole(body: bytes) -> Callable[[bytes], bytes]:
    return lambda _ok: body


def on_path(path: str, change: Callable[[bytes], bytes]) -> Callable[[SourceCase], Fault]:
    """A fault that answers ``path`` with the recorded answer changed by ``change``, and every
    other path of the source normally."""

    def build(case: SourceCase) -> Fault:
        def make(request: Request, _case: SourceCase) -> Response:
            ok = case.respond_ok(request)
            if request.path != path:
                return ok
            return Response(change(ok.get_data()), status=200, content_type=ok.content_type)

        return Fault(f"changed {path}", make)

    return build


@dataclass(frozen=True)
class ShapeCase:
    source: str
    id: str
    path: str  # the request whose answer is changed
    change: Callable[[bytes], bytes]
    words: tuple[str, ...]  # each must appear in the reported error (lower case)


GH_USER = f"/users/{GITHUB_LOGIN}"
GH_REPOS = f"/users/{GITHUB_LOGIN}/repos"
ORCID_PERSON = f"/v3.0/{ORCID_ID}/person"
ORCID_WORKS = f"/v3.0/{ORCID_ID}/works"
DBLP_PERSON = f"/pid/{DBLP_PID}.xml"
NESTED_JSON = b"[" * DEEP + b"]" * DEEP
NESTED_OBJECTS = b'{"a":' * DEEP + b"1" + b"}" * DEEP

CASES: tuple[ShapeCase, ...] = (
    ShapeCase("github", "topics-is-a-number", GH_REPOS, json_edit(setting(0, "topics", value=5)), (GH_REPOS, "topics", "number")),
    ShapeCase("github", "repo-name-is-a-number", GH_REPOS, json_edit(setting(1, "name", value=12345)), (GH_REPOS, "name", "number")),
    ShapeCase("github", "full-name-is-an-object", GH_REPOS, json_edit(setting(2, "full_name", value={"login": "x"})), (GH_REPOS, "full_name", "object")),
    ShapeCase("github", "repository-is-null", GH_REPOS, json_edit(setting(0, value=None)), (GH_REPOS, "[0]", "null")),
    ShapeCase("github", "profile-name-is-a-number", GH_USER, json_edit(setting("name", value=42)), (GH_USER, "name", "number")),
    ShapeCase("github", "listing-nested-200000-deep", GH_REPOS, whole(NESTED_JSON), (GH_REPOS, "nested too deeply")),
    ShapeCase("orcid", "given-names-is-a-number", ORCID_PERSON, json_edit(setting("name", "given-names", "value", value=5)), (ORCID_PERSON, "given-names", "number")),
    ShapeCase("orcid", "name-is-a-list", ORCID_PERSON, json_edit(setting("name", value=[1, 2])), (ORCID_PERSON, "name", "list")),
    ShapeCase("orcid", "work-title-is-a-number", ORCID_WORKS, json_edit(setting("group", 0, "work-summary", 0, "title", "title", "value", value=12345)), (ORCID_WORKS, "title", "number")),
    ShapeCase("orcid", "work-summary-is-a-number", ORCID_WORKS, json_edit(setting("group", 1, "work-summary", value=7)), (ORCID_WORKS, "work-summary", "number")),
    ShapeCase("orcid", "external-id-type-is-an-object", ORCID_WORKS, json_edit(setting("group", 0, "work-summary", 0, "external-ids", "external-id", 0, "external-id-type", value={"x": 1})), (ORCID_WORKS, "external-id-type", "object")),
    ShapeCase("orcid", "works-nested-200000-deep", ORCID_WORKS, whole(NESTED_OBJECTS), (ORCID_WORKS, "nested too deeply")),
    ShapeCase("dblp", "year-is-not-a-number", DBLP_PERSON, replacing(rb"<year>\d+</year>", b"<year>20x1</year>"), (DBLP_PERSON, "year", "20x1")),
    ShapeCase("dblp", "year-is-superscript-digits", DBLP_PERSON, replacing(rb"<year>\d+</year>", "<year>²⁰¹²</year>".encode()), (DBLP_PERSON, "year")),
    ShapeCase("dblp", "person-nested-200000-deep", DBLP_PERSON, replacing(rb"</dblpperson>", b"<x>" * DEEP + b"</x>" * DEEP + b"</dblpperson>"), (DBLP_PERSON, "xml")),
    ShapeCase("scholar", "citation-count-5000-digits", "/citations", replacing(rb'(class="gsc_a_ac gs_ibl">)\d+<', rb"\g<1>" + b"9" * 5000 + b"<"), ("/citations", "number")),
    ShapeCase("scholar", "page-without-the-publications-table", "/citations", replacing(rb'id="gsc_a_t"', b'id="gsc_a_gone"'), ("/citations", "gsc_a_t")),
)


# Scholar's cases start its worker interpreter each: in the slow set (``-m slow``).
@pytest.mark.parametrize("shape", [pytest.param(c, marks=pytest.mark.slow) if c.source == "scholar" else c for c in CASES], ids=lambda c: f"{c.source}-{c.id}")
def test_wrong_types_mark_the_source_stale_and_are_not_cached(shape: ShapeCase, make_profile, source_server: SourceServer, record_case, timer):
    case = BY_NAME[shape.source]
    profile = make_profile(shape.source, settings=SETTINGS)
    source_server.fail_always(shape.source, on_path(shape.path, shape.change)(case))
    before = tree_digest(profile)
    started = timer()
    code, report, stderr = run_diff(profile)
    record_case(shape.source, f"wrong type: {shape.id}", timer() - started, failure=True)
    assert report is not None, stderr
    entry = report["sources"][shape.source]
    assert code == 3, (code, entry, stderr)
    assert entry["status"] == "stale", entry
    assert entry["works"] == case.works_ok  # the last good snapshot
    error = entry["error"].lower()
    for word in shape.words:
        assert word.lower() in error, entry["error"]
    changed = changed_files(before, tree_digest(profile))
    assert changed <= ALLOWED_TO_CHANGE, changed - ALLOWED_TO_CHANGE

    # The server is well again: a plain pull (no --refresh) must ask it, not replay the broken
    # answer from the HTTP cache.
    source_server.reset()
    source_server.seen.clear()
    again = run_cli(["pull", "--source", shape.source], profile)
    assert "Traceback" not in again.stderr, again.stderr
    assert again.exit_code == 0, again.stdout + again.stderr
    assert shape.path in [path.split("?", 1)[0] for path in source_server.requests_for(shape.source)]
    status = json.loads((profile / "cache" / "status.json").read_text(encoding="utf-8"))[shape.source]
    assert status["ok"] is True
    assert status["works"] == case.works_ok


CFF_BOMBS = {
    "alias-that-contains-itself": "cff-version: 1.2.0\ntitle: &t [*t]\n",
    "nested-5000-deep": "cff-version: 1.2.0\nkeywords: " + "[" * 5000 + "]" * 5000 + "\n",
    "alias-expansion-10-to-the-9": "cff-version: 1.2.0\na: &a [x,x,x,x,x,x,x,x,x,x]\n"
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)),
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(CFF_BOMBS))
def test_a_hostile_citation_file_is_a_note_not_a_crash(kind: str, make_profile, source_server: SourceServer, record_case, timer):
    """A repository's CITATION.cff is anyone's YAML: nesting and aliases that blow the stack or
    expand to billions of values make that file unreadable (a note), not the pull."""
    import base64

    repos = json.loads(BY_NAME["github"].respond_ok(Request.from_values(GH_REPOS)).get_data())
    target = next(r["full_name"] for r in repos if not r["fork"])
    content = base64.b64encode(CFF_BOMBS[kind].encode()).decode()

    def contents(request: Request) -> Response:
        if request.path == f"/repos/{target}/contents/CITATION.cff":
            return Response(json.dumps({"type": "file", "encoding": "base64", "content": content}), content_type="application/json")
        return Response(b'{"message":"Not Found"}', status=404, content_type="application/json")

    source_server.routes["/repos/"] = contents
    profile = make_profile("github", settings=SETTINGS)
    config = json.loads((profile / "config.yaml").read_text())
    config["sources"]["github"]["citation_files"] = True
    (profile / "config.yaml").write_text(json.dumps(config))
    started = timer()
    result = run_cli(["pull", "--source", "github"], profile)
    record_case("github", f"CITATION.cff: {kind}", timer() - started, failure=False)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.exit_code == 0, result.stdout + result.stderr
    assert timer() - started < 30
    snapshot = json.loads((profile / "cache" / "snapshots" / "github.json").read_text(encoding="utf-8"))
    notes = " ".join(snapshot.get("notes", []))
    assert f"{target}: CITATION.cff could not be read" in notes, notes


def test_orcid_bulk_details_of_the_wrong_type_are_a_note_and_not_cached(make_profile, source_server: SourceServer, record_case, timer):
    """The bulk work details only add authors: a chunk with a title that is a number is noted
    (the summaries still make the snapshot) and dropped from the HTTP cache."""
    case = BY_NAME["orcid"]
    bulk = f"/v3.0/{ORCID_ID}/works/"

    def make(request: Request, _case: SourceCase) -> Response:
        ok = case.respond_ok(request)
        if not request.path.startswith(bulk):
            return ok
        doc = json.loads(ok.get_data())
        doc["bulk"][0]["work"]["title"]["title"]["value"] = 7
        return Response(json.dumps(doc), content_type=ok.content_type)

    profile = make_profile("orcid", settings=SETTINGS)
    source_server.fail_always("orcid", Fault("bulk title is a number", make))
    started = timer()
    result = run_cli(["pull", "--refresh", "--source", "orcid"], profile)
    record_case("orcid", "wrong type: bulk details title is a number", timer() - started, failure=False)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.exit_code == 0, result.stdout + result.stderr
    snapshot = json.loads((profile / "cache" / "snapshots" / "orcid.json").read_text(encoding="utf-8"))
    assert len(snapshot["works"]) == case.works_ok
    assert any("unreadable bulk response" in note for note in snapshot.get("notes", [])), snapshot.get("notes")

    source_server.reset()
    source_server.seen.clear()
    again = run_cli(["pull", "--source", "orcid"], profile)
    assert again.exit_code == 0, again.stdout + again.stderr
    assert any(path.startswith(bulk) for path in source_server.requests_for("orcid")), "the broken chunk was asked for again"
    snapshot = json.loads((profile / "cache" / "snapshots" / "orcid.json").read_text(encoding="utf-8"))
    assert not any("unreadable bulk response" in note for note in snapshot.get("notes", []))
