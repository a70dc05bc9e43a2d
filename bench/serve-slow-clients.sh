#!/usr/bin/env bash
# Slow clients against `sendlint serve` (issue #22): N connections that never finish a
# request (partial header, one byte every 5 s, idle keep-alive) while a probe asks
# GET /healthz once a second. The server runs under a 256-file limit, as on a laptop
# with a low `ulimit -n`. Prints how many slow connections the server still holds
# every 5 s and the probes' latency. Debug build (the behaviour measured is the
# server's connection handling, not its speed).
#
#   bench/serve-slow-clients.sh [N=300] [SECONDS=60] [extra serve flags...]
# The client is crates/sendlint-serve/examples/slow_clients.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-300}
SECONDS_=${2:-60}
shift $(( $# < 2 ? $# : 2 ))
PORT=${PORT:-18098}
cargo build -q -p sendlint-cli -p sendlint-serve --example slow_clients
(ulimit -n 256; exec target/debug/sendlint-full serve --zone fixtures/demo/zones --listen "127.0.0.1:$PORT" "$@" 2>/dev/null) &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
ulimit -n 4096 2>/dev/null || true
target/debug/examples/slow_clients "127.0.0.1:$PORT" "$N" "$SECONDS_"
