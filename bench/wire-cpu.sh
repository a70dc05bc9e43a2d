#!/usr/bin/env bash
# CPU per DNS query of `sendlint audit --nameserver`: two binaries against the
# same NSD in one invocation, alternating (the machine is shared and noisy).
#
#   bash bench/wire-cpu.sh BEFORE_BIN AFTER_BIN [N] [RUNS]     # N = 2000, RUNS = 5
#
# - A generated workspace of N domains (bench/gen-workspace.py, seed 7).
# - NSD on 127.0.0.53:53 inside a loopback-only network namespace
#   (`unshare -n`), response rate limiting off (`rrl-ratelimit: 0`: its
#   default throttles a fast client and says nothing about the client).
# - Per run: wall time, user+system CPU of the client (/usr/bin/time -v), and
#   the queries NSD counted (nsd-control stats_noreset, num.queries).
# - Prints medians: domains/s, queries/domain, CPU µs per query and per
#   domain, peak RSS; and checks both binaries wrote the same report.
#
# Needs root (unshare, port 53) and nsd.
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=${1:?before binary}
AFTER=${2:?after binary}
N=${3:-2000}
RUNS=${4:-5}
NOW=2026-11-26T06:00:00Z
IP=127.0.0.53

if [ -z "${SENDLINT_BENCH_NETNS:-}" ]; then
  exec env SENDLINT_BENCH_NETNS=1 unshare -n bash "$0" "$@"
fi
ip link set lo up

NSD=$(command -v nsd || echo /usr/sbin/nsd)
TMP=$(mktemp -d)
NSD_PID=
cleanup() {
  if [ -n "$NSD_PID" ]; then kill "$NSD_PID" 2>/dev/null || true; wait "$NSD_PID" 2>/dev/null || true; fi
  if [ -n "${KEEP:-}" ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

python3 bench/gen-workspace.py --domains "$N" --out "$TMP/ws" --seed 7 >&2
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
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
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
echo "nsd serving $(ls "$ZONES" | wc -l) zones on $IP:53 (N = $N), RRL off" >&2

# run LABEL BIN: wall, NSD queries, CPU seconds, peak RSS appended to $TMP/LABEL.runs
run() {
  local label=$1 bin=$2 q0 q1 t0 t1
  q0=$(queries); t0=$(date +%s.%N)
  /usr/bin/time -v -o "$TMP/time.txt" "$bin" audit "$TMP/ws/manifest.json" --nameserver "$IP:53" \
    --format json --output "$TMP/$label.jsonl" --now "$NOW" --stats >/dev/null 2>"$TMP/$label.err" || true
  t1=$(date +%s.%N); q1=$(queries)
  local user sys rss
  user=$(sed -n 's/.*User time (seconds): //p' "$TMP/time.txt")
  sys=$(sed -n 's/.*System time (seconds): //p' "$TMP/time.txt")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/time.txt")
  echo "$t0 $t1 $q0 $q1 $user $sys $rss" >>"$TMP/$label.runs"
}

for _ in $(seq 1 "$RUNS"); do
  run before "$BEFORE"
  run after "$AFTER"
done
echo "before --stats: $(tail -1 "$TMP/before.err")" >&2
echo "after  --stats: $(tail -1 "$TMP/after.err")" >&2
sort_lines() { python3 -c 'import json,sys; [print(json.dumps(v, sort_keys=True)) for v in sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda v: v.get("index", 0))]' "$1"; }
if cmp -s <(sort_lines "$TMP/before.jsonl") <(sort_lines "$TMP/after.jsonl"); then
  echo "reports: identical ($(wc -l <"$TMP/after.jsonl") lines)" >&2
else
  echo "reports: DIFFER" >&2
  diff <(sort_lines "$TMP/before.jsonl") <(sort_lines "$TMP/after.jsonl") | head -20 >&2 || true
fi
python3 - "$TMP" "$N" <<'EOF'
import statistics, sys
tmp, n = sys.argv[1], int(sys.argv[2])
def load(label):
    rows = [list(map(float, l.split())) for l in open(f"{tmp}/{label}.runs")]
    med = lambda f: statistics.median(f(*r) for r in rows)
    rate = med(lambda t0, t1, *_: n / (t1 - t0))
    qpd = med(lambda t0, t1, q0, q1, *_: (q1 - q0) / n)
    cpu_q = med(lambda t0, t1, q0, q1, u, s, _: (u + s) * 1e6 / max(q1 - q0, 1))
    cpu_d = med(lambda t0, t1, q0, q1, u, s, _: (u + s) * 1e6 / n)
    rss = max(r[6] for r in rows) / 1024
    return rate, qpd, cpu_q, cpu_d, rss, len(rows)
b, a = load("before"), load("after")
print(f"N = {n} domains, medians of {b[5]} alternating runs each, NSD 127.0.0.53:53 (RRL off), 2 cores")
for label, s in (("before", b), ("after", a)):
    print(f"  {label:6}: {s[0]:8.1f} domains/s  {s[1]:5.2f} queries/domain  {s[2]:6.1f} CPU us/query  {s[3]:7.1f} CPU us/domain  peak RSS {s[4]:6.1f} MB")
print(f"  after/before: {a[0] / b[0]:.2f}x domains/s, {a[2] / b[2]:.2f}x CPU per query")
EOF
