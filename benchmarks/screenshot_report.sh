#!/bin/sh
# Render the HTML report of the bundled demo profile and take a screenshot of it with a
# headless Chromium (Debian package `chromium`), to check the page as a browser shows it.
#
#   benchmarks/screenshot_report.sh [OUT.png]      (default: docs/report-screenshot.png)
#
# Runs offline: the report is built from the cached sample snapshots, and the page loads
# nothing from the network (Chromium's background networking is switched off too).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-"$ROOT/docs/report-screenshot.png"}
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
"$BROWSER" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$WORK/profile" \
    --window-size=1280,2000 --screenshot="$WORK/shot.png" "file://$WORK/report.html" 2>/dev/null
mkdir -p "$(dirname "$OUT")"
# Keep the committed screenshot small: an 8-bit palette PNG if Pillow is there, else as taken.
"$PYTHON" - "$WORK/shot.png" "$OUT" <<'PY'
import shutil, sys
try:
    from PIL import Image
except ImportError:
    shutil.copyfile(sys.argv[1], sys.argv[2])
else:
    Image.open(sys.argv[1]).convert("RGB").quantize(colors=64).save(sys.argv[2], optimize=True)
PY
echo "$OUT ($(wc -c < "$OUT") bytes)"
