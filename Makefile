# The two commands of the README, and the tools around them.
# Everything installs into .venv/; nothing but Python 3.11+ and make is needed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := check
.PHONY: install run test fuzz collect-without-data bench lint typecheck check clean

# `make run PORT=8123` (or HOST=...) serves there and mints the demo's IRIs and links for that address;
# without them, the configuration's publish.base_iri is used as it is.
ifeq ($(origin PORT)$(origin HOST),filefile)
RUN_ENV :=
else
RUN_ENV := CULTUREDATA_PUBLISH_BASE_IRI=http://$(HOST):$(PORT)/
endif

# The first install takes a minute or two: pip shows what it fetches, so it is visibly working.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing culturedata and its dependencies into $(VENV)/ (first time only)..."
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

# Exit code 1 from `culturedata run` means "some records were quarantined", which the
# demo data does on purpose; anything higher stops before serving.
run: install
	@$(RUN_ENV) $(BIN)/culturedata run; status=$$?; if [ $$status -gt 1 ]; then exit $$status; fi
	@echo ""
	@echo "Open http://$(HOST):$(PORT)/query (pages: /validate, /dashboard; SPARQL at /sparql) or try:"
	@echo "  curl 'http://$(HOST):$(PORT)/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20WHERE%20%7BGRAPH%20%3Fg%20%7B%3Fs%20%3Fp%20%3Fo%7D%7D'"
	@$(RUN_ENV) $(BIN)/culturedata serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

# The fuzzing suite with a long budget (`make test` runs it small and derandomized): FUZZ_EXAMPLES
# cases per fuzzer with a fresh seed (FUZZ_SEED=n repeats one). Counts per input kind are printed
# and written to var/fuzz/report.json; each distinct failure's input is kept in var/fuzz/failures/.
FUZZ_EXAMPLES ?= 500
FUZZ_SEED ?=
fuzz: install
	@mkdir -p var/fuzz
	CULTUREDATA_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) CULTUREDATA_FUZZ_SEED=$(FUZZ_SEED) \
	CULTUREDATA_FUZZ_REPORT=var/fuzz/report.json CULTUREDATA_FUZZ_FAILURES=var/fuzz/failures \
	$(BIN)/python -m pytest tests/fuzz -p no:cacheprovider -q --durations=10

bench: install
	$(BIN)/python -m bench

# What a clone without ../shared beside it sees: every test must still collect (CI runs this too).
collect-without-data: install
	@mkdir -p var/no-test-data
	CULTUREDATA_TEST_DATA=var/no-test-data $(BIN)/python -m pytest --collect-only -q -p no:cacheprovider >/dev/null

lint: install typecheck
	$(BIN)/ruff check src tests bench

typecheck: install
	$(BIN)/mypy

# Lint and types first, so that the test summary is the last thing printed.
check: lint test

# Does the fast SHACL engine still pass its tests on the newest pySHACL, past our pin? (A throwaway
# venv; VERSION=x.y.z tries a given release.) Exit 1 when it breaks.
.PHONY: check-pyshacl-latest
check-pyshacl-latest:
	.ci/pyshacl-latest $(VERSION)

clean:
	rm -rf var build dist bench/out .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -exec rm -rf {} +
