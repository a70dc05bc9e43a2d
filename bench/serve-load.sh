#!/usr/bin/env bash
# Latency of `POST /api/v1/check` under load (p50/p99): `sendlint serve` from the
# demo zone files, release build, CLIENTS concurrent keep-alive clients for SECONDS
# (default 50 for 30 s), each posting the demo's mail.globex.test entry.
# The load generator is crates/sendlint-serve/examples/load.rs (tokio, no deps).
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${1:-50}
SECONDS_=${2:-30}
PORT=${PORT:-18099}
cargo build --release -q -p sendlint-cli -p sendlint-serve --example load
python3 -c 'import json; m = json.load(open("fixtures/demo/manifest.json")); print(json.dumps(m["domains"][1]))' > target/serve-load-body.json
# --max-checks above CLIENTS: measure latency, not the 429 path
target/release/sendlint serve --zone fixtures/demo/zones --listen "127.0.0.1:$PORT" --max-checks 256 2>/dev/null &
SERVER=$!
trap 'kill $SERVER' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
target/release/examples/load "http://127.0.0.1:$PORT/api/v1/check" target/serve-load-body.json "$CLIENTS" "$SECONDS_"
