"""Wall time and peak memory of `validate` and `push --to cv --dry-run` on a large generated CV.

The bundled demo profile (config.yaml, its snapshots) with cv.yaml grown to about ``--mb``
megabytes: the demo CV followed by synthetic publications with unique keys. Each command runs
in a new process under a wall-clock cap (``--cap`` seconds); a run that hits the cap is reported
as such. Peak memory is the child's maximum resident set size (``ru_maxrss`` of ``wait4``).

    python benchmarks/cv_size.py [--mb 50] [--cap 150] [--src OTHER/src]

``--src`` times another checkout (the "before" numbers: ``git archive <commit> src | tar -x -C /tmp/old``).

Also times the alias-bomb CV (nine levels of ten aliases inside a free field of one entry).

Measured on the shared 2-core machine (7 Dec 2026; cap 150 s, children limited to 3 GB):

    case          command               before (3f4845c)                   after
    50 MB CV      validate              killed at 150 s (756 MB)           exit 2 in 0.15 s
    50 MB CV      push --dry-run --yes  killed at 150 s (1,416 MB)         exit 2 in 0.20 s
    alias bomb    validate              exit 0 ("ok") in 0.42 s            exit 2 in 0.15 s, line 34
    alias bomb    push --dry-run --yes  MemoryError after 114 s (2.9 GB)   exit 2 in 0.20 s, line 34

Under the 2 MB limit reading stays linear: 1.2 MB validate 7.0 s / push 29.9 s, 2.1 MB validate
14.2 s / push 42.4 s. (Peak MB counts the benchmark's own memory, which a forked child starts
with: about 100-165 MB here.)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ENTRY = """\
  - key: bulk{i:07d}
    title: "Synthetic Paper Number {i} on Scalable Systems for Benchmarking"
    authors: [Zili Zhang, Ada Coauthor, Bob Coauthor]
    venue: BENCHCONF
    year: {year}
    type: conference
    ids: {{doi: 10.5555/bulk.{i}}}
"""


def make_profile(directory: Path, megabytes: float) -> Path:
    for name in ("config.yaml", "cv.yaml"):
        shutil.copy(ROOT / name, directory / name)
    shutil.copytree(ROOT / "cache" / "snapshots", directory / "cache" / "snapshots")
    cv = directory / "cv.yaml"
    text = cv.read_text(encoding="utf-8")
    head, sep, tail = text.partition("\n# Code the CV itself lists")
    target = int(megabytes * 1024 * 1024)
    parts = [head.rstrip("\n") + "\n"]
    size = len(parts[0])
    i = 0
    while size < target:
        chunk = "".join(ENTRY.format(i=j, year=2000 + j % 25) for j in range(i, i + 1000))
        parts.append(chunk)
        size += len(chunk)
        i += 1000
    cv.write_text("".join(parts) + "\n" + sep.lstrip("\n") + tail, encoding="utf-8")
    return directory


def make_bomb(directory: Path) -> Path:
    for name in ("config.yaml", "cv.yaml"):
        shutil.copy(ROOT / name, directory / name)
    shutil.copytree(ROOT / "cache" / "snapshots", directory / "cache" / "snapshots")
    lines = ["bomb_a: &a [x, x, x, x, x, x, x, x, x, x]"]
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"bomb_{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
        previous = name
    cv = directory / "cv.yaml"
    marker = "  - key: wu2023fastserve\n"
    cv.write_text(cv.read_text(encoding="utf-8").replace(marker, marker + "".join(f"    {line}\n" for line in lines), 1), encoding="utf-8")
    return directory


def run(args: list[str], cwd: Path, cap: float, environ: dict[str, str]) -> tuple[str, float, float, str]:
    """(outcome, seconds, peak MB, last stderr line) of one CLI run."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "profilesync", *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environ)
    outcome = None
    while outcome is None:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            outcome = f"exit {os.waitstatus_to_exitcode(status)}"
            break
        if time.perf_counter() - start > cap:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            outcome = f"killed at the {cap:.0f} s cap"
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    process.returncode = 0  # reaped by wait4 above
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    last = next((line for line in reversed(stderr.splitlines()) if line.strip()), "")
    return outcome, elapsed, usage.ru_maxrss / 1024, last[:160]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of the generated CV in MB (default 50)")
    parser.add_argument("--cap", type=float, default=150.0, help="wall-clock cap per command in seconds")
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the profilesync sources to time (e.g. an older checkout's src/)")
    parser.add_argument("--memory-cap-mb", type=int, default=3000, help="address-space limit of each child (protects a shared machine)")
    options = parser.parse_args()
    environ = {**os.environ, "PYTHONPATH": str(options.src.resolve()) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    limit = options.memory_cap_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # inherited by the children
    commands = (["validate"], ["push", "--to", "cv", "--dry-run", "--yes"])
    with tempfile.TemporaryDirectory() as tmp:
        big, bomb = Path(tmp) / "big", Path(tmp) / "bomb"
        big.mkdir()
        bomb.mkdir()
        cases = ((f"{options.mb:g} MB CV", make_profile(big, options.mb)), ("alias bomb", make_bomb(bomb)))
        print(f"{'case':<14} {'command':<28} {'outcome':<22} {'seconds':>8} {'peak MB':>8}  message")
        for name, profile in cases:
            size = (profile / "cv.yaml").stat().st_size / 1024 / 1024
            for command in commands:
                outcome, seconds, peak, last = run(command, profile, options.cap, environ)
                print(f"{name:<14} {' '.join(command):<28} {outcome:<22} {seconds:>8.2f} {peak:>8.0f}  {last}", flush=True)
            print(f"{'':<14} (cv.yaml: {size:.1f} MB)")


if __name__ == "__main__":
    main()
