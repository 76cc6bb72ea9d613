#!/usr/bin/env bash
# Builds the Debian packages from the release artefacts the Makefile built, with Debian's own
# tooling (dpkg-buildpackage + debhelper), then checks them with lintian:
#
#   packaging/debian/build.sh <out dir>
#
# Environment (mk/90-dist.mk sets it): CORSGATE_VERSION, C_ABI, C_TARGET_DIR (cargo's target
# dir with release/libcorsgate_ffi.{so,a}), C_NATIVE_LIBS, CORSGATE_CLI (the release binary),
# CORSGATE_NGINX_MODULE (the .so built against the installed nginx-dev), CORSGATE_APACHE_MODULE
# (mod_corsgate.so built with the installed apxs).
# The source tree is staged in build/dist/deb/corsgate-<version>/ (debian/ from this directory,
# stage/ with the artefacts); the .deb files are copied to <out dir>.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$(mkdir -p "$1" && cd "$1" && pwd)"
: "${CORSGATE_VERSION:?}" "${C_ABI:?}" "${C_TARGET_DIR:?}" "${C_NATIVE_LIBS:?}" "${CORSGATE_CLI:?}" "${CORSGATE_NGINX_MODULE:?}" \
    "${CORSGATE_APACHE_MODULE:?}"

work="$root/build/dist/deb"
src="$work/corsgate-$CORSGATE_VERSION"
rm -rf "$work" && mkdir -p "$src"
cp -r "$here" "$src/debian"
rm "$src/debian/build.sh"

# debian/changelog: the version is Cargo.toml's, revision 1.
cat >"$src/debian/changelog" <<CHANGELOG
corsgate ($CORSGATE_VERSION-1) unstable; urgency=medium

  * Packaged from the corsgate repository by make dist.

 -- corsgate maintainers <maintainers@corsgate.invalid>  $(date -R -d "@${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}")
CHANGELOG

# stage/: what `make install PREFIX=/usr` writes, with Debian's multiarch library directory.
multiarch="$(dpkg-architecture -qDEB_HOST_MULTIARCH)"
lib="$src/stage/usr/lib/$multiarch"
install -d "$lib/pkgconfig" "$src/stage/usr/include" "$src/stage/usr/bin" \
    "$src/stage/usr/lib/nginx/modules" "$src/stage/usr/share/nginx/modules-available"
install -m 644 "$root/include/corsgate.h" "$src/stage/usr/include/corsgate.h"
install -m 644 "$C_TARGET_DIR/release/libcorsgate_ffi.so" "$lib/libcorsgate.so.$CORSGATE_VERSION"
ln -s "libcorsgate.so.$CORSGATE_VERSION" "$lib/libcorsgate.so.$C_ABI"
ln -s "libcorsgate.so.$C_ABI" "$lib/libcorsgate.so"
install -m 644 "$C_TARGET_DIR/release/libcorsgate_ffi.a" "$lib/libcorsgate.a"
sed -e 's|@PREFIX@|/usr|' -e "s|@VERSION@|$CORSGATE_VERSION|" -e "s|@LIBS_PRIVATE@|$C_NATIVE_LIBS|" \
    -e "s|^libdir=\${prefix}/lib\$|libdir=\${prefix}/lib/$multiarch|" \
    "$root/ffi/corsgate.pc.in" >"$lib/pkgconfig/corsgate.pc"
install -m 755 "$CORSGATE_CLI" "$src/stage/usr/bin/corsgate"
install -m 644 "$CORSGATE_NGINX_MODULE" "$src/stage/usr/lib/nginx/modules/ngx_http_corsgate_module.so"
echo "load_module modules/ngx_http_corsgate_module.so;" \
    >"$src/stage/usr/share/nginx/modules-available/mod-http-corsgate.conf"
# Not in stage/: dh_apache2 installs it (debian/libapache2-mod-corsgate.apache2).
install -D -m 644 "$CORSGATE_APACHE_MODULE" "$src/apache/mod_corsgate.so"

(cd "$src" && dpkg-buildpackage --build=binary --no-sign --no-check-builddeps >"$work/build.log" 2>&1) \
    || { tail -n 40 "$work/build.log" >&2; exit 1; }

# lintian: errors fail the build; warnings are printed (docs/packaging.md lists the ones left).
changes="$(ls "$work"/corsgate_"$CORSGATE_VERSION"-1_*.changes)"
lintian --fail-on error --suppress-tags-from-file "$here/lintian-accepted" "$changes"

cp "$work"/*.deb "$out/"
ls "$work"/*.deb | xargs -n1 basename
