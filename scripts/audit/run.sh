#!/usr/bin/env bash
# GraphQL-over-HTTP conformance audit of a server binary.
#
# Usage: scripts/audit/run.sh BINARY
#
# Installs the audit's npm dependencies if they are missing, starts BINARY on a free port
# with a fresh data directory, runs audit.mjs against its /graphql endpoint, stops the
# server, and exits with audit.mjs's status (0: conformant, 1: a MUST or SHOULD audit failed).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 BINARY" >&2
  exit 2
fi
binary=$1
if [[ ! -x $binary ]]; then
  echo "$0: $binary is not an executable" >&2
  exit 2
fi

audit_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ ! -d $audit_dir/node_modules ]]; then
  npm ci --prefix "$audit_dir" --no-audit --no-fund
fi

work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

mkdir "$work/data"
"$binary" --data-dir "$work/data" --bind 127.0.0.1:0 >"$work/stdout" 2>"$work/stderr" &
server_pid=$!

# The server prints, once it listens:
#   GraphQL playground: http://127.0.0.1:PORT/  (endpoint: http://127.0.0.1:PORT/graphql)
port=
for _ in $(seq 1 300); do # 300 x 0.1 s = 30 s
  port=$(sed -n 's|^GraphQL playground: http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$work/stdout" | head -n 1)
  [[ -n $port ]] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "$0: $binary exited before it listened; its output:" >&2
    cat "$work/stdout" "$work/stderr" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z $port ]]; then
  echo "$0: $binary did not report its address within 30 s; its output:" >&2
  cat "$work/stdout" "$work/stderr" >&2
  exit 1
fi

status=0
node "$audit_dir/audit.mjs" "http://127.0.0.1:$port/graphql" || status=$?
exit "$status"
