#!/usr/bin/env bash
# Tests the image deploy/container/build.sh built, without starting a container
# (CI machines may not run them): mounts the image (`podman image mount`),
# copies its root filesystem to a scratch directory with the demo workspace
# added, and runs the binaries there under chroot as the image's user (65532).
#
#   deploy/container/test.sh [IMAGE]      (default: sendlint:VERSION, VERSION from Cargo.toml)
#
# Checks: the image's files are exactly the two binaries, the CA bundle, passwd,
# group and the empty home; both binaries are statically linked; the image is
# under 40 MB, runs as 65532 with ENTRYPOINT ["sendlint"]; then `sendlint
# --version`, an offline audit of fixtures/demo (exit 1, five JSON lines), the
# same with --exit-zero-on-findings (exit 0), and `sendlint-full serve --help`.
# Runs as root (podman image mount, chroot). Any mismatch fails loudly.
set -euo pipefail
cd "$(dirname "$0")/../.."

podman=${PODMAN:-podman}
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
image=${1:-sendlint:$version}
max_bytes=$((40 * 1000 * 1000))

fail() { echo "test.sh: FAIL: $*" >&2; exit 1; }
pass() { echo "test.sh: ok: $*"; }
[ "$(id -u)" = 0 ] || fail "run as root (podman image mount, chroot)"

# --- the image's metadata
"$podman" image exists "$image" || fail "no image $image: run deploy/container/build.sh first"
size=$("$podman" image inspect --format '{{.Size}}' "$image")
[ "$size" -lt "$max_bytes" ] || fail "$image is $size bytes, over 40 MB"
pass "$image is $size bytes"
user=$("$podman" image inspect --format '{{.Config.User}}' "$image")
[ "$user" = "65532:65532" ] || fail "$image runs as '$user', not 65532:65532"
entrypoint=$("$podman" image inspect --format '{{json .Config.Entrypoint}}' "$image")
[ "$entrypoint" = '["sendlint"]' ] || fail "$image's entrypoint is $entrypoint"
cmd=$("$podman" image inspect --format '{{json .Config.Cmd}}' "$image")
case $cmd in null|'[]') ;; *) fail "$image has a command: $cmd";; esac
pass "user $user, entrypoint $entrypoint"

# --- its root filesystem, copied (the mount is read-only) beside the demo workspace
scratch=$(mktemp -d "${TMPDIR:-/tmp}/sendlint-image-test.XXXXXX")
mounted=
cleanup() {
  if [ -n "$mounted" ]; then "$podman" image unmount "$image" >/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
mnt=$("$podman" image mount "$image")
mounted=1
root=$scratch/root
mkdir "$root"
cp -a "$mnt/." "$root/"
"$podman" image unmount "$image" >/dev/null
mounted=

files=$(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | tr '\n' ' ')
want='./etc ./etc/group ./etc/passwd ./etc/ssl ./etc/ssl/certs ./etc/ssl/certs/ca-certificates.crt ./home ./home/nonroot ./usr ./usr/local ./usr/local/bin ./usr/local/bin/sendlint ./usr/local/bin/sendlint-full '
[ "$files" = "$want" ] || fail "the image holds: $files
expected exactly: $want"
grep -qx 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' "$root/etc/passwd" || fail "no user 65532 in /etc/passwd"
grep -q ':/bin/.*sh$' "$root/etc/passwd" && fail "a user with a shell in /etc/passwd"
[ "$(stat -c %u:%g "$root/home/nonroot")" = 65532:65532 ] || fail "/home/nonroot is not 65532's"
grep -c 'BEGIN CERTIFICATE' "$root/etc/ssl/certs/ca-certificates.crt" | {
  read -r n; [ "$n" -gt 50 ] || fail "the CA bundle holds $n certificates"; }
pass "the files: two binaries, the CA bundle, passwd, group, the home"

for bin in sendlint sendlint-full; do
  f=$root/usr/local/bin/$bin
  if readelf -lW "$f" | grep -q 'Requesting program interpreter'; then fail "$bin asks for a program interpreter"; fi
  if readelf -dW "$f" | grep -q '(NEEDED)'; then fail "$bin needs shared libraries"; fi
  pass "$bin: $(stat -c %s "$f") bytes, statically linked"
done

mkdir -p "$root/work/fixtures"
cp -r fixtures/demo "$root/work/fixtures/demo"
chmod -R a+rX "$root/work"

# run CMD... inside the image's root, as its user, from /work; sets out, err, status
run() {
  status=0
  out=$(chroot --userspec=65532:65532 "$root" /usr/local/bin/"$@" 2> "$scratch/stderr" <<< '' ) || status=$?
  err=$(cat "$scratch/stderr")
}
# chroot starts in /: the binaries get absolute paths
demo=(audit /work/fixtures/demo/manifest.json --zone /work/fixtures/demo/zones --now 2026-11-26T06:00:00Z --format json)

run sendlint --version
[ "$status" = 0 ] && [ "$out" = "sendlint $version" ] || fail "sendlint --version: exit $status, '$out' $err"
pass "sendlint --version: $out"

run sendlint "${demo[@]}"
[ "$status" = 1 ] || fail "the demo audit exited $status, not 1: $err"
lines=$(printf '%s\n' "$out" | grep -c '^{"index":[0-4],' || true)
[ "$lines" = 5 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 5 ] || fail "the demo audit printed not five entry lines:
$out"
for domain in mail.acme.test mail.globex.test news.initech.test mail.umbrella.test hooli.test; do
  grep -q "\"domain\":\"$domain\"" <<< "$out" || fail "the demo audit did not report $domain"
done
pass "audit of the demo: exit 1, five lines"

run sendlint "${demo[@]}" --exit-zero-on-findings
[ "$status" = 0 ] || fail "the demo audit with --exit-zero-on-findings exited $status, not 0: $err"
[ "$(printf '%s\n' "$out" | wc -l)" = 5 ] || fail "with --exit-zero-on-findings, not five lines: $out"
pass "audit of the demo --exit-zero-on-findings: exit 0, five lines"

run sendlint-full serve --help
[ "$status" = 0 ] || fail "sendlint-full serve --help exited $status: $err"
grep -q -- '--token' <<< "$out" && grep -q -- '--listen' <<< "$out" || fail "serve --help does not name --listen and --token: $out"
pass "sendlint-full serve --help"

echo "test.sh: $image passed"
