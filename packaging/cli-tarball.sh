#!/usr/bin/env bash
# The CLI binary tarball: corsgate-<version>-<triple>.tar.gz holding corsgate-<version>-<triple>/
# with the `corsgate` binary and README.md, and its SHA-256 in the same-named .sha256 file
# (`sha256sum -c` checks it).
#
#   packaging/cli-tarball.sh <binary> <version> <triple> <out dir>
set -euo pipefail
binary="$1" version="$2" triple="$3" out="$4"
root="$(cd "$(dirname "$0")/.." && pwd)"
name="corsgate-$version-$triple"
work="$root/build/dist/cli"
rm -rf "$work" && mkdir -p "$work/$name"
install -m 755 "$binary" "$work/$name/corsgate"
strip "$work/$name/corsgate"
install -m 644 "$root/README.md" "$work/$name/README.md"
# Reproducible: fixed owner, order and times (the last commit's).
mtime="@${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" -C "$work" -czf "$out/$name.tar.gz" "$name"
(cd "$out" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
cat "$out/$name.tar.gz.sha256"
