#!/usr/bin/env bash
# The C test suite (called by `make test-c`, after `make c-lib c-server`): builds the C tests
# (vectors, browser, misuse, threads, observe)
# natively against the shared library and with ASan+UBSan against the static one, runs them
# natively, under valgrind memcheck and sanitized, then checks pkg-config consumers against
# installed trees and the example server over HTTP.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${C_STAGE:?run through make test-c}" "${C_BUILD:?}" "${C_NATIVE_LIBS:?}"

CC=${CC:-cc}
CFLAGS=(-Wall -Wextra -Werror -std=c11 -O1 -g)
OUT="$C_BUILD/tests"
rm -rf "$OUT" && mkdir -p "$OUT/scratch"
TESTS=(vectors browser misuse threads observe)
step() { printf '\n== %s\n' "$*"; }

step "build (native, shared library)"
for t in "${TESTS[@]}"; do
  "$CC" "${CFLAGS[@]}" -I"$C_STAGE/include" "tests/c/$t.c" -o "$OUT/$t" \
    -L"$C_STAGE/lib" -Wl,-rpath,"$C_STAGE/lib" -lcorsgate -ljansson -lpthread
done
step "build (ASan + UBSan, static library)"
SAN=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
for t in "${TESTS[@]}"; do
  "$CC" "${CFLAGS[@]}" "${SAN[@]}" -I"$C_STAGE/include" "tests/c/$t.c" -o "$OUT/$t-asan" \
    "$C_STAGE/lib/libcorsgate.a" $C_NATIVE_LIBS -ljansson
done

run_all() { # <prefix command...> -- runs the five tests with a wrapper (or none)
  "$@" "$OUT/vectors$SUFFIX" tests/vectors
  "$@" "$OUT/browser$SUFFIX" tests/vectors/browser
  "$@" "$OUT/misuse$SUFFIX" "$OUT/scratch"
  "$@" "$OUT/threads$SUFFIX" "$SWAPS"
  "$@" "$OUT/observe$SUFFIX"
}

step "native"
SUFFIX="" SWAPS=10000 run_all env

step "valgrind memcheck (errors and leaks fail the run)"
# Under valgrind the threads run serialised; 10,000 swaps still take only seconds.
SUFFIX="" SWAPS=10000 run_all valgrind -q --error-exitcode=99 --leak-check=full \
  --errors-for-leak-kinds=definite,possible --show-leak-kinds=definite,possible --fair-sched=yes

step "AddressSanitizer + UndefinedBehaviorSanitizer"
SUFFIX="-asan" SWAPS=10000 run_all env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

step "pkg-config consumers against installed trees (shared and static)"
bash tests/c/pkgconfig.sh "$OUT/pkgconfig"

step "example server (libmicrohttpd) over HTTP"
bash tests/c/server.sh "$OUT/server"
python3 tests/c/responses.py examples/c-server/corsgate-server "$OUT/responses"

echo
echo "test-c: all C tests passed"
