#!/usr/bin/env bash
# Live DNS against a real authoritative server (not run by CI).
#
# Serves fixtures/demo/zones with NSD on a free 127.0.0.x address, runs
# `sendlint check` for every demo domain against it (--nameserver, live) and
# from the zone files (--zone, offline), and compares the JSON reports. NSD
# does not recurse, so this is the "authoritative server" case of issue 4.
# NSD is set up by bench/lib/nsd.sh, like in the other NSD scripts.
#
#   bash bench/nsd-check.sh            # exit 0 when every domain matches
#
# Needs: nsd (installed with apt-get when missing, as root), python3, cargo.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
NOW=2026-11-26T06:00:00Z

source bench/lib/nsd.sh
nsd_install

# a free 127.0.0.x:5353 (UDP and TCP)
pick_addr() {
  python3 - <<'EOF'
import socket
for last in [53] + list(range(54, 100)):
    ip = f"127.0.0.{last}"
    try:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind((ip, 5353))
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM); t.bind((ip, 5353))
        u.close(); t.close(); print(ip); break
    except OSError:
        pass
EOF
}
IP=$(pick_addr)
[ -n "$IP" ] || { echo "no free 127.0.0.x:5353" >&2; exit 2; }
PORT=5353

TMP=$(mktemp -d)
cleanup() {
  nsd_stop
  rm -rf "$TMP"
}
trap cleanup EXIT

ZONES="$ROOT/fixtures/demo/zones"
nsd_start "$TMP" "$IP" "$PORT" "$ZONES"
LAST=$(ls "$ZONES" | tail -1)
nsd_wait "${LAST%.zone}"
echo "nsd $(nsd_version) serving $(ls "$ZONES" | wc -l) demo zones on $IP:$PORT"
grep -i "error\|warning" "$TMP/nsd.log" >&2 || true

cargo build --release -q -p sendlint-cli
BIN="$ROOT/target/release/sendlint"

# one `check` command line per manifest entry (setup flags only)
python3 - "$ROOT/fixtures/demo/manifest.json" >"$TMP/domains" <<'EOF'
import json, shlex, sys
for d in json.load(open(sys.argv[1]))["domains"]:
    args = [d["domain"], "--region", d["region"], "--selector", d["dkim_selector"],
            "--public-key", d["dkim_public_key"]]
    if "mail_from" in d: args += ["--mail-from", d["mail_from"]]
    for a in d.get("from_addresses", []): args += ["--from", a]
    if "submitted_at" in d: args += ["--submitted-at", d["submitted_at"]]
    print(shlex.join(args))
EOF

same=0; differ=0
while IFS= read -r line; do
  eval "set -- $line"
  domain=$1
  set +e
  "$BIN" check "$@" --now "$NOW" --format json --nameserver "$IP:$PORT" --record "$TMP/$domain.rec.json" >"$TMP/live.json" 2>"$TMP/live.err"
  live_rc=$?
  "$BIN" check "$@" --now "$NOW" --format json --zone "$ZONES" >"$TMP/offline.json" 2>"$TMP/offline.err"
  off_rc=$?
  "$BIN" check "$@" --now "$NOW" --format json --replay "$TMP/$domain.rec.json" >"$TMP/replay.json" 2>"$TMP/replay.err"
  set -e
  codes=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(" ".join(sorted({d["code"] for x in r["records"] for d in x["diagnoses"]} | {d["code"] for d in r["diagnoses"]})) or "-")' "$TMP/live.json" 2>/dev/null || echo "?")
  if cmp -s "$TMP/live.json" "$TMP/offline.json" && [ "$live_rc" = "$off_rc" ]; then
    same=$((same + 1))
    replay=$(cmp -s "$TMP/live.json" "$TMP/replay.json" && echo "replay identical" || echo "REPLAY DIFFERS")
    echo "same     $domain (exit $live_rc; $codes; $replay)"
  else
    differ=$((differ + 1))
    echo "DIFFERS  $domain (exit live $live_rc, offline $off_rc)"
    cat "$TMP/live.err" "$TMP/offline.err" >&2
    diff <(python3 -m json.tool "$TMP/offline.json" 2>/dev/null) <(python3 -m json.tool "$TMP/live.json" 2>/dev/null) | head -40 || true
  fi
done <"$TMP/domains"

echo "$same same, $differ different (live via NSD at $IP:$PORT vs --zone)"
[ "$differ" -eq 0 ]
