# C ABI: libcorsgate (shared + static), include/corsgate.h, corsgate.pc, `make install`, the C
# tests (vectors, browser, misuse, threads; native, valgrind, ASan+UBSan; pkg-config consumers) and the
# libmicrohttpd example server. Guide: docs/c-api.md.
.PHONY: c-deps c-release c-lib c-header install install-c test-c c-server bench-c
TEST_TARGETS += test-c

C_TARGET_DIR  := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
C_BUILD       := $(CURDIR)/build/c
# `make c-lib` stages an installed tree here (lib/, include/, lib/pkgconfig/): the C tests, the
# example server and the nginx module link against it.
C_STAGE       := $(C_BUILD)/prefix
C_VERSION     := $(shell sed -n 's/^version = "\(.*\)"$$/\1/p' Cargo.toml | head -n1)
C_ABI         := $(shell grep -o 'CORSGATE_ABI_VERSION [0-9]*' include/corsgate.h | cut -d' ' -f2)
# What a static link needs besides libcorsgate.a, from
# `cargo rustc -p corsgate-ffi --release --lib --crate-type staticlib -- --print native-static-libs`.
C_NATIVE_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
C_APT         := libjansson-dev libmicrohttpd-dev valgrind pkg-config curl binutils
PREFIX        ?= /usr/local
# Which libraries `make install` installs: both, shared or static.
CORSGATE_LIBS ?= both
export C_TARGET_DIR C_BUILD C_STAGE C_VERSION C_ABI C_NATIVE_LIBS

c-deps: ## apt packages the C tests and the example need (skipped when present)
	@dpkg -s $(C_APT) >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(C_APT); }

# C_NO_BUILD=1 installs what the last build produced (the pkg-config test uses it).
c-release:
	$(if $(C_NO_BUILD),@true,$(CARGO) build -p corsgate-ffi --release)

# $(call c_install,<prefix>,<both|shared|static>)
define c_install
	install -d "$(1)/lib/pkgconfig" "$(1)/include"
	install -m 644 include/corsgate.h "$(1)/include/corsgate.h"
	if [ "$(2)" != static ]; then \
	  install -m 755 "$(C_TARGET_DIR)/release/libcorsgate_ffi.so" "$(1)/lib/libcorsgate.so.$(C_VERSION)" && \
	  ln -sf "libcorsgate.so.$(C_VERSION)" "$(1)/lib/libcorsgate.so.$(C_ABI)" && \
	  ln -sf "libcorsgate.so.$(C_ABI)" "$(1)/lib/libcorsgate.so"; fi
	if [ "$(2)" != shared ]; then \
	  install -m 644 "$(C_TARGET_DIR)/release/libcorsgate_ffi.a" "$(1)/lib/libcorsgate.a"; fi
	sed -e 's|@PREFIX@|$(patsubst $(DESTDIR)%,%,$(1))|' -e 's|@VERSION@|$(C_VERSION)|' \
	  -e 's|@LIBS_PRIVATE@|$(C_NATIVE_LIBS)|' ffi/corsgate.pc.in > "$(1)/lib/pkgconfig/corsgate.pc"
endef

c-lib: c-release ## build libcorsgate.so.<abi> + libcorsgate.a + corsgate.pc into build/c/prefix
	@rm -rf "$(C_STAGE)"
	$(call c_install,$(C_STAGE),both)
	@echo "libcorsgate staged in $(C_STAGE)"

c-header: ## regenerate include/corsgate.h from ffi/src with cbindgen
	CORSGATE_BLESS=1 $(CARGO) test -p corsgate-ffi --test header

install: install-c ## install libcorsgate under PREFIX (see install-c)
install-c: c-release ## install lib/, include/, lib/pkgconfig/ under PREFIX (CORSGATE_LIBS=both|shared|static)
	$(call c_install,$(DESTDIR)$(PREFIX),$(CORSGATE_LIBS))

c-server: c-deps c-lib ## build the libmicrohttpd example server (examples/c-server)
	$(MAKE) -C examples/c-server CORSGATE_PREFIX="$(C_STAGE)"

test-c: c-deps c-lib c-server ## C tests: vectors, browser, misuse, threads (native, valgrind, ASan+UBSan), pkg-config, server
	bash tests/c/run.sh

bench-c: ## overhead of the C entry points over the core (docs/BENCHMARKS.md)
	$(CARGO) bench -p corsgate-ffi --bench overhead
