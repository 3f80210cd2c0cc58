"""Cold and warm wall times of `profilesync --help` and `profilesync diff` on the bundled profile.

Cold: the first run after the package's bytecode caches are removed (what a fresh install sees).
Warm: the median of the following runs. Each run is a new process, as a user or cron starts it.

    python benchmarks/cli_timing.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _clear_bytecode() -> None:
    for cache in (ROOT / "src" / "profilesync").rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)


def _time(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "profilesync", *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp)
        for name in ("config.yaml", "cv.yaml"):
            shutil.copy(ROOT / name, profile / name)
        shutil.copytree(ROOT / "cache", profile / "cache", ignore=shutil.ignore_patterns("http", "*.sqlite", "state.db", "status.json"))
        print(f"{'command':<40} {'cold s':>8} {'warm s (median of ' + str(runs) + ')':>24}")
        for args in (["--help"], ["diff", "--offline"], ["diff", "--offline", "--format", "json"]):
            _clear_bytecode()
            cold = _time(args, profile)
            warm = statistics.median(_time(args, profile) for _ in range(runs))
            print(f"{'profilesync ' + ' '.join(args):<40} {cold:>8.3f} {warm:>24.3f}")


if __name__ == "__main__":
    main()
