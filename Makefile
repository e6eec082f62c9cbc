# Two commands for a fresh machine with Python 3.11+ (see README.md):
#   make run    set everything up on SQLite with demo data, serve http://127.0.0.1:8000
#   make test   run the whole test suite (DATABASE_URL picks PostgreSQL instead of SQLite)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run setup install test messages clean

run: setup
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

setup: install
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py load_units
	DEBUG=1 $(BIN)/python manage.py load_demo

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@

test: install
	$(BIN)/python -m pytest --numprocesses auto --maxprocesses 4 $(PYTEST_ARGS)

# Needs GNU gettext; the compiled .mo files are committed so that nobody else does.
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages --locale vi --no-obsolete --ignore ".venv/*" --ignore "var/*" --ignore "tests/*" --ignore "bench/*"
	DEBUG=1 $(BIN)/python manage.py compilemessages --locale vi --ignore ".venv/*"

clean:
	rm -rf $(VENV) var
