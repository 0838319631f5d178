"""The explorer's Panel widgets: controls, views, histogram, legend, tables.

:class:`Widgets` builds the layout once and updates it in place. Every row
of panels is a wrapping ``FlexBox``, so the layout adapts to the width it
gets: at about 1,000 px of notebook the controls, the embedding and the
histogram wrap onto two lines instead of running off the right edge, and
the sky views wrap (or become tabs beyond ``max_sky``). Titles stay short
(the view's name and rows); what the colour shows is said once, above the
views, with its physical label.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from astrokit.explorer._choices import colour_choices
from astrokit.explorer._selection import SUMMARY_COLUMNS, unique_path
from astrokit.explorer._views import GROUP_COLORS, NORMS, SELECTED_COLOR
from astrokit.features import display_label

__all__ = ["Widgets"]

log = logging.getLogger(__name__)
DENSITY = "(density)"
"""The "colour by" choice that shows the number of rows per pixel."""
MAX_WIDTH = 980
"""The widest element (status line, tables): fits a 1,000 px notebook."""


class Widgets:
    """The Panel layout of one explorer (``root``) and its live parts."""

    def __init__(self, explorer):
        import panel as pn

        from astrokit.plot import ensure_extension

        ensure_extension()  # BokehJS and Panel's own models, inline
        self.ex = ex = explorer
        # Whole-table sums for the contrast table: once, not at the first
        # selection (about 50 ms per column at 10^7 rows).
        ex.selection.prepare(ex.summary_columns)
        wide = {"sizing_mode": "stretch_width", "max_width": MAX_WIDTH}
        self.status_pane = pn.pane.Alert(_first_message(ex), alert_type="info", **wide)
        self.caption = pn.pane.HTML(self._caption(), **wide)
        self.hist = pn.pane.HoloViews(
            self._histogram(), linked_axes=False, css_classes=["ak-hist"]
        )
        self.summary = pn.pane.DataFrame(
            self._summary_table(), index=False, max_rows=12, **wide
        )
        self.comparison = pn.pane.DataFrame(
            pd.DataFrame(), index=False, max_rows=12, **wide
        )
        self.panes = {
            key: pn.pane.HoloViews(
                view.build(), linked_axes=False, css_classes=[f"ak-view-{i}"]
            )
            for i, (key, view) in enumerate(ex.views.items())
        }
        top = [self.panes["embedding"]] if "embedding" in self.panes else []
        flex = {"flex_wrap": "wrap", "sizing_mode": "stretch_width"}
        self.root = pn.Column(
            _hide_static(),
            self.status_pane,
            self.caption,
            pn.FlexBox(self._controls(), *top, self.hist, **flex),
            self._sky_box(flex),
            pn.pane.Markdown(
                "**How the selected rows differ** from the other rows with an "
                "embedding (physical features, effect size, ranked)"
            ),
            self.summary,
            pn.pane.Markdown(
                "**Group A against group B** (set each from a selection, then "
                "compare; A in magenta, B in cyan on every view)"
            ),
            self.comparison,
            css_classes=["ak-explorer"],
            **wide,
        )

    # -- updates ------------------------------------------------------------
    def status(self, text: str, kind: str) -> None:
        self.status_pane.object = text
        self.status_pane.alert_type = kind

    def refresh(self) -> None:
        for view in self.ex.views.values():
            view.bump()
        self.caption.object = self._caption()
        self.hist.object = self._histogram()
        self.summary.object = self._summary_table()

    def _caption(self) -> str:
        ex = self.ex
        if ex.palette is not None:
            keys = "".join(
                f'<span style="white-space:nowrap;margin-right:.8em">'
                f'<span style="display:inline-block;width:.8em;height:.8em;'
                f'background:{color}"></span> {name} ({n:,})</span> '
                for name, (color, n) in ex.legend.items()
            )
            return (
                f"<b>Colour:</b> {ex.color_label}, the majority per pixel. "
                f'<span class="ak-legend">{keys}</span>'
            )
        what = "count of rows" if ex.color is None else f"mean {ex.color_label}"
        return (
            f"<b>Colour:</b> {what} per pixel, {ex.norm}. "
            f'<span style="color:{SELECTED_COLOR}">&#9632; selected</span> '
            f'<span style="color:{GROUP_COLORS["A"]}">&#9632; group A</span> '
            f'<span style="color:{GROUP_COLORS["B"]}">&#9632; group B</span>'
        )

    def _summary_table(self):
        ex = self.ex
        if ex.selection.empty:
            return pd.DataFrame(columns=SUMMARY_COLUMNS)
        try:
            summary = ex.selection.summary(columns=ex.summary_columns)
            labels = [display_label(f, tex=False) for f in summary["feature"]]
            return summary.assign(feature=labels).head(12).round(3)
        except Exception as err:  # never a traceback in the widget
            ex._message(f"No summary: {err}", kind="warning")
            return pd.DataFrame(columns=SUMMARY_COLUMNS)

    def _histogram(self):
        import holoviews as hv

        ex = self.ex
        opts = {"frame_width": 260, "frame_height": 180, "tools": ["hover"]}
        if ex.color is None:
            return hv.Histogram(([0.0, 1.0], [0]), kdims=["value"]).opts(
                title="histogram of the colour", **opts
            )
        if ex.palette is not None:
            return self._category_counts(opts)
        log_scale = ex.norm == "log"
        lo, hi = ex._limits()
        if log_scale:
            lo, hi = np.log10(lo), np.log10(hi)
        edges = np.linspace(lo, hi, 41)
        label = display_label(ex.color, tex=False)
        label = f"log10 {label}" if log_scale else label
        counts = ex.histogram(edges, log_scale=log_scale)
        dim = hv.Dimension("value", label=label)
        full = hv.Histogram((edges, counts), kdims=[dim], label="all")
        layers = [full.opts(color="#8da0cb", **opts)]
        if not ex.selection.empty:
            counts = ex.histogram(edges, log_scale=log_scale, selected=True)
            layers.append(
                hv.Histogram((edges, counts), kdims=[dim], label="selected").opts(
                    color=SELECTED_COLOR, alpha=0.8, **opts
                )
            )
        return hv.Overlay(layers).opts(title="1st-99th percentiles")

    def _category_counts(self, opts):
        """Rows per category (all, and selected), in the legend's colours."""
        import holoviews as hv

        ex = self.ex
        names = [str(c) for c in ex.legend]
        counts = [n for _, n in ex.legend.values()]
        bars = hv.Bars(
            pd.DataFrame({"category": names, "rows": counts}),
            kdims=["category"],
            vdims=["rows"],
        ).opts(
            color="category", cmap=ex.palette, xrotation=45, show_legend=False, **opts
        )
        if ex.selection.empty:
            return bars.opts(title="rows per category")
        chosen = ex.category_counts()
        picked = hv.Bars(
            pd.DataFrame({"category": names, "rows": chosen}),
            kdims=["category"],
            vdims=["rows"],
        ).opts(color=SELECTED_COLOR, alpha=0.8, **opts)
        return (bars * picked).opts(title="rows (red: selected)")

    # -- controls -----------------------------------------------------------
    def _options(self, show_all: bool) -> dict:
        return {DENSITY: DENSITY, **colour_choices(self.ex.meta, show_all=show_all)}

    def _controls(self):
        """Colour, normalisation, save, clear, groups, compare and pin."""
        import panel as pn

        ex = self.ex
        colour = pn.widgets.Select(
            label="colour by",
            options=self._options(False),
            value=ex.color or DENSITY,
            width=250,
        )
        if colour.value != (ex.color or DENSITY):  # a hidden column chosen in code
            colour.options = self._options(True)
            colour.value = ex.color
        show_all = pn.widgets.Checkbox(label="show all columns (errors, flags, ...)")
        norm = pn.widgets.RadioButtonGroup(
            options=list(NORMS), value=ex.norm, width=250
        )
        colour.param.watch(lambda e: self._safe(ex.set_color, e.new), "value")
        norm.param.watch(
            lambda e: self._safe(ex.set_color, ex.color, norm=e.new), "value"
        )

        def toggle(event):
            current = colour.value
            colour.options = self._options(event.new)
            if current in colour.options.values():
                colour.value = current

        show_all.param.watch(toggle, "value")
        self.path_input = pn.widgets.TextInput(
            label="save selection as (.parquet or .csv)",
            value="selection.parquet",
            width=250,
        )
        self.pin_input = pn.widgets.TextInput(label="label name", width=150)
        buttons = {
            "Save selection": self._save_clicked,
            "Clear selection": lambda e: self._safe(ex.clear_selection),
            "Selection → A": lambda e: self._safe(ex.set_group, "A"),
            "Selection → B": lambda e: self._safe(ex.set_group, "B"),
            "Compare A and B": lambda e: self._safe(self._compare),
            "Pin": lambda e: self._safe(ex.pin, self.pin_input.value),
        }
        made = {}
        for text, callback in buttons.items():
            made[text] = pn.widgets.Button(
                label=text, color="primary" if text == "Save selection" else
                "default", width=120 if text != "Pin" else 90,
            )  # fmt: skip
            made[text].on_click(callback)
        self.colour_select, self.show_all = colour, show_all
        return pn.Column(
            colour,
            show_all,
            norm,
            self.path_input,
            pn.Row(made["Save selection"], made["Clear selection"]),
            pn.Row(made["Selection → A"], made["Selection → B"]),
            made["Compare A and B"],
            pn.Row(self.pin_input, made["Pin"], align="end"),
            width=270,
        )

    def _compare(self) -> None:
        table = self.ex.compare()
        shown = table.drop(columns="feature").head(12).round(3)
        self.comparison.object = shown
        self.ex._message(
            f"Group A ({int(self.ex.groups['A'].sum()):,} rows) against group B "
            f"({int(self.ex.groups['B'].sum()):,} rows): top difference "
            f"{table['label'].iloc[0]} (effect {table['effect'].iloc[0]:+.2f}).",
            kind="success",
        )

    def _save_clicked(self, event=None) -> None:
        ex = self.ex
        try:
            path = unique_path(self.path_input.value)
            saved = ex.selection.save(path)
        except Exception as err:  # a message, never a traceback
            ex._message(f"Not saved: {err}", kind="danger")
            return
        ex._message(f"Saved {len(ex.selection):,} rows to {saved}.", kind="success")

    def _sky_box(self, flex):
        """The sky views side by side (wrapping), or as tabs beyond ``max_sky``."""
        import panel as pn

        names = [k for k in self.panes if k != "embedding"]
        sky = [self.panes[k] for k in names]
        if len(sky) > self.ex.max_sky:
            return pn.Tabs(*zip(names, sky, strict=True), dynamic=True)
        return pn.FlexBox(*sky, **flex)

    def _safe(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as err:  # widgets show a message, never a traceback
            log.exception("explorer callback failed")
            self.ex._message(f"{type(err).__name__}: {err}", kind="danger")
            return None


def _first_message(ex) -> str:
    text = (
        "Draw a box or lasso on any view (toolbar) to select rows; they are "
        "highlighted in red everywhere."
    )
    dropped = ", ".join(f"{k}: {v:,}" for k, v in ex.dropped.items() if v)
    if dropped:
        text += f" Rows left out for NaN coordinates: {dropped}."
    return text + (f" {ex._colour_note}" if ex._colour_note else "")


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
