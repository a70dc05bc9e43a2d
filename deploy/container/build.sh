#!/usr/bin/env bash
# Builds the container image sendlint:VERSION and sendlint:latest from this
# checkout, offline: no base image is pulled (FROM scratch).
#
#   deploy/container/build.sh
#
# 1. `sendlint` and `sendlint-full` (crates/sendlint-cli), statically linked
#    against glibc (crt-static; the host toolchain is all it needs, no musl
#    target to download), profile `image` (Cargo.toml), in
#    target/x86_64-unknown-linux-gnu/image/. The explicit --target keeps
#    RUSTFLAGS off build scripts and proc-macros.
# 2. The build context in target/container/context/: the binaries, the CA
#    bundle of this machine (Debian's ca-certificates), /etc/passwd and
#    /etc/group for user 65532.
# 3. `podman build` with deploy/container/Containerfile.
#
# Environment: PODMAN (default: podman).
# Prints the image's name and size last; deploy/container/test.sh checks it.
set -euo pipefail
cd "$(dirname "$0")/../.."

target=x86_64-unknown-linux-gnu
profile=image
podman=${PODMAN:-podman}
bundle=/etc/ssl/certs/ca-certificates.crt

die() { echo "build.sh: $*" >&2; exit 1; }
[ "$(uname -m)" = x86_64 ] || die "builds for $target on an x86_64 Linux machine only"
[ -s "$bundle" ] || die "no CA bundle at $bundle: install Debian's ca-certificates"
command -v "$podman" >/dev/null 2>&1 || die "$podman is not installed (Debian: apt-get install podman)"

RUSTFLAGS="-C target-feature=+crt-static" \
  cargo build --locked --profile "$profile" --target "$target" -p sendlint-cli --bins
out=target/$target/$profile

# statically linked: no program interpreter, no shared library needed
for bin in sendlint sendlint-full; do
  if readelf -lW "$out/$bin" | grep -q 'Requesting program interpreter' \
    || readelf -dW "$out/$bin" | grep -q '(NEEDED)'; then
    die "$out/$bin is not statically linked"
  fi
done
version=$("$out/sendlint" --version | awk '{print $2}')
[ -n "$version" ] || die "cannot read the version of $out/sendlint"

ctx=target/container/context
rm -rf "$ctx"
mkdir -p "$ctx/bin" "$ctx/etc/ssl/certs" "$ctx/home/nonroot"
install -m 0755 "$out/sendlint" "$out/sendlint-full" "$ctx/bin/"
install -m 0644 "$bundle" "$ctx/etc/ssl/certs/ca-certificates.crt"
# no shell: the login shell names a program the image does not have
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
  > "$ctx/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$ctx/etc/group"
chmod 0644 "$ctx/etc/passwd" "$ctx/etc/group"
chmod 0700 "$ctx/home/nonroot"

"$podman" build --pull=never -f deploy/container/Containerfile \
  -t "sendlint:$version" -t sendlint:latest "$ctx"

size=$("$podman" image inspect --format '{{.Size}}' "sendlint:$version")
echo "sendlint:$version (and sendlint:latest): $size bytes; sendlint $(stat -c %s "$out/sendlint") bytes, sendlint-full $(stat -c %s "$out/sendlint-full") bytes"
