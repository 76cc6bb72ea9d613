# Node package (bindings-node/, guide docs/node.md): npm ci of the pinned dev dependencies
# (@napi-rs/cli, cors 2.8.5, express 5 and 4, connect, fastify 5 + @fastify/cors 11, koa 3 +
# @koa/cors 5, hono 4 + @hono/node-server, typescript, autocannon), the addon built with `napi build`, then node:test
# (shared vectors, the cors, @fastify/cors, @koa/cors and hono cors() compatibility matrices,
# real Express/Connect/Koa/Hono/node:http servers), tsc --strict on the examples and a fresh
# `npm install ./bindings-node` in a scratch project.
#
# cargo builds into target/node (not the shared target/): the Node build never waits on the
# cargo lock of other components' builds, and their builds never evict its artefacts.
.PHONY: node-deps node-build test-node bench-node
TEST_TARGETS += test-node

NODE_DIR        := $(CURDIR)/bindings-node
NODE_TARGET_DIR := $(CURDIR)/target/node
NODE_STAMP      := $(NODE_DIR)/node_modules/.package-lock.json
NODE_SCRATCH    := $(CURDIR)/build/node-install

$(NODE_STAMP): $(NODE_DIR)/package-lock.json $(NODE_DIR)/package.json
	@command -v npm >/dev/null || { echo "Node.js 18+ with npm is required" >&2; exit 1; }
	cd $(NODE_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

node-deps: $(NODE_STAMP) ## npm ci in bindings-node (pinned by package-lock.json)

node-build: node-deps ## build the addon (napi build --platform --release into target/node)
	cd $(NODE_DIR) && CARGO_TARGET_DIR=$(NODE_TARGET_DIR) npx napi build --platform --release \
	  --no-js --dts native.d.ts --target-dir $(NODE_TARGET_DIR)

test-node: node-build ## node:test (vectors, cors matrix, Express/Connect/http servers), tsc --strict, fresh npm install
	cd $(NODE_DIR) && node --test --no-warnings test/*.test.js
	cd $(NODE_DIR) && npx tsc -p examples/tsconfig.json --noEmit --strict
	rm -rf $(NODE_SCRATCH) && mkdir -p $(NODE_SCRATCH)
	cd $(NODE_SCRATCH) && echo '{"name":"scratch","version":"1.0.0","private":true}' > package.json && \
	  npm install $(NODE_DIR) --no-audit --no-fund --loglevel=error && \
	  node $(NODE_DIR)/test/fresh-install.js

bench-node: node-build ## middleware time vs cors, @fastify/cors, @koa/cors, hono's cors(); Express throughput with autocannon (docs/BENCHMARKS.md)
	cd $(NODE_DIR) && node --no-warnings bench/middleware.js
	cd $(NODE_DIR) && node --no-warnings bench/fastify.js
	cd $(NODE_DIR) && node --no-warnings bench/koa.js
	cd $(NODE_DIR) && node --no-warnings bench/hono.js
	cd $(NODE_DIR) && node --no-warnings bench/express.js 5 7
