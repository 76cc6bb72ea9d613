# Distribution artefacts (`make dist` writes them to dist/; guide docs/packaging.md): the Python
# abi3 manylinux wheel (checked with auditwheel) and sdist, the npm packages of the napi-rs
# platform-package layout (`corsgate` + `@corsgate/linux-x64-gnu`), the Debian packages
# (libcorsgate0, libcorsgate-dev, corsgate, libnginx-mod-http-corsgate, libapache2-mod-corsgate) and
# the CLI tarball with its checksum. Every piece packs what the other suites already built
# (target/python, target/node, target/release, build/nginx, build/apache): nothing is compiled twice.
# `make test-dist` installs them as a user would, without Rust; it runs after test-nginx and
# test-apache in TEST_TARGETS because it installs (and then purges) the Debian packages on
# this machine (it never starts the system's nginx or apache2 services).
.PHONY: dist dist-python dist-node dist-cli dist-deb dist-deps test-dist
TEST_TARGETS += test-dist

DIST_DIR     := $(CURDIR)/dist
DIST_BUILD   := $(CURDIR)/build/dist
DIST_TRIPLE  := x86_64-unknown-linux-gnu
DIST_CLI     := $(C_TARGET_DIR)/release/corsgate
DIST_APT     := debhelper lintian dpkg-dev fakeroot pkg-config
# The tools the dist checks add to .venv (auditwheel reads the wheel's ELF symbol versions).
DIST_PY      := auditwheel==6.8.2
export CORSGATE_DIST_DIR := $(DIST_DIR)

dist-deps: python-venv ## apt packages of the Debian build (skipped when present), auditwheel
	@dpkg -s $(DIST_APT) >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DIST_APT); }
	@$(PY_VENV)/bin/auditwheel --version >/dev/null 2>&1 || \
	  $(PY) -m pip install -q --disable-pip-version-check $(DIST_PY)

dist: dist-python dist-node dist-cli dist-deb ## every distribution artefact into dist/
	@ls -l $(DIST_DIR)

dist-python: dist-deps ## the abi3 manylinux wheel (auditwheel show) and the sdist into dist/
	@mkdir -p $(DIST_DIR) && rm -f $(DIST_DIR)/corsgate-*.whl $(DIST_DIR)/corsgate-*.tar.gz
	cd bindings-python && CARGO_TARGET_DIR=$(PY_TARGET_DIR) \
	  $(PY_VENV)/bin/maturin build --release -q --out $(DIST_DIR)
	cd bindings-python && $(PY_VENV)/bin/maturin sdist --out $(DIST_DIR)
	$(PY_VENV)/bin/auditwheel show $(DIST_DIR)/corsgate-*-manylinux*.whl

dist-node: node-build ## corsgate-<v>.tgz and corsgate-linux-x64-gnu-<v>.tgz (npm pack) into dist/
	@mkdir -p $(DIST_DIR) && rm -f $(DIST_DIR)/corsgate-*.tgz
	node packaging/npm/stage.js $(DIST_BUILD)/npm $(NODE_DIR)/corsgate.linux-x64-gnu.node
	cd $(DIST_BUILD)/npm && for p in corsgate linux-x64-gnu; do \
	  npm pack ./$$p --pack-destination $(DIST_DIR) --silent || exit 1; done

dist-cli: ## the CLI binary tarball and its .sha256 into dist/
	$(CARGO) build --release -p corsgate-cli
	@mkdir -p $(DIST_DIR) $(DIST_BUILD)
	packaging/cli-tarball.sh $(DIST_CLI) $(C_VERSION) $(DIST_TRIPLE) $(DIST_DIR)

dist-deb: dist-deps c-lib nginx-module apache-module dist-cli ## libcorsgate0, -dev, corsgate, libnginx-mod-http-corsgate, libapache2-mod-corsgate (.deb) into dist/
	CORSGATE_VERSION=$(C_VERSION) CORSGATE_CLI=$(DIST_CLI) packaging/debian/build.sh $(DIST_DIR)

test-dist: dist ## install the artefacts without Rust: pip (FastAPI), npm (Express), dpkg (nginx, Apache); versions agree
	python3 -m unittest discover -s tests/dist -t tests/dist -v
	$(PY_VENV)/bin/ruff check --config tests/dist/ruff.toml tests/dist
	$(PY_VENV)/bin/ruff format --check --config tests/dist/ruff.toml tests/dist
	$(PY_VENV)/bin/mypy --strict tests/dist
