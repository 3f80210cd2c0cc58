"""CLI habits: --color/NO_COLOR/FORCE_COLOR, tab completion from the real parser, pull progress."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import run_cli

BOLD = "\033[1m"


@pytest.mark.parametrize(
    ("args", "environ", "tty", "coloured"),
    [
        ([], {}, True, True),
        ([], {}, False, False),
        ([], {"TERM": "dumb"}, True, False),
        ([], {"NO_COLOR": "1"}, True, False),
        ([], {"NO_COLOR": ""}, True, True),  # no-color.org: set *and not empty*
        ([], {"FORCE_COLOR": "1"}, False, True),  # a CI log or a pager that shows colour
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, False),  # NO_COLOR first, as Python orders them
        (["--color", "always"], {"NO_COLOR": "1"}, False, True),  # the command line beats both variables
        (["--color", "never"], {"FORCE_COLOR": "1"}, True, False),
        (["--colour", "always"], {}, False, True),
    ],
)
def test_colour_choice(demo, args, environ, tty, coloured):
    result = run_cli([*args, "diff", "--offline"], demo, environ=environ, tty=tty)
    assert result.exit_code == 1, result.stderr
    assert (BOLD in result.stdout) is coloured


def test_colour_never_reaches_an_output_file(demo):
    result = run_cli(["--color", "always", "diff", "--offline", "--output", "report.txt"], demo)
    assert result.exit_code == 1
    assert "\033[" not in (demo / "report.txt").read_text()


def _complete(script: str, words: list[str]) -> list[str]:
    """Ask real bash for the completions of ``words`` (the last one being typed)."""
    program = (
        f"source /dev/stdin <<'EOF'\n{script}\nEOF\n"
        f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}; "
        'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; _shtab_profilesync; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=30, check=True)
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_bash_completion_knows_commands_and_choices(tmp_path):
    result = run_cli(["--print-completion", "bash"], tmp_path)
    assert result.exit_code == 0, result.stderr
    script = result.stdout
    assert _complete(script, ["profilesync", "di"]) == ["diff"]
    assert _complete(script, ["profilesync", "diff", "--format", ""]) == ["text", "json", "markdown", "html"]
    assert "bibtex" in _complete(script, ["profilesync", "export", "--format", ""])


@pytest.mark.parametrize("shell", ["zsh", "tcsh"])
def test_other_shells_get_a_script(tmp_path, shell):
    result = run_cli(["--print-completion", shell], tmp_path)
    assert result.exit_code == 0
    assert "profilesync" in result.stdout and "schedule" in result.stdout


def test_unknown_shell_is_a_usage_error(tmp_path):
    result = run_cli(["--print-completion", "fish-and-chips"], tmp_path)
    assert result.exit_code == 2
    assert "invalid choice" in result.stderr


@pytest.mark.slow
def test_a_long_pull_says_it_is_still_on_and_how_long_each_source_took(httpserver, tmp_path, monkeypatch):
    import time

    from profilesync import pipeline
    from reliability.profile import Settings, new_profile
    from reliability.servers import Fault, SourceServer
    from reliability.sources import CASES

    server = SourceServer(httpserver, CASES)
    dblp = next(case for case in CASES if case.name == "dblp")
    # A DBLP that takes 1.2 s to answer, reported on every 0.3 s of waiting.
    server.fail_next("dblp", Fault("slow", lambda request, case: (time.sleep(1.2), case.respond_ok(request))[1]))
    monkeypatch.setattr(pipeline, "STILL_PULLING_EVERY_S", 0.3)
    profile = new_profile(tmp_path / "p", [dblp], {"dblp": server.root}, Settings(timeout_s=8.0))

    result = run_cli(["pull"], profile)

    assert result.exit_code == 0, result.stderr
    assert "still pulling dblp (" in result.stderr
    took = next(line for line in result.stderr.splitlines() if line.startswith("  dblp: ok in "))
    assert 1.0 <= float(took.removeprefix("  dblp: ok in ").split()[0]) < 8.0
    quiet = run_cli(["-q", "pull"], profile)
    assert "still pulling" not in quiet.stderr and "ok in" not in quiet.stderr
