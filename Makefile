# Developer entry points. `make run` and `make test` are the two commands of the README.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
LOCAL_ENV := DEBUG=True PAYMENT_GATEWAY=test EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend

.PHONY: run test lint venv demo bench clean package deploy-rehearsal

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || "$$(scripts/find_python.sh)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP)

## run: set up .venv, migrate the local sqlite database, load demo data, serve on http://127.0.0.1:8000
run: $(STAMP)
	$(LOCAL_ENV) $(PY) manage.py migrate --noinput
	$(LOCAL_ENV) $(PY) manage.py load_demo_data
	$(LOCAL_ENV) $(PY) manage.py runserver 127.0.0.1:8000

## test: lint, then the whole test suite (outbound sockets blocked but for loopback)
test: $(STAMP) lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=True $(BIN)/mypy app
	$(BIN)/shellcheck deploy.sh .ci/run scripts/*.sh
	$(BIN)/check-jsonschema --builtin-schema vendor.travis .travis.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/ci.yml

## package: build the dev Lambda package as deploy.sh does and smoke-test it (build/dev-package.zip; deploys nothing)
package: $(STAMP)
	./deploy.sh dev --package-only

## deploy-rehearsal: deploy.sh dev --initial, then deploy.sh dev, against moto on 127.0.0.1 (fake credentials)
deploy-rehearsal: $(STAMP)
	$(PY) scripts/rehearse_deploy.py

## bench: cold start against a bare Django project, and booking requests per second
bench: $(STAMP)
	$(PY) benchmarks/cold_start.py
	$(PY) benchmarks/bookings.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache test-db.sqlite3
