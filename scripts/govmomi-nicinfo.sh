#!/usr/bin/env bash
# Builds test/tools/nicinfo-decode (a NicInfo v3 XDR decoder that shares no
# code with vmt) from Debian's Go packages, offline, and prints the binary's
# path on stdout.
#
# Installs (through scripts/apt-install.sh) golang-go and
# golang-github-davecgh-go-xdr-dev, the XDR package govmomi's toolbox is
# written against. Debian's golang-github-vmware-govmomi-dev (0.24.2) ships
# without govmomi's toolbox package, so toolbox.GuestNicInfo is not there to
# use; the decoder's types follow open-vm-tools' nicinfo.x instead.
#
# The Go build runs in GOPATH mode against /usr/share/gocode with
# GO111MODULE=off, GOPROXY=off and GOFLAGS=-mod=mod unset: it never reaches
# the network. The binary is cached under test/tools/.cache/ (gitignored),
# keyed by the package versions and the source, so a second run only checks
# that the packages are there. NICINFO_DECODE_CACHE=DIR moves the cache.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$ROOT/test/tools/nicinfo-decode
CACHE=${NICINFO_DECODE_CACHE:-$ROOT/test/tools/.cache}
PACKAGES=(golang-go golang-github-davecgh-go-xdr-dev)

bash "$ROOT/scripts/apt-install.sh" "${PACKAGES[@]}" >&2

versions=$(dpkg-query -W -f='${Package}=${Version}\n' "${PACKAGES[@]}")
key=$( { echo "$versions"; uname -m; cat "$SRC"/*.go; } | sha256sum | cut -c1-16)
bin=$CACHE/nicinfo-decode-$key/nicinfo-decode
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

GO=$(command -v go || echo /usr/lib/go/bin/go)
mkdir -p "$CACHE/go-build" "$(dirname "$bin")"
tmp=$bin.tmp.$$
trap 'rm -f "$tmp"' EXIT
(
  cd "$SRC"
  env GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOFLAGS= GONOSUMDB= GOSUMDB=off \
    GOCACHE="$CACHE/go-build" CGO_ENABLED=0 \
    "$GO" build -trimpath -o "$tmp" .
) || { echo "govmomi-nicinfo: building $SRC with $GO failed (packages: $(echo $versions))" >&2; exit 1; }
mv "$tmp" "$bin"
echo "$versions" >"$(dirname "$bin")/packages.txt"
echo "$bin"
