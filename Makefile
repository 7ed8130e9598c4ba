# The two commands: `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
# uv from PATH, else the one pip bootstraps into $(PYTHON).
UV ?= $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")

.PHONY: run test lint typecheck bench uv sync

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv

sync: uv
	$(UV) sync --frozen

run: sync
	$(UV) run brokerhub serve

test: sync
	$(UV) run pytest

lint: sync
	$(UV) run ruff check src tests
	$(UV) run ruff format --check src tests

typecheck: sync
	$(UV) run mypy
