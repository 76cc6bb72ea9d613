# corsgate: one command per job. `make help` lists them.
# Each component adds its own targets in mk/<component>.mk and appends to TEST_TARGETS,
# so `make test` runs everything that has landed.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo
TEST_TARGETS :=

include $(sort $(wildcard mk/*.mk))

.PHONY: help test
help: ## list the commands
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

test: $(TEST_TARGETS) ## everything, from a fresh machine (installs what it needs)
	@echo "make test: all suites passed ($(TEST_TARGETS))"
