# Two commands for a newcomer: `make run` and `make test`. Everything lands in ./.venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version 2>&1)); set PYTHON=..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Set up, migrate, load the demo once (printing a working curl line), and serve on :8000.
run: $(STAMP)
	$(BIN)/portfolio db migrate
	$(BIN)/portfolio demo load --base-url http://$${HOST:-127.0.0.1}:$${PORT:-8000}
	$(BIN)/portfolio serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

## Set up and run the whole test suite (on an embedded Postgres unless a URL is set).
test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench.retrieve

clean:
	rm -rf $(VENV) .data .pytest_cache .mypy_cache .ruff_cache
