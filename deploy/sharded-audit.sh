#!/usr/bin/env bash
# Runs a sharded audit as N local processes (the same shards a Kubernetes
# Indexed Job or an AWS Batch array job runs), merges their JSON Lines in
# manifest order, and with --baseline says what changed since the last run.
#
#   deploy/sharded-audit.sh N MANIFEST OUTDIR [--baseline PREVIOUS.jsonl] [-- AUDIT FLAGS…]
#
#   N          number of shards (processes run at once)
#   OUTDIR     gets audit-K.jsonl per shard, audit.jsonl (merged, manifest order;
#              with --baseline, the removed domains' lines last) and shard-K.err
#   AUDIT FLAGS are passed to every shard: --zone/--nameserver, --now, --ses, --qps…
#              (--qps is per process: give each shard total/N)
#
# Environment: SENDLINT (default: sendlint on PATH).
# Exit status: 2 if a shard had bad input or failed, else with --baseline 1 if
# anything regressed (--fail-on regression), else 1 if a domain is not unlocked, else 0.
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 3 ] || usage
n=$1 manifest=$2 out=$3
shift 3
case $n in ''|*[!0-9]*|0) echo "N must be a positive number, not '$n'" >&2; exit 2;; esac
baseline=()
if [ "${1:-}" = "--baseline" ]; then
  [ $# -ge 2 ] || usage
  baseline=(--baseline "$2" --fail-on regression)
  shift 2
fi
if [ "${1:-}" = "--" ]; then shift; fi
sendlint=${SENDLINT:-sendlint}
mkdir -p "$out"

pids=()
for ((k = 0; k < n; k++)); do
  "$sendlint" audit "$manifest" --format json --shard "$k/$n" --output "$out/audit-$k.jsonl" \
    ${baseline[@]+"${baseline[@]}"} "$@" 2> "$out/shard-$k.err" &
  pids+=($!)
done
status=0
for ((k = 0; k < n; k++)); do
  s=0
  wait "${pids[$k]}" || s=$?
  if [ "$s" -gt 2 ] || { [ "$s" -eq 2 ] && [ ! -s "$out/audit-$k.jsonl" ]; }; then
    echo "shard $k/$n failed (exit $s):" >&2
    cat "$out/shard-$k.err" >&2
    status=2
  elif [ "$s" -gt "$status" ]; then
    status=$s
  fi
done

# Every line starts with {"index":N, so a numeric sort on the text after the
# first colon restores manifest order; a removed domain's line has no index.
cat "$out"/audit-[0-9]*.jsonl | grep '^{"index":' | sort -s -t: -k2,2n > "$out/audit.jsonl" || true
cat "$out"/audit-[0-9]*.jsonl | grep -v '^{"index":' >> "$out/audit.jsonl" || true

lines=$(wc -l < "$out/audit.jsonl")
echo "$lines lines from $n shards in $out/audit.jsonl" >&2
if [ ${#baseline[@]} -gt 0 ]; then
  count() { grep -c "$1" "$out/audit.jsonl" || true; }
  echo "changes: $(count '"regression":true') regressed, $(count '"status":"new"') new, $(count '"removed":true') removed" >&2
fi
exit "$status"
