# One command to run the product, one to run the tests; each makes its own virtualenv.
PYTHON ?= python3
VENV ?= .venv
SPEED ?= 60
PORT ?= 5000
BIN := $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/runofshow: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/runofshow
	$(BIN)/runofshow demo --speed $(SPEED) --port $(PORT)

test: $(BIN)/runofshow
	$(BIN)/python -m pytest

bench: $(BIN)/runofshow
	$(BIN)/python -m bench.core

clean:
	rm -rf $(VENV) build *.egg-info
