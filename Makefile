# The README's two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

# Tests run with DEBUG off, as in production, but over plain HTTP on loopback. They need
# PostgreSQL (triggers, row locks, a real worker writing beside the test) and default to the
# local one (pytest-django creates test_tracker_gwN; the tracker database need not exist),
# and to Redis dbs 13 to 15 so a developer's db 0 is left alone. They may reach plain-HTTP
# servers on loopback (and nothing else that is not public).
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-test-only-secret-key} SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 \
	OUTBOUND_ALLOW_HTTP=1 OUTBOUND_ALLOWED_NETWORKS=127.0.0.0/8,::1/128 \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tracker} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/13}
# pytest-xdist workers (0: none). Each has its own test database (test_<db>_gwN) and Redis
# db (REDIS_URL's + N, see tests/isolation.py); a test file stays on one worker. Three on two
# cores: the real-worker tests mostly wait, and a third worker fills that time.
TEST_WORKERS ?= 3

.PHONY: run test lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,test]'
	touch $@

run: $(VENV)/.installed-run
	scripts/run.sh

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	env $(TEST_ENV) $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
