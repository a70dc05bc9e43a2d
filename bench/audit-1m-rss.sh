#!/usr/bin/env bash
# Peak RSS of `sendlint audit` on a 1,000,000-entry manifest (target: < 200 MB),
# the build before #13 and this build in the same invocation, against an NSD
# that stays small.
#
#   bash bench/audit-1m-rss.sh [N] [SHARD]      # N = 1000000; SHARD e.g. 0/20
#   BEFORE=/work/bin/sendlint-before bash bench/audit-1m-rss.sh
#   BINS=after bash bench/audit-1m-rss.sh     # this build only (a full 1M run is long)
#   SAME=1 bash bench/audit-1m-rss.sh 3000     # also: are the two reports identical?
#
# What it exercises:
# - The manifest: N entries of ~650 bytes (a distinct 2048-bit DKIM public key
#   each, as real BYODKIM manifests carry), ~650 MB at 1M, written by the small
#   generator below; every 100,000th entry claims an earlier domain for another
#   org, so the workspace checks find (and name) a few conflicts.
# - The DNS: 64 zones, `rss00.test` … `rss63.test`, each with wildcard TXT and
#   MX records, served by NSD on 127.0.0.53:53 in a loopback-only network
#   namespace (bench/lib/nsd.sh, rate limiting off): entry i is under zone i % 64, every question gets an answer
#   (wrong ones: the DKIM and DMARC names get the wildcard's SPF text), so
#   each entry is checked in full while NSD holds a few kilobytes.
# - SHARD checks only one shard's entries: the whole manifest is still read
#   and indexed (the workspace checks see every entry), which is where the
#   memory goes, in a fraction of the time. Say so when quoting such a run.
# - Output goes to `wc -l` (JSON Lines; N lines expected, or the shard's).
#   Peak RSS and wall time are /usr/bin/time -v's; both binaries run in turn.
#
# Needs root (unshare, NSD on port 53), nsd, python3, /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${1:-1000000}
SHARD=${2:-}
BEFORE=${BEFORE:-/work/bin/sendlint-before}
BINS=${BINS:-before after}
NOW=2026-11-26T06:00:00Z
IP=127.0.0.53

source bench/lib/nsd.sh
if [ -z "${SENDLINT_BENCH_NETNS:-}" ]; then
  nsd_install
  cargo build --release -q -p sendlint-cli
fi
nsd_netns "$0" "$@"

AFTER="$ROOT/target/release/sendlint"
TMP=$(mktemp -d)
cleanup() {
  nsd_stop
  rm -rf "$TMP"
}
trap cleanup EXIT

python3 - "$N" "$TMP/manifest.json" <<'EOF'
import base64, sys
n, out = int(sys.argv[1]), sys.argv[2]
# A 2048-bit RSA SubjectPublicKeyInfo; bytes deep inside the modulus are
# rewritten per entry: a distinct, well-formed key for each (no shared keys).
KEY = ("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAp2AQwh4GGIJ5FSMDzq9U32OhiFi6giFCEf0aA32raO3o2d9RGp2pzoHz3z2ka3kCTcPkKO0X1ul5ZKRzWO4r6Pshfb+Z10pbJZIJ1hOvl5at9vmg5TV+QNt6DyEd1LMgj6ZkT23+vmB9U2i0fGUJvVZsbP+fCCBVangTCeu2eFQ+RdnifPZBN/1wg+7c+NeZO9Zxu9yvStgweiEw3Ui5UKfi1mwxDc3zLHMKqiR1avqX9xlrZd/taGi/OkqUxcWiEVEe3tp8xmn0iRnjSzASSZR8OWAfqePBUjBWBphe02HLTnZFAJubuFyzJsR9745YLoXiZFkT4BUzdeHs9YoFbwIDAQAB")
der = bytearray(base64.b64decode(KEY))
with open(out, "w") as f:
    f.write('{"domains": [\n')
    for i in range(n):
        der[100:104] = i.to_bytes(4, "big")
        key = base64.b64encode(der).decode()
        d = i - 7 if i % 100_000 == 99_999 else i  # a few domains claimed twice
        z = f"rss{d % 64:02}.test"
        f.write(f'  {{"org": "org{i % 5000}", "domain": "mail.d{d}.{z}", "region": "us-east-1", '
                f'"dkim_selector": "s1", "dkim_public_key": "{key}", "from_addresses": ["news@mail.d{d}.{z}"]}}')
        f.write(",\n" if i + 1 < n else "\n")
    f.write("]}\n")
EOF
echo "manifest: $N entries, $(du -m "$TMP/manifest.json" | cut -f1) MB" >&2

mkdir "$TMP/zones"
for z in $(seq -f 'rss%02g.test' 0 63); do
  cat >"$TMP/zones/$z.zone" <<EOF
\$ORIGIN $z.
\$TTL 300
@ SOA ns1.$z. hostmaster.$z. 1 3600 600 604800 300
@ NS ns1.$z.
ns1 A $IP
* MX 10 feedback-smtp.us-east-1.amazonses.com.
* TXT "v=spf1 include:amazonses.com ~all"
EOF
done
nsd_start "$TMP" "$IP" 53 "$TMP/zones"
nsd_wait rss63.test

SHARD_ARGS=()
[ -n "$SHARD" ] && SHARD_ARGS=(--shard "$SHARD")
echo "NSD serving rss00.test … rss63.test (wildcards) on $IP:53; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for label in $BINS; do
  bin=$BEFORE
  [ "$label" = after ] && bin=$AFTER
  lines=$( { /usr/bin/time -v -o "$TMP/$label.time" "$bin" audit "$TMP/manifest.json" --nameserver "$IP:53" \
    --format json --now "$NOW" "${SHARD_ARGS[@]}" 2>"$TMP/$label.err" || true; } \
    | if [ -n "${SAME:-}" ]; then sort | tee "$TMP/$label.jsonl"; else cat; fi | wc -l)
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/$label.time")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$TMP/$label.time")
  user=$(sed -n 's/.*User time (seconds): //p' "$TMP/$label.time")
  sys=$(sed -n 's/.*System time (seconds): //p' "$TMP/$label.time")
  printf '%-7s peak RSS %7.1f MB  wall %s  user %ss  sys %ss  %s lines%s\n' "$label" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" \
    "$wall" "$user" "$sys" "$lines" "${SHARD:+ (shard $SHARD of $N entries)}"
  if [ "$lines" -eq 0 ]; then head -5 "$TMP/$label.err" >&2; fi
done
if [ -n "${SAME:-}" ] && [ -f "$TMP/before.jsonl" ] && [ -f "$TMP/after.jsonl" ]; then
  cmp -s "$TMP/before.jsonl" "$TMP/after.jsonl" && echo "reports: identical" || echo "reports: DIFFERENT"
fi
