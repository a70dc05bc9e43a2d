#!/usr/bin/env bash
# `sendlint audit` against a local authoritative server (NSD), one or several
# sendlint binaries and checkdmarc in the same invocation, runs alternating.
#
#   bash bench/audit-vs-checkdmarc.sh [N] [RUNS]          # N = 2000, RUNS = 3
#   BINS="before=/work/bin/sendlint-before after=target/release/sendlint" \
#     bash bench/audit-vs-checkdmarc.sh 2000 3             # before/after in one run
#   CHECKDMARC=0 bash bench/audit-vs-checkdmarc.sh 100000 1   # a big RSS run
#
# Without BINS it builds target/release/sendlint and measures that ("sendlint").
# KEEP=1 keeps the scratch directory (workspace, NSD config and log, outputs).
# RECORD=DIR: after the measured runs, one more run of the first binary with
# `--record`, not measured, into DIR: manifest.json, recording.json (every
# answer of the audit) and live.jsonl (its report, sorted), for
# bench/audit-replay-threads.sh DIR.
#
# What it exercises:
# - A workspace of N domains from bench/gen-workspace.py (fixed seed): most
#   domains right, the rest with the recurring mistakes (quoted/split/truncated
#   DKIM, wrong key, Easy DKIM CNAME, wrong MX region, MX priority in the value,
#   records under a doubled suffix or under `10.send…`, SPF and DMARC faults,
#   nothing published), about 3% of organizations whose zone NSD does not
#   serve (NSD answers REFUSED), a few shared keys and doubly claimed domains.
# - NSD, authoritative only, serves every zone on 127.0.0.53:53, plus
#   amazonses.com (SES's SPF) and the DNS providers' zones (cloudflare.com,
#   domaincontrol.com, registrar-servers.com, awsdns-01.org, awsdns-02.net,
#   googledomains.com, example-dns.test), where every name server name of
#   every zone has an A record 127.0.0.53. So the zones' NS names resolve, and
#   sendlint's propagation checks (which ask the zone's own servers) really run,
#   as they do on the internet; checkdmarc's NS lookups resolve too.
# - NSD as bench/lib/nsd.sh sets it up (shared with the other NSD scripts):
#   response rate limiting OFF (its default of 200 error answers/s per
#   source throttles a fast client's NXDOMAIN and REFUSED answers, which
#   measures NSD's abuse protection, not sendlint), one server process (it
#   answers far over 100,000 queries/s here, the client is the bottleneck).
# - Everything runs in a fresh network namespace (`unshare -n`, loopback
#   only): nothing leaves 127.0.0.0/8, and port 53 is free for NSD, which
#   checkdmarc needs (its --nameserver takes an address, not a port).
# - sendlint: `audit MANIFEST --nameserver 127.0.0.53:53 --format json --stats`.
#   checkdmarc: `checkdmarc -n 127.0.0.53 -t 2 -f json FILE` over the distinct
#   MAIL FROM names (send.D: its MX, SPF with the amazonses.com include, DMARC
#   with the organizational fallback, NS/SOA/DNSSEC/MTA-STS/TLS-RPT/BIMI).
#
# What it does NOT exercise: no recursive resolver in the path (no cache, no
# recursion latency, no resolver that answers without AA), no packet loss and
# no network latency (loopback), no IPv6, no real SES (the manifest's SES
# states are synthetic), and both tools share the 2 cores with NSD.
#
# Figures, per tool (medians over RUNS; peak RSS is the maximum):
# - domains/s: N / wall time of the process (checkdmarc: its names / wall).
# - queries/domain: NSD's own counter (nsd-control stats_noreset, num.queries)
#   before and after the run, divided by the domains: queries on the wire.
# - CPU µs/domain: user + system time of the process (/usr/bin/time) / domains;
#   and per query on the wire (the transport's cost, issue #13).
# - peak RSS: /usr/bin/time's maximum resident set size.
# - ratios: each sendlint against checkdmarc, and against the first of BINS.
# Every binary's report must have N lines; the reports (sorted by index) are
# compared with the first binary's and the result printed ("identical" or not).
#
# Needs root (unshare, NSD on port 53), nsd (installed with apt-get when
# missing), python3, pip's checkdmarc (installed when missing), /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${1:-2000}
RUNS=${2:-3}
CHECKDMARC=${CHECKDMARC:-1}
SEED=${SEED:-1}
NOW=2026-11-26T06:00:00Z
IP=127.0.0.53

source bench/lib/nsd.sh
if [ -z "${SENDLINT_BENCH_NETNS:-}" ]; then
  nsd_install
  if [ "$CHECKDMARC" = 1 ] && ! command -v checkdmarc >/dev/null 2>&1; then
    pip install -q checkdmarc
  fi
  if [ -z "${BINS:-}" ]; then
    cargo build --release -q -p sendlint-cli
    BINS="sendlint=$ROOT/target/release/sendlint"
  fi
  # absolute paths: the namespace's shell starts from the same directory, but be sure
  abs=
  for b in $BINS; do
    label=${b%%=*}; path=${b#*=}
    [ "$label" != "$b" ] || { echo "BINS entries are LABEL=PATH, got $b" >&2; exit 2; }
    [ -x "$path" ] || { echo "$label: $path is not an executable" >&2; exit 2; }
    abs="$abs $label=$(realpath "$path")"
  done
  export BINS="$abs"
  if [ -n "${RECORD:-}" ]; then mkdir -p "$RECORD"; RECORD=$(realpath "$RECORD"); export RECORD; fi
fi
nsd_netns "$0" "$@"

TMP=$(mktemp -d)
cleanup() {
  nsd_stop
  if [ -n "${KEEP:-}" ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

python3 bench/gen-workspace.py --domains "$N" --out "$TMP/ws" --seed "$SEED" --ns-ip "$IP" >&2
ZONES="$TMP/ws/zones"
nsd_start "$TMP" "$IP" 53 "$ZONES"
queries() { nsd_queries; }
# wait until NSD answers for the last zone
LAST=$(ls "$ZONES" | tail -1)
nsd_wait "${LAST%.zone}"
# the rig itself: NS names resolve to NSD, unserved zones are REFUSED
[ "$(nsd_rcode ada.ns.cloudflare.com 1)" = "0 1" ] || { echo "ada.ns.cloudflare.com does not resolve" >&2; exit 2; }
REFUSED=$(python3 - "$TMP/ws" <<'EOF'
import json, os, sys
ws = sys.argv[1]
served = {f[:-5] for f in os.listdir(f"{ws}/zones")}
zones = {e["domain"].split(".", e["domain"].count(".") - 1)[-1] for e in json.load(open(f"{ws}/manifest.json"))["domains"]}
print(len(zones - served), sorted(zones - served)[0] if zones - served else "")
EOF
)
if [ "${REFUSED#* }" != "" ] && [ "$(nsd_rcode "${REFUSED#* }" 6)" != "5 0" ]; then
  echo "NSD does not answer REFUSED for the unserved zone ${REFUSED#* }" >&2; exit 2
fi
echo "nsd $(nsd_version) serving $(ls "$ZONES" | wc -l) zones on $IP:53 (N = $N; ${REFUSED%% *} manifest zones not served: REFUSED); rate limiting off" >&2

# run LABEL DOMAINS CMD…: wall, user, sys, peak RSS (KB), NSD queries before/after → $TMP/LABEL.runs
run() {
  local label=$1 domains=$2; shift 2
  local q0 q1 t0 t1
  q0=$(queries); t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S %M" -o "$TMP/time.txt" "$@" >/dev/null 2>"$TMP/$label.err" || true
  t1=$(date +%s.%N); q1=$(queries)
  echo "$domains $t0 $t1 $(tail -1 "$TMP/time.txt") $q0 $q1" >>"$TMP/$label.runs"
}

# the machine may be shared: say how busy it was (wall figures suffer, CPU µs less)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
LABELS=()
ENTRIES=()
for b in $BINS; do LABELS+=("${b%%=*}"); ENTRIES+=("$b"); done
N_MAILFROM=$(wc -l <"$TMP/ws/mailfrom-domains.txt")
for r in $(seq 1 "$RUNS"); do
  # each round starts with the next binary: no binary always runs first
  for k in $(seq 0 $((${#ENTRIES[@]} - 1))); do
    b=${ENTRIES[$(((r - 1 + k) % ${#ENTRIES[@]}))]}
    label=${b%%=*}; bin=${b#*=}
    run "$label" "$N" "$bin" audit "$TMP/ws/manifest.json" --nameserver "$IP:53" --format json \
      --output "$TMP/$label.jsonl" --now "$NOW" --stats
  done
  if [ "$CHECKDMARC" = 1 ]; then
    run checkdmarc "$N_MAILFROM" checkdmarc "$TMP/ws/mailfrom-domains.txt" -f json -t 2 -n "$IP" -o "$TMP/checkdmarc.json"
  fi
done

if [ -n "${RECORD:-}" ]; then
  first=${ENTRIES[0]}
  "${first#*=}" audit "$TMP/ws/manifest.json" --nameserver "$IP:53" --format json --now "$NOW" \
    --record "$RECORD/recording.json" 2>"$TMP/record.err" | sort >"$RECORD/live.jsonl" || true
  cp "$TMP/ws/manifest.json" "$RECORD/manifest.json"
  sort "$TMP/${first%%=*}.jsonl" | cmp -s - "$RECORD/live.jsonl" && same=identical || same=DIFFERENT
  echo "recorded in $RECORD: $(wc -l <"$RECORD/live.jsonl") lines (report $same to the measured ${first%%=*}), recording $(du -h "$RECORD/recording.json" | cut -f1)" >&2
fi
for label in "${LABELS[@]}"; do
  LINES=$(wc -l <"$TMP/$label.jsonl")
  [ "$LINES" -eq "$N" ] || { echo "$label wrote $LINES lines for $N entries" >&2; cat "$TMP/$label.err" >&2; exit 2; }
  echo "$label --stats (last run): $(tail -1 "$TMP/$label.err")" >&2
done
echo "load average before: $LOAD0, after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$TMP" "$N" "$CHECKDMARC" "$N_MAILFROM" "$RUNS" "${LABELS[@]}" <<'EOF'
import json, statistics, sys
tmp, n, with_cd, n_mailfrom, runs, labels = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", int(sys.argv[4]), sys.argv[5], sys.argv[6:]
def load(label):
    rows = [l.split() for l in open(f"{tmp}/{label}.runs")]
    rows = [(int(d), float(t0), float(t1), float(u), float(s), int(m), int(q0), int(q1)) for d, t0, t1, u, s, m, q0, q1 in rows]
    med = lambda f: statistics.median(f(*r) for r in rows)
    return {
        "rate": med(lambda d, t0, t1, *_: d / (t1 - t0)),
        "qpd": med(lambda d, t0, t1, u, s, m, q0, q1: (q1 - q0) / d),
        "cpu": med(lambda d, t0, t1, u, s, *_: (u + s) / d * 1e6),
        "cpq": med(lambda d, t0, t1, u, s, m, q0, q1: (u + s) / max(q1 - q0, 1) * 1e6),
        "rss": max(r[5] for r in rows) / 1024,
        "runs": len(rows),
    }
def sorted_report(label):
    lines = open(f"{tmp}/{label}.jsonl").read().splitlines()
    return sorted(lines, key=lambda l: json.loads(l)["index"])
res = {l: load(l) for l in labels}
cd = load("checkdmarc") if with_cd else None
print(f"N = {n} domains ({n_mailfrom} distinct MAIL FROM names for checkdmarc), medians of {runs} run(s), "
      f"NSD on 127.0.0.53:53 (NS names resolve, RRL off), 2 cores shared with NSD")
def line(name, r):
    return (f"  {name:<14}: {r['rate']:8.1f} domains/s  {r['qpd']:6.2f} queries/domain  "
            f"{r['cpu']:8.1f} CPU µs/domain ({r['cpq']:5.1f}/query)  peak RSS {r['rss']:6.1f} MB")
first = sorted_report(labels[0])
for l in labels:
    extra = []
    if cd:
        extra.append(f"{res[l]['rate'] / cd['rate']:.1f}x checkdmarc, {cd['cpu'] / res[l]['cpu']:.1f}x less CPU")
    if l != labels[0]:
        extra.append(f"{res[l]['rate'] / res[labels[0]]['rate']:.2f}x {labels[0]}, "
                     f"{res[labels[0]]['cpu'] / res[l]['cpu']:.2f}x less CPU")
        extra.append("report identical to " + labels[0] if sorted_report(l) == first else "REPORT DIFFERS from " + labels[0])
    print(line(l, res[l]) + ("  (" + ", ".join(extra) + ")" if extra else ""))
if cd:
    print(line("checkdmarc", cd))
EOF
