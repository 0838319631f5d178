"""Offline means offline: lessons and the report fetch nothing from a network.

Two layers of checks:

- fast ones, against the pinned Panel (1.9.4): a HoloViews object rendered
  for a notebook links Panel's own stylesheets from ``cdn.holoviz.org``
  unless :func:`astrokit.plot.ensure_extension`'s patch of Bokeh's
  ``ImportedStyleSheet`` makes them ``data:`` URLs of the installed files
  (holoviz/panel#7073), also for components made after the first render
  (a new child, a pane updated in place);
- slow ones in Debian's headless Chromium (driven by Playwright's Python
  client, never a downloaded browser): lessons 01 and 07 executed on the
  tiny tier and exported to HTML, and the demo report, opened from disk with
  every request that is not a local file blocked and recorded. Any blocked
  request and any failed one (a missing relative file included) fails the
  test, and the Bokeh plots must still render.

The HTML export drops the two scripts of nbconvert's own page template that
come from a CDN (require.js, MathJax 2): they belong to the exporter, not to
the lesson (JupyterLab serves its own), and a lesson that needs either would
show it in a failed request of its own. Screenshots are kept in a folder
under ``tmp_path`` whose path is printed when a check fails.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest

pn = pytest.importorskip("panel")
hv = pytest.importorskip("holoviews")

from bokeh.document import Document  # noqa: E402
from bokeh.models import ImportedStyleSheet, UIElement  # noqa: E402
from panel.io.resources import CDN_DIST, DIST_DIR  # noqa: E402

from astrokit.plot import _holoviews as _hv  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CHROMIUM = Path("/usr/bin/chromium")
CDN_CSS = re.compile(r"cdn\.holoviz\.org/[^\"'\\\s]+")
browser = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent"),
]


@pytest.fixture
def without_patch(monkeypatch):
    """Bokeh's ``ImportedStyleSheet`` as it is without astrokit's patch."""
    _hv.ensure_extension()
    monkeypatch.setattr(ImportedStyleSheet, "__init__", _hv._BOKEH_INIT)


def _notebook_json(obj) -> str:
    """What a notebook cell receives when ``obj`` is shown (HoloViews' path)."""
    data, _ = hv.renderer("bokeh").components(obj)
    return json.dumps(data)


def _css(sheet) -> str | None:
    """The CSS a ``data:`` stylesheet carries; None for any other URL."""
    prefix = "data:text/css;base64,"
    if isinstance(sheet, ImportedStyleSheet) and sheet.url.startswith(prefix):
        return base64.b64decode(sheet.url[len(prefix) :]).decode()
    return None


def test_pinned_panel_links_its_css_from_the_cdn_without_the_patch(without_patch):
    # The reason for the patch: if this fails, Panel keeps these local itself
    # and the patch can go (check holoviz/panel#7073 and the pinned version).
    assert pn.config.inline is True
    found = set(CDN_CSS.findall(_notebook_json(hv.Curve([1, 2]))))
    dist = CDN_DIST.removeprefix("https://")
    assert {f"{dist}css/loading.css", f"{dist}bundled/theme/default.css"} <= found


def test_a_holoviews_cell_links_nothing_from_the_cdn():
    _hv.ensure_extension()
    page = _notebook_json(hv.Curve([1, 2]))
    assert CDN_CSS.findall(page) == []
    assert "data:text/css;base64," in page


def test_inlined_css_is_the_installed_file_with_assets_embedded():
    css = _hv._dist_css("css/loading.css")
    original = (DIST_DIR / "css" / "loading.css").read_text(encoding="utf-8")
    assert "../assets/" in original and "../assets/" not in css
    assert css.count("url('data:image/svg+xml;base64,") == original.count("../assets")
    assert _hv._dist_css("css/listpanel.css") == (
        (DIST_DIR / "css" / "listpanel.css").read_text(encoding="utf-8")
    )
    assert _hv._dist_css("css/no_such_file.css") is None
    assert _hv._dist_css("../../__init__.py") is None  # never outside panel/dist


def test_dist_path_knows_panels_own_urls_only():
    assert _hv._dist_path(f"{CDN_DIST}css/loading.css?v=1.9.4") == "css/loading.css"
    assert _hv._dist_path("static/extensions/panel/css/a.css") == "css/a.css"
    assert _hv._dist_path("https://example.org/panel/dist/css/a.css") is None


def _sheets(root) -> list:
    return [s for m in root.select({"type": UIElement}) for s in m.stylesheets]


def _later_sheets() -> dict[str, list]:
    """Stylesheets made after a first render, as the explorer makes them.

    A button appended to a column (a new child) and an alert whose text
    changes (a pane updated in place, like the explorer's status line).
    """
    alert = pn.pane.Alert("a")
    column = pn.Column(alert)
    root = column.get_root(Document())
    ref = root.ref["id"]
    alert._models[ref][0].stylesheets = []  # so only the update's are seen
    button = pn.widgets.Button(label="b")
    column.append(button)
    alert.object = "b"
    found = {
        "button": list(button._models[ref][0].stylesheets),
        "alert": list(alert._models[ref][0].stylesheets),
    }
    column.clear()
    return found


def test_components_made_later_are_local_too():
    _hv.ensure_extension()
    found = _later_sheets()
    for name, file in (("button", "button.css"), ("alert", "alerts.css")):
        assert _hv._dist_css(f"css/{file}") in [_css(s) for s in found[name]], name
        urls = [s.url for s in found[name] if isinstance(s, ImportedStyleSheet)]
        assert not any(url.startswith(CDN_DIST) for url in urls), urls


def test_components_made_later_link_the_cdn_without_the_patch(without_patch):
    found = _later_sheets()
    for name, file in (("button", "button.css"), ("alert", "alerts.css")):
        urls = [s.url for s in found[name] if isinstance(s, ImportedStyleSheet)]
        assert f"{CDN_DIST}css/{file}" in urls, (name, urls)


def test_a_users_stylesheet_and_inline_off_are_left_alone(monkeypatch):
    _hv.ensure_extension()
    mine = "https://example.org/mine.css"
    root = pn.pane.Markdown("a", stylesheets=[mine]).get_root(Document())
    urls = [s.url for s in _sheets(root) if isinstance(s, ImportedStyleSheet)]
    assert [url for url in urls if not url.startswith("data:")] == [mine]
    monkeypatch.setattr(pn.config, "inline", False)
    root = pn.pane.Markdown("a").get_root(Document())
    urls = [s.url for s in _sheets(root) if isinstance(s, ImportedStyleSheet)]
    assert any(url.startswith(CDN_DIST) for url in urls)


def test_report_and_saved_html_embed_panels_files(tmp_path):
    from astrokit.report import Report

    _hv.ensure_extension()
    report = Report("r")
    report.holoviews(hv.Curve([1, 2]))
    page = report.to_html()
    assert _hv.remote_resources(page) == []
    assert "static/extensions/panel" not in page  # Bokeh's INLINE links it
    saved = _hv.save_html(hv.Curve([1, 2]), tmp_path / "c.html").read_text("utf-8")
    assert _hv.remote_resources(saved) == []
    assert "static/extensions/panel" not in saved


# ------------------------------------------------------------- in Chromium

# nbconvert's lab page without its CDN scripts (see the module docstring).
TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
"""


LESSONS = ("01_inspecting_maps.ipynb", "07_millions_of_points.ipynb")


def _start_export(name: str, out: Path) -> subprocess.Popen:
    """Start executing ``notebooks/<name>`` on the tiny tier into HTML."""
    template = out / "offline.html.j2"
    template.write_text(TEMPLATE, encoding="utf-8")
    env = dict(os.environ, ASTROKIT_TIER="tiny", JUPYTER_RUNTIME_DIR=str(out))
    env.pop("MPLBACKEND", None)  # the lesson's inline figures
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "nbconvert",
        "--to",
        "html",
        "--execute",
        "--template",
        "lab",
        f"--template-file={template}",
        "--ExecutePreprocessor.timeout=600",
        f"--output-dir={out}",
        str(NOTEBOOKS / name),
    ]
    with open(out / "nbconvert.log", "w") as log:  # the child keeps its copy
        return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def pages(request, tmp_path_factory):
    """HTML pages by name, each made once; the lessons run in the background.

    The selected lessons start executing (in parallel) when the first page is
    asked for, so the demo report is built while they run.
    """
    wanted = {
        item.callspec.params.get("name")
        for item in request.session.items
        if getattr(item, "module", None) is request.module and hasattr(item, "callspec")
    }
    running = {}
    for name in LESSONS:
        if name in wanted:
            out = tmp_path_factory.mktemp(name[:2])
            running[name] = (_start_export(name, out), out)
    made = {}

    def page(name: str) -> Path:
        if name in made:
            return made[name]
        if name == "report":
            from astrokit import cli

            out = tmp_path_factory.mktemp("report")
            assert cli.main(["demo", "--tier", "tiny", "--out", str(out)]) == 0
            made[name] = out / "report.html"
        else:
            proc, out = running[name]
            status = proc.wait(timeout=900)
            log = (out / "nbconvert.log").read_text(encoding="utf-8")
            assert status == 0, log[-3000:]
            made[name] = out / name.replace(".ipynb", ".html")
        return made[name]

    try:
        yield page
    finally:
        for proc, _ in running.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _coloured(png: bytes) -> int:
    """Pixels that are neither white-ish nor grey (plot content, not axes)."""
    from PIL import Image

    a = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int(((a.max(axis=-1) - a.min(axis=-1)) > 40).sum())


def _is_local(url: str) -> bool:
    parts = urlparse(url)
    if parts.scheme in ("file", "data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https", "ws") and parts.hostname in (
        "127.0.0.1",
        "localhost",
    )


def _open_offline(path: Path, tmp_path: Path, shot: str, chromium: dict) -> dict:
    """Open ``path`` with the network cut off; what failed and what rendered."""
    sync_api = pytest.importorskip("playwright.sync_api")
    shots = tmp_path / "browser-artifacts"
    shots.mkdir(exist_ok=True)
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
            page.goto(path.as_uri())
            page.wait_for_function(
                "() => window.Bokeh && Bokeh.documents.length > 0", timeout=60_000
            )
            page.locator("canvas").first.wait_for(timeout=60_000)  # in shadow DOM
            page.wait_for_load_state("networkidle")
            time.sleep(2)  # late stylesheets and images
            canvases = page.locator("canvas")
            coloured = max(
                _coloured(canvases.nth(i).screenshot())
                for i in range(min(canvases.count(), 4))
            )
            page.screenshot(path=shots / shot, full_page=True)
            result = dict(
                blocked=blocked,
                failed=failed,
                coloured=coloured,
                documents=page.evaluate("() => Bokeh.documents.length"),
            )
        except Exception:
            page.screenshot(path=shots / f"failure-{shot}")
            print(f"browser test screenshots kept in {shots}")
            raise
        finally:
            context.close()
    if blocked or failed:
        print(f"browser test screenshots kept in {shots}")
    return result


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("report", marks=browser),  # built while the lessons run
        pytest.param("01_inspecting_maps.ipynb", marks=browser),
        pytest.param("07_millions_of_points.ipynb", marks=browser),
    ],
)
def test_offline_page_makes_no_failed_request(pages, name, tmp_path, chromium):
    pytest.importorskip("playwright.sync_api")
    path = pages(name)
    assert CDN_CSS.findall(path.read_text(encoding="utf-8")) == []
    seen = _open_offline(path, tmp_path, f"{path.stem}.png", chromium)
    assert seen["blocked"] == [], f"requests to the network: {seen['blocked']}"
    assert seen["failed"] == [], f"failed requests: {seen['failed']}"
    assert seen["documents"] >= 1 and seen["coloured"] > 300, seen
