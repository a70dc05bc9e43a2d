#!/usr/bin/env bash
# The API contract as third-party tools see it: schemathesis (`--checks all`)
# against `sendlint serve` on the demo workspace (zone files), without and then
# with a bearer token. Any failure exits non-zero.
#
#   tests/schemathesis/run.sh                 # builds sendlint-full (debug) first
#   SENDLINT_FULL=path/to/sendlint-full tests/schemathesis/run.sh
#   ST_MAX_EXAMPLES=50 tests/schemathesis/run.sh
#
# schemathesis comes from PyPI into a virtual environment under target/
# (SCHEMATHESIS_VENV to use another); its version is pinned below.
set -euo pipefail
cd "$(dirname "$0")/../.."

ST_VERSION="4.32.5"
VENV="${SCHEMATHESIS_VENV:-target/schemathesis-venv}"
MAX_EXAMPLES="${ST_MAX_EXAMPLES:-50}"
OUT="target/schemathesis"
mkdir -p "$OUT"

if [ ! -x "$VENV/bin/st" ] || ! "$VENV/bin/st" --version 2>/dev/null | grep -q "$ST_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$ST_VERSION"
fi

if [ -z "${SENDLINT_FULL:-}" ]; then
  cargo build --quiet --locked -p sendlint-cli --bin sendlint-full
  SENDLINT_FULL="target/debug/sendlint-full"
fi

SERVER_PID=""
stop() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap stop EXIT

# Starts the server with "$@" on a free port; sets BASE.
start() {
  local log="$OUT/serve-$1.log"
  shift
  "$SENDLINT_FULL" serve fixtures/demo/manifest.json --zone fixtures/demo/zones \
    --listen 127.0.0.1:0 --refresh 300s "$@" 2>"$log" &
  SERVER_PID=$!
  BASE=""
  for _ in $(seq 1 100); do
    BASE=$(sed -n 's|.*listening on \(http://[^/]*\)/.*|\1|p' "$log" | head -n 1)
    [ -n "$BASE" ] && break
    sleep 0.1
  done
  if [ -z "$BASE" ]; then
    echo "sendlint serve did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  # the workspace routes answer 503 until the first round: wait for it
  python3 - "$BASE/api/v1/domains" "$AUTH_HEADER" <<'PY'
import sys, time, urllib.request
url, auth = sys.argv[1], sys.argv[2]
for _ in range(200):
    request = urllib.request.Request(url)
    if auth:
        name, _, value = auth.partition(": ")
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            if b'"checked_at":"' in answer.read():
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
sys.exit("the workspace was never checked")
PY
}

# Runs schemathesis against the running server; "$@" are extra arguments.
run() {
  local name="$1"
  shift
  echo "== schemathesis: $name ($BASE)"
  # one worker: with two, Python 3.11's `ast` module (which Hypothesis calls to
  # describe its strategies) can fail across threads ("AST constructor recursion
  # depth mismatch"), an error of the tool, not of the API
  "$VENV/bin/st" --config-file tests/schemathesis/schemathesis.toml run "$BASE/api/v1/openapi.json" \
    --checks all \
    --max-examples "$MAX_EXAMPLES" \
    --seed "${ST_SEED:-20261207}" \
    --workers 1 \
    --request-timeout 20 \
    --no-color \
    --report junit --report-junit-path "$OUT/$name.xml" \
    "$@"
}

status=0

AUTH_HEADER=""
start no-token
run no-token || status=1
stop

TOKEN="schemathesis-$$-token"
AUTH_HEADER="Authorization: Bearer $TOKEN"
start token --token "$TOKEN"
run token -H "Authorization: Bearer $TOKEN" || status=1
stop

exit "$status"
