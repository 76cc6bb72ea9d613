#!/usr/bin/env bash
# Builds mod_corsgate.so against the installed Apache httpd (Debian's apache2 + apache2-dev).
#
#   bindings-apache/build.sh [BUILD_DIR]      (default: build/apache; `make apache-module`)
#
# Compiles with apxs (httpd's own compiler flags and include paths) plus -Wall -Wextra -Werror,
# in BUILD_DIR (apxs writes its objects next to the source, so the source is copied there),
# and links libcorsgate.a statically: the .so is self-contained (no libcorsgate.so at run
# time). CORSGATE_PREFIX says where lib/libcorsgate.a and include/corsgate.h are (default
# build/c/prefix, staged by `make c-lib`); APXS names another apxs.
# Prints the path of the .so on its last line.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$(mkdir -p "${1:-$root/build/apache}" && cd "${1:-$root/build/apache}" && pwd)"
apxs="${APXS:-apxs}"
prefix="${CORSGATE_PREFIX:-$root/build/c/prefix}"

command -v "$apxs" >/dev/null || { echo "build.sh: $apxs missing: apt-get install apache2-dev" >&2; exit 1; }
[ -f "$prefix/lib/libcorsgate.a" ] || { echo "build.sh: no $prefix/lib/libcorsgate.a: make c-lib" >&2; exit 1; }

so="$out/mod_corsgate.so"
if [ -f "$so" ] && [ "$so" -nt "$here/mod_corsgate.c" ] && [ "$so" -nt "$prefix/lib/libcorsgate.a" ] \
    && [ "$so" -nt "$here/build.sh" ]; then
    echo "$so"
    exit 0
fi

cp "$here/mod_corsgate.c" "$out/mod_corsgate.c"
# The native libraries a static link of the Rust library needs (mk/30-c.mk, C_NATIVE_LIBS).
# --exclude-libs keeps the library's symbols (Rust's std included) out of the .so's exports,
# so another module embedding Rust cannot clash with it.
(
    cd "$out"
    "$apxs" -c -Wc,-std=gnu11 -Wc,-Wall -Wc,-Wextra -Wc,-Werror -I"$prefix/include" \
        -Wl,-Wl,--exclude-libs=ALL "$prefix/lib/libcorsgate.a" -lgcc_s -lutil -lrt -lpthread -lm -ldl \
        mod_corsgate.c >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
)
cp "$out/.libs/mod_corsgate.so" "$so"
echo "$so"
