#!/usr/bin/env bash
# The route53 form of `sendlint fix` against a Route 53 API implementation:
# moto's server (PyPI, in a virtual environment under target/) serves a hosted
# zone per broken demo domain; loop.py applies each change batch with boto3,
# reads the zone back and checks it with sendlint (see loop.py). Any failure
# exits non-zero.
#
#   tests/route53/run.sh                      # builds sendlint (debug) first
#   SENDLINT=path/to/sendlint tests/route53/run.sh
#
# moto, boto3 and dnspython come from PyPI into target/route53-venv
# (ROUTE53_VENV to use another); their versions are pinned below.
set -euo pipefail
cd "$(dirname "$0")/../.."

MOTO_VERSION="5.2.6"
BOTO3_VERSION="1.44.18"
DNSPYTHON_VERSION="2.9.2"
VENV="${ROUTE53_VENV:-target/route53-venv}"
OUT="target/route53"
rm -rf "$OUT"
mkdir -p "$OUT"

if [ ! -x "$VENV/bin/moto_server" ] || ! "$VENV/bin/pip" show moto 2>/dev/null | grep -q "^Version: $MOTO_VERSION$"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "moto[server]==$MOTO_VERSION" "boto3==$BOTO3_VERSION" "dnspython==$DNSPYTHON_VERSION"
fi

if [ -z "${SENDLINT:-}" ]; then
  cargo build --quiet --locked -p sendlint-cli --bin sendlint
  SENDLINT="target/debug/sendlint"
fi

SERVER_PID=""
stop() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap stop EXIT

PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$OUT/moto.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  if "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/moto-api/')" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "moto_server did not start:" >&2
    cat "$OUT/moto.log" >&2
    exit 1
  fi
  sleep 0.2
done

"$VENV/bin/python" tests/route53/loop.py "$SENDLINT" "http://127.0.0.1:$PORT" "$OUT"
