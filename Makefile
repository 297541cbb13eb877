# Two commands matter: `make demo` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench model screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --no-compile -e '.[test]'
	touch $(STAMP)

# The web desk's browser test drives Debian's Chromium; installed here when it is missing.
CHROMEDRIVER := /usr/bin/chromedriver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(CHROMEDRIVER):
	@echo "Installing Debian's chromium and chromium-driver for the web desk's browser test"
	@$(SUDO) apt-get install -y --no-install-recommends chromium chromium-driver >/dev/null 2>&1 \
	  || { $(SUDO) apt-get update >/dev/null && \
	       $(SUDO) apt-get install -y --no-install-recommends chromium chromium-driver >/dev/null; } \
	  || echo "make: could not install chromium; the browser test will be skipped"

demo: $(STAMP)
	$(BIN)/triage-bot chat

# mypy checks while the tests run: the tests spend much of their time waiting on servers.
test: $(STAMP) $(CHROMEDRIVER)
	$(BIN)/ruff check .
	@$(BIN)/mypy > .mypy.out 2>&1 & mypy=$$!; \
	$(BIN)/python -m pytest -n auto; tests=$$?; \
	wait $$mypy; typed=$$?; cat .mypy.out; rm -f .mypy.out; \
	[ $$tests -eq 0 ] && [ $$typed -eq 0 ]

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python bench/engine_turns.py
	$(BIN)/python bench/slack_turns.py
	$(BIN)/python bench/teams_turns.py
	$(BIN)/python bench/reminder_sweep.py
	$(BIN)/python bench/classify_eval.py

# Retrain the shipped classifier on the development requests (tests/data/labelled_requests*.yaml).
model: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,train]'
	$(BIN)/python bench/train_classifier.py
	$(BIN)/python bench/classify_eval.py

# Screenshots of the web desk for the README, from the browser test's desk.
screenshots: $(STAMP) $(CHROMEDRIVER)
	TRIAGE_SCREENSHOTS=docs $(BIN)/python -m pytest -q tests/channels/test_web_browser.py

clean:
	rm -rf $(VENV) .pytest_cache triage.db triage.db-wal triage.db-shm
