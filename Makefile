# One command to run the product, one to run the tests; each makes its own virtualenv.
PYTHON ?= python3
VENV ?= .venv
SPEED ?= 60
PORT ?= 5000
BIN := $(VENV)/bin

.PHONY: demo test bench translations clean

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

# Re-extract the user-facing text (babel.cfg), merge it into every language's .po, compile the .mo files
# that ship (committed; tests/test_i18n.py checks they match). A new language: pybabel init -l <code>.
translations: $(BIN)/runofshow
	$(BIN)/pybabel extract -F babel.cfg -c TRANSLATORS: --project runofshow --copyright-holder "runofshow contributors" -o runofshow/translations/messages.pot .
	$(BIN)/pybabel update --ignore-obsolete --no-fuzzy-matching -i runofshow/translations/messages.pot -d runofshow/translations
	$(BIN)/pybabel compile -d runofshow/translations --statistics

clean:
	rm -rf $(VENV) build *.egg-info
