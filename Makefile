# The two commands: `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
# uv from PATH, else the one pip bootstraps into $(PYTHON).
UV ?= $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")

.PHONY: run test lint typecheck bench uv sync dashboard

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv

sync: uv
	$(UV) sync --frozen

# The dashboard (frontend/) is built into the Python package, which serves and ships it; it is
# rebuilt only when its sources or lockfile are newer than the build (needs Node.js and npm).
DASHBOARD := src/brokerhub/api/dashboard/index.html
DASHBOARD_SOURCES := $(shell find frontend/src -type f 2>/dev/null) frontend/index.html \
	frontend/package.json frontend/vite.config.ts frontend/tsconfig.json

dashboard: $(DASHBOARD)

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

$(DASHBOARD): frontend/node_modules/.package-lock.json $(DASHBOARD_SOURCES)
	cd frontend && npm run build

run: sync dashboard
	$(UV) run brokerhub serve

test: sync dashboard
	$(UV) run pytest

lint: sync
	$(UV) run ruff check src tests
	$(UV) run ruff format --check src tests

typecheck: sync
	$(UV) run mypy

bench: sync
	$(UV) run python -m bench
