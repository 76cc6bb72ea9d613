#!/usr/bin/env bash
# Installs libcorsgate into temporary prefixes with `make install` (shared-only and
# static-only trees) and builds tests/c/minimal.c with nothing but pkg-config's flags; the
# programs must run and print the answer docs/semantics.md gives for their preflight.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${C_ABI:?run through make test-c}" "${C_VERSION:?}"
W=${1:?work directory}
rm -rf "$W" && mkdir -p "$W"
CC=${CC:-cc}

# docs/semantics.md, "Allowed preflight": status 204; ACAO = the origin; ACAM = the method;
# ACAH = the configured names; ACMA = max_age; Vary = Origin + the preflight request names.
cat > "$W/expected" <<'OUT'
kind preflight, allowed, status 204
Access-Control-Allow-Origin: https://app.example.com
Access-Control-Allow-Methods: PUT
Access-Control-Allow-Headers: content-type
Access-Control-Max-Age: 600
Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers
OUT

for kind in shared static; do
  prefix="$W/$kind"
  make -s --no-print-directory install PREFIX="$prefix" CORSGATE_LIBS="$kind" C_NO_BUILD=1 >/dev/null
  export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
  if [ "$kind" = shared ]; then
    flags=$(pkg-config --cflags --libs corsgate)
  else
    flags=$(pkg-config --static --cflags --libs corsgate)
  fi
  echo "$kind: cc minimal.c $flags"
  # shellcheck disable=SC2086
  "$CC" -Wall -Wextra -Werror -std=c11 tests/c/minimal.c -o "$W/minimal-$kind" $flags
  needed=$(readelf -d "$W/minimal-$kind" | grep NEEDED || true)
  if [ "$kind" = shared ]; then
    grep -q "libcorsgate.so.$C_ABI" <<<"$needed" || { echo "not linked to libcorsgate.so.$C_ABI"; exit 1; }
    soname=$(readelf -d "$prefix/lib/libcorsgate.so.$C_VERSION" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
    [ "$soname" = "libcorsgate.so.$C_ABI" ] || { echo "soname is '$soname'"; exit 1; }
    LD_LIBRARY_PATH="$prefix/lib" "$W/minimal-$kind" > "$W/out-$kind"
  else
    ! grep -q libcorsgate <<<"$needed" || { echo "static consumer needs libcorsgate.so"; exit 1; }
    "$W/minimal-$kind" > "$W/out-$kind"
  fi
  diff -u "$W/expected" "$W/out-$kind"
  echo "$kind consumer: ok"
done
