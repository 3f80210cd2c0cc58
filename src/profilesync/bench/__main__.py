"""``python -m profilesync.bench``: entity-resolution benchmarks for the matcher.

    python -m profilesync.bench er-pairs --pairs joined.csv --predictions out.csv
    python -m profilesync.bench er-pairs --tables tableA.csv tableB.csv --pairs valid.csv --predictions out.csv
    python -m profilesync.bench er-link --left DBLP1.csv --right Scholar.csv --output links.csv \\
        --truth DBLP-Scholar_perfectMapping.csv

Quality (precision/recall/F1) is printed when labels or a truth file are given; so are the time
taken, pairs per second, and peak memory. Exit status 0 on success, 2 on bad input.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from profilesync.bench.data import LabelledPair, Record, read_joined, read_magellan, read_mapping, read_table
from profilesync.bench.metrics import link_quality, pair_quality
from profilesync.bench.pairs import predict, prepare_record
from profilesync.errors import ExitStatus, Problem, UserError
from profilesync.match.linkage import link_tables
from profilesync.match.params import load_params
from profilesync.match.scoring import Profile
from profilesync.normalize.names import parse_name, split_authors


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m profilesync.bench", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    pairs = sub.add_parser("er-pairs", help="classify candidate pairs (joined layout, or --tables A B with a pairs file)")
    pairs.add_argument("--pairs", type=Path, required=True, help="joined-layout CSV, or ltable_id,rtable_id[,label] with --tables")
    pairs.add_argument("--tables", type=Path, nargs=2, metavar=("TABLE_A", "TABLE_B"), help="Magellan tableA.csv and tableB.csv")
    pairs.add_argument("--predictions", type=Path, required=True, help="output CSV: id,prediction,score")
    _profile_arg(pairs)
    link = sub.add_parser("er-link", help="link two full tables (id,title,authors,venue,year)")
    link.add_argument("--left", type=Path, required=True)
    link.add_argument("--right", type=Path, required=True)
    link.add_argument("--output", type=Path, required=True, help="output CSV: left_id,right_id,score")
    link.add_argument("--truth", type=Path, help="perfect-mapping CSV (left id, right id) to score against")
    link.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="processes to score with (default: up to 2)")
    link.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (exact, but makes the run several times slower)")
    link.add_argument("--no-tracemalloc", action="store_true", help=argparse.SUPPRESS)  # the default; kept for old scripts
    _profile_arg(link)
    return parser


def _profile_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        default="auto",
        help="matcher profile: clean (curated records), noisy (scraped, Scholar-like), or auto (default: chosen from the data)",
    )


def _looks_noisy(records: Sequence[Record]) -> bool:
    """Scraped data: many missing years, or author names that are mostly initials."""
    if not records:
        return False
    sample = records[:: max(1, len(records) // 2000)]
    no_year = sum(1 for r in sample if not r.year.strip()) / len(sample)
    names = [parse_name(n) for r in sample for n in split_authors(r.authors)[:2]]
    initials_only = sum(1 for n in names if n.given and all(len(g) == 1 for g in n.given)) / max(1, len(names))
    return no_year > 0.1 or initials_only > 0.6


def choose_profile(name: str, left: Sequence[Record], right: Sequence[Record]) -> Profile:
    params = load_params()
    if name == "auto":
        name = "noisy" if (_looks_noisy(left) or _looks_noisy(right)) and "noisy" in params.profiles else params.profile
    return params.with_profile(name).model


def _cpu_seconds() -> float:
    """User+system CPU of this process and its finished workers (the machine may be shared)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _peak_rss_mib() -> float:
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return peak / 1024.0 if sys.platform != "darwin" else peak / (1024.0 * 1024.0)


def run_pairs(args: argparse.Namespace, out: TextIO) -> int:
    t0 = time.perf_counter()
    if args.tables:
        pairs: list[LabelledPair] = read_magellan(args.tables[0], args.tables[1], args.pairs)
    else:
        pairs = read_joined(args.pairs)
    profile = choose_profile(args.profile, [p.left for p in pairs], [p.right for p in pairs])
    t1 = time.perf_counter()
    predictions = predict(pairs, profile)
    t2 = time.perf_counter()
    with args.predictions.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "prediction", "score"])
        for p in predictions:
            writer.writerow([p.id, p.prediction, f"{p.score:.6f}"])
    out.write(f"profile {profile.name} ({profile.fitted_on}); threshold {profile.probable}\n")
    out.write(f"{len(pairs)} pairs scored in {t2 - t1:.2f}s ({len(pairs) / max(t2 - t1, 1e-9):,.0f} pairs/s); read in {t1 - t0:.2f}s\n")
    out.write(f"peak memory: {_peak_rss_mib():.0f} MiB RSS (whole process); CPU {_cpu_seconds():.2f}s\n")
    labels = [p.label for p in pairs if p.label is not None]
    if pairs and len(labels) == len(pairs):  # every pair labelled
        out.write(pair_quality(labels, [p.prediction for p in predictions]).line() + "\n")
    out.write(f"wrote {args.predictions}\n")
    return ExitStatus.OK


def run_link(args: argparse.Namespace, out: TextIO) -> int:
    trace = bool(args.tracemalloc)
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    left = read_table(args.left)
    right = read_table(args.right)
    profile = choose_profile(args.profile, left, right)
    t1 = time.perf_counter()
    left_prepared = [prepare_record(r) for r in left]
    links, stats = link_tables(
        left_prepared, [r.title for r in right], lambda j: prepare_record(right[j]), profile, right_authors=[r.authors for r in right], workers=args.workers
    )
    t2 = time.perf_counter()
    with args.output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["left_id", "right_id", "score"])
        for link in links:
            writer.writerow([left[link.left].id, right[link.right].id, f"{link.score:.6f}"])
    t3 = time.perf_counter()
    peak_traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    if trace:
        tracemalloc.stop()
    out.write(f"profile {profile.name} ({profile.fitted_on}); threshold {profile.probable}\n")
    out.write(f"{len(left)} x {len(right)} records; {stats.candidates:,} candidate pairs scored; {stats.prepared_right:,} right records prepared\n")
    out.write(f"time: read {t1 - t0:.2f}s, link {t2 - t1:.2f}s, write {t3 - t2:.2f}s, total {t3 - t0:.2f}s (CPU {_cpu_seconds():.2f}s over {args.workers} process(es))\n")
    main_cpu = resource.getrusage(resource.RUSAGE_SELF)
    workers = ", ".join(f"{c:.2f}s" for c in stats.worker_cpu)
    out.write(f"CPU critical path: {main_cpu.ru_utime + main_cpu.ru_stime:.2f}s in the main process, linking {workers} per worker\n")
    memory = f"peak memory: {_peak_rss_mib():.0f} MiB RSS (whole process)"
    if peak_traced is not None:
        memory += f", {peak_traced:.0f} MiB allocated by Python (tracemalloc)"
    out.write(memory + "\n")
    out.write(f"{len(links)} links written to {args.output}\n")
    if args.truth:
        truth = read_mapping(args.truth)
        found = {(left[link.left].id, right[link.right].id) for link in links}
        out.write(link_quality(found, truth).line() + "\n")
    return ExitStatus.OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        if args.command == "er-pairs":
            return run_pairs(args, out)
        return run_link(args, out)
    except UserError as exc:
        for problem in exc.problems:
            err.write(f"error: {problem}\n")
        return ExitStatus.ERROR
    except OSError as exc:
        err.write(f"error: {Problem(exc.filename, None, exc.strerror or str(exc), 'check the path')}\n")
        return ExitStatus.ERROR


if __name__ == "__main__":
    sys.exit(main())
