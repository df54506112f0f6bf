#!/usr/bin/env bash
# Check that the GraphiQL playground really renders in a browser (offline).
#
# Usage: scripts/browser-check.sh URL [SCREENSHOT.png]
#   URL             page to load, e.g. http://127.0.0.1:8080/
#   SCREENSHOT.png  optional; also save a 1280x900 screenshot there
#
# Runs Debian's chromium headless, dumps the DOM after JavaScript has run and
# looks for GraphiQL's container and its query editor.
#
# Exit status: 0 rendered, 1 not rendered, 2 usage error or chromium missing.
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

usage() {
  echo "usage: $0 URL [SCREENSHOT.png]" >&2
  exit 2
}

[[ $# -ge 1 && $# -le 2 ]] || usage
url="$1"
shot="${2:-}"
[[ -n "$url" ]] || usage

if [[ ! -x "$CHROMIUM" ]]; then
  echo "error: $CHROMIUM not found; install it with: apt-get install -y chromium" >&2
  exit 2
fi

profile="$(mktemp -d)"
dom="$(mktemp)"
errlog="$(mktemp)"
cleanup() { rm -rf "$profile" "$dom" "$errlog"; }
trap cleanup EXIT

flags=(
  --headless
  --no-sandbox
  --disable-gpu
  --disable-quic
  --no-first-run
  --disable-background-networking
  --disable-component-update
  --disable-sync
  --disable-dev-shm-usage
  --user-data-dir="$profile"
  --virtual-time-budget=15000
)

# Give up rather than hang forever if chromium misbehaves.
run_chromium() {
  if command -v timeout >/dev/null 2>&1; then
    timeout 120 "$CHROMIUM" "$@"
  else
    "$CHROMIUM" "$@"
  fi
}

if ! run_chromium "${flags[@]}" --dump-dom "$url" >"$dom" 2>"$errlog"; then
  echo "chromium failed while loading $url; its stderr (tail):" >&2
  tail -n 20 "$errlog" >&2
fi

rendered=1
grep -q 'graphiql-container' "$dom" || rendered=0
grep -Eq 'graphiql-editor|CodeMirror' "$dom" || rendered=0

if [[ -n "$shot" ]]; then
  # A fresh profile so the screenshot run starts from the same state.
  rm -rf "$profile" && mkdir -p "$profile"
  rm -f "$shot"
  run_chromium "${flags[@]}" --hide-scrollbars --window-size=1280,900 \
    --screenshot="$shot" "$url" >/dev/null 2>>"$errlog" || true
  if [[ -s "$shot" ]]; then
    echo "screenshot saved to $shot"
  else
    echo "warning: no screenshot was written to $shot" >&2
  fi
fi

if [[ $rendered -eq 1 ]]; then
  echo "playground rendered"
  exit 0
fi

echo "playground NOT rendered at $url; first part of the DOM:" >&2
if [[ -s "$dom" ]]; then
  head -c 3000 "$dom" >&2
  echo >&2
else
  echo "(empty DOM; chromium stderr tail follows)" >&2
  tail -n 20 "$errlog" >&2
fi
exit 1
