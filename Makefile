# Pitwall: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export FLASK_APP := wsgi.py

.PHONY: run notify test test-pg lint install translations extract-messages upgrade demo serve clean bench bench-group backup load lock

# Installs exactly what requirements-dev.lock pins, every file checked against its hash; `pip check`
# fails when pyproject.toml asks for something the lock lacks (run `make lock`).
$(BIN)/flask: requirements-dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	@touch $@

# After changing the dependencies in pyproject.toml: pin them again. Pins that still fit are kept;
# `make lock UPGRADE=--upgrade` takes the newest versions the ranges allow. uv comes from the old lock;
# the next make rebuilds the venv from the new one.
LOCK := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet $(UPGRADE)
lock:
	test -x $(BIN)/uv || ($(PYTHON) -m venv $(VENV) && $(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock)
	$(LOCK) -o requirements.lock
	$(LOCK) --extra dev -o requirements-dev.lock

install: $(BIN)/flask translations

translations: $(BIN)/flask
	$(BIN)/pybabel compile --use-fuzzy --statistics -d app/translations

upgrade: install
	$(BIN)/flask db upgrade

demo: upgrade
	$(BIN)/flask demo

run: demo
	@echo "Pitwall on http://127.0.0.1:$(PORT)  (demo logins: admin, gm, manager, staff1 ... staff6; password pitwall-demo)"
	@if [ -n "$$MAIL_SERVER" ]; then echo "E-mail goes to the SMTP server $$MAIL_SERVER:$${MAIL_PORT:-25} when \`.venv/bin/flask notify\` runs"; \
	  else echo "E-mail is written to the log (no MAIL_SERVER set) when \`make notify\` (.venv/bin/flask notify) runs (README, Notifications)"; fi
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Deliver due e-mail and run today's reminders and digests once (cron runs `flask notify` every minute).
notify: upgrade
	$(BIN)/flask notify

# Production-style: several stateless workers (set DATABASE_URL, SECRET_KEY); their rate-limit
# counters are shared in Redis (gunicorn.conf.py refuses memory:// with more than one worker).
serve: upgrade
	RATELIMIT_STORAGE_URI=$${RATELIMIT_STORAGE_URI:-redis://127.0.0.1:6379} \
	  $(BIN)/gunicorn --config gunicorn.conf.py --workers 2 --bind 127.0.0.1:$(PORT) --no-control-socket wsgi:app

# A consistent copy of the database (DATABASE_URL) while the app serves; README "Backups and restores".
backup: install
	$(BIN)/flask backup $(if $(OUTPUT),--output $(OUTPUT))

# Both cores: the browser tests run together on one worker, the rest on the other (and on it when
# it is done). On PostgreSQL each worker gets its own database beside TEST_DATABASE_URL's.
PYTEST := $(BIN)/pytest -n 2 --dist loadgroup

test: install lint
	$(PYTEST)

test-pg: install
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(PYTEST)

lint: $(BIN)/flask
	$(BIN)/ruff check app tests bench migrations wsgi.py gunicorn.conf.py

# Speed is measured, not assumed: time the main pages on generated data (bench/README.md).
# Small first, so the large run can flag pages whose statement count grows with the data.
bench: install
	$(BIN)/python bench/generate.py --scale small
	$(BIN)/python bench/run.py --scale small
	$(BIN)/python bench/generate.py --scale large
	$(BIN)/python bench/run.py --scale large

# A dealer group five years on (issue 14: 20 stores, 441 users, ~100,000 action items, 60 months of KPI
# values): every page's p95 through the test client, then under gunicorn against a bare table page.
# Not in CI: it takes minutes. Sections "group" and "serve" of bench/REPORT.md.
bench-group: install
	$(BIN)/python bench/generate.py --scale group
	$(BIN)/python bench/run.py --scale group
	$(BIN)/python bench/serve_ratio.py --scale group

# Many users at once on a real server (gunicorn on PostgreSQL, Redis): errors and lost writes (bench/README.md).
load: install
	$(BIN)/python bench/load.py

extract-messages: $(BIN)/flask
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -o app/translations/messages.pot app
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) *.egg-info
