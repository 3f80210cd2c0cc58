"""`profilesync pull --source github` and `diff` end to end, against recorded GitHub responses.

The recordings (PyGithub ReplayData, split by ``fixtures/github/convert_replay.py``) are served by
a local HTTP server through ``sources.github.base_url``; the CITATION.cff answer is CONSTRUCTED in
the contents-API shape around PyTorch's real CITATION.cff.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timezone
from pathlib import Path

from werkzeug import Request, Response

from conftest import run_cli

FIXTURES = Path(__file__).parents[1] / "fixtures" / "github"
NOW = datetime(2025, 1, 3, 22, 10, tzinfo=timezone.utc)
_TRANSFER = {"content-length", "transfer-encoding", "content-encoding", "status", "connection", "server", "date"}

CV = """\
person:
  name: Vincent Jacques
  ids: {github: jacquev6}
  homepage: https://vincent-jacques.net
publications:
  - key: ansel2024pytorch2
    title: "PyTorch 2: Faster Machine Learning Through Dynamic Python Bytecode Transformation and Graph Compilation"
    authors: [Jason Ansel, Edward Yang, Horace He]
    venue: ASPLOS
    year: 2024
    type: conference
    ids: {doi: 10.1145/3620665.3640366}
software: []
ignore: []
"""


def serve(httpserver, *, rate_limited: bool = False) -> None:
    def recorded(name: str, request: Request) -> Response:
        body = (FIXTURES / f"{name}.body.json").read_bytes()
        meta = json.loads((FIXTURES / f"{name}.meta.json").read_text(encoding="utf-8"))
        headers = [(k, v) for k, v in meta["headers"] if k.lower() not in _TRANSFER]
        etag = next(v for k, v in headers if k.lower() == "etag")
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})  # CONSTRUCTED: GitHub's 304, no body
        return Response(body, status=meta["status"], headers=headers)

    def handle(request: Request) -> Response:
        if rate_limited:
            # CONSTRUCTED: GitHub's primary rate-limit 403 (reset epoch as recorded in the profile).
            return Response(json.dumps({"message": "API rate limit exceeded"}), status=403, headers={"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1735944560"})
        if request.path == "/users/jacquev6":
            return recorded("pygithub_replay_GET_users_jacquev6.1", request)
        if request.path == "/users/jacquev6/repos":
            return recorded("pygithub_replay_GET_users_jacquev6_repos_allargs.1", request)
        if request.path == "/repos/jacquev6/DrawTurksHead/contents/CITATION.cff":
            # CONSTRUCTED contents-API shape; the CITATION.cff text is pytorch/pytorch's.
            text = (FIXTURES / "cff" / "pytorch_pytorch.CITATION.cff").read_bytes()
            return Response(json.dumps({"type": "file", "encoding": "base64", "name": "CITATION.cff", "path": "CITATION.cff", "content": base64.encodebytes(text).decode()}), headers={"Content-Type": "application/json", "ETag": '"cff-1"'})
        return Response(json.dumps({"message": "Not Found"}), status=404, headers={"Content-Type": "application/json"})

    httpserver.expect_request(re.compile(r"/.*")).respond_with_handler(handle)


def write_profile(root: Path, base_url: str) -> None:
    (root / "config.yaml").write_text(
        f"""profile: {{name: Vincent Jacques}}
cv: cv.yaml
cache_dir: cache
sources:
  github:
    id: jacquev6
    base_url: {base_url}
    token_env: GITHUB_TOKEN
    min_interval_s: 0
    retries: 0
    timeout_s: 10
""",
        encoding="utf-8",
    )
    (root / "cv.yaml").write_text(CV, encoding="utf-8")


def test_pull_then_diff_offers_the_code_link_for_the_cited_paper(httpserver, tmp_path):
    serve(httpserver)
    write_profile(tmp_path, httpserver.url_for("/").rstrip("/"))

    environ = {"GITHUB_TOKEN": "ghp_notarealtoken000000000000000000000000"}
    pulled = run_cli(["pull", "--source", "github"], tmp_path, environ, now=NOW)
    again = run_cli(["pull", "--source", "github"], tmp_path, environ, now=NOW)
    assert pulled.exit_code == 0, pulled.stderr
    assert "10 works (network, 12 requests)" in pulled.stdout
    # unchanged account: profile and listing revalidated (304), the CITATION.cff answers reused
    assert "(network, 2 requests)" in again.stdout
    saved = json.loads((tmp_path / "cache" / "snapshots" / "github.json").read_text(encoding="utf-8"))
    assert saved["person"]["name"] == "Vincent Jacques"
    assert len(saved["works"]) == 10
    assert "ghp_notarealtoken" not in json.dumps(saved)

    report = run_cli(["diff", "--format", "json"], tmp_path, {}, now=NOW)

    data = json.loads(report.stdout)
    offers = [c for c in data["changes"] if c.get("field") == "code"]
    assert [(c["cv_key"], c["source_value"]) for c in offers] == [("ansel2024pytorch2", "https://github.com/jacquev6/DrawTurksHead")]
    assert "linked by doi" in offers[0]["reason"]


def test_rate_limited_pull_exits_3_and_says_when_to_retry(httpserver, tmp_path):
    serve(httpserver, rate_limited=True)
    write_profile(tmp_path, httpserver.url_for("/").rstrip("/"))

    result = run_cli(["pull", "--source", "github"], tmp_path, {}, now=NOW)

    assert result.exit_code == 3
    assert "2025-01-03 22:49:20 UTC" in result.stdout + result.stderr
    assert not (tmp_path / "cache" / "snapshots" / "github.json").exists()
