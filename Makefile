# Quick start:  make demo   |   make test
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8000
BIN    := $(VENV)/bin
export PORT

.PHONY: demo test install install-test browser check lint format bench clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installed marker: reinstall when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	SURVEY_DATABASE_URL=$${SURVEY_DATABASE_URL:-sqlite:///demo.db} $(BIN)/survey demo --reset
	SURVEY_DATABASE_URL=$${SURVEY_DATABASE_URL:-sqlite:///demo.db} SURVEY_COOKIE_SECURE=$${SURVEY_COOKIE_SECURE:-false} \
		$(BIN)/survey serve --port $(PORT)

# Browser tests need Debian's chromium; install it when we can (root with apt), else they say why.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing chromium (Debian package) for the browser tests"; \
			(apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null)) \
				|| echo "could not install chromium; browser tests will report why"; \
		else echo "chromium not installed and cannot install it here; browser tests will report why"; fi; }

test: install-test browser
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

check: install-test
	$(BIN)/ruff format --check survey tests bench
	$(BIN)/ruff check survey tests bench
	$(BIN)/mypy --strict survey/questionnaire survey/stats
	$(BIN)/mypy survey

format: install-test
	$(BIN)/ruff format survey tests bench
	$(BIN)/ruff check --fix survey tests bench

# Interface texts: extract every key in use into the template, then bring both catalogues in step
# (new keys appear with an empty translation to fill in; keys no longer used are dropped).
BABEL_KEYWORDS := -k message_key -k translate -k ntranslate:1,2 -k N_ -k tr -k msg -k DomainError -k NotFound -k Forbidden -k Conflict -k InvalidInput -k ReadOnly -k StaleForm -k StaleRow -k RoundConflict -k SignInRequired -k CsrfFailed -k TokenRejected -k TokenReadOnly -k LinkGone
messages: install-test
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
		--project survey --copyright-holder "survey contributors" -o survey/locale/messages.pot .
	$(BIN)/pybabel update -i survey/locale/messages.pot -d survey/locale -D messages \
		--no-fuzzy-matching --ignore-obsolete

bench: install-test
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build dist *.egg-info demo.db demo.db-wal demo.db-shm
