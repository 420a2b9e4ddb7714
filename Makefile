# rehabdata — `make run` serves the app, `make test` runs the tests. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
PROCESSES ?= 2
ADDRESS ?= 127.0.0.1

.PHONY: run serve test lint demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed  ## set up, create/upgrade the database (demo data on first start), serve the app
	$(BIN)/python -m rehabdata init --demo-if-empty
	$(BIN)/streamlit run app.py --server.port $(PORT)

serve: $(VENV)/.installed  ## several app processes behind nginx (apt-get install -y nginx): make serve PROCESSES=4
	$(BIN)/python -m rehabdata serve --processes $(PROCESSES) --port $(PORT) --address $(ADDRESS)

test: $(VENV)/.installed-dev  ## set up with dev tools and run every test
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-dev  ## time each page's KPI set vs naive pandas and DuckDB: make bench ARGS="--scale small"
	$(BIN)/python -m rehabdata bench $(ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check rehabdata pages tests dashboard.py app.py migrations
	$(BIN)/ruff format --check rehabdata pages tests dashboard.py app.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
