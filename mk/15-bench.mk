# Core benchmarks (criterion): the evaluate hot path, origin-list scaling, and corsgate side by
# side with tower-http's CorsLayer. Not part of `make test`; about two minutes with a warm
# build. Results and the machine they were taken on: docs/BENCHMARKS.md, section "Core".
.PHONY: bench bench-core bench-instructions bench-actix

bench: bench-core ## core benchmarks (~2 min); the bindings have bench-c, bench-python, bench-node, bench-nginx, bench-apache

bench-core: ## criterion: evaluate, 1 vs 10,000 vs 1,000-wildcard origins, corsgate vs tower-http
	$(CARGO) bench -p corsgate --features tower --bench evaluate
	python3 core/benches/medians.py

bench-instructions: ## instructions per request of each core benchmark and of corsgate-actix vs actix-cors under callgrind (deterministic)
	@command -v valgrind >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y valgrind; }
	python3 core/benches/instructions.py
	python3 core/benches/instructions.py --actix

bench-actix: ## corsgate-actix vs actix-cors 0.7, same run, with the no-CORS floor
	$(CARGO) bench -p corsgate-actix --bench vs_actix_cors
