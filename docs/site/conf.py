"""Sphinx configuration of the lesson site (``make site``).

The toolchain is pip-only: Sphinx, myst-nb (executes the lessons and renders
their outputs) and sphinx-book-theme (the ``[site]`` extra of
``pyproject.toml``). Jupyter Book 2 (MyST) would need Node.js, which a
summer-school laptop, Binder and CI are not guaranteed to have; Sphinx with
myst-nb is what Jupyter Book 1 itself wraps, without its extra plugins (some
of which, such as Thebe launch buttons, load scripts from a CDN).

The source folder is the repository root (``sphinx-build -c docs/site .``) so
that every lesson executes where it lives, in ``notebooks/``, exactly as
``pytest --nbmake`` runs it; ``include_patterns`` keeps Sphinx to the lessons
and ``docs/``. The data tier comes from ``ASTROKIT_TIER`` (``make site``
passes ``TIER``: ``demo`` to publish, ``tiny`` in CI).

Offline: astrokit embeds BokehJS and Panel inline in every HoloViews output,
myst-nb writes each output's ``application/javascript`` and ``text/html``
into the page as they are, and the theme ships its fonts and scripts, so a
page opened from disk makes no request beyond its own folder
(``tests/test_site_browser.py`` checks this in headless Chromium).
"""

from __future__ import annotations

import os

import astrokit

project = "astrokit lessons"
author = "the astrokit authors"
release = astrokit.__version__
version = release

extensions = ["myst_nb"]
root_doc = "docs/index"
include_patterns = ["docs/*.md", "notebooks/*.ipynb"]
exclude_patterns = [".venv", "build", "**/.ipynb_checkpoints"]

# The lessons' figures are inline images: a non-interactive backend set for
# the tests (MPLBACKEND=Agg) would leave them out of the pages.
os.environ.pop("MPLBACKEND", None)

# Every lesson runs at every build (no stale outputs on the site); a cell
# that raises fails the build, as it fails the tests.
nb_execution_mode = "force"
nb_execution_timeout = int(os.environ.get("ASTROKIT_SITE_TIMEOUT", "1200"))
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
# HoloViews/Bokeh outputs carry text/html and application/javascript
# (BokehJS inline); myst-nb's default priority for HTML writes either into the
# page as it is, so the plots pan and zoom without a kernel. Jupyter widgets
# (tqdm's progress bars) need a live kernel, their state is not saved, and
# myst-nb would load require.js and the widget manager from a CDN for them:
# progress bars are switched off for the build (tqdm reads TQDM_DISABLE), any
# other widget shows its text/plain form, and no widget script is loaded.
os.environ.setdefault("TQDM_DISABLE", "1")
nb_mime_priority_overrides = [
    ("html", "application/vnd.jupyter.widget-view+json", None)
]
nb_ipywidgets_js = {}
myst_enable_extensions = ["colon_fence", "substitution"]
myst_substitutions = {"tier": os.environ.get("ASTROKIT_TIER", "demo")}
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type"]

html_theme = "sphinx_book_theme"
html_title = f"astrokit {release}: lessons"
html_theme_options = {
    "use_download_button": False,  # no copies of the sources are kept
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
html_extra_path = ["extra"]  # relative to this folder
html_last_updated_fmt = "%Y-%m-%d"
html_copy_source = False
