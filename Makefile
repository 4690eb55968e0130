# The two commands of the README: `make demo` and `make test`.
# Both create .venv and install what they need on first use: the demo only the package and
# its three dependencies; the tests also every extra and the developer tools (the `dev`
# dependency group of pyproject.toml, which needs pip >= 25.1).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXTRAS := plot,pandas,polars,parquet,excel,dask
RUNTIME := $(VENV)/.runtime-stamp
DEV := $(VENV)/.dev-stamp

.PHONY: demo test check install lint typecheck criteria docs fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $(RUNTIME)

$(DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'pip>=25.1'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[$(EXTRAS)]' --group dev
	touch $(RUNTIME) $(DEV)

install: $(DEV)

demo: $(RUNTIME)
	$(BIN)/asnmerit demo

# Everything: every test (slow ones included, on every core), lint, types, the criteria's
# own examples.
test: $(DEV)
	$(BIN)/python -m pytest -n auto
	$(MAKE) --no-print-directory lint typecheck criteria

# A developer's inner loop (under a minute): the tests not marked slow, and lint.
check: $(DEV)
	$(BIN)/python -m pytest -n auto -q -m "not slow" --durations=5
	$(BIN)/ruff check .

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV)
	$(BIN)/mypy

criteria: $(RUNTIME)
	$(BIN)/asnmerit validate criteria
	$(BIN)/asnmerit test criteria

# The long fuzz run (tests/README.md); make test runs the short one.
fuzz: $(DEV)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz.py -x -q --hypothesis-show-statistics

docs: $(DEV)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) site build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
