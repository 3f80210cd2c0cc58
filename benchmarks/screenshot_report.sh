#!/bin/sh
# Render the HTML report of the bundled demo profile and take screenshots of it with a headless
# Chromium (Debian package `chromium`) at a desktop's and a phone's width, to check the page as a
# browser shows it.
#
#   benchmarks/screenshot_report.sh [OUT_DIR]      (default: docs/)
#     -> OUT_DIR/report-screenshot.png (1280 px wide), OUT_DIR/report-screenshot-phone.png (390 px)
#
# Runs offline: the report is built from the cached sample snapshots, and the page loads nothing
# from the network (Chromium's background networking is switched off too). Needs Pillow (the
# `bench` extra) to crop the phone shot and keep the PNGs small.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-"$ROOT/docs"}
PYTHON=${PYTHON:-"$ROOT/.venv/bin/python"}
BROWSER=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$BROWSER" ]; then
    echo "chromium not found: apt-get install -y chromium (or set CHROMIUM=/path/to/browser)" >&2
    exit 2
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# A copy of the demo profile, so the run writes nothing into the repository.
cp -r "$ROOT/config.yaml" "$ROOT/cv.yaml" "$ROOT/cache" "$WORK/"
(cd "$WORK" && "$PYTHON" -m profilesync -q diff --offline --format html --output report.html) || [ $? -eq 1 ]
# Headless Chromium opens no window narrower than 500 px: the phone view is the page in a 390 px
# frame (a srcdoc frame is its own viewport, media queries included), cropped to the frame.
"$PYTHON" - "$WORK/report.html" "$WORK/phone.html" <<'PY'
import html, sys
page = open(sys.argv[1], encoding="utf-8").read()
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write('<!DOCTYPE html><html><body style="margin:0"><iframe style="border:0;width:390px;height:2400px" '
              f'srcdoc="{html.escape(page, quote=True)}"></iframe></body></html>')
PY
shoot() { # URL WIDTH HEIGHT PNG
    "$BROWSER" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$WORK/profile" \
        --window-size="$2,$3" --virtual-time-budget=3000 --screenshot="$4" "$1" 2>/dev/null
}
shoot "file://$WORK/report.html" 1280 2000 "$WORK/desktop.png"
shoot "file://$WORK/phone.html" 500 2400 "$WORK/phone.png"
mkdir -p "$OUT"
# Small committed files: 8-bit palette PNGs; the phone shot cropped to its 390 px frame.
"$PYTHON" - "$WORK" "$OUT" <<'PY'
import sys
from PIL import Image
work, out = sys.argv[1], sys.argv[2]
Image.open(f"{work}/desktop.png").convert("RGB").quantize(colors=64).save(f"{out}/report-screenshot.png", optimize=True)
Image.open(f"{work}/phone.png").convert("RGB").crop((0, 0, 390, 2400)).quantize(colors=64).save(f"{out}/report-screenshot-phone.png", optimize=True)
PY
ls -l "$OUT/report-screenshot.png" "$OUT/report-screenshot-phone.png"
