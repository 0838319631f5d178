"""The explorer in a real browser: headless Chromium on localhost.

Three tests, all with Debian's Chromium driven by Playwright's Python client
(never a downloaded browser):

- the explorer's layout on a Panel server: the views render, "colour by"
  re-renders, a box drawn with the mouse on the embedding lights up rows on
  the sky (and ``explorer.selection`` fills), nothing is fetched remotely;
- the explorer at 1,000 px wide (a notebook beside JupyterLab's file
  browser): every panel inside the viewport, "colour by" offers the derived
  features, and two groups drawn with the mouse compare as a ranked table;
- lesson 07 itself in JupyterLab (tiny tier): run all cells, then the live
  views render, a wheel zoom makes the kernel re-aggregate the embedding
  (the image's data extent shrinks: the JupyterLab pitfall of hvplot #1188 /
  datashader #1283) and a box on the embedding lights up the sky.

In both, every request to a host other than localhost is blocked and
recorded, and so is every failed request and every missing file (HTTP 404)
among the page's scripts and stylesheets: the explorer works offline, also
after the kernel has replaced parts of it (``tests/test_offline_browser.py``
checks the lessons and the report as saved pages).

Screenshots are kept in a folder under ``tmp_path`` whose path is printed
when a check fails.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd
import pytest

CHROMIUM = Path("/usr/bin/chromium")

pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent"),
]


def _table(n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    galaxy = np.where(np.arange(n) < n // 2, "A", "B")
    x = rng.integers(0, 40, n)
    y = rng.integers(0, 40, n)
    return pd.DataFrame(
        {
            "galaxy": pd.Categorical(galaxy),
            "x": x,
            "y": y,
            "umap_x": (x + rng.normal(0, 1, n)).astype(np.float32),
            "umap_y": (y + rng.normal(0, 1, n)).astype(np.float32),
            "flux": rng.lognormal(size=n).astype(np.float32),
            "label": rng.integers(0, 4, n),
            "hbeta": rng.lognormal(3, 0.3, n),
            "oiii5007": rng.lognormal(3, 0.6, n) * (1 + (x > 20)),
        }
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until(check, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.25)
    return False


@pytest.fixture
def served():
    """(url, holder) of a Panel server for one explorer; resources local."""
    pn = pytest.importorskip("panel")
    from bokeh.settings import settings

    import astrokit as ak
    from astrokit.plot._holoviews import ensure_extension

    ensure_extension()
    # Inline BokehJS is right in a notebook; a server serves its own files
    # (Panel's CSS is local either way: ensure_extension).
    before = settings.resources()
    settings.resources.set_value("server")
    holder = {}

    def app():
        holder["explorer"] = ak.explorer.explore(_table(), color=None)
        return holder["explorer"].layout

    port = _free_port()
    server = pn.serve(
        {"app": app},
        port=port,
        address="127.0.0.1",
        threaded=True,
        show=False,
        start=True,
        verbose=False,
    )
    try:
        yield f"http://127.0.0.1:{port}/app", holder
    finally:
        server.stop()
        settings.resources.set_value(before)


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _red(a: np.ndarray) -> int:
    return int(((a[..., 0] > 180) & (a[..., 1] < 80) & (a[..., 2] < 100)).sum())


def _coloured(a: np.ndarray) -> int:
    """Pixels that are neither white-ish nor grey (plot content, not axes)."""
    spread = a.max(axis=-1) - a.min(axis=-1)
    return int((spread > 40).sum())


def _launch(playwright, tmp_path, chromium, *, width: int, height: int):
    """Debian's headless Chromium with a fresh profile (never a download)."""
    return playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        **chromium,
        headless=True,
        viewport={"width": width, "height": height},
    )


def _offline(page) -> list[str]:
    """Record what ``page`` misses offline: the list fills as it happens.

    Any request to a host other than localhost (Chromium resolves no other
    name: ``--host-resolver-rules``), any failed request and any script or
    stylesheet answered with an error (a missing local file). Listeners
    only: intercepting every request (``page.route``) slows JupyterLab's
    start enough to lose the "Run All Cells" click.
    """
    missed: list[str] = []

    def request(r):
        parts = urlparse(r.url)
        if parts.scheme not in ("data", "blob", "about") and parts.hostname not in (
            "127.0.0.1",
            "localhost",
        ):
            missed.append(f"non-local {r.url}")

    def response(r):
        if r.status >= 400 and r.request.resource_type in ("script", "stylesheet"):
            missed.append(f"HTTP {r.status} {r.url}")

    page.on("request", request)
    page.on("requestfailed", lambda r: missed.append(f"{r.failure} {r.url}"))
    page.on("response", response)
    return missed


def test_explorer_in_chromium(served, tmp_path, chromium):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, holder = served
    shots = tmp_path / "browser-artifacts"
    shots.mkdir()
    failed = True
    with sync_api.sync_playwright() as p:
        context = _launch(p, tmp_path, chromium, width=1300, height=1200)
        page = context.new_page()
        offline = _offline(page)
        try:
            page.goto(url, timeout=120_000)  # a loaded CI machine
            page.wait_for_selector(".ak-view-2 canvas", timeout=60_000)
            emb, sky = (
                page.locator(".ak-view-0").first,
                page.locator(".ak-view-1").first,
            )

            def shot(loc):
                return _pixels(loc.screenshot())

            # 1. every view renders something
            assert _wait_until(lambda: _coloured(shot(emb)) > 500), "blank embedding"
            assert _wait_until(lambda: _coloured(shot(sky)) > 500), "blank sky view"
            page.screenshot(path=shots / "1-rendered.png")
            assert _red(shot(sky)) < 50

            # 2. a box drawn on the embedding (box select is the active drag)
            box = emb.bounding_box()
            x0, y0 = box["x"] + 0.3 * box["width"], box["y"] + 0.3 * box["height"]
            page.mouse.move(x0, y0)
            page.mouse.down()
            page.mouse.move(x0 + 60, y0 + 60, steps=5)
            page.mouse.move(x0 + 120, y0 + 120, steps=5)
            page.mouse.up()
            explorer = holder["explorer"]
            assert _wait_until(lambda: len(explorer.selection) > 0), "no selection"
            assert _wait_until(lambda: _red(shot(sky)) > 200), "sky not highlighted"
            page.screenshot(path=shots / "2-selected.png")

            # 3. colour by another column re-renders the embedding (compared
            # with the view as selected, not as first drawn: the red rows
            # alone differ from that)
            emb_before = shot(emb)
            page.locator("select").first.select_option(label="flux")
            assert _wait_until(lambda: explorer.color == "flux"), "colour not set"
            assert _wait_until(
                lambda: (np.abs(shot(emb) - emb_before).sum(-1) > 30).sum() > 500
            ), "colour by did not re-render"
            page.screenshot(path=shots / "3-colour-by.png")

            # 4. a lasso on the sky selects rows there and lights up the embedding
            sky.locator(".bk-tool-icon-lasso-select").first.click()
            box = sky.bounding_box()
            cx, cy = box["x"] + 0.35 * box["width"], box["y"] + 0.5 * box["height"]
            page.mouse.move(cx, cy - 80)
            page.mouse.down()
            for dx, dy in ((70, 60), (-70, 60), (0, -80)):
                page.mouse.move(cx + dx, cy + dy, steps=8)
            page.mouse.up()
            assert _wait_until(lambda: "lasso" in explorer.messages[-1]), "no lasso"
            assert _wait_until(lambda: _red(shot(emb)) > 50), "embedding not lit"
            page.screenshot(path=shots / "4-lasso.png")
            assert not offline, f"requests failed or blocked: {offline}"
            failed = False
        finally:
            if failed:
                page.screenshot(path=shots / "failure.png")
                print(f"browser test screenshots kept in {shots}")
                print(f"requests failed or blocked: {offline}")
            page.goto("about:blank")  # close the session before the server
            time.sleep(0.5)
            context.close()


def _drag(page, box, start, end):
    """A box drawn with the mouse from ``start`` to ``end`` (fractions of ``box``)."""
    x0 = box["x"] + start[0] * box["width"]
    y0 = box["y"] + start[1] * box["height"]
    x1 = box["x"] + end[0] * box["width"]
    y1 = box["y"] + end[1] * box["height"]
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()


def test_explorer_fits_a_1000px_notebook_and_compares_groups(
    served, tmp_path, chromium
):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, holder = served
    shots = tmp_path / "browser-artifacts"
    shots.mkdir()
    failed = True
    with sync_api.sync_playwright() as p:
        context = _launch(p, tmp_path, chromium, width=1000, height=1400)
        page = context.new_page()
        offline = _offline(page)
        try:
            page.goto(url, timeout=120_000)  # a loaded CI machine
            page.wait_for_selector(".ak-view-2 canvas", timeout=60_000)
            time.sleep(1)
            page.screenshot(path=shots / "1000-rendered.png", full_page=True)
            # 1. every panel lies inside the 1,000 px viewport
            outside = {}
            for css in (".ak-view-0", ".ak-view-1", ".ak-view-2", ".ak-hist"):
                box = page.locator(css).first.bounding_box()
                if box is None or box["x"] < 0 or box["x"] + box["width"] > 1000:
                    outside[css] = box
            for name in ("select", "table"):
                for i in range(page.locator(name).count()):
                    box = page.locator(name).nth(i).bounding_box()
                    if box and box["x"] + box["width"] > 1000:
                        outside[f"{name} {i}"] = box
            assert not outside, f"panels beyond the 1,000 px viewport: {outside}"
            # 2. "colour by" offers the derived features, not the bookkeeping
            options = page.locator("select").first.locator("option").all_inner_texts()
            assert "log [OIII]5007/Hβ (derived)" in options, options
            assert not [o for o in options if o.endswith(("_err", "_ul"))], options
            # 3. two groups from two boxes, then a ranked comparison
            explorer = holder["explorer"]
            emb = page.locator(".ak-view-0").first
            for group, (start, end) in {
                "A": ((0.55, 0.2), (0.85, 0.5)),
                "B": ((0.15, 0.5), (0.45, 0.8)),
            }.items():
                _drag(page, emb.bounding_box(), start, end)
                assert _wait_until(lambda: len(explorer.selection) > 0), group
                page.get_by_role("button", name=f"Selection → {group}").click()
                # a loaded CI machine took over 15 s once (each view re-renders)
                assert _wait_until(lambda g=group: g in explorer.groups, 60.0), group
            page.get_by_role("button", name="Compare A and B").click()
            shown = explorer._layout.comparison
            assert _wait_until(lambda: len(shown.object) > 0), "no comparison table"
            effects = shown.object["effect"].abs().to_numpy()
            assert (np.diff(effects) <= 1e-9).all(), "comparison not ranked"
            top = shown.object["label"].iloc[0]
            assert top.startswith(("log [OIII]5007/Hβ", "[OIII]5007")), top
            assert _wait_until(
                lambda: page.get_by_text(top).count() > 0  # pierces shadow DOM
            ), "comparison not shown on the page"
            page.screenshot(path=shots / "1000-compared.png", full_page=True)
            assert not offline, f"requests failed or blocked: {offline}"
            failed = False
        finally:
            if failed:
                page.screenshot(path=shots / "failure.png", full_page=True)
                print(f"browser test screenshots kept in {shots}")
                print(f"requests failed or blocked: {offline}")
            page.goto("about:blank")  # close the session before the server
            time.sleep(0.5)
            context.close()


LESSON = (
    Path(__file__).resolve().parents[1] / "notebooks" / "07_millions_of_points.ipynb"
)
# Data extents (dw) of every Bokeh image on the page, by model id.
IMAGE_EXTENTS = """() => {
  const out = {};
  for (const doc of (window.Bokeh && Bokeh.documents) || []) {
    for (const m of doc.all_models) {
      if (m.data && m.data.dw !== undefined) out[m.id] = Number(m.data.dw[0]);
    }
  }
  return out;
}"""


@pytest.fixture
def jupyterlab(tmp_path):
    """URL of lesson 07 (a copy) in a JupyterLab server, tiny tier."""
    pytest.importorskip("jupyterlab")
    root = tmp_path / "lab"
    root.mkdir()
    shutil.copy(LESSON, root / LESSON.name)
    port = _free_port()
    env = dict(os.environ, ASTROKIT_TIER="tiny", JUPYTER_RUNTIME_DIR=str(tmp_path))
    env.pop("MPLBACKEND", None)
    log = open(tmp_path / "jupyterlab.log", "w")  # closed below
    lab = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.token=",
            "--ServerApp.password=",
            f"--ServerApp.root_dir={root}",
            f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
            "--allow-root",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/lab/tree/{LESSON.name}"
        yield url
    finally:
        lab.terminate()
        try:
            lab.wait(20)
        except subprocess.TimeoutExpired:
            lab.kill()
        log.close()


def test_lesson_07_in_jupyterlab(jupyterlab, tmp_path, chromium):
    sync_api = pytest.importorskip("playwright.sync_api")
    shots = tmp_path / "browser-artifacts"
    shots.mkdir()
    failed = True
    with sync_api.sync_playwright() as p:
        context = _launch(p, tmp_path, chromium, width=1500, height=1100)
        page = context.new_page()
        offline = _offline(page)
        try:
            for _ in range(60):  # the server needs a few seconds to start
                try:
                    page.goto(jupyterlab)
                    break
                except sync_api.Error:
                    time.sleep(1)
            offline.clear()  # the refused connections while it started
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            time.sleep(2)  # the kernel starts
            page.click("text=Run", timeout=10_000)
            page.click("text=Run All Cells", timeout=10_000)
            # attached, not visible: on a slow machine the notebook has
            # scrolled past the view by the time it draws
            page.wait_for_selector(
                ".ak-view-1 canvas", state="attached", timeout=300_000
            )
            status = page.locator(".jp-StatusBar-Widget").filter(has_text="ipykernel")

            def idle():
                return "Idle" in status.first.inner_text()

            assert _wait_until(idle, 180), "the lesson did not finish"
            emb = page.locator(".ak-view-0").first
            sky = page.locator(".ak-view-1").first
            emb.scroll_into_view_if_needed()
            sky.wait_for(state="visible", timeout=60_000)
            time.sleep(1)

            def shot(loc):
                return _pixels(loc.screenshot())

            assert _wait_until(lambda: _coloured(shot(emb)) > 300), "blank embedding"
            assert _wait_until(lambda: _coloured(shot(sky)) > 300), "blank sky view"
            page.screenshot(path=shots / "lab-1-rendered.png")

            # a wheel zoom: the kernel re-aggregates at the new, smaller range
            before = page.evaluate(IMAGE_EXTENTS)
            box = emb.bounding_box()

            def zoomed():
                after = page.evaluate(IMAGE_EXTENTS)
                return any(after.get(k, v) < 0.8 * v for k, v in before.items())

            for _ in range(3):  # a wheel event can land before the plot listens
                x, y = box["x"] + 0.4 * box["width"], box["y"] + 0.5 * box["height"]
                page.mouse.move(x, y)
                for _ in range(4):
                    page.mouse.wheel(0, -150)
                    time.sleep(0.2)
                if _wait_until(zoomed, 30):
                    break
            assert zoomed(), "no re-aggregation after zoom"
            page.screenshot(path=shots / "lab-2-zoomed.png")

            # reset the zoom, clear the lesson's selection, box-select most rows
            skies = [page.locator(f".ak-view-{i}").first for i in (1, 2, 3)]

            def sky_red():  # every galaxy: the lesson's pinned groups cover some
                return sum(_red(shot(view)) for view in skies if view.count())

            page.locator("text=Clear selection").first.click()
            assert _wait_until(lambda: page.get_by_text("Selection cleared").count())
            unlit = sky_red()  # a cluster's own colour may be red (tab10's fourth)
            page.locator(".ak-view-0 .bk-tool-icon-reset").first.click()
            emb.scroll_into_view_if_needed()
            time.sleep(2)
            box = emb.bounding_box()  # the clicks may have scrolled the page
            # from inside the plot's frame (the box's left 15% is the y axis)
            _drag(page, box, (0.25, 0.15), (0.85, 0.85))
            selected = page.get_by_text("highlighted in red in every view")
            assert _wait_until(lambda: selected.count() > 0, 120), "nothing selected"
            assert _wait_until(lambda: sky_red() > unlit + 100, 120), "sky not lit"
            page.screenshot(path=shots / "lab-3-selected.png")
            assert not offline, f"requests failed or blocked: {offline}"
            failed = False
        finally:
            if failed:
                page.screenshot(path=shots / "failure.png")
                print(f"browser test screenshots kept in {shots}")
                print(f"requests failed or blocked: {offline}")
            context.close()
