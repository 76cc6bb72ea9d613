# Real-browser tests (tests/browser/, guide docs/browser-tests.md): headless Chromium (Debian's
# `chromium`, driven by playwright-core from npm, no browser download) and headless Firefox ESR
# (Debian's `firefox-esr`, driven by puppeteer-core over WebDriver BiDi), in parallel on the same
# servers, run every case of the matrix against every server integration (nginx + module, Apache httpd + mod_corsgate, uvicorn + corsgate.asgi, waitress +
# corsgate.wsgi, Django + corsgate.django under uvicorn, Flask + corsgate.flask under waitress,
# Express + corsgate.middleware, Fastify + corsgate/fastify's strict plugin, Koa + corsgate/koa's strict middleware, Hono + corsgate/hono's strict middleware, the C example server), all on one policy file,
# and compares the browser with the engine and the checker. `make test-browser` also writes
# the screenshot docs/img/browser-matrix.png.
.PHONY: browser-deps browser-cli browser-rust-servers browser-servers test-browser demo-browser
TEST_TARGETS += test-browser

BROWSER_DIR     := $(CURDIR)/tests/browser
BROWSER_STAMP   := $(BROWSER_DIR)/node_modules/.package-lock.json
# Every integration; `make test-browser BROWSER_SERVERS='express c'` runs some of them.
BROWSER_SERVERS ?= nginx apache asgi wsgi django flask express fastify koa hono c axum actix
# Every browser; `make test-browser BROWSERS=firefox` runs one of them.
BROWSERS        ?= chromium firefox
BROWSER_ENV     := CORSGATE_BROWSER_SERVERS="$(BROWSER_SERVERS)" CORSGATE_BROWSERS="$(BROWSERS)" \
                   CORSGATE_CLI="$(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/debug/corsgate"

$(BROWSER_STAMP): $(BROWSER_DIR)/package.json $(BROWSER_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 18+ with npm is required" >&2; exit 1; }
	cd $(BROWSER_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

browser-deps: $(BROWSER_STAMP) ## Debian's chromium and firefox-esr (skipped when present), playwright-core, puppeteer-core, express
	@{ command -v chromium >/dev/null && command -v firefox-esr >/dev/null; } || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium firefox-esr; }

# A debug build: `cargo test --workspace` (test-rust) has built it already, a release build
# would cost minutes on a fresh machine and save seconds here.
browser-cli: ## the corsgate CLI the tests ask for the engine's and the checker's answers
	$(CARGO) build -p corsgate-cli

# What the servers need: the Node addon, the Python extension, the C example, the nginx and
# httpd modules.
# The axum and actix-web examples: debug builds, whose dependencies `cargo test --workspace
# --all-features` (test-rust) has compiled already.
browser-rust-servers: ## the axum and actix-web servers of the browser matrix
	$(CARGO) build -p corsgate --features tower --example browser_axum
	$(CARGO) build -p corsgate-actix --example browser_actix

browser-servers: node-build python-build c-server nginx-module apache-module browser-rust-servers

test-browser: browser-deps browser-cli browser-servers ## every case x every server in headless Chromium and Firefox ESR; screenshot to docs/img/
	cd $(BROWSER_DIR) && $(BROWSER_ENV) CORSGATE_SCREENSHOT=$(CURDIR)/docs/img/browser-matrix.png \
	  node --test --test-concurrency=1 --test-reporter=dot browser.test.js vectors.test.js
	$(PY_VENV)/bin/ruff check --config $(PY_CONFIG) tests/browser/servers
	$(PY_VENV)/bin/ruff format --check --config $(PY_CONFIG) tests/browser/servers
	$(PY_VENV)/bin/mypy --strict tests/browser/servers/apps.py

demo-browser: browser-deps browser-cli browser-servers ## start every server, run the matrix in Chromium and Firefox, show the table (a column per browser and server)
	cd $(BROWSER_DIR) && $(BROWSER_ENV) node demo.js
