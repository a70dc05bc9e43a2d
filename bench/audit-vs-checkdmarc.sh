#!/usr/bin/env bash
# `sendlint audit` against a local authoritative server (NSD), and checkdmarc in
# the same run against the same server (target: >= 500 domains/s at N = 2000 on
# 2 cores, >= 10x checkdmarc; 100,000 domains under 150 MB peak RSS).
#
#   bash bench/audit-vs-checkdmarc.sh [N] [RUNS]      # N = 2000, RUNS = 3
#   CHECKDMARC=0 bash bench/audit-vs-checkdmarc.sh 100000 1   # the 100k RSS run
#
# - Generates a workspace of N domains (bench/gen-workspace.py).
# - Runs everything inside a fresh network namespace (`unshare -n`, loopback
#   only): nothing can leave 127.0.0.0/8, and port 53 is free for NSD, which
#   checkdmarc needs (its --nameserver takes an address, not a port).
# - NSD serves every zone (plus amazonses.com's SPF) on 127.0.0.53:53.
# - sendlint: `audit MANIFEST --nameserver 127.0.0.53:53 --format json`.
#   checkdmarc: `checkdmarc -n 127.0.0.53 -f json -o … FILE` over the MAIL FROM
#   names (send.D: its MX, SPF with the amazonses.com include, DMARC with the
#   organizational fallback, plus NS/SOA/DNSSEC/MTA-STS/TLS-RPT/BIMI lookups).
# - Queries per domain: NSD's own counter (nsd-control stats_noreset, num.queries)
#   before and after each tool. Peak RSS: /usr/bin/time -v.
# - Medians over RUNS runs of each tool, alternating, in one invocation.
#
# Needs root (unshare, NSD on port 53), nsd, python3, pip's checkdmarc.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${1:-2000}
RUNS=${2:-3}
CHECKDMARC=${CHECKDMARC:-1}
NOW=2026-11-26T06:00:00Z
IP=127.0.0.53

if [ -z "${SENDLINT_BENCH_NETNS:-}" ]; then
  if ! command -v nsd >/dev/null 2>&1 && [ ! -x /usr/sbin/nsd ]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nsd >/dev/null
  fi
  if [ "$CHECKDMARC" = 1 ] && ! command -v checkdmarc >/dev/null 2>&1; then
    pip install -q checkdmarc
  fi
  cargo build --release -q -p sendlint-cli
  # loopback-only network namespace: nothing leaves 127.0.0.0/8
  exec env SENDLINT_BENCH_NETNS=1 unshare -n bash "$0" "$@"
fi
ip link set lo up

BIN="$ROOT/target/release/sendlint"
NSD=$(command -v nsd || echo /usr/sbin/nsd)
TMP=$(mktemp -d)
NSD_PID=
cleanup() {
  if [ -n "$NSD_PID" ]; then kill "$NSD_PID" 2>/dev/null || true; wait "$NSD_PID" 2>/dev/null || true; fi
  if [ -n "${KEEP:-}" ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

python3 bench/gen-workspace.py --domains "$N" --out "$TMP/ws" >&2
ZONES="$TMP/ws/zones"
{
  cat <<EOF
server:
    ip-address: $IP@53
    do-ip6: no
    zonesdir: "$ZONES"
    username: ""
    chroot: ""
    pidfile: "$TMP/nsd.pid"
    database: ""
    zonelistfile: "$TMP/zone.list"
    xfrdfile: "$TMP/xfrd.state"
    xfrdir: "$TMP"
    logfile: "$TMP/nsd.log"
    verbosity: 0
    server-count: 1
    refuse-any: yes
remote-control:
    control-enable: yes
    control-interface: "$TMP/nsd.ctl"
EOF
  for f in "$ZONES"/*.zone; do
    b=${f##*/}
    printf 'zone:\n    name: "%s"\n    zonefile: "%s"\n' "${b%.zone}" "$b"
  done
} >"$TMP/nsd.conf"

"$NSD" -d -c "$TMP/nsd.conf" 2>>"$TMP/nsd.log" &
NSD_PID=$!
queries() { nsd-control -c "$TMP/nsd.conf" stats_noreset 2>/dev/null | sed -n 's/^num.queries=//p'; }
# wait until NSD answers for the last zone
LAST=$(ls "$ZONES" | tail -1); LAST=${LAST%.zone}
for _ in $(seq 1 600); do
  kill -0 "$NSD_PID" 2>/dev/null || { echo "nsd exited" >&2; cat "$TMP/nsd.log" >&2; exit 2; }
  if [ -n "$(queries)" ] && python3 - "$IP" "$LAST" <<'EOF' 2>/dev/null; then break; fi
import socket, struct, sys
ip, name = sys.argv[1], sys.argv[2]
q = struct.pack(">HHHHHH", 7, 0, 1, 0, 0, 0) + b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0" + struct.pack(">HH", 6, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.5); s.sendto(q, (ip, 53))
r = s.recv(4096); sys.exit(0 if (r[3] & 15) == 0 and struct.unpack(">H", r[6:8])[0] > 0 else 1)
EOF
  sleep 0.2
done
echo "nsd $("$NSD" -v 2>&1 | head -1 | awk '{print $3}') serving $(ls "$ZONES" | wc -l) zones on $IP:53 (N = $N)" >&2

# run LABEL CMD…: wall seconds, NSD queries, peak RSS (KB) appended to $TMP/LABEL.runs
run() {
  local label=$1; shift
  local q0 q1 t0 t1
  q0=$(queries); t0=$(date +%s.%N)
  /usr/bin/time -v -o "$TMP/time.txt" "$@" >/dev/null 2>"$TMP/$label.err" || true
  t1=$(date +%s.%N); q1=$(queries)
  local rss; rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/time.txt")
  echo "$t0 $t1 $q0 $q1 $rss" >>"$TMP/$label.runs"
}

for r in $(seq 1 "$RUNS"); do
  run sendlint "$BIN" audit "$TMP/ws/manifest.json" --nameserver "$IP:53" --format json \
    --output "$TMP/sendlint.jsonl" --now "$NOW" --stats
  if [ "$CHECKDMARC" = 1 ]; then
    run checkdmarc checkdmarc "$TMP/ws/mailfrom-domains.txt" -f json -t 2 -n "$IP" -o "$TMP/checkdmarc.json"
  fi
done

LINES=$(wc -l <"$TMP/sendlint.jsonl")
[ "$LINES" -eq "$N" ] || { echo "sendlint wrote $LINES lines for $N entries" >&2; cat "$TMP/sendlint.err" >&2; exit 2; }
echo "sendlint counters (last run): $(tail -1 "$TMP/sendlint.err")" >&2
python3 - "$TMP" "$N" "$CHECKDMARC" "$(wc -l <"$TMP/ws/mailfrom-domains.txt")" <<'EOF'
import statistics, sys
tmp, n, with_cd, n_mailfrom = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", int(sys.argv[4])
def load(label, n):
    rows = [list(map(float, l.split())) for l in open(f"{tmp}/{label}.runs")]
    rate = statistics.median(n / (t1 - t0) for t0, t1, *_ in rows)
    qpd = statistics.median((q1 - q0) / n for _, _, q0, q1, _ in rows)
    rss = max(r[4] for r in rows) / 1024
    return rate, qpd, rss, len(rows)
s = load("sendlint", n)
print(f"N = {n} domains ({n_mailfrom} distinct MAIL FROM names for checkdmarc), medians of {s[3]} run(s), NSD on 127.0.0.53:53, 2 cores")
print(f"  sendlint audit : {s[0]:8.1f} domains/s  {s[1]:5.2f} queries/domain  peak RSS {s[2]:6.1f} MB")
if with_cd:
    c = load("checkdmarc", n_mailfrom)
    print(f"  checkdmarc     : {c[0]:8.1f} domains/s  {c[1]:5.2f} queries/domain  peak RSS {c[2]:6.1f} MB")
    print(f"  ratio          : {s[0] / c[0]:8.1f}x")
EOF
