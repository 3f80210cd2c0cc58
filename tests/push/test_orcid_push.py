"""``push --to orcid`` against a local server that behaves like the ORCID member API.

The ORCID snapshot is made the way a user makes it: ``profilesync pull --source orcid`` against
the recorded public-API responses (Stephen Eglen's record) served through ``base_url``.
"""

from __future__ import annotations

import argparse
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest
from werkzeug import Request, Response

from conftest import run_cli, tree_digest
from profilesync.app import App
from profilesync.commands.push_orcid import run_push
from profilesync.env import Environment
from profilesync.errors import AuthError, ExitStatus, UserError
from profilesync.model import Author, ExternalIds, Work, WorkType
from profilesync.push.orcid import simple_missing
from profilesync.push.orcid_body import work_body
from test_orcid_fixtures import EGLEN, server_factory

TOKEN = "5e3f0a2b-9c1d-4e7f-8a6b-0c2d4e6f8a1b"  # a made-up token; it must never be printed
NOW = datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)

CV = """\
person:
  name: Stephen Eglen
  aliases: ["Eglen, Stephen J."]
  ids: {orcid: 0000-0001-8607-8025}
publications:
  - key: eglen2020open            # on ORCID by DOI
    title: "Open code and peer review!"
    authors: [Stephen Eglen]
    year: 2020
    type: journal
    ids: {doi: 10.7557/19.5311}
  - key: eglen2016git             # on ORCID by title only
    title: "Ten simple rules for taking advantage of Git and GitHub"
    authors: [Yasset Perez-Riverol, Stephen Eglen]
    year: 2016
    type: journal
  - key: eglen2024retina          # new: journal paper with a DOI and its preprint
    title: "Retinal waves in the developing mouse, revisited"
    authors: [Ana Silva, Stephen J. Eglen]
    venue: Journal of Neuroscience
    year: 2024
    type: journal
    ids: {doi: 10.1523/JNEUROSCI.0000-24.2024, arxiv: "2401.01234"}
  - key: eglen2025codecheck       # new: a preprint, arXiv only
    title: "Codechecking at scale"
    authors: [Stephen Eglen, Daniel Nüst]
    year: 2025
    type: preprint
    ids: {arxiv: "2502.04321"}
  - key: eglen2023workshop        # new: DBLP key only
    title: "A workshop paper with no DOI"
    authors: [Stephen Eglen]
    venue: NeuroWS
    year: 2023
    type: conference
    ids: {dblp: "conf/neurows/Eglen23"}
  - key: eglen2022talk            # new but no identifier at all: cannot be added
    title: "An invited talk"
    authors: [Stephen Eglen]
    year: 2022
    type: other
"""

EXPECTED_BODIES = {
    "eglen2024retina": {
        "title": {"title": {"value": "Retinal waves in the developing mouse, revisited"}},
        "journal-title": {"value": "Journal of Neuroscience"},
        "type": "journal-article",
        "publication-date": {"year": {"value": "2024"}},
        "external-ids": {
            "external-id": [
                {
                    "external-id-type": "doi",
                    "external-id-value": "10.1523/jneurosci.0000-24.2024",
                    "external-id-url": {"value": "https://doi.org/10.1523/jneurosci.0000-24.2024"},
                    "external-id-relationship": "self",
                },
                {
                    "external-id-type": "arxiv",
                    "external-id-value": "2401.01234",
                    "external-id-url": {"value": "https://arxiv.org/abs/2401.01234"},
                    "external-id-relationship": "version-of",
                },
            ]
        },
        "url": {"value": "https://doi.org/10.1523/jneurosci.0000-24.2024"},
        "contributors": {
            "contributor": [
                {"credit-name": {"value": "Ana Silva"}, "contributor-attributes": {"contributor-sequence": "first", "contributor-role": "author"}},
                {
                    "contributor-orcid": {"uri": "https://sandbox.orcid.org/0000-0001-8607-8025", "path": "0000-0001-8607-8025", "host": "sandbox.orcid.org"},
                    "credit-name": {"value": "Stephen J. Eglen"},
                    "contributor-attributes": {"contributor-sequence": "additional", "contributor-role": "author"},
                },
            ]
        },
    },
    "eglen2025codecheck": {
        "title": {"title": {"value": "Codechecking at scale"}},
        "type": "preprint",
        "publication-date": {"year": {"value": "2025"}},
        "external-ids": {
            "external-id": [
                {
                    "external-id-type": "arxiv",
                    "external-id-value": "2502.04321",
                    "external-id-url": {"value": "https://arxiv.org/abs/2502.04321"},
                    "external-id-relationship": "self",
                }
            ]
        },
        "url": {"value": "https://arxiv.org/abs/2502.04321"},
        "contributors": {
            "contributor": [
                {
                    "contributor-orcid": {"uri": "https://sandbox.orcid.org/0000-0001-8607-8025", "path": "0000-0001-8607-8025", "host": "sandbox.orcid.org"},
                    "credit-name": {"value": "Stephen Eglen"},
                    "contributor-attributes": {"contributor-sequence": "first", "contributor-role": "author"},
                },
                {"credit-name": {"value": "Daniel Nüst"}, "contributor-attributes": {"contributor-sequence": "additional", "contributor-role": "author"}},
            ]
        },
    },
    "eglen2023workshop": {
        "title": {"title": {"value": "A workshop paper with no DOI"}},
        "journal-title": {"value": "NeuroWS"},
        "type": "conference-paper",
        "publication-date": {"year": {"value": "2023"}},
        "external-ids": {
            "external-id": [
                {
                    "external-id-type": "uri",
                    "external-id-value": "https://dblp.org/rec/conf/neurows/Eglen23",
                    "external-id-url": {"value": "https://dblp.org/rec/conf/neurows/Eglen23"},
                    "external-id-relationship": "self",
                }
            ]
        },
        "url": {"value": "https://dblp.org/rec/conf/neurows/Eglen23"},
        "contributors": {
            "contributor": [
                {
                    "contributor-orcid": {"uri": "https://sandbox.orcid.org/0000-0001-8607-8025", "path": "0000-0001-8607-8025", "host": "sandbox.orcid.org"},
                    "credit-name": {"value": "Stephen Eglen"},
                    "contributor-attributes": {"contributor-sequence": "first", "contributor-role": "author"},
                }
            ]
        },
    },
}
NEW_KEYS = list(EXPECTED_BODIES)  # CV order


@dataclass
class MemberApi:
    """The member API's POST /{orcid}/work: scripted answers, then 201 with a Location put-code."""

    orcid: str
    script: list[Callable[[], Response]] = field(default_factory=list)
    received: list[dict] = field(default_factory=list)
    next_put_code: int = 1_000_001

    def handle(self, request: Request) -> Response:
        self.received.append(
            {"method": request.method, "path": request.path, "headers": dict(request.headers), "body": json.loads(request.get_data() or b"null")}
        )
        if request.method != "POST" or request.path != f"/member/v3.0/{self.orcid}/work":
            return Response(b'{"response-code":405}', status=405, content_type="application/json")
        if request.headers.get("Content-Type") != "application/vnd.orcid+json":
            return Response(b'{"response-code":415}', status=415, content_type="application/json")
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return unauthorized()
        if self.script:
            return self.script.pop(0)()
        code = self.next_put_code
        self.next_put_code += 1
        # ORCID sends 201 with an empty body and the new put-code at the end of Location (§2.6).
        return Response(b"", status=201, headers={"Location": f"http://127.0.0.1/orcid-api-web/v3.0/{self.orcid}/work/{code}"})

    @property
    def posts(self) -> list[dict]:
        return [r for r in self.received if r["method"] == "POST"]


def unauthorized() -> Response:
    body = {"error": "invalid_token", "error_description": "Invalid access token: ..."}
    return Response(json.dumps(body).encode(), status=401, content_type="application/json")


def duplicate(put_code: int) -> Callable[[], Response]:
    def respond() -> Response:
        body = {
            "response-code": 409,
            "developer-message": f"409 Conflict: You have already added this activity (matched by external identifiers), please see element with put-code {put_code}. If you are trying to edit the item, please use PUT instead of POST.",
            "user-message": "There was an error when updating the record. Please try again. If the error persists, please contact profilesync for assistance.",
            "error-code": 9021,
            "more-info": "https://members.orcid.org/api/resources/troubleshooting",
        }
        return Response(json.dumps(body).encode(), status=409, content_type="application/json")

    return respond


def server_error() -> Response:
    return Response(b'{"response-code":500,"developer-message":"Internal Server Error"}', status=500, headers={"Retry-After": "0"}, content_type="application/json")


@dataclass
class Profile:
    root: Path
    member: MemberApi
    environ: dict[str, str]
    member_url: str = ""

    def push(self, *, yes: bool = False, dry_run: bool = False, only: list[str] | None = None, tty: bool = False, stdin: str = "", environ: dict[str, str] | None = None) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        env = Environment(stdout=out, stderr=err, stdin=io.StringIO(stdin), stdout_isatty=tty, stdin_isatty=tty, environ=self.environ if environ is None else environ, cwd=self.root, clock=lambda: NOW)
        args = argparse.Namespace(dry_run=dry_run, yes=yes, only=only)
        code = run_push(args, App(env=env))
        return int(code), out.getvalue(), err.getvalue()

    @property
    def state_path(self) -> Path:
        return self.root / "cache" / "orcid_pushed.json"


def write_profile(root: Path, base_url: str, member_url: str, extra: str = "") -> None:
    (root / "config.yaml").write_text(
        f"""profile: {{name: Stephen Eglen}}
cv: cv.yaml
cache_dir: cache
sources:
  orcid:
    id: {EGLEN}
    base_url: {base_url}
    member_base_url: {member_url}
    token_env: ORCID_TOKEN
    min_interval_s: 0
    timeout_s: 10
    employments: false
{extra}""",
        encoding="utf-8",
    )
    (root / "cv.yaml").write_text(CV, encoding="utf-8")


@pytest.fixture
def profile(httpserver, tmp_path) -> Profile:
    public = server_factory(httpserver)(EGLEN, details={})
    member = MemberApi(EGLEN)
    httpserver.expect_request(re.compile(r"^/member/v3\.0/.*$")).respond_with_handler(member.handle)
    write_profile(tmp_path, public.base_url, httpserver.url_for("/member/v3.0"))
    result = run_cli(["pull", "--source", "orcid"], tmp_path, {})
    assert result.exit_code == 0, result.stderr
    return Profile(tmp_path, member, {"ORCID_TOKEN": TOKEN}, httpserver.url_for("/member/v3.0"))


def test_dry_run_is_the_default_without_a_terminal_and_prints_exact_masked_requests(profile):
    before = tree_digest(profile.root)
    code, out, err = profile.push()
    assert code == ExitStatus.OK
    assert profile.member.received == []  # nothing sent
    assert tree_digest(profile.root) == before  # nothing written
    assert TOKEN not in out + err
    assert "dry run: 3 request(s) would be sent" in out
    assert out.count(f"POST {profile.member_url}/{EGLEN}/work\n") == 3
    assert "Authorization: Bearer ********  (from $ORCID_TOKEN)" in out
    assert "Content-Type: application/vnd.orcid+json" in out
    # The printed bodies are the exact JSON that would be sent.
    printed = [json.loads(block) for block in re.findall(r"^\{\n.*?^\}$", out, flags=re.S | re.M)]
    assert printed == [EXPECTED_BODIES[k] for k in NEW_KEYS]
    assert "skip eglen2022talk: has no DOI, arXiv id, DBLP key or url" in out
    assert "eglen2020open" not in out  # on ORCID by DOI
    assert "eglen2016git" not in out  # on ORCID by title


def test_push_sends_the_exact_bodies_records_put_codes_and_a_second_push_sends_nothing(profile):
    code, out, err = profile.push(yes=True)
    assert code == ExitStatus.OK, err
    posts = profile.member.posts
    assert [p["body"] for p in posts] == [EXPECTED_BODIES[k] for k in NEW_KEYS]
    assert all(p["headers"]["Authorization"] == f"Bearer {TOKEN}" for p in posts)
    assert all(p["headers"]["Accept"] == "application/json" for p in posts)
    assert TOKEN not in out + err
    assert "added eglen2024retina (put-code 1000001)" in out
    state = json.loads(profile.state_path.read_text(encoding="utf-8"))
    assert TOKEN not in profile.state_path.read_text(encoding="utf-8")
    host = profile.member_url.split("/")[2]
    works = state["targets"][f"{host}/{EGLEN}"]["works"]
    assert {k: v["put_code"] for k, v in works.items()} == {"eglen2024retina": "1000001", "eglen2025codecheck": "1000002", "eglen2023workshop": "1000003"}
    # Second push: the state file says all three are there; nothing is sent.
    code, out, _ = profile.push(yes=True)
    assert code == ExitStatus.OK
    assert len(profile.member.posts) == 3
    assert "nothing to push" in out
    assert "skip eglen2024retina: already pushed on 2026-11-28 (put-code 1000001)" in out


def test_409_with_9021_is_recorded_as_already_there(profile):
    profile.member.script = [duplicate(1236624)]
    code, out, _ = profile.push(yes=True, only=["eglen2024retina"])
    assert code == ExitStatus.OK
    assert "already on ORCID eglen2024retina (put-code 1236624)" in out
    works = next(iter(json.loads(profile.state_path.read_text(encoding="utf-8"))["targets"].values()))["works"]
    assert works["eglen2024retina"]["outcome"] == "exists"
    assert works["eglen2024retina"]["put_code"] == "1236624"
    code, out, _ = profile.push(yes=True, only=["eglen2024retina"])
    assert len(profile.member.posts) == 1
    assert "nothing to push" in out


def test_401_is_an_auth_error_with_how_to_get_a_token_and_nothing_changes_locally(profile):
    before = tree_digest(profile.root)
    with pytest.raises(AuthError) as raised:
        profile.push(yes=True, environ={"ORCID_TOKEN": "expired-token-value"})
    message = str(raised.value)
    assert "/activities/update" in message
    assert "HTTP 401: Invalid access token" in message
    assert "https://sandbox.orcid.org/oauth/authorize" in message
    assert "expired-token-value" not in message
    assert len(profile.member.posts) == 1  # stopped at the first refusal
    assert tree_digest(profile.root) == before
    assert not profile.state_path.exists()


def test_a_missing_token_stops_before_any_request(profile):
    with pytest.raises(AuthError, match=r"\$ORCID_TOKEN is not set"):
        profile.push(yes=True, environ={})
    assert profile.member.received == []


def test_500_then_success_is_retried_and_created_once(profile):
    profile.member.script = [server_error]
    code, out, _ = profile.push(yes=True, only=["eglen2025codecheck"])
    assert code == ExitStatus.OK
    assert len(profile.member.posts) == 2
    assert profile.member.posts[0]["body"] == profile.member.posts[1]["body"] == EXPECTED_BODIES["eglen2025codecheck"]
    assert "added eglen2025codecheck (put-code 1000001)" in out


def test_500_that_persists_fails_that_work_only_with_exit_3(profile):
    profile.member.script = [server_error, server_error, server_error]
    code, out, _ = profile.push(yes=True, only=["eglen2025codecheck", "eglen2023workshop"])
    assert code == ExitStatus.SOURCE_FAILED
    assert len(profile.member.posts) == 4  # 1 + 2 bounded retries, then the next work
    assert "FAILED eglen2025codecheck: HTTP 500: Internal Server Error" in out
    assert "added eglen2023workshop" in out
    works = next(iter(json.loads(profile.state_path.read_text(encoding="utf-8"))["targets"].values()))["works"]
    assert list(works) == ["eglen2023workshop"]


def test_interactive_push_asks_first_and_no_means_dry_run(profile):
    code, out, err = profile.push(tty=True, stdin="n\n")
    assert code == ExitStatus.OK
    assert "Add 3 work(s) to 0000-0001-8607-8025 on the ORCID sandbox" in err
    assert profile.member.received == []
    code, out, err = profile.push(tty=True, stdin="y\n")
    assert len(profile.member.posts) == 3


def test_without_a_snapshot_the_user_is_told_to_pull_first(profile):
    (profile.root / "cache" / "snapshots" / "orcid.json").unlink()
    with pytest.raises(UserError, match=r"profilesync pull --source orcid"):
        profile.push(yes=True)


def test_unknown_only_key_is_a_user_error(profile):
    with pytest.raises(UserError, match='no publication with key "nope"'):
        profile.push(yes=True, only=["nope"])


def test_a_production_member_url_needs_production_true(httpserver, tmp_path):
    write_profile(tmp_path, httpserver.url_for("/v3.0"), "https://api.orcid.org/v3.0")
    prof = Profile(tmp_path, MemberApi(EGLEN), {"ORCID_TOKEN": TOKEN})
    with pytest.raises(UserError) as raised:
        prof.push(yes=True)
    assert raised.value.problems[0].where == "sources.orcid.member_base_url"
    assert "production: true" in raised.value.problems[0].fix


def test_production_true_defaults_to_the_production_member_api(httpserver, tmp_path):
    from profilesync.config import load_config
    from profilesync.cv.record import load_cv
    from profilesync.push.orcid import resolve_target

    write_profile(tmp_path, httpserver.url_for("/v3.0"), "", extra="    production: true\n")
    text = (tmp_path / "config.yaml").read_text().replace("    member_base_url: \n", "")
    (tmp_path / "config.yaml").write_text(text)
    config = load_config(tmp_path / "config.yaml")
    target = resolve_target(config.sources["orcid"], load_cv(tmp_path / "cv.yaml"), "config.yaml")
    assert target.base_url == "https://api.orcid.org/v3.0"
    assert target.orcid_host == "orcid.org"


def test_sample_snapshot_is_refused_for_a_real_push(profile):
    path = profile.root / "cache" / "snapshots" / "orcid.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["sample"] = True
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UserError, match="sample data"):
        profile.push(yes=True)
    assert profile.member.received == []


def test_body_keys_follow_the_official_v3_write_sample():
    sample = json.loads((Path(__file__).parents[1] / "fixtures" / "orcid" / "member_api_post_work-full-3.0.json").read_bytes())
    work = Work(
        title="T",
        authors=(Author("Jordan"), Author("Fran")),
        year=2022,
        venue="Journal title",
        type=WorkType.JOURNAL,
        ids=ExternalIds(doi="10.1087/20120404"),
        url="https://example.com",
    )
    body = work_body(work)
    assert list(body) == [k for k in sample if k in body]  # same keys, same order as the sample
    assert set(body) <= set(sample)
    assert body["type"] == sample["type"]
    sample_contributor = sample["contributors"]["contributor"][1]
    for contributor in body["contributors"]["contributor"]:
        assert set(contributor) <= set(sample_contributor)
        assert set(contributor["contributor-attributes"]) == set(sample_contributor["contributor-attributes"])
    assert set(body["external-ids"]["external-id"][0]) == set(sample["external-ids"]["external-id"][0])
    assert set(body["publication-date"]) <= set(sample["publication-date"])


def test_simple_comparison_uses_ids_group_put_codes_and_titles():
    orcid_work = Work(title="A Paper", ids=ExternalIds(doi="10.1/x", orcid_put_code="7"), extra={"orcid_group": {"put_codes": ["7", "8"]}, "orcid_ids": [{"type": "arxiv", "value": "arXiv:2401.00001v2", "relationship": "version-of"}]})
    cv = [
        Work(title="Other", key="a", ids=ExternalIds(doi="10.1/X")),
        Work(title="Other", key="b", ids=ExternalIds(orcid_put_code="8")),
        Work(title="Other", key="c", ids=ExternalIds(arxiv="2401.00001")),
        Work(title="a paper.", key="d"),
        Work(title="A New Paper", key="e", ids=ExternalIds(doi="10.1/y")),
    ]
    assert [w.key for w in simple_missing(cv, [orcid_work])] == ["e"]


def test_cli_push_to_orcid_dry_run_then_yes_then_nothing(profile):
    result = run_cli(["push", "--to", "orcid"], profile.root, profile.environ)
    assert result.exit_code == 0, result.stderr
    assert "dry run: 3 request(s)" in result.stdout
    assert profile.member.received == []
    result = run_cli(["push", "--to", "orcid", "--yes", "--only", "eglen2023workshop"], profile.root, profile.environ)
    assert result.exit_code == 0, result.stderr
    assert [p["body"] for p in profile.member.posts] == [EXPECTED_BODIES["eglen2023workshop"]]
    result = run_cli(["push", "--to", "orcid", "--yes", "--only", "eglen2023workshop"], profile.root, profile.environ)
    assert "nothing to push" in result.stdout
    assert len(profile.member.posts) == 1
    assert TOKEN not in result.stdout + result.stderr


def test_cli_push_with_a_refused_token_exits_2(profile):
    before = tree_digest(profile.root)
    result = run_cli(["push", "--to", "orcid", "--yes"], profile.root, {"ORCID_TOKEN": "wrong-token"})
    assert result.exit_code == 2
    assert "/activities/update" in result.stderr
    assert "wrong-token" not in result.stdout + result.stderr
    assert tree_digest(profile.root) == before


@pytest.mark.parametrize("targets", [[], {"api.sandbox.orcid.org/0000-0001-8607-8025": []}, {"api.sandbox.orcid.org/0000-0001-8607-8025": {"works": []}}])
def test_a_push_state_of_the_wrong_shape_is_a_user_error_naming_the_file(tmp_path, targets):
    from profilesync.push.orcid_state import PushState

    (tmp_path / "orcid_pushed.json").write_text(json.dumps({"format": 1, "targets": targets}), encoding="utf-8")

    with pytest.raises(UserError) as caught:
        PushState.load(tmp_path, "api.sandbox.orcid.org/0000-0001-8607-8025").get("paper-1")

    assert caught.value.problems[0].file == str(tmp_path / "orcid_pushed.json")
