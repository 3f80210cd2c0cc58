"""Greedy one-to-one assignment vs the optimal one (Hungarian), measured on DBLP2 x ACM.

    python benchmarks/assignment_bench.py [--data ../shared/benchmarks/er]

DBLP-ACM is strictly one-to-one, so it is the place to see whether the matcher's greedy
assignment (descending score) loses anything against scipy's linear_sum_assignment maximising
the summed log-odds. Candidate pairs come from the same blocking and clean profile as er-link.
Needs scipy (installed with the bench extra's scikit-learn).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from profilesync.bench.data import read_mapping, read_table
from profilesync.bench.metrics import link_quality
from profilesync.bench.pairs import prepare_record
from profilesync.match.linkage import link_tables
from profilesync.match.params import load_params

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "er"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    d = args.data / "DBLP-ACM"
    left, right = read_table(d / "DBLP2.csv"), read_table(d / "ACM.csv")
    truth = read_mapping(d / "DBLP-ACM_perfectMapping.csv")
    model = load_params().with_profile("clean").model
    # Every candidate at or above the decision threshold, no cluster margin: the assignment decides.
    links, _ = link_tables([prepare_record(r) for r in left], [r.title for r in right], lambda j: prepare_record(right[j]), model, margin=1e9)
    t0 = time.perf_counter()
    used_l: set[int] = set()
    used_r: set[int] = set()
    greedy = set()
    for link in sorted(links, key=lambda x: -x.score):
        if link.left not in used_l and link.right not in used_r:
            used_l.add(link.left)
            used_r.add(link.right)
            greedy.add((left[link.left].id, right[link.right].id))
    t_greedy = time.perf_counter() - t0
    t0 = time.perf_counter()
    rows = sorted({x.left for x in links})
    cols = sorted({x.right for x in links})
    ri, ci = {r: k for k, r in enumerate(rows)}, {c: k for k, c in enumerate(cols)}
    weight = np.zeros((len(rows), len(cols)))
    for x in links:
        p = min(max(x.score, 1e-9), 1 - 1e-9)
        weight[ri[x.left], ci[x.right]] = max(weight[ri[x.left], ci[x.right]], np.log(p / (1 - p)) + 50.0)
    r_idx, c_idx = linear_sum_assignment(weight, maximize=True)
    optimal = {(left[rows[a]].id, right[cols[b]].id) for a, b in zip(r_idx, c_idx, strict=True) if weight[a, b] > 0}
    t_optimal = time.perf_counter() - t0
    print(f"candidates above threshold: {len(links)}")
    print(f"greedy  : {link_quality(greedy, truth).line()}  [{t_greedy * 1000:.1f} ms]")
    print(f"optimal : {link_quality(optimal, truth).line()}  [{t_optimal * 1000:.1f} ms]")
    print(f"pairs that differ: {len(greedy ^ optimal)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
