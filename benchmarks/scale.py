"""How profilesync scales with a long publication list (issue 14).

Builds profiles of N works from the real ER benchmark tables (../shared/benchmarks/er: the DBLP,
ACM and Scholar tables of the Leipzig benchmarks), as a senior researcher would meet them:

- a DBLP person page (``/pid/<pid>.xml``) of N records, built from the tables' rows with the
  researcher added to every author list and a DOI for most records, served on 127.0.0.1 and
  pulled with the real connector (``profilesync pull --source dblp``);
- with ``--scholar``, also a Google Scholar CSV export of the same works (Scholar's own rows for
  DBLP1 records, through the perfect mapping) read with ``profilesync import scholar``;
- a CV (YAML) holding ~70% of the works with drift planted in ~10% of those (a title typo, a year
  off by one, a missing DOI), in DBLP's own venue strings.

Then each command runs in a fresh process (wall time, CPU time and peak RSS of that process):
``diff --offline`` (text, json, html), ``push --to cv --dry-run``, ``push --to cv --yes`` and the
exports; next to them the floor on the same records: ``python -m profilesync.bench er-link`` (the
matcher's table linkage of the CV against the DBLP records) and a plain JSON + YAML load of the
snapshot and the CV. Prints one table. A command that outlives ``--timeout`` is shown as ">T".

The floor and ``diff --format json`` run ``--repeat`` times, interleaved, and the table shows their
medians: on a shared machine one run of either can be 10-20% off. Commands run as an installed
copy runs, with Python's bytecode cache (``PYTHONDONTWRITEBYTECODE`` is dropped for them, and one
untimed run of each writes the cache first), so both sides pay for their imports the same way.

    python benchmarks/scale.py                      # 300, 1000, 3000 works
    python benchmarks/scale.py --sizes 300 1000 3000 10000 --scholar --timeout 900
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
ER = HERE.parent.parent / "shared" / "benchmarks" / "er"
RESEARCHER = "Ada Q. Researcher"
PID = "00/0001"
SEED = 14

# Runs one command in a child and prints its peak RSS (KiB): RUSAGE_CHILDREN of a fresh wrapper
# process covers exactly that child.
# Runs one command in a child and prints its exit code, peak RSS (KiB) and CPU seconds (user +
# system): RUSAGE_CHILDREN of a fresh wrapper process covers exactly that child.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode\n"
    "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(code, use.ru_maxrss, use.ru_utime + use.ru_stime, file=sys.stderr)\n"
)
# The children's environment: bytecode cached, as an installed copy runs.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    authors: tuple[str, ...]
    venue: str
    year: int | None


@dataclass(frozen=True)
class Timing:
    label: str
    seconds: float | None  # None: timed out
    rss_mib: float | None
    exit_code: int | None
    cpu: float | None = None


def _read(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return list(csv.DictReader(text.splitlines()))


def load_rows() -> list[Row]:
    """Every usable record of the DBLP and ACM tables, one per title (DBLP1 first: it has a
    Scholar mapping), with its own authors plus the researcher."""
    rows: list[Row] = []
    seen: set[str] = set()
    for name in ("DBLP-Scholar/DBLP1.csv", "DBLP-ACM/DBLP2.csv", "DBLP-ACM/ACM.csv", "DBLP-Scholar/Scholar.csv"):
        for raw in _read(ER / name):
            title = " ".join((raw.get("title") or "").split())
            key = "".join(ch for ch in title.lower() if ch.isalnum())
            authors = tuple(a.strip() for a in (raw.get("authors") or "").split(",") if a.strip())
            year = raw.get("year", "").strip()
            if len(key) < 20 or key in seen or not authors or not year.isdigit() or not (raw.get("venue") or "").strip():
                continue
            if not 1900 <= int(year) <= 2100:
                continue  # the Scholar table's scraping slips (year 11, 1884): a CV refuses them
            seen.add(key)
            rows.append(Row(raw["id"], title, authors, " ".join(raw["venue"].split()), int(year)))
    return rows


def _dblp_key(row: Row, index: int) -> str:
    if "/" in row.id:  # DBLP tables carry DBLP keys (conf/vldb/PoosalaI96)
        return row.id
    return f"conf/bench/R{index}"


def person_xml(rows: list[Row]) -> bytes:
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<dblpperson name="{RESEARCHER}" pid="{PID}" n="{len(rows)}">']
    out.append(f'<person key="homepages/{PID}" mdate="2026-01-01"><author pid="{PID}">{RESEARCHER}</author></person>')
    for i, row in enumerate(rows):
        key = _dblp_key(row, i)
        tag = "article" if key.startswith("journals/") else "inproceedings"
        venue_tag = "journal" if tag == "article" else "booktitle"
        authors = "".join(f"<author>{html.escape(a)}</author>" for a in (*row.authors[:1], RESEARCHER, *row.authors[1:]))
        doi = f"<ee>https://doi.org/10.5555/bench.{i}</ee>" if i % 5 else ""
        out.append(
            f'<r><{tag} key="{key}" mdate="2026-01-01">{authors}<title>{html.escape(row.title)}.</title>'
            f"<pages>{i % 90 + 1}-{i % 90 + 12}</pages><year>{row.year}</year><{venue_tag}>{html.escape(row.venue)}</{venue_tag}>"
            f"{doi}</{tag}></r>"
        )
    out.append("</dblpperson>\n")
    return "\n".join(out).encode("utf-8")


def cv_yaml(rows: list[Row], rng: random.Random) -> tuple[str, list[tuple[str, Row]]]:
    """~70% of the works, ~10% of those with one planted difference; returns the text and the
    (key, row) pairs in the CV."""
    kept = [(i, r) for i, r in enumerate(rows) if rng.random() < 0.7]
    lines = ["person:", f"  name: {json.dumps(RESEARCHER)}", f"  ids: {{dblp: {json.dumps(PID)}}}", "publications:"]
    entries = []
    for i, row in kept:
        key = f"w{i:05d}"
        title, year, doi = row.title, row.year, f"10.5555/bench.{i}" if i % 5 else None
        roll = rng.random()
        if roll < 0.03:
            title = title.replace("a", "o", 1)
        elif roll < 0.06:
            year = (year or 2000) + 1
        elif roll < 0.10:
            doi = None
        authors = [row.authors[0], RESEARCHER, *row.authors[1:]]
        lines += [
            f"  - key: {key}",
            f"    title: {json.dumps(title)}",
            f"    authors: {json.dumps(authors, ensure_ascii=False)}",
            f"    venue: {json.dumps(row.venue)}",
            f"    year: {year}",
            f"    type: {'journal' if _dblp_key(row, i).startswith('journals/') else 'conference'}",
        ]
        if doi:
            lines.append(f"    ids: {{doi: {json.dumps(doi)}}}")
        entries.append((key, row))
    return "\n".join(lines) + "\n", entries


def scholar_csv(rows: list[Row]) -> str:
    """Scholar's CSV export layout for the works, with Scholar's own row where the perfect
    mapping has one (DBLP1 ids), else the DBLP row."""
    scholar = {r["id"]: r for r in _read(ER / "DBLP-Scholar/Scholar.csv")}
    mapping: dict[str, str] = {}
    for pair in _read(ER / "DBLP-Scholar/DBLP-Scholar_perfectMapping.csv"):
        mapping.setdefault(pair["idDBLP"], pair["idScholar"])
    buffer = []
    writer_rows = [["Authors", "Title", "Publication", "Volume", "Number", "Pages", "Year", "Publisher"]]
    for row in rows:
        theirs = scholar.get(mapping.get(row.id, ""))
        title = " ".join(theirs["title"].split()) if theirs else row.title
        authors = [a.strip() for a in (theirs["authors"] if theirs and theirs["authors"].strip() else ", ".join(row.authors)).split(",") if a.strip()]
        authors.insert(1 if authors else 0, RESEARCHER)
        writer_rows.append(["; ".join(authors), title, row.venue, "", "", "", str(row.year or ""), ""])
    import io

    out = io.StringIO()
    csv.writer(out).writerows(writer_rows)
    buffer.append(out.getvalue())
    return "".join(buffer)


def er_tables(directory: Path, cv_entries: list[tuple[str, Row]], rows: list[Row]) -> tuple[Path, Path]:
    """The same records as the two tables ``bench er-link`` reads (id,title,authors,venue,year)."""
    left, right = directory / "cv_table.csv", directory / "dblp_table.csv"
    for path, items in ((left, [(k, r) for k, r in cv_entries]), (right, [(f"r{i}", r) for i, r in enumerate(rows)])):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "title", "authors", "venue", "year"])
            for ident, row in items:
                writer.writerow([ident, row.title, ", ".join((row.authors[0], RESEARCHER, *row.authors[1:])), row.venue, row.year])
    return left, right


class _PersonPage(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        if self.path.startswith(f"/pid/{PID}.xml"):
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(self.body)))
            self.end_headers()
            self.wfile.write(self.body)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args) -> None:  # noqa: ANN002 - keep the table readable
        pass


def build_profile(directory: Path, size: int, rows: list[Row], *, scholar: bool) -> tuple[Path, Path, Path]:
    rng = random.Random(SEED + size)
    chosen = rows[:size]
    text, entries = cv_yaml(chosen, rng)
    directory.mkdir(parents=True)
    (directory / "cv.yaml").write_text(text, encoding="utf-8")
    handler = type("Page", (_PersonPage,), {"body": person_xml(chosen)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        sources = {
            "dblp": {"id": PID, "base_url": f"http://127.0.0.1:{server.server_address[1]}", "timeout_s": 120},
            "orcid": {"enabled": False},
            # Scholar's snapshot comes from `import scholar` (--scholar); never pulled here.
            "scholar": {"id": "BENCHscale01"} if scholar else {"enabled": False},
            "github": {"enabled": False},
        }
        config = {"profile": {"name": RESEARCHER}, "cv": "cv.yaml", "cache_dir": "cache", "contact_email": "bench@example.org", "sources": sources}
        (directory / "config.yaml").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
        _run_checked([*_cli(), "pull", "--source", "dblp"], directory)
    finally:
        server.shutdown()
    if scholar:
        (directory / "scholar.csv").write_text(scholar_csv(chosen), encoding="utf-8")
        _run_checked([*_cli(), "import", "scholar", "scholar.csv"], directory)
    left, right = er_tables(directory, entries, chosen)
    return directory / "cache" / "snapshots" / "dblp.json", left, right


def _cli() -> list[str]:
    return [sys.executable, "-m", "profilesync"]


def _run_checked(command: list[str], cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=_ENV)
    if done.returncode not in (0, 1):
        raise SystemExit(f"setup failed ({done.returncode}): {' '.join(command)}\n{done.stderr}")


def measure(label: str, command: list[str], cwd: Path, timeout: float) -> Timing:
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-c", _MEASURE, *command], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=_ENV)
    except subprocess.TimeoutExpired:
        return Timing(label, None, None, None)
    seconds = time.perf_counter() - started
    code, rss_kib, cpu = done.stderr.strip().splitlines()[-1].split()
    return Timing(label, seconds, int(rss_kib) / 1024, int(code), float(cpu))


def median_of(runs: list[Timing]) -> Timing:
    """The run of median wall time (its CPU time and RSS with it); a timeout wins."""
    if any(t.seconds is None for t in runs):
        return runs[0]
    ordered = sorted(runs, key=lambda t: t.seconds or 0.0)
    return ordered[len(ordered) // 2]


def run_size(work: Path, size: int, rows: list[Row], *, scholar: bool, timeout: float, exports: tuple[str, ...], repeat: int) -> list[Timing]:
    profile = work / f"p{size}"
    snapshot, left, right = build_profile(profile, size, rows, scholar=scholar)
    load = (
        "import json, sys; from ruamel.yaml import YAML; "
        f"json.loads(open({str(snapshot)!r}, encoding='utf-8').read()); "
        f"YAML(typ='safe').load(open({str(profile / 'cv.yaml')!r}, encoding='utf-8').read())"
    )
    er_link = [sys.executable, "-m", "profilesync.bench", "er-link", "--left", str(left), "--right", str(right), "--output", str(work / f"links{size}.csv"), "--workers", "1"]
    diff_json = [*_cli(), "diff", "--offline", "--format", "json", "--output", "r.json"]
    for command in (er_link, diff_json):
        _run_checked(command, profile)  # untimed: writes the bytecode cache
    floor_runs: list[Timing] = []
    diff_runs: list[Timing] = []
    for _ in range(repeat):  # interleaved, so a slow spell of the machine hits both sides
        floor_runs.append(measure("floor: er-link", er_link, profile, timeout))
        diff_runs.append(measure("diff --format json", diff_json, profile, timeout))
    timings = [
        median_of(floor_runs),
        measure("floor: JSON+YAML load", [sys.executable, "-c", load], profile, timeout),
        measure("diff --offline", [*_cli(), "diff", "--offline"], profile, timeout),
        median_of(diff_runs),
        measure("diff --format html", [*_cli(), "diff", "--offline", "--format", "html", "--output", "r.html"], profile, timeout),
        measure("push --to cv --dry-run", [*_cli(), "push", "--to", "cv", "--dry-run"], profile, timeout),
    ]
    scratch = work / f"p{size}-push"
    shutil.copytree(profile, scratch)
    timings.append(measure("push --to cv --yes", [*_cli(), "push", "--to", "cv", "--yes"], scratch, timeout))
    for fmt in exports:
        timings.append(measure(f"export {fmt}", [*_cli(), "export", "--format", fmt, "--output", str(work / f"out{size}-{fmt}")], profile, timeout))
    return timings


def _cell(t: Timing, timeout: float) -> str:
    if t.seconds is None:
        return f">{timeout:g} s"
    note = "" if t.exit_code in (0, 1) else f" (exit {t.exit_code})"
    return f"{t.seconds:.2f} s ({t.cpu:.2f} cpu) / {t.rss_mib:.0f} MiB{note}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000, 3000])
    parser.add_argument("--scholar", action="store_true", help="also import a Scholar CSV export of the same works")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds one command may take (default 600)")
    parser.add_argument("--exports", nargs="*", default=["bibtex", "csl-json", "markdown", "jekyll"], help="export formats to time")
    parser.add_argument("--keep", type=Path, help="build the profiles here and keep them (default: a temporary folder)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the floor and of diff --format json, interleaved; the medians are shown (default 5)")
    args = parser.parse_args(argv)
    if not ER.is_dir():
        print(f"error: the ER benchmark tables are not at {ER}", file=sys.stderr)
        return 2
    rows = load_rows()
    if max(args.sizes) > len(rows):
        print(f"error: the tables hold {len(rows)} usable records; the largest size is {max(args.sizes)}", file=sys.stderr)
        return 2
    work = args.keep or Path(tempfile.mkdtemp(prefix="profilesync-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[int, list[Timing]] = {}
    try:
        for size in args.sizes:
            print(f"building and timing {size} works ...", file=sys.stderr, flush=True)
            results[size] = run_size(work, size, rows, scholar=args.scholar, timeout=args.timeout, exports=tuple(args.exports), repeat=max(1, args.repeat))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    labels = [t.label for t in next(iter(results.values()))]
    width = max(len(label) for label in labels)
    print(f"{'works':<{width}} | " + " | ".join(f"{size:>33}" for size in results))
    print("-" * (width + 1) + "|" + "|".join("-" * 35 for _ in results))
    for index, label in enumerate(labels):
        print(f"{label:<{width}} | " + " | ".join(f"{_cell(results[size][index], args.timeout):>33}" for size in results))
    for size, timings in results.items():
        floor, diff_json = timings[0], timings[3]
        if floor.seconds and diff_json.seconds and floor.cpu and diff_json.cpu:
            print(f"{size} works: diff --format json / er-link = {diff_json.seconds / floor.seconds:.2f}x wall, {diff_json.cpu / floor.cpu:.2f}x CPU (medians of {max(1, args.repeat)})")
    first, last = min(results), max(results)
    a, b = results[first][3].seconds, results[last][3].seconds
    if a and b and last != first:
        print(f"diff --format json, {last} vs {first} works: {b / a:.1f}x for {last / first:.1f}x the works")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
