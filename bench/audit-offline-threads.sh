#!/usr/bin/env bash
# An offline audit (zone files: CPU-bound) at --threads 1 and 2, the build
# before #13 and this one, alternating, in one invocation: wall, user+sys CPU,
# peak RSS (medians over RUNS), and that both write the same report.
#
#   bash bench/audit-offline-threads.sh [N] [RUNS]     # N = 20000, RUNS = 3
#   BEFORE=/work/bin/sendlint-before WS=/tmp/ws-h5 bash bench/audit-offline-threads.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
RUNS=${2:-3}
BEFORE=${BEFORE:-/work/bin/sendlint-before}
AFTER=$PWD/target/release/sendlint
NOW=2026-11-26T06:00:00Z
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
WS=${WS:-$TMP/ws}
[ -f "$WS/manifest.json" ] || python3 bench/gen-workspace.py --domains "$N" --out "$WS" >&2
[ -x "$AFTER" ] || cargo build --release -q -p sendlint-cli

for r in $(seq 1 "$RUNS"); do
  for threads in 1 2; do
    for label in before after; do
      bin=$BEFORE
      [ "$label" = after ] && bin=$AFTER
      /usr/bin/time -f "%e %U %S %M" -o "$TMP/t" "$bin" audit "$WS/manifest.json" --zone "$WS/zones" \
        --now "$NOW" --format json --threads "$threads" >"$TMP/$label.$threads.jsonl" || true
      echo "$label $threads $(tail -1 "$TMP/t")" >>"$TMP/runs"
    done
  done
done
for threads in 1 2; do
  sort "$TMP/before.$threads.jsonl" >"$TMP/a"
  sort "$TMP/after.$threads.jsonl" >"$TMP/b"
  cmp -s "$TMP/a" "$TMP/b" && same=identical || same=DIFFERENT
  echo "--threads $threads: reports $same ($(wc -l <"$TMP/a") lines)"
done
python3 - "$TMP/runs" "$(wc -l <"$TMP/after.1.jsonl")" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
n = int(sys.argv[2])
print(f"{'build':7} {'threads':>7} {'wall s':>8} {'CPU s':>8} {'domains/s':>10} {'peak RSS MB':>12}  (medians of {len(rows) // 4})")
res = {}
for label in ("before", "after"):
    for t in ("1", "2"):
        rs = [r for r in rows if r[0] == label and r[1] == t]
        wall = statistics.median(float(r[2]) for r in rs)
        cpu = statistics.median(float(r[3]) + float(r[4]) for r in rs)
        rss = max(int(r[5]) for r in rs) / 1024
        res[label, t] = wall
        print(f"{label:7} {t:>7} {wall:8.2f} {cpu:8.2f} {n / wall:10.0f} {rss:12.1f}")
for label in ("before", "after"):
    print(f"{label}: 2 threads / 1 thread speed-up {res[label, '1'] / res[label, '2']:.2f}x")
for t in ("1", "2"):
    print(f"--threads {t}: after / before wall {res['after', t] / res['before', t]:.2f}")
EOF
