# Apache httpd module (bindings-apache/): mod_corsgate.so built with Debian's apxs (apache2-dev),
# libcorsgate.a linked statically (one self-contained .so). Tests in tests/apache/ run a real
# httpd on 127.0.0.1 under a private ServerRoot. Guide: docs/apache.md.
.PHONY: apache-deps apache-module test-apache bench-apache
TEST_TARGETS += test-apache

APACHE_BUILD := $(CURDIR)/build/apache
APACHE_SO    := $(APACHE_BUILD)/mod_corsgate.so
APACHE_APT   := apache2 apache2-dev curl valgrind
export CORSGATE_APACHE_MODULE := $(APACHE_SO)

apache-deps: ## apt packages of the httpd module and its tests (skipped when present)
	@dpkg -s $(APACHE_APT) >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APACHE_APT); }

apache-module: apache-deps c-lib ## build build/apache/mod_corsgate.so with apxs (-Wall -Wextra -Werror)
	CORSGATE_PREFIX="$(C_STAGE)" bindings-apache/build.sh "$(APACHE_BUILD)"

test-apache: apache-module python-venv ## httpd module: every shared vector through a real httpd, httpd-specific cases, configtest, graceful, valgrind
	cd tests/apache && python3 -m unittest test_vectors test_responses test_module
	$(PY_VENV)/bin/ruff check --config tests/apache/ruff.toml tests/apache
	$(PY_VENV)/bin/ruff format --check --config tests/apache/ruff.toml tests/apache

bench-apache: apache-module ## CPU per request: corsgate vs hand-written mod_headers config (docs/BENCHMARKS.md)
	python3 tests/apache/bench.py
