# Developer entry points. `make run` and `make test` are the two commands of the README.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
WHEELHOUSE := build/wheelhouse
WHEEL_STAMP := $(WHEELHOUSE)/.filled
PORT ?= 8000
LOCAL_ENV := DEBUG=True PAYMENT_GATEWAY=test EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
# The links of the e-mails `make run` prints lead to the port it serves on (unless set in the environment).
ACTIVATION_URL ?= http://127.0.0.1:$(PORT)/activate?token={{token}}
FORGOT_PASSWORD_URL ?= http://127.0.0.1:$(PORT)/reset-password?token={{token}}
EMAIL_CHANGE_URL ?= http://127.0.0.1:$(PORT)/confirm-email?token={{token}}
RUN_LINKS = ACTIVATION_URL='$(ACTIVATION_URL)' FORGOT_PASSWORD_URL='$(FORGOT_PASSWORD_URL)' EMAIL_CHANGE_URL='$(EMAIL_CHANGE_URL)'

.PHONY: run reset test lint lint-quick venv demo bench clean package deploy-rehearsal messages

# .venv: uv when it can be had (fast), pip otherwise (scripts/make_venv.sh). `make run` needs the
# app's requirements only; the tools of requirements-dev.txt come with `make venv` / `make test`.
RUN_STAMP := $(VENV)/.installed-runtime
$(RUN_STAMP): requirements.txt
	@VENV=$(VENV) REQUIREMENTS=requirements.txt scripts/make_venv.sh
	@touch $(RUN_STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@VENV=$(VENV) REQUIREMENTS=requirements-dev.txt scripts/make_venv.sh
	@touch $(STAMP) $(RUN_STAMP)

## messages: compile the translation catalogs (app/locale/*/LC_MESSAGES/*.po -> .mo; never committed) with
## Babel, from the venv or, for `make run`'s runtime-only venv, from build/i18n-tools (as deploy.sh does)
I18N_TOOLS := build/i18n-tools
messages: $(RUN_STAMP)
	@PYTHONPATH=$(I18N_TOOLS) $(PY) -c 'import babel' 2>/dev/null || $(PY) -m pip install --quiet \
	  --disable-pip-version-check --target $(I18N_TOOLS) "$$(grep -E '^babel==' requirements-dev.txt | cut -d' ' -f1)"
	@PYTHONPATH=$(I18N_TOOLS) $(PY) scripts/compile_messages.py --if-stale

# Wheels of requirements.txt: the deploy tests build their Lambda venv from them, offline.
$(WHEEL_STAMP): requirements.txt requirements-dev.txt | $(STAMP)
	@VENV=$(VENV) WHEELHOUSE=$(WHEELHOUSE) scripts/fill_wheelhouse.sh
	@touch $(WHEEL_STAMP)

## venv: everything `make test` needs, so that it then runs with no network
venv: $(STAMP) $(WHEEL_STAMP) messages

## run: set up .venv, migrate the local sqlite database, load demo data, serve on http://127.0.0.1:$(PORT) (make run PORT=8001)
run: $(RUN_STAMP) messages
	$(LOCAL_ENV) $(PY) manage.py migrate --noinput
	$(LOCAL_ENV) $(PY) manage.py load_demo_data --port $(PORT)
	$(LOCAL_ENV) $(RUN_LINKS) $(PY) manage.py runserver 127.0.0.1:$(PORT)

## reset: start the local data afresh (deletes db.sqlite3 and local media; the next `make run` reloads the demo)
reset:
	rm -f db.sqlite3
	rm -rf media

## test: the quick linters, then the whole suite on every core with mypy beside it (scripts/run_tests.sh:
## outbound sockets blocked but for loopback, bytecode written once, temporary files on tmpfs)
test: venv lint-quick messages
	scripts/run_tests.sh

## lint: every linter (`make test` runs lint-quick, then mypy beside the tests)
lint: lint-quick
	DEBUG=True $(BIN)/mypy app

lint-quick: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/shellcheck deploy.sh .ci/run scripts/*.sh
	$(BIN)/check-jsonschema --builtin-schema vendor.travis .travis.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/ci.yml .github/workflows/aws-smoke.yml

## package: build the dev Lambda package as deploy.sh does and smoke-test it (build/dev-package.zip; deploys nothing)
package: $(STAMP)
	./deploy.sh dev --package-only

## deploy-rehearsal: deploy.sh dev --initial, then deploy.sh dev, against moto on 127.0.0.1 (fake credentials)
deploy-rehearsal: $(STAMP)
	$(PY) scripts/rehearse_deploy.py

## bench: every benchmark (production settings; each prints its commit, date and load): cold start against
## bare Django, warm bookings against ddf3799, slot lists with 2,000 slots, pages, exports, the member's week's
## scheduled commands over 10,000 reservations, the Lambda package (built first) and its size.
## docs/performance.md quotes their figures. Takes about 15 minutes.
bench: $(STAMP) messages
	$(PY) benchmarks/cold_start.py --against ddf3799
	$(PY) benchmarks/bookings.py --against ddf3799
	$(PY) benchmarks/growth.py
	$(PY) benchmarks/pages.py
	$(PY) benchmarks/exports.py
	$(PY) benchmarks/member_week.py
	./deploy.sh dev --package-only
	$(PY) benchmarks/lambda_cold_start.py
	$(PY) benchmarks/package_size.py

clean:
	rm -rf $(VENV) build/uv build/wheelhouse staticfiles .pytest_cache .ruff_cache .mypy_cache test-db.sqlite3
