"""Exports and snippets fed to the real tools that consume them, as far as they run here (issue 15):
citeproc-py renders the CSL-JSON export, and the GitHub Actions snippet is checked against the
workflow schema check-jsonschema ships (SchemaStore's github-workflow.json). bibtexparser and
pybtex read the BibTeX export in tests/test_export_*.py; the JSON Resume and CSL schemas are
checked in tests/test_export_formats.py; CITATION.cff against its schema in the GitHub tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli


def test_citeproc_renders_the_csl_json_export(demo: Path):
    citeproc = pytest.importorskip("citeproc")
    from citeproc.source.json import CiteProcJSON

    result = run_cli(["export", "--format", "csl-json"], demo)
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)
    source = CiteProcJSON(items)
    style = citeproc.CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = citeproc.CitationStylesBibliography(style, source, citeproc.formatter.plain)
    for item in items:
        bibliography.register(citeproc.Citation([citeproc.CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(items)
    text = "\n".join(rendered)
    # Every title and every first author's family name reach the formatted bibliography.
    for item in items:
        assert item["title"].split(":")[0] in text
        assert item["author"][0]["family"] in text
    assert "Zhang, Z." in text  # family and given split as the style needs them
    assert "(2023)" in text or "2023." in text


def _check_workflow(path: Path) -> subprocess.CompletedProcess:
    checker = Path(sys.executable).with_name("check-jsonschema")
    if not checker.exists():
        pytest.skip("check-jsonschema is not installed (the test extra brings it)")
    return subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows", str(path)], capture_output=True, text=True, timeout=120)


@pytest.mark.slow  # starts check-jsonschema as a subprocess
def test_the_github_actions_snippet_is_a_valid_workflow(demo: Path, tmp_path: Path):
    config = demo / "config.yaml"
    config.write_text(config.read_text().replace("  report_dir: reports", '  report_dir: reports\n  pip_spec: "profilesync @ git+https://github.com/example/profilesync@v0.1.0"'))
    result = run_cli(["schedule", "--print", "github-actions"], demo)
    assert result.exit_code == 0, result.stderr
    workflow = tmp_path / "profilesync.yml"
    workflow.write_text(result.stdout)
    checked = _check_workflow(workflow)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The check can fail: the same workflow without its runner is refused.
    broken = tmp_path / "broken.yml"
    broken.write_text(result.stdout.replace("    runs-on: ubuntu-latest\n", ""))
    assert _check_workflow(broken).returncode != 0
