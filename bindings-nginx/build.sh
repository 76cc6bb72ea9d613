#!/usr/bin/env bash
# Builds ngx_http_corsgate_module.so against the installed nginx (Debian's nginx + nginx-dev).
#
#   bindings-nginx/build.sh [BUILD_DIR]      (default: build/nginx; `make nginx-module`)
#
# Works on a copy of nginx-dev's configured source tree (/usr/share/nginx/src, or NGX_SRC),
# configured with the exact flags the installed nginx was built with (its conf_flags, which
# include --with-compat), so the module's signature matches and `load_module` accepts it.
# libcorsgate.a is linked statically (see ./config); CORSGATE_PREFIX says where it is.
# Prints the path of the .so on its last line.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$(mkdir -p "${1:-$root/build/nginx}" && cd "${1:-$root/build/nginx}" && pwd)"
src="${NGX_SRC:-/usr/share/nginx/src}"
export CORSGATE_PREFIX="${CORSGATE_PREFIX:-$root/build/c/prefix}"

[ -f "$src/conf_flags" ] || { echo "build.sh: $src/conf_flags missing: apt-get install nginx-dev" >&2; exit 1; }
[ -f "$CORSGATE_PREFIX/lib/libcorsgate.a" ] || { echo "build.sh: no $CORSGATE_PREFIX/lib/libcorsgate.a: make c-lib" >&2; exit 1; }

# nginx builds every file with -W -Wall -Werror; add C11 and -Wextra like the rest of our C.
cflags="$(dpkg-buildflags --get CFLAGS) -fPIC $(dpkg-buildflags --get CPPFLAGS) -std=gnu11 -Wextra"
ldflags="$(dpkg-buildflags --get LDFLAGS) -fPIC"
stamp="$src|$CORSGATE_PREFIX|$cflags|$ldflags|$(md5sum "$here/config" | cut -d' ' -f1)|$(nginx -v 2>&1)"

# Configure once per (tree, flags, config file); `make modules` then rebuilds what changed.
if [ ! -f "$out/ngxbuild/Makefile" ] || [ "$(cat "$out/configured" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$out/ngxsrc" "$out/ngxbuild"
    cp -r "$src" "$out/ngxsrc"
    (
        cd "$out/ngxsrc"
        # shellcheck disable=SC1091
        . ./conf_flags
        ./configure --with-cc-opt="$cflags" --with-ld-opt="$ldflags" "${NGX_CONF_FLAGS[@]}" \
            --add-dynamic-module="$here" --builddir="$out/ngxbuild" >"$out/configure.log" 2>&1 \
            || { tail -n 30 "$out/configure.log" >&2; exit 1; }
    )
    echo "$stamp" >"$out/configured"
fi

# The library is a dependency of the .so (ngx_module_deps), so a new libcorsgate.a relinks.
(cd "$out/ngxsrc" && make -s -f "$out/ngxbuild/Makefile" modules)
echo "$out/ngxbuild/ngx_http_corsgate_module.so"
