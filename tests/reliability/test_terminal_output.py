"""What a source or a file says reaches the terminal as text, never as control sequences: the pull
summary, its progress lines, `status` and error messages (issue 13.7, beyond the reports)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli

ESC = "\x1b"
HOSTILE = "\x1b]0;owned\x07\x1b[2K\u202eevil"


def test_a_hostile_snapshot_error_is_shown_not_obeyed(demo: Path):
    # A snapshot whose file name and content come back in messages: a corrupt one with a hostile
    # source value, and a foreign one whose recorded name carries escapes.
    orcid = demo / "cache" / "snapshots" / "orcid.json"
    data = json.loads(orcid.read_text())
    data["pulled_for"] = {"id": "0000-0002-1825-0097", "name": HOSTILE}
    orcid.write_text(json.dumps(data))

    for args in (["pull", "--offline"], ["status"], ["diff", "--offline"]):
        result = run_cli(args, demo)
        assert ESC not in result.stdout and ESC not in result.stderr, args
        assert "\u202e" not in result.stdout + result.stderr, args
    shown = run_cli(["pull", "--offline"], demo).stdout
    assert "\\x1b]0;owned" in shown  # visible, so the user sees something is off


def test_an_error_message_quoting_a_file_is_escaped(tmp_path: Path):
    # YAML refuses a raw control character, but its "\e" escape writes one into a value.
    (tmp_path / "config.yaml").write_text('profile: {name: "X"}\ncv: "missing\\e[31m.yaml"\n')
    result = run_cli(["validate"], tmp_path)
    assert result.exit_code == 2
    assert ESC not in result.stderr and "\\x1b[31m" in result.stderr
