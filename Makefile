# akhbar — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $$p && break; done)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test lint bench clean help

help:
	@echo "make demo     create .venv, install, crawl the bundled demo outlets, print what was archived"
	@echo "make test     create .venv, install, run the test suite (SQLite and PostgreSQL)"
	@echo "make lint     ruff and mypy"
	@echo "make bench    the benchmarks under bench/"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "akhbar needs Python 3.11 or newer (python3.11+ not found on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/akhbar demo

test: install
	@sh tests/ensure-services.sh
	@$(BIN)/python -m pytest -q -p no:cacheprovider; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc

lint: install
	$(BIN)/ruff check archive crawler spiders tests bench
	$(BIN)/mypy archive crawler

bench: install
	$(BIN)/python -m bench.langid
	$(BIN)/python -m bench.recrawl
	$(BIN)/python -m bench.crawl
	$(BIN)/python -m bench.crawl --outlets 5
	$(BIN)/python -m bench.crawl --outlets 8 --concurrent 8

clean:
	rm -rf $(VENV) data .pytest_cache
