# CLI (cli/, binary `corsgate`). Its tests (cli/tests/) and the check that every
# examples/policies/ file compiles run in `cargo test --workspace` (mk/10-core.mk).
.PHONY: demo

demo: ## build the corsgate CLI and show what it decides, and why, for a few requests
	$(CARGO) build --release -p corsgate-cli
	@examples/demo.sh "$${CARGO_TARGET_DIR:-target}/release/corsgate"
