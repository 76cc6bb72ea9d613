# nginx module (bindings-nginx/): ngx_http_corsgate_module.so built against Debian's nginx with
# its nginx-dev source tree, libcorsgate.a linked statically. Tests in tests/nginx/ run a real
# nginx on 127.0.0.1 with a private prefix. Guide: docs/nginx.md.
.PHONY: nginx-deps nginx-module test-nginx bench-nginx
TEST_TARGETS += test-nginx

NGINX_BUILD := $(CURDIR)/build/nginx
NGINX_SO    := $(NGINX_BUILD)/ngxbuild/ngx_http_corsgate_module.so
NGINX_APT   := nginx nginx-dev wrk curl valgrind
export CORSGATE_NGINX_MODULE := $(NGINX_SO)

nginx-deps: ## apt packages of the nginx module and its tests (skipped when present)
	@dpkg -s $(NGINX_APT) >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(NGINX_APT); }

nginx-module: nginx-deps c-lib ## build build/nginx/ngxbuild/ngx_http_corsgate_module.so
	CORSGATE_PREFIX="$(C_STAGE)" bindings-nginx/build.sh "$(NGINX_BUILD)"

test-nginx: nginx-module ## nginx module: every shared vector over HTTP, nginx-specific cases, nginx -t, reload
	cd tests/nginx && python3 -m unittest test_vectors test_responses test_module test_routes test_observe

bench-nginx: nginx-module ## worker CPU per request: corsgate vs hand-written add_header config (docs/BENCHMARKS.md)
	python3 tests/nginx/bench.py
