# The two commands of the README: `make run` and `make test`. Everything else is a helper.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: run test install lint bench bench-pages bench-memory examples screenshots mutation clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Reinstall when pyproject.toml changes. The project's own modules are compiled to bytecode as pip compiles a
# wheel's: an editable install leaves that to the first import, which cannot keep it where PYTHONDONTWRITEBYTECODE
# is set (as in many containers), and every command then compiles them again (0.04 s of each).
COMPILE := $(PY) -m compileall -q dashboard models pages

$(VENV)/.run-installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	$(COMPILE)
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[dev]'
	$(COMPILE)
	touch $(VENV)/.run-installed $@

install: $(VENV)/.run-installed

# Migrates the store (SCANREADY_DATABASE_URL, else ./data/scanready.db), then serves on 127.0.0.1:8501.
# Streamlit reads STREAMLIT_SERVER_PORT and STREAMLIT_SERVER_HEADLESS itself.
run: $(VENV)/.run-installed
	$(VENV)/bin/scanready migrate
	$(VENV)/bin/streamlit run dashboard/app.py

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: lint
	$(PY) -m pytest

bench: $(VENV)/.dev-installed
	$(COMPILE)  # measure the code as installed, not its compiling
	$(PY) bench/run.py

# The dashboard against a naive Streamlit page in Chromium (/usr/bin/chromium), 1, 4 and 8 managers at once.
bench-pages: $(VENV)/.dev-installed
	$(COMPILE)  # measure the code as installed, not its compiling
	$(PY) bench/browser.py

# A 700,000-session file imported through the page against the CLI: peak memory, what stays, the first overview.
bench-memory: $(VENV)/.dev-installed
	$(COMPILE)  # measure the code as installed, not its compiling
	$(PY) bench/page_memory.py

# The README's pictures (docs/img), taken in Chromium from the example programme built around today, light and dark.
screenshots: $(VENV)/.dev-installed
	PYTHONPATH=bench $(PY) -m tests.e2e.pictures docs/img  # bench/serving.py starts the server, as in the tests

# Mutation testing of the rules (docs/architecture.md, "Mutation testing"; [tool.mutmut] in pyproject.toml): slow,
# never part of `make test`. mutmut works in mutants/ (ignored by git, removed by `make clean`), left there for
# `mutmut browse` and `mutmut show NAME`; SQLite only. Ends with killed / total per module.
# MUTANTS='dashboard.readiness.* dashboard.store.writes.*' tests only the mutants those globs name.
mutation: $(VENV)/.dev-installed
	rm -rf mutants
	env -u TEST_POSTGRES_URL $(VENV)/bin/mutmut run --max-children 2 $(MUTANTS)
	$(VENV)/bin/mutmut results --all true | awk -F': ' '{m = $$1; sub(/^ +/, "", m); sub(/\.x(_|ǁ).*/, "", m); \
	  n[m]++; s[m, $$2]++} END {for (m in n) printf "%-27s %4d / %4d killed (%5.1f%%), %d survived, %d other\n", m, \
	  s[m, "killed"], n[m], 100 * s[m, "killed"] / n[m], s[m, "survived"], n[m] - s[m, "killed"] - s[m, "survived"]}' \
	  | sort

examples: $(VENV)/.run-installed
	$(PY) -m dashboard.example examples

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache mutants
