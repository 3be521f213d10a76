# immisns — `make run` starts the console on the embedded defaults; `make test` runs every test;
# `make test-fast` leaves out the browser, worker-process and large-data tests for the edit-run loop.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ADDR ?= 127.0.0.1:8000
export ADDR

.PHONY: install run test test-fast lint bench bench-drain bench-checks bench-pages bench-search bench-exports bench-replies bench-reach corpus lock messages

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_demo_replies
	$(BIN)/python manage.py seed_demo_reach
	$(BIN)/python -m immisns.runall

test: install
	$(BIN)/python -m pytest --create-db $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -m "not browser and not worker and not scale" $(PYTEST_ARGS)

# The checkers CI runs before the tests (configured in pyproject.toml); each runs even when one before it failed.
lint: install
	status=0; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/ruff format --check --output-format concise . || status=1; \
	$(BIN)/mypy || status=1; \
	exit $$status

bench: install
	$(BIN)/python benchmarks/publish.py
	$(BIN)/python benchmarks/drain.py

# 10,000 due targets through 2 worker processes (DRAIN_TARGETS=1000 for a quick run); PostgreSQL
# (DATABASE_URL) and Redis (CELERY_BROKER_URL) for the production shape.
bench-drain: install
	$(BIN)/python benchmarks/drain.py

# The content checks over the labelled corpus: false blocks, missed items, texts/s on one core.
bench-checks: install
	$(BIN)/python benchmarks/checks.py

# Every staff page at 100,000 posts on PostgreSQL (needs DATABASE_URL naming a database of its own;
# POSTS=5000 for a quick run), then the publishing engine's drain; fails when either misses a target.
POSTS ?= 100000
bench-pages: install
	$(BIN)/python benchmarks/pages.py --posts $(POSTS); pages=$$?; $(BIN)/python benchmarks/drain.py && exit $$pages

# The moderation queue's, the post list's and the audit log's searches at 100,000 posts and 300,000 replies
# on PostgreSQL (needs DATABASE_URL naming a database of its own; the data is reused on the next run);
# fails when one misses its target.
bench-search: install
	$(BIN)/python benchmarks/search.py --posts $(POSTS)

# The audit log's CSV and JSON Lines exports of 100,000 and 1,000,000+ rows on PostgreSQL (needs DATABASE_URL
# naming a database of its own; the data is reused on the next run); fails when one misses 20,000 rows/s, its first
# byte within 150 ms, or a flat memory peak.
bench-exports: install
	$(BIN)/python benchmarks/exports.py

# Replies: ingest rate, time to hide, and the labelled corpus end to end through the poll on the fakes.
bench-replies: install
	$(BIN)/python benchmarks/replies.py

# Reach: one day's collection of the 21 accounts through tweepy and facebook-sdk from the fakes on loopback
# (BENCH_POSTS per account published in the last 30 days, 30; BENCH_LATENCY seconds per answer, 0.05).
bench-reach: install
	$(BIN)/python benchmarks/reach.py

# Rewrite the corpus files from benchmarks/corpus/build.py and build_replies.py (deterministic).
corpus: install
	$(BIN)/python benchmarks/corpus/build.py
	$(BIN)/python benchmarks/corpus/build_replies.py

# Rewrite requirements.lock from pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --extra test --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

# Refresh the Japanese catalogue after changing texts (needs GNU gettext).
messages: install
	$(BIN)/python manage.py makemessages -l ja --ignore=.venv --ignore=tests --ignore=var
	$(BIN)/python manage.py compilemessages -l ja --ignore=.venv
