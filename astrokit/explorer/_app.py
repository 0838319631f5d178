"""The :class:`Explorer`: linked views, controls and the selection, in Panel.

The explorer holds the table by reference, one :class:`~astrokit.
_explorer_views.View` per coordinate pair (the embedding, one per galaxy),
a :class:`~astrokit.explorer._selection.Selection` and the Panel widgets.
A box or lasso on any view becomes a set of table rows; every view then
re-aggregates only its selected subset, the histogram and the contrast
table are redrawn, and the status line says what happened. Every callback
reports problems in the status line, never as a traceback.
"""

from __future__ import annotations

import base64
import logging

import numpy as np
import pandas as pd

from astrokit.explorer._columns import (
    colour_note,
    colour_values,
    coordinates,
    groups,
    numeric_columns,
)
from astrokit.explorer._raster import robust_limits, static_png
from astrokit.explorer._selection import SUMMARY_COLUMNS, Selection, unique_path
from astrokit.explorer._views import NORMS, SELECTED_COLOR, View

__all__ = ["Explorer", "DENSITY"]

log = logging.getLogger(__name__)
DENSITY = "(density)"
"""The "colour by" choice that shows the number of rows per pixel."""


class Explorer:
    """Linked, rasterised views of a table; build it with ``explore()``.

    Attributes
    ----------
    table : DataFrame
        The table shown (not copied).
    selection : Selection
        The rows selected in any view: ``.index``, ``.frame``, ``.mask``,
        ``.summary()``, ``.save(path)``.
    views : dict of str to View
        ``"embedding"`` and one per galaxy.
    layout : panel.layout.Column
        The widget (built on first use).
    """

    def __init__(self, table, *, embedding, sky, by, color, norm, size, max_sky):
        self.table = table
        self.selection = Selection(table)
        self.columns = numeric_columns(table)
        coords = {*(embedding or ()), *(sky or ()), by, "ra", "dec"}
        self.summary_columns = [c for c in self.columns if c not in coords]
        self.size = size
        self.max_sky = max_sky
        self.views: dict[str, View] = {}
        self.dropped: dict[str, int] = {}
        self._values = None
        self._limit_cache: dict = {}
        self._hist_cache: dict = {}
        self.messages: list[str] = []
        self._layout = None
        if embedding is not None:
            rows = coordinates(table, embedding, role="embedding")
            self.views["embedding"] = View(
                "embedding", rows, embedding, self, size=size
            )
            self.dropped["embedding"] = rows.dropped
        if sky is not None:
            for name, where in groups(table, by):
                rows = coordinates(table, sky, role="sky", where=where)
                view = View(name, rows, sky, self, size=size, square=True)
                self.views[name] = view
                self.dropped[name] = rows.dropped
        if not self.views:
            msg = "embedding=None and sky=None: give at least one pair of columns."
            raise ValueError(msg)
        self.norm = norm
        self.color = None
        self.set_color(color)

    def __repr__(self) -> str:
        return (
            f"<Explorer: {len(self.table):,} rows, views {list(self.views)}, "
            f"colour {self.color or DENSITY}, {self.selection!r}>"
        )

    # -- colour --------------------------------------------------------------
    def set_color(self, column: str | None, *, norm: str | None = None) -> None:
        """Colour every view by ``column`` (mean per pixel) or by density (None)."""
        if norm is not None:
            if norm not in NORMS:
                msg = f"norm={norm!r} is not a normalisation; use one of {list(NORMS)}."
                raise ValueError(msg)
            self.norm = norm
        if column == DENSITY:
            column = None
        values = None if column is None else colour_values(self.table, column)
        self._colour_note = None if values is None else colour_note(column, values)
        if self._colour_note:  # all NaN or some infinite: say so, draw the rest
            values = np.where(np.isfinite(values), values, np.float32(np.nan))
            self._message(self._colour_note, kind="warning", level=logging.WARNING)
        self.color, self._values = column, values
        for view in self.views.values():
            view.set_values(values)
        self._refresh()

    def _limits(self):
        log_scale = self.norm == "log"
        key = (self.color, log_scale)
        if key not in self._limit_cache:
            if self.color is None:
                self._limit_cache[key] = (1.0, 100.0) if log_scale else (0.0, 100.0)
            else:
                self._limit_cache[key] = robust_limits(self._values, log=log_scale)
        return self._limit_cache[key]

    # -- selection -----------------------------------------------------------
    def select_box(self, view: str, bounds) -> int:
        """Select the rows of ``view`` inside ``bounds = (x0, y0, x1, y1)``."""
        return self._select(view, "box", bounds)

    def select_lasso(self, view: str, polygon) -> int:
        """Select the rows of ``view`` inside a polygon ((k, 2) vertices)."""
        return self._select(view, "lasso", polygon)

    def clear_selection(self) -> None:
        """Select nothing."""
        self.selection.clear()
        self._after_selection("Selection cleared.")

    def _select(self, key, kind, geometry) -> int:
        if key not in self.views:
            msg = f"view={key!r} is not a view; choose one of {list(self.views)}."
            raise ValueError(msg)
        try:
            positions = self.views[key].rows_in(kind, geometry)
        except ValueError as err:
            self._message(f"Selection ignored: {err}", kind="warning")
            return len(self.selection)
        self.selection.set_positions(positions)
        if positions.size == 0:
            self._after_selection(
                f"No rows inside that {kind} on {key}: the selection is empty."
            )
        else:
            self._after_selection(
                f"{positions.size:,} rows selected on {key} with a {kind}; "
                f"highlighted in red in every view."
            )
        return int(positions.size)

    def _after_selection(self, text: str) -> None:
        mask = None if self.selection.empty else self.selection.mask
        for view in self.views.values():
            view.set_selection(mask)
        self._refresh()
        self._message(text, kind="warning" if self.selection.empty else "success")

    # -- widgets -------------------------------------------------------------
    def _message(self, text: str, *, kind: str = "info", level=logging.INFO) -> None:
        self.messages.append(text)
        log.log(level, text)
        if self._layout is not None:
            self._status.object = text
            self._status.alert_type = kind

    def _refresh(self) -> None:
        if self._layout is None:
            return
        for view in self.views.values():
            view.bump()
        self._hist.object = self._histogram()
        self._summary_pane.object = self._summary_table()

    def _summary_table(self):
        if self.selection.empty:
            return pd.DataFrame(columns=SUMMARY_COLUMNS)
        try:
            summary = self.selection.summary(columns=self.summary_columns)
            return summary.head(12).round(3)
        except Exception as err:  # never a traceback in the widget
            self._message(f"No summary: {err}", kind="warning")
            return pd.DataFrame(columns=SUMMARY_COLUMNS)

    def _histogram(self):
        import holoviews as hv

        opts = {"frame_width": 300, "frame_height": 200, "tools": ["hover"]}
        if self.color is None:
            return hv.Histogram(([0.0, 1.0], [0]), kdims=["colour by a column"]).opts(
                title="histogram of the colouring column", **opts
            )
        values = self._values
        log_scale = self.norm == "log"
        key = (self.color, log_scale)
        lo, hi = self._limits()
        if log_scale:
            lo, hi = np.log10(lo), np.log10(hi)
        edges = np.linspace(lo, hi, 41)
        label = f"log10 {self.color}" if log_scale else self.color
        if key not in self._hist_cache:
            self._hist_cache[key] = np.histogram(_scaled(values, log_scale), edges)[0]
        full = hv.Histogram((edges, self._hist_cache[key]), kdims=[label], label="all")
        layers = [full.opts(color="#8da0cb", **opts)]
        if not self.selection.empty:
            chosen = _scaled(values[self.selection.mask], log_scale)
            counts = np.histogram(chosen, edges)[0]
            layers.append(
                hv.Histogram((edges, counts), kdims=[label], label="selected").opts(
                    color=SELECTED_COLOR, alpha=0.8, **opts
                )
            )
        return hv.Overlay(layers).opts(title=f"{label} (1-99th percentiles)")

    def _save_clicked(self, event=None) -> None:
        try:
            path = unique_path(self._path_input.value)
            saved = self.selection.save(path)
        except Exception as err:  # a message, never a traceback
            self._message(f"Not saved: {err}", kind="danger")
            return
        self._message(f"Saved {len(self.selection):,} rows to {saved}.", kind="success")

    @property
    def layout(self):
        """The Panel layout: controls, views, histogram, contrast table."""
        if self._layout is None:
            self._layout = self._build()
        return self._layout

    def _build(self):
        import panel as pn

        from astrokit.plot import ensure_extension

        ensure_extension()  # BokehJS and Panel's own models, inline
        # Whole-table sums for the contrast table: once, not at the first
        # selection (about 50 ms per column at 10^7 rows).
        self.selection.prepare(self.summary_columns)
        controls = self._controls()
        first = self._first_message()
        self._status = pn.pane.Alert(first, alert_type="info", width=900)
        self._hist = pn.pane.HoloViews(
            self._histogram(), linked_axes=False, css_classes=["ak-hist"]
        )
        self._summary_pane = pn.pane.DataFrame(
            self._summary_table(), index=False, width=560, max_rows=12
        )
        self.panes = {
            key: pn.pane.HoloViews(
                view.build(), linked_axes=False, css_classes=[f"ak-view-{i}"]
            )
            for i, (key, view) in enumerate(self.views.items())
        }
        top = [self.panes["embedding"]] if "embedding" in self.panes else []
        return pn.Column(
            _hide_static(),
            self._status,
            pn.Row(controls, *top, self._hist),
            self._sky_box(),
            pn.pane.Markdown("**How the selected rows differ** (effect size, ranked)"),
            self._summary_pane,
            css_classes=["ak-explorer"],
        )

    def _controls(self):
        """The colour and normalisation choices, the save and clear buttons."""
        import panel as pn

        colour = pn.widgets.Select(
            label="colour by",
            options=[DENSITY, *self.columns],
            value=self.color or DENSITY,
            width=220,
        )
        norm = pn.widgets.RadioButtonGroup(
            options=list(NORMS), value=self.norm, width=220
        )
        colour.param.watch(lambda e: self._safe(self.set_color, e.new), "value")
        norm.param.watch(
            lambda e: self._safe(self.set_color, self.color, norm=e.new), "value"
        )
        self._path_input = pn.widgets.TextInput(
            label="save selection as (.parquet or .csv)",
            value="selection.parquet",
            width=260,
        )
        save = pn.widgets.Button(label="Save selection", color="primary")
        save.on_click(self._save_clicked)
        clear = pn.widgets.Button(label="Clear selection")
        clear.on_click(lambda e: self._safe(self.clear_selection))
        return pn.Column(colour, norm, self._path_input, pn.Row(save, clear))

    def _first_message(self) -> str:
        text = (
            "Draw a box or lasso on any view (toolbar) to select rows; they are "
            "highlighted in red everywhere."
        )
        dropped = ", ".join(f"{k}: {v:,}" for k, v in self.dropped.items() if v)
        if dropped:
            text += f" Rows left out for NaN coordinates: {dropped}."
        return text + (f" {self._colour_note}" if self._colour_note else "")

    def _sky_box(self):
        """The sky views side by side, or as tabs beyond ``max_sky``."""
        import panel as pn

        names = [k for k in self.panes if k != "embedding"]
        sky = [self.panes[k] for k in names]
        if len(sky) > self.max_sky:
            return pn.Tabs(*zip(names, sky, strict=True), dynamic=True)
        return pn.FlexBox(*sky)

    def _safe(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as err:  # widgets show a message, never a traceback
            log.exception("explorer callback failed")
            self._message(f"{type(err).__name__}: {err}", kind="danger")
            return None

    # -- static fallback -----------------------------------------------------
    def static_png(self, *, dpi: int = 80) -> bytes:
        """The views as one PNG (Datashader through matplotlib): no kernel needed."""
        views = [
            (key, view.rows, *view.labels, key != "embedding")
            for key, view in self.views.items()
        ]
        mask = None if self.selection.empty else self.selection.mask
        return static_png(
            views, color=self.color, values=self._values, mask=mask, dpi=dpi
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        png = base64.b64encode(self.static_png()).decode("ascii")
        static = (
            '<div class="astrokit-static"><img alt="astrokit explorer (static '
            f'preview)" src="data:image/png;base64,{png}"/></div>'
        )
        bundle = self.layout._repr_mimebundle_(include, exclude)
        if bundle is None:  # no notebook comms: the static preview only
            return {"image/png": png, "text/plain": repr(self)}, {}
        data, metadata = bundle
        data = dict(data)
        # Frontends with the HoloViz renderer (JupyterLab) show the live
        # widget; pages without one (nbconvert HTML, GitHub) fall back to
        # text/html or image/png, which start with the static preview.
        data["text/html"] = static + data.get("text/html", "")
        data["image/png"] = png
        data["text/plain"] = repr(self)
        return data, metadata


_HIDER = None


def _hide_static():
    """A component whose only job, once rendered live, is to hide the static
    previews (``.astrokit-static``) that ``_repr_mimebundle_`` puts in
    ``text/html`` for pages without a kernel."""
    global _HIDER
    if _HIDER is None:
        from panel.custom import JSComponent

        class HideStatic(JSComponent):
            _esm = """
            export function render() {
              for (const el of document.querySelectorAll(".astrokit-static")) {
                el.style.display = "none"
              }
              return document.createElement("span")
            }
            """

        _HIDER = HideStatic
    return _HIDER(height=0, margin=0)


def _scaled(values, log_scale):
    values = values[np.isfinite(values)]
    if log_scale:
        values = np.log10(values[values > 0])
    return values
