# HWIC booking service. `make run` serves the seeded demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app booking

.PHONY: run test lint bench clean machine
PORT   ?= 5000

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) seed
	@echo "Serving on http://127.0.0.1:$(PORT): open it and sign in with a password above, or try: curl http://127.0.0.1:$(PORT)/api/v1/resources -H 'Authorization: Bearer <a token above>'"
	@# the scheduler (no-shows, expiries, mail) beside the server, stopped with it; both
	@# write their counts to one folder, so /metrics shows the server's and the jobs'
	@rm -rf instance/metrics && mkdir -p instance/metrics
	@export PROMETHEUS_MULTIPROC_DIR=$(CURDIR)/instance/metrics; \
		$(FLASK) scheduler & scheduler=$$!; trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
		$(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy booking rules calendars

# Thunderbird's iCalendar parser, which the feed tests read feeds back with (needs npm).
ICALJS := tests/calendars/node_modules tests/browser/node_modules test-artifacts/ical.js/package.json
$(ICALJS): tests/calendars/package.json
	@if command -v npm >/dev/null 2>&1; then \
		npm install --prefix tests/calendars --no-audit --no-fund --silent; \
	else echo "npm is missing: the ical.js feed checks will be skipped"; fi

# axe-core, which the browser tests inject into each page to check its accessibility.
AXE := tests/browser/node_modules/axe-core/package.json
$(AXE): tests/browser/package.json
	@if command -v npm >/dev/null 2>&1; then \
		npm install --prefix tests/browser --no-audit --no-fund --silent; \
	else echo "npm is missing: the browser tests will be skipped"; fi

# PostgreSQL's server, Node and npm, Chromium and jq, installed when missing (CI runs the same).
machine:
	@scripts/test-machine

test: machine lint $(ICALJS) $(AXE)
	$(BIN)/pytest -n auto

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/run.py
	$(BIN)/python bench/series.py
	$(BIN)/python bench/reception.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/floor.py
	$(BIN)/python bench/notifications.py
	$(BIN)/python bench/waitlist.py
	$(BIN)/python bench/displays.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/reports.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache .hypothesis tests/calendars/node_modules tests/browser/node_modules test-artifacts
