#!/usr/bin/env bash
# A replayed live audit (`audit --replay`: CPU-bound, on the rayon path) at
# --threads 1 and 2, alternating, in one invocation: wall, user+sys CPU, peak
# RSS (medians over RUNS), and whether each report is byte for byte the live
# run's. BINS="a=PATH b=PATH" alternates several builds in the same rounds.
#
#   RECORD=/tmp/rec CHECKDMARC=0 bash bench/audit-vs-checkdmarc.sh 2000 1   # record a live audit (NSD)
#   bash bench/audit-replay-threads.sh /tmp/rec [RUNS]                     # RUNS = 5
#   BINS="before=/tmp/old after=target/release/sendlint" bash bench/audit-replay-threads.sh /tmp/rec
#
# DIR holds manifest.json, recording.json and live.jsonl (the live report,
# sorted), as audit-vs-checkdmarc.sh RECORD=DIR writes them. No network is
# used: the replay runs in a loopback-only namespace when unshare is allowed.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: audit-replay-threads.sh DIR [RUNS]}
RUNS=${2:-5}
if [ -z "${BINS:-}" ]; then
  cargo build --release -q -p sendlint-cli
  BINS="sendlint=$PWD/target/release/sendlint"
fi
NOW=2026-11-26T06:00:00Z
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
N=$(wc -l <"$DIR/live.jsonl")
# no network at all, where the machine lets us
NONET=()
unshare -n true 2>/dev/null && NONET=(unshare -n)

echo "replaying $DIR/recording.json ($(du -h "$DIR/recording.json" | cut -f1), $N domains); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for r in $(seq 1 "$RUNS"); do
  # each round starts with the other thread count
  order="1 2"
  [ $((r % 2)) = 0 ] && order="2 1"
  for threads in $order; do
    for b in $BINS; do
      label=${b%%=*}; bin=${b#*=}
      "${NONET[@]}" /usr/bin/time -f "%e %U %S %M" -o "$TMP/t" "$bin" audit "$DIR/manifest.json" \
        --replay "$DIR/recording.json" --now "$NOW" --format json --threads "$threads" >"$TMP/out.jsonl" || true
      echo "$label $threads $(tail -1 "$TMP/t")" >>"$TMP/runs"
      sort "$TMP/out.jsonl" | cmp -s - "$DIR/live.jsonl" && same=identical || same=DIFFERENT
      echo "$label $threads $same" >>"$TMP/same"
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
cut -d' ' -f1,2 "$TMP/same" | sort -u | while read -r label threads; do
  echo "$label --threads $threads: report $(grep "^$label $threads " "$TMP/same" | cut -d' ' -f3 | sort | uniq -c | xargs) to the live run's"
done
python3 - "$TMP/runs" "$N" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
n = int(sys.argv[2])
labels = list(dict.fromkeys(r[0] for r in rows))
print(f"{'build':10} {'threads':>7} {'wall s':>8} {'CPU s':>8} {'domains/s':>10} {'peak RSS MB':>12}  (medians of {len(rows) // (2 * len(labels))})")
wall = {}
for label in labels:
    for t in ("1", "2"):
        rs = [r for r in rows if r[0] == label and r[1] == t]
        wall[label, t] = statistics.median(float(r[2]) for r in rs)
        cpu = statistics.median(float(r[3]) + float(r[4]) for r in rs)
        rss = max(int(r[5]) for r in rs) / 1024
        print(f"{label:10} {t:>7} {wall[label, t]:8.3f} {cpu:8.3f} {n / wall[label, t]:10.0f} {rss:12.1f}")
for label in labels:
    print(f"{label}: 2 threads / 1 thread speed-up {wall[label, '1'] / wall[label, '2']:.2f}x")
for label in labels[1:]:
    for t in ("1", "2"):
        print(f"--threads {t}: {label} / {labels[0]} wall {wall[label, t] / wall[labels[0], t]:.2f}")
PY
