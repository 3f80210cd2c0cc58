"""The text report of the real pipeline on a 250-record profile, end to end.

Takes a real DBLP person page, keeps its first 250 records, writes a CV of them as a researcher
keeps it (the titles, authors, venues and years of DBLP, but only every tenth work with its DOI,
pages and arXiv id) with eight planted differences (a preprint that was published, a reworded
title, a title in lower case, a wrong year, a wrong venue, a missing author, two works the CV
lacks), serves the page from a local HTTP server, and runs `profilesync pull` and
`profilesync diff` (text, --explain and JSON) in a temporary directory. Prints the report's
measures (see report_scale.py) and, with --show, the compact text report.

    python benchmarks/report_pipeline.py [--page tests/fixtures/report/he_ying_h-YingHe1.xml.gz] [--show]
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from lxml import etree
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests"), str(Path(__file__).resolve().parent)]

from report_scale import baseline_renderer, measure  # noqa: E402

from profilesync.connectors.dblp_xml import parse_person_xml  # noqa: E402
from profilesync.model import WorkType  # noqa: E402
from profilesync.normalize.names import strip_dblp_suffix  # noqa: E402
from profilesync.normalize.text import clean_title, normalize_title  # noqa: E402
from report_profile import cv_key  # noqa: E402

PAGE = ROOT / "tests" / "fixtures" / "report" / "he_ying_h-YingHe1.xml.gz"


def trimmed_page(data: bytes, records: int) -> tuple[bytes, str]:
    """The page with only its first ``records`` publication records (DBLP's ``n`` updated)."""
    root = etree.fromstring(data)
    rs = root.findall("r")
    for r in rs[records:]:
        root.remove(r)
    root.set("n", str(min(records, len(rs))))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), root.get("pid") or ""


def cv_entries(xml: bytes, pid: str) -> tuple[str, list[dict[str, Any]], list[str]]:
    """The CV's publications and what was planted."""
    person = parse_person_xml(xml, f"https://dblp.org/pid/{pid}.xml")
    taken: set[str] = set()
    works = [(cv_key(w, taken), w) for w in person.works]
    published = {normalize_title(w.title): k for k, w in works if w.type is not WorkType.PREPRINT}
    planted: list[str] = []
    # The published version of the first preprint that has one is not in the CV yet.
    pair = next(((k, published[normalize_title(w.title)]) for k, w in works if w.type is WorkType.PREPRINT and normalize_title(w.title) in published), None)
    drop = {pair[1]} if pair else set()
    if pair:
        planted.append(f"new_version: {pair[0]} (its published version {pair[1]} is not in the CV)")
    entries = []
    plain = [k for k, w in works if w.type is not WorkType.PREPRINT and k not in drop and len(w.authors) >= 4]
    retitle, lower, wrong_year, wrong_venue, fewer_authors, missing_a, missing_b = plain[3], plain[10], plain[20], plain[30], plain[40], plain[50], plain[60]
    drop |= {missing_a, missing_b}
    planted += [f"missing_in_cv: {missing_a}", f"missing_in_cv: {missing_b}"]
    for i, (key, work) in enumerate(works):
        if key in drop:
            continue
        entry: dict[str, Any] = {
            "key": key,
            "title": clean_title(work.title),
            "authors": [strip_dblp_suffix(a.name) for a in work.authors],
            "venue": work.venue_acronym or work.venue,
            "year": work.year,
            "type": work.type.value if work.type.value in ("conference", "journal", "preprint", "chapter", "book", "thesis") else "other",
        }
        keep_ids = i % 10 == 0
        if keep_ids and work.pages:
            entry["pages"] = work.pages
        entry["ids"] = {"doi": work.ids.doi if keep_ids else None, "arxiv": work.ids.arxiv if keep_ids else None}
        if key == retitle:
            entry["title"] = " ".join(entry["title"].split()[:-1] + ["Systems"])
            planted.append(f"field_differs title: {key}")
        elif key == lower:
            entry["title"] = entry["title"].lower()
            planted.append(f"field_differs title (case): {key}")
        elif key == wrong_year:
            entry["year"] = work.year + 1
            planted.append(f"field_differs year: {key}")
        elif key == wrong_venue:
            entry["venue"] = "Workshop"
            planted.append(f"field_differs venue: {key}")
        elif key == fewer_authors:
            entry["authors"] = entry["authors"][:-1]
            planted.append(f"field_differs authors: {key}")
        entries.append(entry)
    return strip_dblp_suffix(person.person.name), entries, planted


class _Handler(http.server.BaseHTTPRequestHandler):
    pages: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = self.pages.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/xml")
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: Any) -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", type=Path, default=PAGE)
    parser.add_argument("--records", type=int, default=250)
    parser.add_argument("--baseline", metavar="REV", help="also render the JSON report with this git revision's text renderer")
    parser.add_argument("--show", action="store_true", help="print the compact text report")
    args = parser.parse_args(argv)
    data = args.page.read_bytes()
    xml, pid = trimmed_page(gzip.decompress(data) if args.page.suffix == ".gz" else data, args.records)
    name, entries, planted = cv_entries(xml, pid)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.pages = {f"/pid/{pid}.xml": xml}
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            yaml = YAML()
            with (work / "cv.yaml").open("w", encoding="utf-8") as handle:
                yaml.dump({"person": {"name": name}, "publications": entries}, handle)
            (work / "config.yaml").write_text(
                f"profile:\n  name: {json.dumps(name)}\ncv: cv.yaml\ncache_dir: cache\ncontact_email: report@example.org\n"
                f"sources:\n  dblp:\n    id: {json.dumps(pid)}\n    base_url: http://127.0.0.1:{httpd.server_address[1]}\n    min_interval_s: 0\n    retries: 0\n",
                encoding="utf-8",
            )
            env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"}
            env.pop("ORCID_TOKEN", None)
            env.pop("GITHUB_TOKEN", None)
            cmd = [sys.executable, "-m", "profilesync"]
            pull = subprocess.run([*cmd, "pull", "--source", "dblp"], cwd=work, env=env, capture_output=True, text=True, check=False)
            if pull.returncode != 0:
                print(pull.stderr, file=sys.stderr)
                return pull.returncode
            outputs = {}
            for label, extra in (("text", []), ("explain", ["--explain"]), ("json", ["--format", "json"])):
                diff = subprocess.run([*cmd, "diff", "--offline", "--source", "dblp", *extra], cwd=work, env=env, capture_output=True, text=True, check=False)
                if diff.returncode not in (0, 1, 3):
                    print(diff.stderr, file=sys.stderr)
                    return diff.returncode
                outputs[label] = diff.stdout
    finally:
        httpd.shutdown()
        httpd.server_close()

    report = json.loads(outputs["json"])
    print(f"{len(entries)} CV entries, {args.records} DBLP records of {pid}; planted:")
    for line in planted:
        print(f"  {line}")
    counts: dict[str, int] = {}
    for change in report["changes"]:
        counts[change["kind"]] = counts.get(change["kind"], 0) + 1
    print(f"{len(report['changes'])} changes: {counts}")
    rows = []
    if args.baseline:
        old = baseline_renderer(args.baseline)
        rows += [(args.baseline[:10], measure(old(report), report)), (f"{args.baseline[:10]} --explain", measure(old(report, explain=True), report))]
    rows += [("now", measure(outputs["text"], report)), ("now --explain", measure(outputs["explain"], report))]
    columns = ["lines", "widest", "over", "last change", "first addition", "unfound"]
    print(f"{'renderer':<22}" + "".join(f"{c:>16}" for c in columns))
    for label, row in rows:
        print(f"{label:<22}" + "".join(f"{'-' if row[c] is None else row[c]:>16}" for c in columns))
    if args.show:
        print(outputs["text"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
