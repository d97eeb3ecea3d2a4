# Taskboard: `make run` starts the app with demo data, `make test` runs every test.
# Needs only Python 3.11+ and make; everything else goes into .venv.

PYTHON ?= python3
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Most tests wait on sockets, servers and the browser rather than the CPU, so the suite
# runs in more processes than there are cores (pytest-xdist; tests/xdist_redis.py).
TEST_WORKERS ?= 4

.PHONY: run test lint install

# runserver here is daphne's (daphne is in INSTALLED_APPS), so WebSockets work; unlike
# plain `daphne`, it also serves static files while DEBUG is on (the default).
run: $(STAMP)
	$(VENV_PYTHON) manage.py migrate --noinput
	$(VENV_PYTHON) manage.py seed_demo
	$(VENV_PYTHON) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

install: $(STAMP)

$(VENV_PYTHON):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Taskboard needs Python 3.11 or newer (run: make PYTHON=python3.12 ...)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Only the dependencies are installed, not the project: it is not a package
# (`packages = []`), and building it would leave egg-info/ and build/ in the tree.
# The stamp makes reruns instant until pyproject.toml changes.
$(STAMP): pyproject.toml | $(VENV_PYTHON)
	$(VENV_PYTHON) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; extra = p["optional-dependencies"]; print("\n".join(p["dependencies"] + extra["uvicorn"] + extra["dev"]))' > $(VENV)/requirements.txt
	$(VENV_PYTHON) -m pip install -r $(VENV)/requirements.txt
	touch $@
