"""Run the reliability suite and print its table: cases per connector, how many passed, and how
long each failure case took (the time until `profilesync diff --refresh` had reported it).

    python benchmarks/reliability_table.py            # summary per connector
    python benchmarks/reliability_table.py --cases    # every case with its time

The suite records each case's wall time itself (tests/reliability/conftest.py); this script runs
it with PROFILESYNC_RELIABILITY_JSON set and reads the rows back.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", action="store_true", help="print every case, not only the summary")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "rows.json"
        started = time.perf_counter()
        done = subprocess.run(
            # Every case, the slow ones too (real deadlines, drips): the default run leaves them out.
            [sys.executable, "-m", "pytest", "tests/reliability", "-q", "-p", "no:cacheprovider", "-m", "slow or not slow"],
            cwd=ROOT,
            env={**os.environ, "PROFILESYNC_RELIABILITY_JSON": str(target)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        wall = time.perf_counter() - started
        if not target.exists():
            print(f"the suite wrote no results (pytest exit {done.returncode})", file=sys.stderr)
            return 1
        rows = json.loads(target.read_text())

    by_connector: dict[str, list[dict]] = {}
    for row in rows:
        by_connector.setdefault(row["connector"], []).append(row)
    print(f"{'connector':<10} {'cases':>5} {'passed':>6} {'failure cases':>13} {'longest failure case':>22}  which")
    for name, items in sorted(by_connector.items()):
        failures = [r for r in items if r["failure"]]
        worst = max(failures, key=lambda r: r["elapsed_s"], default=None)
        longest = f"{worst['elapsed_s']:.2f} s" if worst else "-"
        print(f"{name:<10} {len(items):>5} {sum(r['passed'] for r in items):>6} {len(failures):>13} {longest:>22}  {worst['case'] if worst else ''}")
    total = len(rows)
    print(f"{'all':<10} {total:>5} {sum(r['passed'] for r in rows):>6}   suite wall time {wall:.1f} s (pytest exit {done.returncode})")
    if args.cases:
        print()
        for row in sorted(rows, key=lambda r: (r["connector"], r["case"])):
            mark = "ok  " if row["passed"] else "FAIL"
            kind = "failure" if row["failure"] else "recovers"
            print(f"{mark} {row['connector']:<8} {row['case']:<48} {kind:<8} {row['elapsed_s']:6.2f} s")
    return 0 if done.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
