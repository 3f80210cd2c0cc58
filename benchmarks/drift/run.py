"""Drift benchmark: generate a drifted CV from each corpus page, run the real CLI, score the report.

    python benchmarks/drift/run.py [--seed N] [--pages a,b] [--variant yaml|yaml-pyyaml|bib ...]

For every page and CV variant, in a fresh temp directory: the (drifted) DBLP page is served by a
local HTTP server on 127.0.0.1, ``profilesync pull --source dblp`` and ``profilesync diff --format
json`` run as subprocesses of this Python with this checkout's ``src`` first on the path, against
a generated config whose ``sources.dblp.base_url`` points at the server. The report is then scored
against the planted truth. It is a measurement: the exit code is 0 whatever the scores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SRC = HERE.parent.parent / "src"
for path in (str(HERE), str(SRC)):
    if path not in sys.path:
        sys.path.insert(0, path)

from corpus import Page, load_pages  # noqa: E402
from cvfiles import VARIANTS, write_cv  # noqa: E402
from generate import Case, generate  # noqa: E402
from score import Score, format_table, score_report  # noqa: E402


class _Server:
    """Serves one page at ``/pid/<pid>.xml`` on 127.0.0.1; anything else is 404."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header(
                    "Content-Type", "application/xml; charset=utf-8" if body is not None else "text/plain"
                )
                payload = body if body is not None else b"not found"
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def write_config(workdir: Path, case: Case, variant: str, base_url: str) -> None:
    cv_name, text = write_cv(case, variant)
    (workdir / cv_name).write_text(text, encoding="utf-8")
    cv = f"{{path: {cv_name}, format: bibtex}}" if variant == "bib" else cv_name
    (workdir / "config.yaml").write_text(
        f"profile:\n  name: {json.dumps(case.name)}\ncv: {cv}\ncache_dir: cache\ncontact_email: drift@example.org\n"
        f"sources:\n  dblp:\n    id: {json.dumps(case.pid)}\n    base_url: {base_url}\n    min_interval_s: 0\n    retries: 0\n",
        encoding="utf-8",
    )


def _first_error(text: str) -> str:
    """The first error line of the CLI's output and how many there were (a refused CV names every entry)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith("error")] or lines[-1:]
    if not errors:
        return "no output"
    more = f" (and {len(errors) - 1} more error lines)" if len(errors) > 1 else ""
    return errors[0][:300] + more


def run_cli(
    case: Case, variant: str, server: _Server, workdir: Path
) -> tuple[list[dict[str, Any]] | None, str | None]:
    """Pull and diff with the real CLI; (changes, None) or (None, why there is no report)."""
    server.pages.clear()
    server.pages[f"/pid/{case.pid}.xml"] = case.xml
    write_config(workdir, case, variant, server.base_url)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    env.pop("ORCID_TOKEN", None)
    env.pop("GITHUB_TOKEN", None)
    cmd = [sys.executable, "-m", "profilesync"]
    pull = subprocess.run(
        [*cmd, "pull", "--source", "dblp"], cwd=workdir, env=env, capture_output=True, text=True, timeout=600
    )
    if pull.returncode != 0:
        return None, f"pull exited {pull.returncode}: {_first_error(pull.stderr or pull.stdout)}"
    diff = subprocess.run(
        [*cmd, "diff", "--format", "json"], cwd=workdir, env=env, capture_output=True, text=True, timeout=600
    )
    if diff.returncode not in (0, 1):
        return None, f"diff exited {diff.returncode}: {_first_error(diff.stderr or diff.stdout)}"
    try:
        report = json.loads(diff.stdout)
    except json.JSONDecodeError as exc:
        return None, f"diff printed no JSON report ({exc})"
    return list(report.get("changes", [])), None


def run(
    pages: list[Page],
    variants: list[str],
    seed: int,
    *,
    keep: Path | None = None,
    examples: int = 3,
    out=sys.stdout,
    donors: list[Page] | None = None,
) -> dict[str, Score]:
    """Score every page x variant; prints per-page and overall tables, returns overall per variant."""
    overall = {v: Score() for v in variants}
    server = _Server()
    try:
        for page in pages:
            case = generate(page, seed, donors=donors if donors is not None else pages)
            stats = ", ".join(f"{k} {v}" for k, v in case.stats.items())
            planted = len(case.truth)
            print(
                f"\n=== page {page.page_id} ({page.name}, pid {page.pid}, from {page.origin}): {stats}, {planted} planted changes",
                file=out,
            )
            for variant in variants:
                with tempfile.TemporaryDirectory(prefix=f"drift-{page.page_id}-{variant}-") as tmp:
                    workdir = Path(tmp)
                    changes, failure = run_cli(case, variant, server, workdir)
                    if keep is not None:
                        target = keep / f"{page.page_id}-{variant}"
                        target.mkdir(parents=True, exist_ok=True)
                        for f in workdir.iterdir():
                            if f.is_file():
                                (target / f.name).write_bytes(f.read_bytes())
                        (target / "page.xml").write_bytes(case.xml)
                        (target / "changes.json").write_text(
                            json.dumps(changes, indent=1, ensure_ascii=False), encoding="utf-8"
                        )
                        (target / "truth.json").write_text(
                            json.dumps(
                                [
                                    {
                                        "kind": t.kind.value,
                                        "cv_key": case.cv_key(t.entry, variant),
                                        "records": t.records,
                                        "field": t.field,
                                        "value": t.value,
                                        "note": t.note,
                                    }
                                    for t in case.truth
                                ],
                                indent=1,
                                ensure_ascii=False,
                                default=str,
                            ),
                            encoding="utf-8",
                        )
                score = score_report(case, variant, changes, failure)
                overall[variant].add(score)
                if failure:
                    overall[variant].failure = "; ".join(
                        filter(None, [overall[variant].failure, f"{page.page_id}: {failure}"])
                    )
                print(format_table(f"--- {page.page_id} / {variant}", score, examples=examples), file=out)
    finally:
        server.close()
    for variant in variants:
        print(
            format_table(
                f"\n##### OVERALL / {variant} ({len(pages)} pages, seed {seed})",
                overall[variant],
                examples=examples,
            ),
            file=out,
        )
    return overall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument(
        "--pages", default="", help="comma-separated page ids (file stems under pages/); default all"
    )
    parser.add_argument(
        "--variant",
        action="append",
        choices=VARIANTS,
        help="CV variant; repeat for several (default all three)",
    )
    parser.add_argument(
        "--examples", type=int, default=3, help="examples shown per failure class (default 3)"
    )
    parser.add_argument("--keep", type=Path, help="copy each run's CV, config, page, changes and truth here")
    args = parser.parse_args(argv)
    pages = load_pages([p for p in args.pages.split(",") if p] or None)
    # Namesake records and CV-only works come from the other pages of the whole corpus, so a
    # page's case is the same whether it runs alone or with the others.
    run(pages, args.variant or list(VARIANTS), args.seed, keep=args.keep, examples=args.examples, donors=load_pages())
    return 0


if __name__ == "__main__":
    sys.exit(main())
