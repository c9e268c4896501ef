# akhbar — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $$p && break; done)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# pywb (replay, crawler/replay/) in a virtualenv of its own, with a Python it supports (<3.13).
PYWB_VENV   := $(VENV)/pywb-venv
PYWB_STAMP  := $(PYWB_VENV)/.installed-stamp
PYWB_REQS   := crawler/replay/pywb-requirements.txt
PYWB_PYTHON ?= $(shell for p in python3.12 python3.11; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info < (3, 13))' 2>/dev/null && echo $$p && break; done)

.PHONY: install demo test test-lowest test-faults lint bench clean help

help:
	@echo "make demo     create .venv, install, crawl the bundled demo outlets, print what was archived"
	@echo "make test     create .venv, install, run the test suite (SQLite and PostgreSQL)"
	@echo "make test-faults  the slow fault tests: a crawl and the service killed at many points"
	@echo "make test-lowest  the crawl tests on the oldest dependency versions pyproject.toml allows"
	@echo "make lint     ruff and mypy"
	@echo "make bench    the benchmarks under bench/"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "akhbar needs Python 3.11 or newer (python3.11+ not found on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

$(PYWB_STAMP): $(PYWB_REQS) | $(STAMP)
	@test -n "$(PYWB_PYTHON)" || { echo "replay (pywb) needs Python 3.11 or 3.12 (python3.12/python3.11 not found on PATH)"; exit 1; }
	$(PYWB_PYTHON) -m venv $(PYWB_VENV)
	$(PYWB_VENV)/bin/python -m pip install -q -r $(PYWB_REQS)
	@touch $(PYWB_STAMP)

# Byte-compiled once here (and again only for what changed): where PYTHONDONTWRITEBYTECODE is
# set, akhbar's ~200 modules were otherwise compiled at every start of every process (0.1-0.2 s
# of CPU before a crawl's first request), as an installed package never is.
install: $(STAMP) $(PYWB_STAMP)
	@$(BIN)/python -m compileall -q archive crawler spiders

demo: install
	@sh scripts/ensure-chromium.sh "the demo's JavaScript outlet, demo_js"
	$(BIN)/akhbar demo

test: install
	@sh tests/ensure-services.sh
	@$(BIN)/python -m pytest -q -p no:cacheprovider -m "not faults"; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc

test-faults: install
	@sh tests/ensure-services.sh
	@$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 -m faults tests/faults; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no fault tests"; exit 0; fi; exit $$rc

lint: install
	$(BIN)/ruff check archive crawler spiders tests bench
	$(BIN)/mypy archive crawler

bench: install
	$(BIN)/python -m bench.langid
	$(BIN)/python -m bench.extract
	$(BIN)/python -m bench.recrawl
	$(BIN)/python -m bench.requisites
	$(BIN)/python -m bench.crawl
	$(BIN)/python -m bench.crawl --outlets 5
	$(BIN)/python -m bench.crawl --outlets 8 --concurrent 8
	$(BIN)/python -m bench.workers

# The oldest versions pyproject.toml allows (every lower bound pinned by
# tests/lowest_constraints.py), in a venv of their own: the crawl, spider, outlet, fuzz,
# archive and cron-trigger tests, one demo crawl and recrawl, and `akhbar crawl` as typed
# (test_cli_crawl: without chromium, the browser tests are skipped and nothing else runs the
# console script); replay through the pywb venv of `make install`. `make test` stays on the
# newest. Not in CI: 6-8 min with pip's cache warm (tests 4.2-5.4) on the shared 2-core machine,
# 23 min cold (building old releases from source).
LOWEST := .venv-lowest
LOWEST_TESTS := tests/crawl tests/spiders tests/outlets tests/fuzz tests/language tests/archive \
	tests/scheduler/test_scheduler_triggers.py tests/e2e/test_demo_crawl.py tests/e2e/test_recrawl.py \
	tests/e2e/test_cli_crawl.py

test-lowest: $(PYWB_STAMP)
	@test -n "$(PYTHON)" || { echo "akhbar needs Python 3.11 or newer"; exit 1; }
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(PYTHON) tests/lowest_constraints.py > $(LOWEST)/constraints.txt
	$(LOWEST)/bin/python -m pip install -q -c $(LOWEST)/constraints.txt -e '.[test]'
	$(LOWEST)/bin/python -m pip list --format=freeze > $(LOWEST)/installed.txt
	@sh tests/ensure-services.sh
	AKHBAR_PYWB_VENV=$(abspath $(PYWB_VENV)) $(LOWEST)/bin/python -m pytest -q -p no:cacheprovider $(LOWEST_TESTS)

clean:
	rm -rf $(VENV) data .pytest_cache
