# cecloud — `make run` serves the platform on SQLite with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Test processes (pytest-xdist): browser tests mostly wait on real-time playback, so two fit two cores.
PYTEST_WORKERS ?= 2
export CECLOUD_CAPTCHA_TEST_MODE ?= 1

.PHONY: run test test-fast lint check format bench assets deps migrate demo worker clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

cecloud/static/vendor/.installed: node_modules/.installed scripts/vendor_assets.py
	$(PYTHON) scripts/vendor_assets.py
	touch $@

deps: $(VENV)/.installed cecloud/static/vendor/.installed
assets: cecloud/static/vendor/.installed

migrate: deps
	mkdir -p var
	$(PY) manage.py migrate --noinput -v 0

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@echo ""
	@echo "cecloud: http://127.0.0.1:$(PORT)/   (运营后台 /admin/)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: deps
	$(VENV)/bin/celery -A config worker -B -l info

test: deps
	@command -v chromium >/dev/null || { echo "Browser tests need Debian's chromium: apt-get install chromium"; exit 1; }
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-fast: deps
	$(PY) -m pytest -n $(PYTEST_WORKERS) -m "not e2e" $(PYTEST_ARGS)

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports  # import contracts in .importlinter: layers, no cycles

# Everything CI checks before the tests: lint, migrations in step with the models, and Django's
# deployment checks under the production profile with throwaway settings (scripts/check_deploy.sh).
check: lint
	env -u REDIS_URL DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run
	PY=$(PY) scripts/check_deploy.sh

format: deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: deps
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf var/static .pytest_cache
