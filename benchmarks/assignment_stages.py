"""Is the matcher's staged greedy assignment optimal within each stage? Checked on CV/page pairs.

    python benchmarks/assignment_stages.py DIR [DIR...]

Each DIR holds a ``cv.yaml`` and the DBLP ``page.xml`` it is compared with (what
``benchmarks/drift/run.py --keep DIR`` writes for every run). For every stage of
``match.matcher._assign`` (identifier and exact pairs, then fuzzy pairs, then versions among the
works left), the greedy pairs are compared with scipy's ``linear_sum_assignment`` on the same
candidates, maximising first the number of pairs and then their summed weight. Prints, per run,
the candidates, the stages with a real conflict (a work with two or more candidates) and any
stage where greedy and optimal differ. Needs numpy and scipy (the bench extra).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from profilesync.connectors.dblp_xml import parse_person_xml
from profilesync.cv.record import load_cv
from profilesync.match.features import prepare
from profilesync.match.matcher import Stage, _assign, candidate_pairs
from profilesync.match.params import load_params


def optimal(cands: list) -> set[tuple[int, int]]:
    rows = sorted({c.cv for c in cands})
    cols = sorted({c.src for c in cands})
    ri, ci = {r: k for k, r in enumerate(rows)}, {c: k for k, c in enumerate(cols)}
    weight = np.zeros((len(rows), len(cols)))
    for c in cands:
        # 100 per pair first (as many pairs as possible), then the summed weight.
        weight[ri[c.cv], ci[c.src]] = max(weight[ri[c.cv], ci[c.src]], 100.0 + c.weight)
    r_idx, c_idx = linear_sum_assignment(weight, maximize=True)
    return {(rows[a], cols[b]) for a, b in zip(r_idx, c_idx, strict=True) if weight[a, b] > 0}


def check(directory: Path) -> tuple[int, int, int]:
    page = parse_person_xml((directory / "page.xml").read_bytes(), str(directory / "page.xml"))
    cv = load_cv(directory / "cv.yaml")
    params = load_params().for_source("dblp")
    works = list(page.works)
    scored = candidate_pairs(cv.works, works, params, [prepare(w) for w in cv.works], [prepare(w) for w in works])
    used_cv: set[int] = set()
    used_src: set[int] = set()
    conflicts = differ = 0
    for stage in Stage:
        cands = [s for s in scored if s.stage is stage and s.cv not in used_cv and s.src not in used_src]
        if not cands:
            continue
        greedy = {(p.cv_index, p.source_index) for p in _assign(cands)}
        rows = [c.cv for c in cands]
        cols = [c.src for c in cands]
        if len(set(rows)) < len(rows) or len(set(cols)) < len(cols):
            conflicts += 1
        best = optimal(cands)
        if greedy != best:
            differ += 1
            print(f"  {directory.name}: stage {stage.name}: greedy {sorted(greedy - best)} vs optimal {sorted(best - greedy)}")
        used_cv |= {a for a, _ in greedy}
        used_src |= {b for _, b in greedy}
    return len(scored), conflicts, differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="+", type=Path)
    args = parser.parse_args(argv)
    total = [0, 0, 0]
    for directory in args.dirs:
        n, conflicts, differ = check(directory)
        total = [total[0] + n, total[1] + conflicts, total[2] + differ]
        print(f"{directory.name}: {n} candidate pairs, {conflicts} stages with a conflict, {differ} where greedy != optimal")
    print(f"all {len(args.dirs)} runs: {total[0]} candidate pairs, {total[1]} stages with a conflict, {total[2]} where greedy != optimal")
    return 1 if total[2] else 0


if __name__ == "__main__":
    sys.exit(main())
