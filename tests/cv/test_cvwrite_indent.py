"""push --to cv keeps the CV file's own YAML indentation style (issue 12.7).

The demo cv.yaml is written with list items indented under their key (``authors:\\n  - a``);
PyYAML's default dump, which many people's CVs come from, does not indent them
(``authors:\\n- a``) and spells null as ``null``. A one-field push must change exactly that
field's line in either style.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from conftest import REPO_ROOT, run_cli
from profilesync.cv.formats.yaml import detect_indent

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)
YEAR_FIX = "field_differs|dblp|wu2023tgs|year"


def _pyyaml_style(text: str) -> str:
    return yaml.safe_dump(yaml.safe_load(text), sort_keys=False, allow_unicode=True)


@pytest.fixture(params=["ruamel-indented", "pyyaml-default"])
def demo(request, tmp_path: Path) -> Path:
    shutil.copyfile(REPO_ROOT / "config.yaml", tmp_path / "config.yaml")
    shutil.copytree(REPO_ROOT / "cache", tmp_path / "cache")
    text = (REPO_ROOT / "cv.yaml").read_text(encoding="utf-8")
    if request.param == "pyyaml-default":
        text = _pyyaml_style(text)
        assert "\nauthors:\n" not in text and "  authors:\n  - " in text  # really the unindented style
    (tmp_path / "cv.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def _changed_lines(old: str, new: str) -> list[str]:
    diff = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_one_year_fix_changes_one_line(demo: Path):
    original = (demo / "cv.yaml").read_text(encoding="utf-8")
    report = json.loads(run_cli(["diff", "--offline", "--format", "json"], demo, now=NOW).stdout)
    assert YEAR_FIX in {c["id"] for c in report["changes"]}
    result = run_cli(["push", "--to", "cv", "--yes", "--only", YEAR_FIX], demo, now=NOW)
    assert result.exit_code == 0, result.stderr
    new = (demo / "cv.yaml").read_text(encoding="utf-8")
    changed = _changed_lines(original, new)
    assert [line[0] + line[1:].strip() for line in changed] == ["-year: 2024", "+year: 2023"]
    # The new line is indented like the line it replaces.
    removed, added = changed
    assert removed[1:].replace("2024", "2023") == added[1:]


def test_every_strong_change_touches_only_its_own_lines(demo: Path):
    """Several edits, among them ids next to nulls and new fields: every other line keeps its bytes."""
    original = (demo / "cv.yaml").read_text(encoding="utf-8")
    result = run_cli(["push", "--to", "cv", "--yes"], demo, now=NOW)
    assert result.exit_code == 0, result.stderr
    new = (demo / "cv.yaml").read_text(encoding="utf-8")
    changed = _changed_lines(original, new)
    removed = [line[1:] for line in changed if line.startswith("-")]
    added = [line[1:] for line in changed if line.startswith("+")]
    assert added
    # A removed line is a value being replaced: the same field, at the same indentation, comes
    # back with its new value. The one exception is the continuation of a title that PyYAML wrapped.
    for index, line in enumerate(removed):
        field = re.match(r"\s*[\w]+:", line)
        if field:
            assert any(a.startswith(field.group(0) + " ") for a in added), line
        else:
            assert index and removed[index - 1].lstrip().startswith("title:"), line
    assert not [line for line in added if line.rstrip().endswith(":")]  # "arxiv: null" never becomes "arxiv:"
    assert len(new.splitlines()) - len(original.splitlines()) == len(added) - len(removed)


def test_indent_detection_reads_both_styles():
    text = (REPO_ROOT / "cv.yaml").read_text(encoding="utf-8")
    assert detect_indent(text) == (2, 4, 2)
    assert detect_indent(_pyyaml_style(text)) == (2, 2, 0)
    mixed = "publications:\n    -   key: a\n        authors:\n          - x\n          - y\n    -   key: b\n        title: t\n"
    assert detect_indent(mixed) == (2, 8, 4)  # the publications list outweighs one authors list
