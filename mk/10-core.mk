# Rust workspace: format, lints, unit tests, shared vectors, allocation test.
.PHONY: test-rust lint-rust
TEST_TARGETS += lint-rust test-rust

lint-rust: ## cargo fmt --check and clippy -D warnings
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust: ## Rust unit tests, shared vectors and the allocation test
	$(CARGO) test --workspace
