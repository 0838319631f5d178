"""The lesson site (``make site``, ``docs/site/conf.py``) is built right.

Fast checks of the configuration (every lesson in the table of contents,
``make site`` runs Sphinx with this configuration on ``TIER``), and one real
build of a two-cell lesson with the site's configuration (skipped without
the ``[site]`` extra): the lesson is executed, its solution cell is folded,
its Bokeh plot and its figure are in the page, a Jupyter widget (which
needs a kernel) is shown as text, and the page loads nothing from outside
the site. ``tests/test_site_browser.py`` opens the real site,
built by ``make site``, in headless Chromium.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "docs" / "site"


class _References(HTMLParser):
    """The URLs a page loads: scripts, stylesheets, images, frames."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "source") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            rel = (attrs.get("rel") or "").lower()
            if any(
                r in rel for r in ("stylesheet", "preload", "icon", "modulepreload")
            ):
                self.urls.append(attrs["href"])


def outside_references(page: Path, root: Path) -> list[str]:
    """What ``page`` loads from a network, or from a file missing in ``root``.

    JavaScript that builds URLs at run time (BokehJS's MathJax provider, for
    example) is not seen here; the browser test sees those.
    """
    parser = _References()
    parser.feed(page.read_text(encoding="utf-8"))
    bad = []
    for url in parser.urls:
        parts = urlparse(url)
        if parts.scheme in ("data", "blob") or url.startswith("${"):
            continue
        if parts.scheme or url.startswith("//"):
            bad.append(url)
            continue
        target = (page.parent / unquote(parts.path)).resolve()
        if not target.is_file() or not target.is_relative_to(root.resolve()):
            bad.append(f"{url} (no such file in the site)")
    return bad


def test_every_lesson_is_in_the_table_of_contents():
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert re.search(
        r"```\{toctree\}\n(:[^\n]+\n)*:glob:\n(:[^\n]+\n)*\n/notebooks/\*", index
    )
    conf = (CONF / "conf.py").read_text(encoding="utf-8")
    assert '"notebooks/*.ipynb"' in conf and 'root_doc = "docs/index"' in conf
    for page in ("teaching", "offline", "design"):
        assert re.search(rf"^{page}$", index, re.M), page
        assert (ROOT / "docs" / f"{page}.md").exists()


def test_make_site_builds_with_this_configuration_on_the_tier():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    out = subprocess.run(
        ["make", "-n", "-B", "site", "TIER=tiny", "SITE=/tmp/s"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (line,) = [x for x in out.splitlines() if "sphinx-build" in x]
    cmd = shlex.split(line)
    assert cmd[0] == "ASTROKIT_TIER=tiny"
    assert cmd[1].endswith("sphinx-build") and cmd[-2:] == [".", "/tmp/s"]
    assert (
        cmd[cmd.index("-c") + 1] == "docs/site" and cmd[cmd.index("-b") + 1] == "html"
    )
    assert '".[dev,site]"' in out  # the site's toolchain from the [site] extra


def test_outside_references_sees_networks_and_missing_files(tmp_path):
    (tmp_path / "a.css").write_text("")
    page = tmp_path / "p.html"
    page.write_text(
        '<link rel="stylesheet" href="a.css"><link rel="stylesheet" href="b.css">'
        '<script src="https://cdn.example.org/x.js"></script>'
        '<img src="data:image/png;base64,AA=="><a href="https://example.org">x</a>'
        '<script>var u = "https://not.a.request.example.org";</script>'
    )
    assert outside_references(page, tmp_path) == [
        "b.css (no such file in the site)",
        "https://cdn.example.org/x.js",
    ]


def _cell(kind: str, source: str, **metadata) -> dict:
    cell = {
        "cell_type": kind,
        "id": f"c{abs(hash(source)) % 10**8}",
        "metadata": metadata,
    }
    cell["source"] = source.splitlines(keepends=True)
    if kind == "code":
        cell |= {"execution_count": None, "outputs": []}
    return cell


@pytest.mark.slow
def test_a_lesson_page_is_executed_folded_and_local(tmp_path):
    pytest.importorskip("myst_nb")
    src, out = tmp_path / "src", tmp_path / "out"
    (src / "docs").mkdir(parents=True)
    (src / "notebooks").mkdir()
    (src / "docs" / "index.md").write_text(
        "# A site\n\n```{toctree}\n:glob:\n\n/notebooks/*\n```\n", encoding="utf-8"
    )
    solution = {"tags": ["solution", "hide-input"], "jupyter": {"source_hidden": True}}
    cells = [
        _cell("markdown", "# Plot a curve\n\nA lesson.\n"),
        _cell(
            "code",
            "import holoviews as hv\nimport ipywidgets\n"
            "import matplotlib.pyplot as plt\n\n"
            "import astrokit as ak\n\nak.plot.ensure_extension()\n",
        ),
        _cell("code", "hv.Curve([1, 3, 2])"),
        _cell("code", "plt.plot([1, 2]);"),
        _cell("code", "ipywidgets.IntSlider(3)"),  # needs a kernel: text only
        _cell("markdown", "**Solution**"),
        _cell("code", "print('the solution ran', 6 * 7)", **solution),
    ]
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (src / "notebooks" / "01_plot_curve.ipynb").write_text(json.dumps(nb))
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-q",
            "-b",
            "html",
            "-c",
            str(CONF),
            str(src),
            str(out),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},  # conf.py drops it
    )
    assert build.returncode == 0, build.stderr[-3000:]
    page = out / "notebooks" / "01_plot_curve.html"
    html = page.read_text(encoding="utf-8")
    assert "the solution ran 42" in html  # executed at build time
    folded = re.search(
        r'<details class="[^"]*hide above-input">(.*?)</details>', html, re.S
    )
    assert folded and "the solution ran" in folded[1], "the solution's code is folded"
    assert "Bokeh.embed" in html and "cdn.bokeh.org" not in html  # BokehJS inline
    assert re.search(r'<img [^>]*src="\.\./_images/[^"]+\.png"', html), "the figure"
    assert "IntSlider(value=3)" in html and "embed-amd" not in html
    assert outside_references(page, out) == []
    assert outside_references(out / "docs" / "index.html", out) == []
    redirect = (out / "index.html").read_text(encoding="utf-8")
    assert 'url=docs/index.html"' in redirect
