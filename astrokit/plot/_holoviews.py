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

Panel 1.9 still links its own widgets' stylesheets (``css/loading.css``,
``listpanel.css``, the ``bundled/theme`` CSS, ...) from ``cdn.holoviz.org``
when a HoloViews object is shown in a notebook, and again whenever a pane
updates in place (the explorer's status line and contrast table after a
selection): only ``Viewable``'s own ``_repr_mimebundle_`` swaps them for
local copies (holoviz/panel#7073, #8707). :func:`ensure_extension`
therefore patches the one place they are all made, Bokeh's
``ImportedStyleSheet``: while ``pn.config.inline`` is true, a URL of one of
the installed Panel's own files becomes that file as a ``data:`` URL (its
images embedded too), read from the package's ``panel/dist`` folder.

:func:`save_html` writes a HoloViews object to a standalone HTML file with
inline resources (``hv.save`` defaults to the CDN); :func:`inline_resources`
gives the same scripts and styles to any standalone page (the demo report).
"""

from __future__ import annotations

import base64
import mimetypes
import os
import re
from functools import lru_cache
from pathlib import Path

__all__ = ["ensure_extension", "save_html", "inline_resources", "remote_resources"]

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
    _patch_imported_stylesheets()
    hv.extension("bokeh", inline=True, logo=False)
    _loaded = True


_ASSET_URL = re.compile(r"""url\((['"]?)(\.\./[^'")]+)\1\)""")


@lru_cache(maxsize=64)
def _dist_css(relative: str) -> str | None:
    """A stylesheet of the installed Panel, its relative assets as data URIs.

    ``relative`` is the path under ``panel/dist`` (``css/loading.css``); None
    when Panel has no such file. ``url(../assets/x.svg)`` inside it would be
    resolved against the notebook or report page once inlined, so each such
    file is embedded as a ``data:`` URI instead.
    """
    from panel.io.resources import DIST_DIR

    path = (DIST_DIR / relative).resolve()
    if not path.is_file() or DIST_DIR.resolve() not in path.parents:
        return None

    def embed(match: re.Match) -> str:
        asset = (path.parent / match.group(2)).resolve()
        if not asset.is_file():
            return match.group(0)
        kind = mimetypes.guess_type(asset.name)[0] or "application/octet-stream"
        data = base64.b64encode(asset.read_bytes()).decode("ascii")
        return f"url('data:{kind};base64,{data}')"

    return _ASSET_URL.sub(embed, path.read_text(encoding="utf-8"))


def _dist_path(url: str) -> str | None:
    """``url``'s path under ``panel/dist`` if it is one of Panel's own files."""
    from panel.io.resources import CDN_DIST, LOCAL_DIST

    url = url.split("?")[0].split("#")[0]
    for prefix in (CDN_DIST, LOCAL_DIST, f"/{LOCAL_DIST}"):
        if url.startswith(prefix):
            return url[len(prefix) :]
    return None


@lru_cache(maxsize=64)
def _local_url(url: str) -> str:
    """``url`` as a ``data:`` URL when it is one of the installed Panel's files."""
    relative = _dist_path(url)
    css = _dist_css(relative) if relative is not None else None
    if css is None:
        return url
    return "data:text/css;base64," + base64.b64encode(css.encode()).decode("ascii")


_BOKEH_INIT = None  # ImportedStyleSheet.__init__ as Bokeh defines it


def _patch_imported_stylesheets() -> None:
    """Panel's own stylesheets load from ``data:`` URLs while inline is on.

    Panel builds ``ImportedStyleSheet(url=CDN_DIST + "css/....css")`` in
    half a dozen places (components, the theme, panes that update in place
    after a selection: ``alerts.css``, ``dataframe.css``); only one of its
    render paths swaps them for local copies. Patched here once, where they
    are all made: when ``pn.config.inline`` is true, an ``ImportedStyleSheet``
    whose URL is one of the installed Panel's files gets that file as a
    ``data:`` URL (still an ``ImportedStyleSheet``, so Panel's code that reads
    ``.url`` keeps working). Any other URL, and everything with inline off,
    is left as Bokeh makes it. ``tests/test_offline_browser.py`` pins this
    against the pinned Panel.
    """
    global _BOKEH_INIT
    from bokeh.models import ImportedStyleSheet

    if _BOKEH_INIT is not None:
        return
    _BOKEH_INIT = bokeh_init = ImportedStyleSheet.__init__

    def __init__(self, *args, **kwargs) -> None:
        import panel as pn

        url = kwargs.get("url")
        if pn.config.inline and type(self) is ImportedStyleSheet and url:
            kwargs["url"] = _local_url(url)
        bokeh_init(self, *args, **kwargs)

    ImportedStyleSheet.__init__ = __init__


def inline_resources(models=None) -> str:
    """The ``<script>`` and ``<style>`` tags a standalone page needs, all inline.

    BokehJS and Panel's extension with the files Panel ships in ``panel/dist``
    (e.g. ``es-module-shims``, which Bokeh's own ``INLINE`` links by a
    relative ``static/extensions/panel/...`` path that does not exist next to
    a saved file), rendered with Panel's ``Resources`` in inline mode.

    Parameters
    ----------
    models : list of bokeh.model.Model, optional
        The models the page shows: only the BokehJS parts they use are
        embedded (about 1.5 MB for plain plots). None embeds all (about 3 MB).

    Returns
    -------
    str
        HTML for the page's ``<head>``, with no ``src=`` or ``href=``.

    Examples
    --------
    >>> tags = inline_resources()
    >>> "<script" in tags and remote_resources(tags) == []
    True
    """
    from bokeh.embed.bundle import bundle_for_objs_and_resources
    from bokeh.resources import INLINE
    from panel.io.resources import Resources, set_resource_mode

    ensure_extension()
    with set_resource_mode("inline"):
        resources = Resources.from_bokeh(INLINE)
        js, css = bundle_for_objs_and_resources(models, resources)
    return js + css


def save_html(obj, path: str | Path, *, title: str = "astrokit") -> Path:
    """Save a HoloViews object as one standalone HTML file, BokehJS inline.

    The page is rendered with ``bokeh.embed.file_html`` and Panel's
    ``Resources`` in inline mode: about 1.5 MB of embedded BokehJS and
    Panel's own files, no Panel template, nothing fetched from the network
    or from a path next to the file (Bokeh's plain ``INLINE`` links Panel's
    ``es-module-shims`` by a relative path). (``hv.save(obj, path)``
    without ``resources="inline"`` loads BokehJS from a CDN; with it, the
    Panel template still links its favicon from cdn.holoviz.org, which is
    harmless offline.) A DynamicMap (e.g. a Datashader-regridded image) is
    saved as first rendered.

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
    from panel.io.resources import Resources, set_resource_mode

    from astrokit._shared.cache import atomic_write

    ensure_extension()
    # Plots sized by frame_width/frame_height trip Bokeh's W-1005 check
    # although they lay out correctly; hv.save silences it the same way.
    # Panel's Resources in inline mode embed Panel's own files as well.
    with silenced(FIXED_SIZING_MODE), set_resource_mode("inline"):
        resources = Resources.from_bokeh(INLINE)
        page = file_html(hv.render(obj, backend="bokeh"), resources, title=title)
    return atomic_write(Path(path), lambda tmp: tmp.write_text(page, encoding="utf-8"))


_TAG = re.compile(r"<(script|link)\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""\b(src|href|rel)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def remote_resources(html: str) -> list[str]:
    """URLs of scripts and stylesheets that ``html`` fetches instead of embedding.

    Looks at ``<script src=...>`` and ``<link rel="stylesheet" href=...>``
    (and module preloads): an ``http(s)://`` or protocol-relative URL needs
    the network, and a relative path needs a file next to the page, which a
    standalone page cannot count on. ``data:`` URLs are embedded; icons and
    plain links are not needed to render a plot and are ignored.

    Parameters
    ----------
    html : str
        The page.

    Returns
    -------
    list of str
        The URLs, in page order; empty for a page that carries everything.

    Examples
    --------
    >>> remote_resources('<script src="https://cdn.bokeh.org/bokeh.min.js"></script>')
    ['https://cdn.bokeh.org/bokeh.min.js']
    >>> remote_resources('<script src="static/extensions/panel/x.js"></script>')
    ['static/extensions/panel/x.js']
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
        if url.strip() and not url.lower().startswith("data:"):
            found.append(url)
    return found
