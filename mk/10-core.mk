# Rust workspace: format, lints, unit tests, shared vectors, allocation test.
.PHONY: test-rust lint-rust rust-components
TEST_TARGETS += lint-rust test-rust

# rustfmt and clippy are rustup components a minimal toolchain may lack.
rust-components:
	@$(CARGO) fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@$(CARGO) clippy --version >/dev/null 2>&1 || rustup component add clippy

lint-rust: rust-components ## cargo fmt --check, clippy -D warnings, rustdoc -D warnings, cargo package of the published crates
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy -p corsgate --all-targets --all-features -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --all-features -p corsgate -p corsgate-actix
	$(CARGO) package --no-verify --allow-dirty -p corsgate -p corsgate-actix

test-rust: ## Rust unit tests, shared vectors and the allocation test
	$(CARGO) test --workspace --all-features
