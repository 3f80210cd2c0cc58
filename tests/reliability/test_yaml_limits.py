"""YAML the user's files may not contain: alias bombs, cycles, absurd nesting, absurd size.

Before the loader limits, an alias bomb in a free field of one CV entry passed `validate` and sent
`push` past 60 s and 2.5 GB; a 50 MB CV took `validate` 18 s and `push` past 120 s. Now each is
refused in well under a second, with the file, the line and the fix, exit 2 and nothing written.
Each CLI run here happens in a child process capped at 1.5 GB of address space and 20 s, so a
regression fails the test instead of exhausting the machine. (The numbers for a real 50 MB CV come
from ``benchmarks/cv_size.py``; a test only needs to prove the limit is applied, not time it.)
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT, tree_digest

SRC = REPO_ROOT / "src"
MEMORY_CAP = 1536 * 1024 * 1024


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _cli(args: list[str], cwd: Path, **extra_env: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROFILESYNC_")}
    env.update(PYTHONPATH=str(SRC), **extra_env)
    return subprocess.run([sys.executable, "-m", "profilesync", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=20, preexec_fn=_cap_memory)


def _bomb(levels: int = 9, fan: int = 10) -> list[str]:
    """``levels`` anchors, each a list of ``fan`` aliases to the one before: fan**levels leaves."""
    lines = ["bomb_a: &a [" + ", ".join(["lol"] * fan) + "]"]
    previous = "a"
    for name in "bcdefghijklmnop"[: levels - 1]:
        lines.append(f"bomb_{name}: &{name} [" + ", ".join([f"*{previous}"] * fan) + "]")
        previous = name
    return lines


def _with_free_field(cv: Path, lines: list[str]) -> int:
    """Put ``lines`` as free fields of the CV's first entry; returns the line number of the last."""
    marker = "  - key: wu2023fastserve\n"
    text = cv.read_text(encoding="utf-8")
    at = text.index(marker) + len(marker)
    cv.write_text(text[:at] + "".join(f"    {line}\n" for line in lines) + text[at:], encoding="utf-8")
    return text[:at].count("\n") + len(lines)


@pytest.mark.parametrize("command", [["validate"], ["push", "--to", "cv", "--dry-run", "--yes"], ["push", "--to", "cv", "--yes"], ["export", "--format", "markdown"]], ids=" ".join)
def test_alias_bomb_in_a_cv_field_is_refused_with_the_line(demo: Path, command: list[str], record_case, timer):
    last_line = _with_free_field(demo / "cv.yaml", _bomb())
    before = tree_digest(demo)
    result = _cli(command, demo)
    record_case("cv", f"alias bomb: {' '.join(command)}", timer(), failure=True)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "cv.yaml" in result.stderr
    assert "alias" in result.stderr and "Traceback" not in result.stderr
    # The line named is inside the bomb (the alias whose expansion crosses the limit).
    assert any(f"line {n}," in result.stderr for n in range(last_line - 8, last_line + 1)), result.stderr
    assert tree_digest(demo) == before


@pytest.mark.slow
def test_a_few_aliases_are_still_fine(demo: Path):
    """Reusing an author list is ordinary YAML and must keep working, for validate and push."""
    cv = demo / "cv.yaml"
    text = cv.read_text(encoding="utf-8")
    text = text.replace("    authors: [Bingyang Wu, Yinmin Zhong, Zili Zhang, Gang Huang, Xuanzhe Liu, Xin Jin]\n", "    authors: &fastserve [Bingyang Wu, Yinmin Zhong, Zili Zhang, Gang Huang, Xuanzhe Liu, Xin Jin]\n    team: *fastserve\n", 1)
    assert "*fastserve" in text
    cv.write_text(text, encoding="utf-8")
    result = _cli(["validate"], demo)
    assert result.returncode == 0, result.stderr
    assert "cv.yaml: ok" in result.stdout
    # The push loads the CV several times (diff, edit, read-back check): the counts are per load.
    pushed = _cli(["push", "--to", "cv", "--yes", "--only", "xie2022hawc"], demo)
    assert pushed.returncode == 0, pushed.stderr
    after = cv.read_text(encoding="utf-8")
    assert "doi: 10.1145/3546591.3547529" in after and "team: *fastserve" in after


@pytest.mark.slow
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("cycle: &loop [1, *loop]", "cycle"),
        ("deep: " + "[" * 5000 + "1" + "]" * 5000, "nested more than"),
        ("many: [" + ", ".join(["*one"] * 150) + "]", "more than 100 aliases"),
    ],
    ids=["cycle", "deep-nesting", "too-many-aliases"],
)
def test_cycles_deep_nesting_and_alias_floods_are_refused(demo: Path, body: str, message: str):
    lines = ["one: &one x", body] if "*one" in body else [body]
    _with_free_field(demo / "cv.yaml", lines)
    before = tree_digest(demo)
    result = _cli(["validate"], demo)
    assert result.returncode == 2, result.stderr[-2000:]
    assert message in result.stderr and "cv.yaml: line" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(demo) == before


def test_config_file_gets_the_same_limits(demo: Path):
    config = demo / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\n".join(_bomb()) + "\n", encoding="utf-8")
    result = _cli(["validate"], demo)
    assert result.returncode == 2
    assert "config.yaml: line" in result.stderr and "alias" in result.stderr


def _grow(cv: Path, megabytes: float) -> None:
    """Append synthetic publications until the CV is about ``megabytes`` large (cheap to write)."""
    entry = '  - {{key: bulk{0:06d}, title: "Synthetic Paper {0} on Scalable Benchmarking Systems", authors: [Zili Zhang], year: 2020, type: conference}}\n'
    text = cv.read_text(encoding="utf-8").replace("software: []", "software: []\n# bulk follows\n")
    head, _, tail = text.partition("# Code the CV itself lists")
    bulk = []
    size = len(text)
    i = 0
    while size < megabytes * 1024 * 1024:
        line = entry.format(i)
        bulk.append(line)
        size += len(line)
        i += 1
    cv.write_text(head + "".join(bulk) + "# Code the CV itself lists" + tail, encoding="utf-8")


@pytest.mark.parametrize("command", [["validate"], ["push", "--to", "cv", "--dry-run", "--yes"], ["diff", "--offline"]], ids=" ".join)
def test_oversized_cv_is_refused_before_it_is_read(demo: Path, command: list[str], record_case, timer):
    _grow(demo / "cv.yaml", 2.5)  # over the 2 MB default; the benchmark does 50 MB
    before = tree_digest(demo)
    started = time.monotonic()
    result = _cli(command, demo)
    elapsed = time.monotonic() - started
    record_case("cv", f"2.5 MB CV: {' '.join(command)}", timer(), failure=True)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "cv.yaml" in result.stderr and "the file is 2.5 MB, over the 2 MB limit" in result.stderr
    assert "PROFILESYNC_MAX_YAML_MB=3" in result.stderr  # the fix says how to raise it
    assert elapsed < 10, f"refusing took {elapsed:.1f} s: the file was parsed before the size check"
    assert tree_digest(demo) == before


@pytest.mark.slow
def test_the_size_limit_can_be_raised(demo: Path):
    _grow(demo / "cv.yaml", 0.3)
    refused = _cli(["validate"], demo, PROFILESYNC_MAX_YAML_MB="0.2")
    assert refused.returncode == 2 and "over the 0.2 MB limit" in refused.stderr
    allowed = _cli(["validate"], demo, PROFILESYNC_MAX_YAML_MB="1")
    assert allowed.returncode == 0, allowed.stderr[-2000:]
    bad = _cli(["validate"], demo, PROFILESYNC_MAX_YAML_MB="lots")
    assert bad.returncode == 2 and "PROFILESYNC_MAX_YAML_MB" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
@pytest.mark.parametrize("depth", [500, 100_000], ids=["past-the-limit", "past-python-recursion"])
def test_deeply_nested_json_resume_cv_is_refused(tmp_path: Path, depth: int):
    """A JSON Resume CV gets the same nesting limit (a traceback before, for 100,000 levels)."""
    (tmp_path / "resume.json").write_text('{"basics": {"name": "A"}, "x": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")
    (tmp_path / "config.yaml").write_text("profile:\n  name: A\ncv: {path: resume.json, format: jsonresume}\ncache_dir: cache\nsources: {}\n", encoding="utf-8")
    result = _cli(["validate"], tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "resume.json" in result.stderr and "nested" in result.stderr and "Traceback" not in result.stderr
