"""How long exporting 1,000 publications takes, per format; and a push into a 1,000-entry CV.

    .venv/bin/python benchmarks/export_bench.py [--works 1000] [--repeat 3]

The works are synthetic but shaped like real ones (5-9 authors with accents and particles,
titles with LaTeX specials, DOIs, arXiv ids, a mix of types). Times are the best of --repeat
runs of ``profilesync.export.render`` (everything but the file write), in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from profilesync.config import CvFormat  # noqa: E402
from profilesync.cv.formats import open_document  # noqa: E402
from profilesync.cv.record import record_from_data  # noqa: E402
from profilesync.cv.writer import save_document  # noqa: E402
from profilesync.diff.changes import Change, ChangeKind  # noqa: E402
from profilesync.export import ExportFormat, render  # noqa: E402
from profilesync.match.matcher import MatchScore, Tier  # noqa: E402
from profilesync.push.cv_apply import apply_changes  # noqa: E402

FIRST = ["Zili", "Chao", "Xin", "Bingyang", "José", "Ludwig", "Søren", "Anaïs", "Wei", "Yinmin"]
LAST = ["Zhang", "Jin", "Wu", "van Beethoven", "Núñez", "Kierkegaard", "Liu", "de la Cruz", "Zhong", "Müller"]
WORDS = ["Fast", "Scalable", "Serverless", "GPU", "Vector", "Queries", "LLM", "Serving", "Caching", "Graphs", "100%", "R&D", "$O(n)$", "C#", "snake_case"]
VENUES = [("NSDI", "USENIX Symposium on Networked Systems Design and Implementation"), ("OSDI", None), ("SIGCOMM", "ACM SIGCOMM Conference"), ("TOSEM", "ACM Transactions on Software Engineering & Methodology"), (None, None)]
TYPES = ["conference", "conference", "journal", "preprint", "chapter"]


def synthetic_cv(count: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    publications = []
    for index in range(count):
        authors = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(5, 9))]
        if rng.random() < 0.7:
            authors[rng.randrange(len(authors))] = "Zili Zhang"
        venue, full = rng.choice(VENUES)
        wtype = rng.choice(TYPES)
        entry = {
            "key": f"key{index:05d}",
            "title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 11))),
            "authors": authors,
            "year": rng.randint(2005, 2026),
            "type": wtype,
            "status": "preprint" if wtype == "preprint" else "published",
            "ids": {"doi": f"10.{1000 + index % 50}/bench.{index}", "arxiv": f"{rng.randint(1501, 2412)}.{rng.randint(10000, 99999)}"},
        }
        if venue:
            entry["venue"] = venue
        if full:
            entry["venue_full"] = full
        if rng.random() < 0.5:
            entry["pages"] = f"{index}-{index + 12}"
        if rng.random() < 0.3:
            entry["code"] = f"https://github.com/lab/repo{index}"
        publications.append(entry)
    return {"person": {"name": "Zili Zhang", "aliases": ["Zhang, Zili"], "homepage": "https://zilizhang.site"}, "publications": publications}


def best_of(repeat: int, action) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def bench_push(data: dict, repeat: int) -> tuple[float, int]:
    """Apply a field change to every tenth entry of a cv.yaml and save it (validation, backup, replace)."""
    from ruamel.yaml import YAML

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cv.yaml"
        yaml = YAML(typ="rt")
        yaml.width = 4096
        with path.open("w", encoding="utf-8") as handle:
            handle.write("# benchmark CV\n")
            yaml.dump(data, handle)
        original = path.read_text(encoding="utf-8")
        score = MatchScore(1.0, Tier.STRONG, "doi")
        changes = [
            Change(ChangeKind.FIELD_DIFFERS, "dblp", "pages", cv_key=p["key"], field="pages", source_value=f"{i}-{i + 20}", match=score)
            for i, p in enumerate(data["publications"][::10])
        ]

        def run() -> None:
            path.write_text(original, encoding="utf-8")
            document = open_document(path, CvFormat.PROFILESYNC)
            apply_changes(document, changes)
            save_document(document, backup_dir=Path(tmp) / "backups", now=datetime.now(timezone.utc))

        return best_of(repeat, run), len(changes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--works", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = synthetic_cv(args.works)
    record = record_from_data(Path("bench.yaml"), data)
    render(record, ExportFormat.MARKDOWN)  # warm the lazy imports once, outside the timings
    print(f"export of {args.works} publications (best of {args.repeat}, ms; Python {sys.version.split()[0]})")
    print(f"{'format':<12} {'ms':>9} {'us/work':>9} {'output':>12}")
    for fmt in ExportFormat:
        elapsed = best_of(args.repeat, lambda fmt=fmt: render(record, fmt))
        result = render(record, fmt)
        size = len(result.text.encode("utf-8")) if result.text is not None else sum(len(t.encode("utf-8")) for t in result.files.values())
        files = "" if result.text is not None else f" in {len(result.files)} files"
        print(f"{fmt.value:<12} {elapsed:>9.1f} {elapsed * 1000 / args.works:>9.1f} {size / 1024:>9.0f} KiB{files}")
    print("\npush --to cv into a cv.yaml (read, apply, splice, verify, validate, back up, replace)")
    print(f"{'entries':>8} {'changes':>8} {'ms':>9}")
    for size in sorted({100, args.works}):
        elapsed, changes = bench_push(synthetic_cv(size), args.repeat)
        print(f"{size:>8} {changes:>8} {elapsed:>9.0f}")


if __name__ == "__main__":
    main()
