"""HoloViews/Bokeh set-up for astrokit: offline first, once per process.

:func:`ensure_extension` loads the HoloViews Bokeh extension with BokehJS
served *inline* (embedded in the notebook or page), never from a CDN, and sets
the same default for Panel (``pn.config.inline``) and for Bokeh itself
(``bokeh.settings.settings.resources``, unless ``BOKEH_RESOURCES`` is set in
the environment). Every astrokit function that returns a HoloViews object
calls it, so a lesson never depends on remembering ``hv.extension``.

Outside a notebook (a script, pytest) ``hv.extension`` only imports the
Bokeh plotting backend and makes it current: it displays nothing and needs
no network. Inside Jupyter it also sends BokehJS into the output of the cell
that first calls it.

:func:`save_html` writes a HoloViews object to a standalone HTML file with
inline resources (``hv.save`` defaults to the CDN).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["ensure_extension", "save_html", "remote_resources"]

_loaded = False


def ensure_extension(*, force: bool = False) -> None:
    """Load the HoloViews Bokeh extension with inline BokehJS, once per process.

    Parameters
    ----------
    force : bool, default False
        Load it again (e.g. after reloading the notebook page in the browser
        while the kernel kept running, which loses the BokehJS already sent).

    Returns
    -------
    None
        HoloViews' current backend is then Bokeh, with resources inline.

    Examples
    --------
    >>> ensure_extension()
    >>> import holoviews as hv
    >>> hv.Store.current_backend
    'bokeh'
    """
    global _loaded
    import holoviews as hv

    if _loaded and not force and hv.Store.current_backend == "bokeh":
        return
    import panel as pn

    if "BOKEH_RESOURCES" not in os.environ:
        from bokeh.settings import settings

        settings.resources.set_value("inline")
    pn.config.inline = True
    hv.extension("bokeh", inline=True, logo=False)
    _loaded = True


def save_html(obj, path: str | Path, *, title: str = "astrokit") -> Path:
    """Save a HoloViews object as one standalone HTML file, BokehJS inline.

    The page is rendered with ``bokeh.embed.file_html(..., INLINE)``: about
    1 MB of embedded BokehJS, no Panel template, nothing fetched from the
    network. (``hv.save(obj, path)`` without ``resources="inline"`` loads
    BokehJS from a CDN; with it, the Panel template still links its favicon
    from cdn.holoviz.org, which is harmless offline.) A DynamicMap (e.g. a
    Datashader-regridded image) is saved as first rendered.

    Parameters
    ----------
    obj : HoloViews object
        What to save (an Element, Overlay, Layout or DynamicMap).
    path : str or Path
        The HTML file; written atomically (a half-written page never shows).
    title : str, default "astrokit"
        The page's title.

    Returns
    -------
    Path
        Where the page was written.

    Examples
    --------
    >>> import tempfile, holoviews as hv
    >>> path = save_html(hv.Curve([1, 3, 2]), Path(tempfile.mkdtemp()) / "c.html")
    >>> remote_resources(path.read_text(encoding="utf-8"))
    []
    """
    import holoviews as hv
    from bokeh.core.validation import silenced
    from bokeh.core.validation.warnings import FIXED_SIZING_MODE
    from bokeh.embed import file_html
    from bokeh.resources import INLINE

    from astrokit._shared.cache import atomic_write

    ensure_extension()
    # Plots sized by frame_width/frame_height trip Bokeh's W-1005 check
    # although they lay out correctly; hv.save silences it the same way.
    with silenced(FIXED_SIZING_MODE):
        page = file_html(hv.render(obj, backend="bokeh"), INLINE, title=title)
    return atomic_write(Path(path), lambda tmp: tmp.write_text(page, encoding="utf-8"))


_TAG = re.compile(r"<(script|link)\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""\b(src|href|rel)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def remote_resources(html: str) -> list[str]:
    """URLs of scripts and stylesheets that ``html`` would fetch from the network.

    Looks at ``<script src=...>`` and ``<link rel="stylesheet" href=...>``
    (and module preloads) with an ``http(s)://`` or protocol-relative URL;
    icons and plain links are not needed to render a plot and are ignored.

    Examples
    --------
    >>> remote_resources('<script src="https://cdn.bokeh.org/bokeh.min.js"></script>')
    ['https://cdn.bokeh.org/bokeh.min.js']
    >>> remote_resources('<link rel="icon" href="https://cdn.holoviz.org/f.ico">')
    []
    """
    found = []
    for match in _TAG.finditer(html):
        attrs = {k.lower(): v for k, v in _ATTR.findall(match.group(0))}
        if match.group(1).lower() == "script":
            url = attrs.get("src", "")
        elif any(r in attrs.get("rel", "").lower() for r in ("stylesheet", "preload")):
            url = attrs.get("href", "")
        else:
            continue
        if url.startswith(("http://", "https://", "//")):
            found.append(url)
    return found
