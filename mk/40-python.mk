# Python package (bindings-python/, guide docs/python.md): a venv in .venv/ (gitignored), the
# extension built with maturin, then pytest (shared vectors, the Starlette, django-cors-headers
# and flask-cors compatibility matrices (Django 5.2, then 4.2), uvicorn and waitress over HTTP),
# mypy --strict on the package and examples, ruff.
#
# maturin builds into target/python (not the shared target/): the Python build never waits
# on the cargo lock of other components' builds, and their builds never evict its artefacts.
.PHONY: python-venv python-build test-python bench-python python-wheel
TEST_TARGETS += test-python

PY_VENV       := $(CURDIR)/.venv
PY            := $(PY_VENV)/bin/python
PY_TARGET_DIR := $(CURDIR)/target/python
PY_CONFIG     := bindings-python/pyproject.toml
# Pinned: the compatibility matrices compare with these exact Starlette, django-cors-headers
# and flask-cors releases.
PY_PACKAGES   := maturin==1.16.0 pytest==9.2.0 starlette==1.10.0 fastapi==0.165.0 \
                 uvicorn==0.54.0 httpx==0.28.1 Flask==3.1.3 waitress==3.0.2 trio==0.35.0 \
                 anyio==4.16.0 mypy==2.4.1 ruff==0.17.6 Django==5.2.19 \
                 django-cors-headers==4.9.0 flask-cors==6.0.5 django-stubs==5.2.9 \
                 prometheus_client==0.26.0
# Django 4.2 LTS, installed beside the venv (PYTHONPATH first): the Django suites run again on it.
PY_DJANGO42   := Django==4.2.30
PY_DJANGO42_DIR := $(PY_VENV)/django42
PY_STAMP      := $(PY_VENV)/.corsgate-$(shell echo '$(PY_PACKAGES)' | cksum | cut -d' ' -f1)

$(PY_STAMP):
	@python3 -c 'import ensurepip' 2>/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; }
	@test -x $(PY) || python3 -m venv $(PY_VENV)
	$(PY) -m pip install -q --disable-pip-version-check $(PY_PACKAGES)
	@rm -f $(PY_VENV)/.corsgate-* && touch $@

python-venv: $(PY_STAMP) ## create .venv with maturin and the test dependencies (pinned)

python-build: python-venv ## build the extension into the venv (maturin develop --release)
	cd bindings-python && CARGO_TARGET_DIR=$(PY_TARGET_DIR) VIRTUAL_ENV=$(PY_VENV) \
	  $(PY_VENV)/bin/maturin develop --release -q

$(PY_DJANGO42_DIR)/.stamp: $(PY_STAMP)
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --target $(PY_DJANGO42_DIR) $(PY_DJANGO42)
	@touch $@

test-python: python-build $(PY_DJANGO42_DIR)/.stamp ## pytest (vectors, Starlette/Django/Flask matrices, servers), mypy --strict, ruff
	$(PY) -m pytest -q -p no:cacheprovider tests/python
	PYTHONPATH=$(PY_DJANGO42_DIR) $(PY) -m pytest -q -p no:cacheprovider tests/python/test_django_compat.py
	$(PY_VENV)/bin/mypy --config-file $(PY_CONFIG) bindings-python/python/corsgate bindings-python/examples
	$(PY_VENV)/bin/ruff check --config $(PY_CONFIG) bindings-python tests/python
	$(PY_VENV)/bin/ruff format --check --config $(PY_CONFIG) bindings-python tests/python

python-wheel: python-venv ## the abi3 wheel (CPython >= 3.9) into target/wheels
	cd bindings-python && CARGO_TARGET_DIR=$(PY_TARGET_DIR) \
	  $(PY_VENV)/bin/maturin build --release --out $(CURDIR)/target/wheels

bench-python: python-build ## middleware overhead vs Starlette's, django-cors-headers and flask-cors, and uvicorn throughput (docs/BENCHMARKS.md)
	@command -v wrk >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(PY) tests/python/bench/overhead.py
	$(PY) tests/python/bench/django_flask.py
	$(PY) tests/python/bench/checks.py
	$(PY) tests/python/bench/throughput.py
