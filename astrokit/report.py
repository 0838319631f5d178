"""Self-contained HTML reports: figures, tables and interactive views in one file.

The report embeds everything it shows (PNG figures as data URIs, BokehJS
and Panel's own files inline), so it opens offline, fetches nothing, and can
be mailed or uploaded as a single file.

Examples
--------
>>> import pandas as pd
>>> report = Report("Example")
>>> report.section("Numbers", "A table of two rows.")
>>> report.table(pd.DataFrame({"a": [1, 2]}))
>>> "<table" in report.to_html()
True
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd

from astrokit._shared.cache import atomic_write

__all__ = ["Report"]

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { border-bottom: 2px solid #444; padding-bottom: .2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #bbb; }
figure { margin: 1em 0; } figure img { max-width: 100%; }
figcaption { color: #555; font-size: .9em; }
table { border-collapse: collapse; font-size: .85em; margin: 1em 0; }
table.wide { font-size: .75em; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: right; }
th { max-width: 9em; }
tbody th { max-width: none; white-space: nowrap; }
.text td { text-align: left; }
th { background: #f2f2f2; }
.meta { color: #666; font-size: .9em; }
.scroll { overflow-x: auto; }
"""


class Report:
    """An HTML report built section by section, then saved as one file.

    Parameters
    ----------
    title : str
        Shown as the page title and top heading.
    subtitle : str, optional
        A line under the heading (data, date, version).
    """

    def __init__(self, title: str, subtitle: str | None = None) -> None:
        self.title = title
        self.subtitle = subtitle
        self._parts: list[str] = []
        self._bokeh_models: list = []  # what the page's BokehJS must render

    def section(self, heading: str, text: str | None = None) -> None:
        """Start a new section, with an optional paragraph."""
        self._parts.append(f"<h2>{html.escape(heading)}</h2>")
        if text:
            self.text(text)

    def text(self, text: str) -> None:
        """Add a paragraph of plain text."""
        self._parts.append(f"<p>{html.escape(text)}</p>")

    def figure(self, fig, caption: str | None = None, *, dpi: int = 110) -> None:
        """Add a matplotlib figure as an embedded PNG, then close the figure."""
        import matplotlib.pyplot as plt

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
        plt.close(fig)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        alt = html.escape(caption or "")
        cap = f"<figcaption>{alt}</figcaption>" if caption else ""
        img = f'<img src="data:image/png;base64,{data}" alt="{alt}">'
        self._parts.append(f"<figure>{img}{cap}</figure>")

    def table(
        self,
        frame: pd.DataFrame,
        caption: str | None = None,
        *,
        percent="auto",
        labels: bool = True,
        text: bool = False,
    ) -> None:
        """Add a DataFrame as an HTML table that fits the page.

        Floats show 3 significant digits; fractions show as percentages
        (``percent``); column headers wrap at their underscores; feature,
        band and bookkeeping names (in the index and the headers) become
        their physical labels (:func:`astrokit.features.display_label`)
        when ``labels``.

        Parameters
        ----------
        frame : DataFrame
        caption : str, optional
        percent : "auto", bool or list of str, default "auto"
            Columns shown as percentages. ``"auto"``: the columns named
            ``frac_*`` or ``fraction*``, or every column when each row's
            values lie in [0, 1] and sum to 1 (a normalised contingency
            table); True: every float column; False: none.
        labels : bool, default True
        text : bool, default False
            Cells of words rather than numbers: aligned left.
        """
        if caption:
            self._parts.append(f'<p class="meta">{html.escape(caption)}</p>')
        frame = frame.copy()
        for column in _percent_columns(frame, percent):
            frame[column] = [_as_percent(v) for v in frame[column]]
        if labels:
            frame = frame.rename(index=_label, columns=_label)
        frame.columns = [str(c).replace("_", " ") for c in frame.columns]
        wide = ' class="wide"' if frame.shape[1] > 8 else ""
        table = frame.to_html(float_format=lambda v: f"{v:.3g}", border=0)
        table = table.replace('<table class="dataframe">', f"<table{wide}>", 1)
        kind = "scroll text" if text else "scroll"
        self._parts.append(f'<div class="{kind}">{table}</div>')

    def holoviews(self, obj, caption: str | None = None) -> None:
        """Add a HoloViews object as a Bokeh plot (static data, pan and zoom)."""
        import holoviews as hv
        from bokeh.core.validation import silenced
        from bokeh.core.validation.warnings import FIXED_SIZING_MODE
        from bokeh.embed import components

        model = hv.render(obj, backend="bokeh")
        # HoloViews sizes plots by frame_width/height, which Bokeh's check
        # for "fixed" sizing does not read; the plot is sized correctly.
        with silenced(FIXED_SIZING_MODE):
            script, div = components(model)
        self._bokeh_models.append(model)
        cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        self._parts.append(f"<figure>{script}{div}{cap}</figure>")

    def to_html(self) -> str:
        """The whole page as a string."""
        head = f"<title>{html.escape(self.title)}</title><style>{_STYLE}</style>"
        if self._bokeh_models:
            from astrokit.plot._holoviews import inline_resources

            head += inline_resources(self._bokeh_models)
        sub = (
            f'<p class="meta">{html.escape(self.subtitle)}</p>' if self.subtitle else ""
        )
        body = f"<h1>{html.escape(self.title)}</h1>{sub}" + "\n".join(self._parts)
        head = f'<meta charset="utf-8">{head}'
        return (
            f'<!DOCTYPE html>\n<html lang="en"><head>{head}</head>'
            f"<body>{body}</body></html>\n"
        )

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` atomically and return the path."""
        page = self.to_html()
        return atomic_write(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))


def _label(name):
    from astrokit.features import display_label

    if not isinstance(name, str):
        return name
    return display_label(name, units=False, tex=False)


def _percent_columns(frame: pd.DataFrame, percent) -> list:
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    if percent is True:
        return floats
    if percent is False or not floats:
        return []
    if percent != "auto":
        return [c for c in percent if c in frame.columns]
    named = [c for c in floats if str(c).startswith(("frac_", "fraction"))]
    if named:
        return named
    values = frame[floats].to_numpy(dtype=float)
    inside = np.isfinite(values).all() and (values >= 0).all() and (values <= 1).all()
    if len(floats) == frame.shape[1] and inside and frame.shape[1] > 1:
        if np.allclose(values.sum(axis=1), 1.0, atol=1e-6):
            return floats
    return []


def _as_percent(value) -> str:
    """A fraction as a readable percentage: ``'0'``, ``'<0.1%'``, ``'12.3%'``.

    Examples
    --------
    >>> [_as_percent(v) for v in (0.0, 5.27e-05, 0.1234, 1.0)]
    ['0', '<0.1%', '12.3%', '100%']
    """
    if value is None or not np.isfinite(value):
        return ""
    if value == 0:
        return "0"
    if value < 0.001:
        return "<0.1%"
    if value >= 0.9995:
        return "100%" if value == 1 else ">99.9%"
    return f"{100 * value:.1f}%"
