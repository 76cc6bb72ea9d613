# Fuzzing (not part of `make test`): cargo-fuzz with libFuzzer, FUZZ_SECONDS per target.
.PHONY: fuzz
FUZZ_SECONDS ?= 60

fuzz: ## fuzz evaluation, policy parsing, the express/starlette profiles, the browser checker, parse_http and the origin matcher against a URL-Standard reference (FUZZ_SECONDS per target)
	command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	cd fuzz && for t in evaluate policy profiles browser_check parse_http origin_differential; do \
	  mkdir -p corpus/$$t && \
	  RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run $$t corpus/$$t seeds/$$t -- -max_total_time=$(FUZZ_SECONDS) || exit 1; \
	done
