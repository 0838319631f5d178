# Two commands on a fresh machine (Python 3.11+, pip; no conda):
#   make demo   set up .venv, then build the demo data and write the HTML report
#   make test   set up .venv, then run the whole test suite (lessons included)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= astrokit-demo
TIER ?= demo

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/astrokit demo --tier $(TIER) --out $(OUT)

# Lessons execute on the tiny tier, where any deprecated astrokit call is an
# error (ASTROKIT_STRICT); the unit tests pick their own sizes.
test: setup
	ASTROKIT_TIER=tiny MPLBACKEND=Agg $(BIN)/python -m pytest tests astrokit
	ASTROKIT_TIER=tiny ASTROKIT_STRICT=1 MPLBACKEND=Agg $(BIN)/python -m pytest --nbmake notebooks

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: setup
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
