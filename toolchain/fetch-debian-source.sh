#!/usr/bin/env bash
# Unpacks a Debian *source* package into DEST/PKG (once): the cross and bare-metal builds
# compile lwIP, mbedTLS and nanopb from these trees. Nothing here is ever committed.
#   usage: fetch-debian-source.sh PKG DEST
set -euo pipefail
pkg=$1
dest=$2
[ -f "$dest/$pkg/.gatemeter-fetched" ] && exit 0
mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.fetch-$pkg-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
if ! apt-get source -qq --only-source "$pkg" >apt-source.log 2>&1; then
  cat apt-source.log >&2
  echo "fetch-debian-source: 'apt-get source $pkg' failed. deb-src must be enabled and the" >&2
  echo "  source lists fetched: run toolchain/install-deps.sh (it does both)." >&2
  exit 1
fi
tree=$(find . -mindepth 1 -maxdepth 1 -type d -name "$pkg-*" | head -n1)
[ -n "$tree" ] || { echo "fetch-debian-source: no unpacked tree for $pkg" >&2; exit 1; }
rm -rf "${dest:?}/$pkg"
mv "$tree" "$dest/$pkg"
echo "$(basename "$tree")" >"$dest/$pkg/.gatemeter-fetched"
echo "fetch-debian-source: $pkg -> $dest/$pkg ($(basename "$tree"))"
