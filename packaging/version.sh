#!/usr/bin/env bash
# Sets corsgate's version. Cargo.toml's [workspace.package] version is the one source: every
# crate inherits it, maturin gives it to the Python package (pyproject's dynamic version), the
# Debian changelog and the npm packages of `make dist` are written from it. npm needs the
# number in bindings-node/package.json (and its lock file) too: this script writes all three,
# and tests/dist/test_versions.py fails when they differ (the next cargo build updates Cargo.lock).
#
#   packaging/version.sh 0.2.0
set -euo pipefail
version="${1:?usage: packaging/version.sh <version>}"
root="$(cd "$(dirname "$0")/.." && pwd)"
sed -i "/^\[workspace\.package\]/,/^\[/ s/^version = \".*\"/version = \"$version\"/" "$root/Cargo.toml"
(cd "$root/bindings-node" && npm version "$version" --no-git-tag-version --allow-same-version >/dev/null)
grep -n "^version" "$root/Cargo.toml" | head -n1
grep -n '"version"' "$root/bindings-node/package.json"
