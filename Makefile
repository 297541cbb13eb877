# Two commands matter: `make demo` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench model clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --no-compile -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/triage-bot chat

# mypy checks while the tests run: the tests spend much of their time waiting on servers.
test: $(STAMP)
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

# Retrain the shipped classifier on the development part of tests/data/labelled_requests.yaml.
model: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,train]'
	$(BIN)/python bench/train_classifier.py
	$(BIN)/python bench/classify_eval.py

clean:
	rm -rf $(VENV) .pytest_cache triage.db triage.db-wal triage.db-shm
