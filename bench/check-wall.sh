#!/usr/bin/env bash
# Wall time of one `sendlint check` from zone files, release build, process
# start to exit (target: under 50 ms). Uses hyperfine when present.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p sendlint-cli
BIN=target/release/sendlint
ARGS=(check mail.acme.test --selector sf1 --public-key-file fixtures/keys/sf1-2048.b64 --zone fixtures/demo/zones --format json)
if ! command -v hyperfine >/dev/null; then
  echo "hyperfine not found: apt-get install -y hyperfine" >&2
  exit 2
fi
# `true` is the baseline: process start cost on this machine, same invocation.
hyperfine -N -i --warmup 5 --runs 50 --export-json target/check-wall.json \
  "true" "$BIN ${ARGS[*]}" || true
python3 - <<'PY'
import json
d = json.load(open("target/check-wall.json"))
for r in d["results"]:
    print(f'{r["command"][:60]:<60} median {r["median"]*1000:.2f} ms  (min {r["min"]*1000:.2f}, max {r["max"]*1000:.2f})')
PY
