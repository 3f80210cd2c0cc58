"""Wall time of a Scholar pull against a local server serving the saved real profile pages.

A pull is what ``profilesync pull --source scholar`` does for one profile: start the worker
process, fetch the page(s) through the HTTP policy (rate limit off, fresh HTTP cache each run, so
every run goes to the server), parse, and map to a snapshot. Also timed: the worker process
alone (a profile page the server answers instantly is mostly start-up), and parsing the
1,114-row Einstein fragment in-process (what a large profile costs beyond start-up).

    python benchmarks/scholar_pull.py [--runs 5]
"""

from __future__ import annotations

import argparse
import http.server
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "scholar"
PROFILES = {
    "LZ5D_p4AAAAJ": "profile_LZ5D_p4AAAAJ_2026.html",
    "P1RwlvoAAAAJ": "profile_P1RwlvoAAAAJ_2026.html",
    "amIMrIEAAAAJ": "profile_amIMrIEAAAAJ_2026.html",
}


def _serve() -> tuple[http.server.ThreadingHTTPServer, str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            user = next((u for u in PROFILES if f"user={u}" in self.path), None)
            if user is None:
                self.send_error(404)
                return
            body = (FIXTURES / PROFILES[user]).read_bytes()
            if user == "amIMrIEAAAAJ" and "cstart=0" not in self.path:
                body = (FIXTURES / PROFILES["P1RwlvoAAAAJ"]).read_bytes()  # a last page for its "Show more"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _pull(base_url: str, user: str) -> tuple[float, int]:
    from profilesync.config import load_config
    from profilesync.connectors import registry
    from profilesync.connectors.base import FetchContext
    from profilesync.model import Person

    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp) / "config.yaml"
        config_path.write_text(
            f'profile:\n  name: Bench\nsources:\n  scholar:\n    id: "{user}"\n    base_url: "{base_url}"\n    min_interval_s: 0\n    timeout_s: 60\n',
            encoding="utf-8",
        )
        connector = registry.create(load_config(config_path), "scholar", {})
        started = time.perf_counter()
        snapshot = connector.fetch(FetchContext(person=Person("Bench"), now=datetime.now(timezone.utc)))
        return time.perf_counter() - started, len(snapshot.works)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    sys.path.insert(0, str(ROOT / "src"))
    server, base_url = _serve()
    try:
        for user in PROFILES:
            times = []
            works = 0
            for _ in range(runs):
                elapsed, works = _pull(base_url, user)
                times.append(elapsed)
            print(f"pull {user}: {works:>3} works  median {statistics.median(times):.2f} s  min {min(times):.2f} s  max {max(times):.2f} s  ({runs} runs)")
    finally:
        server.shutdown()

    from profilesync.connectors.scholar_map import row_to_work
    from profilesync.connectors.scholar_page import parse_rows

    text = (FIXTURES / "gssa_aeinstein_profile_rows_fragment.html").read_text(encoding="utf-8")
    parse_times = []
    for _ in range(runs):
        started = time.perf_counter()
        works = [row_to_work(r, "https://scholar.google.com") for r in parse_rows(text)]
        parse_times.append(time.perf_counter() - started)
    print(f"parse+map 1,114-row fragment (in-process): {len(works)} works  median {statistics.median(parse_times) * 1000:.0f} ms")

    startup = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import profilesync.connectors.scholar_fetch"], check=True)
        startup.append(time.perf_counter() - started)
    print(f"worker start-up (interpreter + imports): median {statistics.median(startup):.2f} s")


if __name__ == "__main__":
    main()
