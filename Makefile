# The two commands of the README, and the tools around them.
# Everything installs into .venv/; nothing but Python 3.11+ and make is needed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := check
.PHONY: install run test bench lint check clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

# Exit code 1 from `culturedata run` means "some records were quarantined", which the
# demo data does on purpose; anything higher stops before serving.
run: install
	@$(BIN)/culturedata run; status=$$?; if [ $$status -gt 1 ]; then exit $$status; fi
	@echo ""
	@echo "Open http://$(HOST):$(PORT)/query (pages: /validate, /dashboard; SPARQL at /sparql) or try:"
	@echo "  curl 'http://$(HOST):$(PORT)/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20WHERE%20%7BGRAPH%20%3Fg%20%7B%3Fs%20%3Fp%20%3Fo%7D%7D'"
	@$(BIN)/culturedata serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check src tests bench

check: test lint

# Does the fast SHACL engine still pass its tests on the newest pySHACL, past our pin? (A throwaway
# venv; VERSION=x.y.z tries a given release.) Exit 1 when it breaks.
.PHONY: check-pyshacl-latest
check-pyshacl-latest:
	.ci/pyshacl-latest $(VERSION)

clean:
	rm -rf var build dist bench/out .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -exec rm -rf {} +
