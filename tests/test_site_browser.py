"""The built lesson site works offline, page by page, in headless Chromium.

The site is the one ``make site`` built (``.ci/run`` builds it on the tiny
tier, then runs this file with ``ASTROKIT_SITE=build/site``); without
``ASTROKIT_SITE`` these tests skip, so that ``make test`` does not depend on a
build that may be stale or missing. Every lesson has a page, every page loads
nothing from outside the site (``test_site.outside_references``, from the
HTML), and in Chromium, with every request that is not a local file blocked
and recorded, no request is blocked or fails and the Bokeh plots of a lesson
render. Screenshots are kept under ``tmp_path``; the path is printed when a
check fails.
"""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = (
    Path(os.environ["ASTROKIT_SITE"]).resolve()
    if "ASTROKIT_SITE" in os.environ
    else None
)
LESSONS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PAGES = ["docs/index", "docs/teaching", *(f"notebooks/{name}" for name in LESSONS)]
needs_site = pytest.mark.skipif(
    SITE is None,
    reason="ASTROKIT_SITE is unset (make site, then point it at build/site)",
)
browser = [pytest.mark.slow, pytest.mark.browser]  # Chromium: conftest's fixture


def _outside_references():
    spec = importlib.util.spec_from_file_location(
        "test_site", ROOT / "tests" / "test_site.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.outside_references


def _page(name: str) -> Path:
    path = SITE / f"{name}.html"
    assert path.is_file(), f"{path} was not built"
    return path


@needs_site
@pytest.mark.parametrize("name", PAGES)
def test_page_is_built_and_loads_only_its_own_files(name):
    page = _page(name)
    assert _outside_references()(page, SITE) == []
    if name.startswith("notebooks/"):
        html = page.read_text(encoding="utf-8")
        assert 'class="cell_output' in html, "the lesson was not executed"
        assert "Traceback (most recent call last)" not in html


def _is_local(url: str) -> bool:
    parts = urlparse(url)
    return parts.scheme in ("file", "data", "blob", "about")


@needs_site
@pytest.mark.parametrize("name", [pytest.param(p, marks=browser) for p in PAGES])
def test_page_opens_offline_with_no_failed_request(name, tmp_path, chromium):
    sync_api = pytest.importorskip("playwright.sync_api")
    page_path = _page(name)
    bokeh = "Bokeh.embed" in page_path.read_text(encoding="utf-8")
    shots = tmp_path / "browser-artifacts"
    shots.mkdir()
    shot = shots / f"{name.replace('/', '_')}.png"
    blocked, failed = [], []
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            **chromium,
            headless=True,
            viewport={"width": 1300, "height": 1000},
        )
        page = context.new_page()

        def route(r):
            if _is_local(r.request.url):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
        try:
            page.goto(page_path.as_uri())
            if bokeh:
                page.wait_for_function(
                    "() => window.Bokeh && Bokeh.documents.length > 0", timeout=60_000
                )
                page.locator("canvas").first.wait_for(timeout=60_000)
            page.wait_for_load_state("networkidle")
            time.sleep(1)  # late stylesheets, fonts and images
            documents = page.evaluate("() => window.Bokeh ? Bokeh.documents.length : 0")
            page.screenshot(path=shot, full_page=False)
        except Exception:
            page.screenshot(path=shot)
            print(f"site screenshots kept in {shots}")
            raise
        finally:
            context.close()
    if blocked or failed:
        print(f"site screenshots kept in {shots}")
    assert blocked == [], f"requests to the network: {blocked}"
    assert failed == [], f"failed requests: {failed}"
    assert documents >= 1 or not bokeh
