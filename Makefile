# Two commands on a fresh machine (Python 3.11+, pip; no conda):
#   make demo   set up .venv, then build the demo data and write the HTML report
#   make test   set up .venv, then run the whole test suite (lessons included)
# For a school (docs/teaching.md, docs/offline.md):
#   make wheelhouse        while online: wheels of everything, demo data cached
#   make install-offline   in the room: install from the wheelhouse, no network
#   make site              execute the lessons, render the static lesson site

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= astrokit-demo
TIER ?= demo
WHEELHOUSE ?= build/wheelhouse
WHEELHOUSE_CACHE = $(abspath $(WHEELHOUSE))/cache
SITE ?= build/site
SITE_STAMP := $(VENV)/.installed-site

.PHONY: setup demo test lint bench clean wheelhouse install-offline site

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

# While online, on a machine of the room's platform (OS, CPU, Python): a
# wheel of astrokit and of every dependency, and the demo data (tiny and
# demo tiers) and lesson 09's SDSS table (when the SkyServer answers) in
# $(WHEELHOUSE)/cache. Copy the folder to the room.
wheelhouse: setup
	$(BIN)/python -m pip wheel --wheel-dir $(WHEELHOUSE) ".[dev]" pip
	ASTROKIT_CACHE=$(WHEELHOUSE_CACHE) $(BIN)/astrokit prepare --tier tiny
	ASTROKIT_CACHE=$(WHEELHOUSE_CACHE) $(BIN)/astrokit prepare --tier demo
	ASTROKIT_CACHE=$(WHEELHOUSE_CACHE) $(BIN)/python -c "import astrokit as ak; ak.data.query_sdss()" \
	  || echo "SDSS table not cached (SkyServer unreachable): lesson 09 will need SDSS_CSV or a network"

# In the room, with no network: .venv from the wheelhouse only, the demo data
# copied into astrokit's cache folder, numba's code compiled.
install-offline:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --no-index --find-links $(WHEELHOUSE) --upgrade pip
	$(BIN)/python -m pip install --no-index --find-links $(WHEELHOUSE) "astrokit[dev]"
	cache="$$($(BIN)/python -c 'import astrokit._shared.cache as c; print(c.cache_dir())')" \
	  && cp -R $(WHEELHOUSE_CACHE)/. "$$cache" && echo "demo data copied to $$cache"
	$(BIN)/astrokit prepare --tier demo
	touch $(STAMP)

$(SITE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,site]"
	touch $(SITE_STAMP)

# The lesson site (docs/site/conf.py): every lesson executed on TIER (demo to
# publish; CI uses tiny), rendered by Sphinx + myst-nb into $(SITE).
site: $(SITE_STAMP)
	ASTROKIT_TIER=$(TIER) $(BIN)/sphinx-build -b html -c docs/site . $(SITE)
	@echo "lesson site: $(SITE)/index.html"

bench: setup
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
