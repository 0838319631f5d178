"""The :class:`Explorer`: linked views, the selection, two groups and pins.

The explorer holds the table by reference, one :class:`~astrokit.
_explorer_views.View` per coordinate pair (the embedding, one per galaxy),
a :class:`~astrokit.explorer._selection.Selection` and the Panel widgets.
A box or lasso on any view becomes a set of table rows; every view then
re-aggregates only its selected subset, the histogram and the contrast
table are redrawn, and the status line says what happened. Every callback
reports problems in the status line, never as a traceback. The Panel
widgets are built in :mod:`astrokit.explorer._layout`.
"""

from __future__ import annotations

import base64
import logging

import numpy as np
import pandas as pd

from astrokit.explorer._choices import (
    category_codes,
    colour_choices,
    is_categorical,
    physical_columns,
    values_of,
)
from astrokit.explorer._columns import colour_note, coordinates, groups
from astrokit.explorer._groups import Pins, contrast
from astrokit.explorer._layout import DENSITY, Widgets
from astrokit.explorer._raster import categories, robust_limits, static_png
from astrokit.explorer._selection import Selection
from astrokit.explorer._views import NORMS, View
from astrokit.features import display_label
from astrokit.plot import category_colors

__all__ = ["Explorer", "DENSITY"]

log = logging.getLogger(__name__)


class Explorer:
    """Linked, rasterised views of a table; build it with ``explore()``.

    Attributes
    ----------
    table : DataFrame
        The table shown (not copied).
    selection : Selection
        The rows selected in any view: ``.index``, ``.frame``, ``.mask``,
        ``.summary()`` (against the rows with an embedding), ``.save(path)``.
    groups : dict of str to numpy.ndarray
        Groups ``"A"`` and ``"B"`` (masks) once set by :meth:`set_group`;
        :meth:`compare` ranks how they differ.
    labels : Series
        The names pinned to rows by :meth:`pin` (categorical, NaN where none).
    views : dict of str to View
        ``"embedding"`` and one per galaxy.
    layout : panel.layout.Column
        The widget (built on first use).
    """

    def __init__(self, table, *, embedding, sky, by, color, norm, size, max_sky):
        self.table = table
        self.meta = getattr(table, "_meta", table)  # Dask: the empty meta frame
        self.columns = list(colour_choices(self.meta, show_all=True).values())
        coords = {*(embedding or ()), *(sky or ()), by, "ra", "dec"}
        physical = physical_columns(self.meta)
        self.summary_columns = [c for c in physical if c not in coords]
        self.groups: dict[str, np.ndarray] = {}
        self._pins = self._new_pins()
        self._derived: dict[str, np.ndarray] = {}
        self.size = size
        self.max_sky = max_sky
        self.views: dict[str, View] = {}
        self.dropped: dict[str, int] = {}
        self._values = None
        self._limit_cache: dict = {}
        self._hist_cache: dict = {}
        self.messages: list[str] = []
        self._layout = None
        for key, (rows, pair) in self._view_rows(embedding, sky, by).items():
            square = key != "embedding"
            self.views[key] = View(key, rows, pair, self, size=size, square=square)
            self.dropped[key] = rows.dropped
        if not self.views:
            msg = "embedding=None and sky=None: give at least one pair of columns."
            raise ValueError(msg)
        self.selection = self._new_selection()
        self.norm = norm
        self.color = None
        self.palette = None
        self.set_color(color)

    def __repr__(self) -> str:
        return (
            f"<Explorer: {len(self.table):,} rows, views {list(self.views)}, "
            f"colour {self.color or DENSITY}, {self.selection!r}>"
        )

    def _view_rows(self, embedding, sky, by) -> dict:
        """``{view: (rows, coordinate pair)}``: the embedding, then the sky."""
        out = {}
        if embedding is not None:
            rows = coordinates(self.table, embedding, role="embedding")
            out["embedding"] = (rows, embedding)
        if sky is not None:
            for name, where in groups(self.table, by):
                rows = coordinates(self.table, sky, role="sky", where=where)
                out[name] = (rows, sky)
        return out

    def _new_pins(self):
        return Pins(self.table.index)

    def _new_selection(self) -> Selection:
        reference = None
        if "embedding" in self.views:  # compare with the rows that have one
            reference = np.zeros(len(self.table), dtype=bool)
            reference[self.views["embedding"].rows.positions] = True
        return Selection(self.table, reference=reference, source=self.values)

    # -- colour --------------------------------------------------------------
    def values(self, column: str) -> np.ndarray:
        """A column, or a derived feature computed from the bands, as float32."""
        if column in self.table.columns:
            return values_of(self.table, column)
        if column not in self._derived:
            self._derived[column] = values_of(self.table, column)
        return self._derived[column]

    @property
    def color_label(self) -> str:
        """The colouring column's physical name (plain text)."""
        if self.color is None:
            return "point density"
        return display_label(self.color, tex=False)

    def set_color(self, column: str | None, *, norm: str | None = None) -> None:
        """Colour every view by ``column`` or by density (None).

        A continuous column shows its mean per pixel under ``norm``; a
        categorical one (cluster labels, booleans, categoricals) its
        majority category per pixel, with a legend (``self.palette``).
        ``column`` may be a derived feature the table's bands give.
        """
        if norm is not None:
            if norm not in NORMS:
                msg = f"norm={norm!r} is not a normalisation; use one of {list(NORMS)}."
                raise ValueError(msg)
            self.norm = norm
        if column == DENSITY:
            column = None
        self.palette, self.legend = None, {}
        if column is not None and is_categorical(self.table, column):
            codes, cats = category_codes(self.table, column)
            colors = category_colors(cats)
            self.palette = [colors[c] for c in cats]
            counts = np.bincount(codes[codes >= 0], minlength=len(cats))
            self.legend = {
                c: (colors[c], int(n)) for c, n in zip(cats, counts, strict=True)
            }
            values, self._colour_note = categories(codes, len(cats)), None
        else:
            values = None if column is None else self.values(column)
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
            if self.palette is not None:
                self._limit_cache[key] = (-0.5, len(self.palette) - 0.5)
            elif self.color is None:
                self._limit_cache[key] = (1.0, 100.0) if log_scale else (0.0, 100.0)
            else:
                self._limit_cache[key] = robust_limits(self._values, log=log_scale)
        return self._limit_cache[key]

    def histogram(self, edges, *, log_scale: bool, selected: bool = False):
        """Rows of the colour column per bin (all rows, or the selected)."""
        values = self._values
        if selected:
            values = values[self.selection.mask]
        else:
            key = (self.color, log_scale, tuple(edges))
            if key in self._hist_cache:
                return self._hist_cache[key]
        values = values[np.isfinite(values)]
        if log_scale:
            values = np.log10(values[values > 0])
        counts = np.histogram(values, edges)[0]
        if not selected:
            self._hist_cache[(self.color, log_scale, tuple(edges))] = counts
        return counts

    def category_counts(self) -> np.ndarray:
        """Selected rows per category of the colour column (legend order)."""
        codes = np.asarray(self._values.codes)[self.selection.mask]  # last: missing
        return np.bincount(codes, minlength=len(self.legend) + 1)[: len(self.legend)]

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

    # -- two groups and pins -------------------------------------------------
    def set_group(self, name: str) -> int:
        """Move the current selection into group ``"A"`` or ``"B"``; return its size.

        The selection is then cleared, so the group shows in its own colour
        and the next box or lasso starts afresh.
        """
        if name not in ("A", "B"):
            msg = f"name={name!r} is not a group; use 'A' or 'B'."
            raise ValueError(msg)
        if self.selection.empty:
            msg = f"The selection is empty: select rows before setting group {name}."
            raise ValueError(msg)
        self.groups[name] = self.selection.mask.copy()
        for view in self.views.values():
            view.mark(name, self.groups[name])
        n = len(self.selection)
        self.selection.clear()
        self._after_selection(
            f"Group {name}: {n:,} rows ({'magenta' if name == 'A' else 'cyan'}). "
            + ("Now select group B." if name == "A" else "Compare A and B."),
            kind="success",
        )
        return n

    def _check_groups(self, *names: str) -> None:
        missing = [g for g in names if g not in self.groups]
        if missing:
            msg = (
                f"group(s) {missing} not set: select rows, then set_group('A') "
                "(and 'B')."
            )
            raise ValueError(msg)

    def compare(self, a: str = "A", b: str = "B", *, columns=None) -> pd.DataFrame:
        """How group ``a`` differs from group ``b``, ranked by ``|effect|``.

        Columns ``feature``, ``label`` (its physical name), ``mean_A``,
        ``mean_B``, ``effect`` (Cohen's d of A against B), ``n_A``, ``n_B``;
        by default over the physical columns (bands and derived features).

        Raises
        ------
        ValueError
            A group that was never set (see :meth:`set_group`).
        """
        self._check_groups(a, b)
        columns = self.summary_columns if columns is None else list(columns)
        table = contrast(
            self.values, self.groups[a], self.groups[b], columns, names=(a, b)
        )
        return _with_labels(table)

    def pin(self, name: str) -> int:
        """Label the selected rows ``name`` (see :attr:`labels`); return how many."""
        n = self._pins.pin(name, self.selection.mask)
        self.selection.labels = self._pins.series
        self._message(f"{n:,} rows pinned as {name.strip()!r}.", kind="success")
        return n

    @property
    def labels(self) -> pd.Series:
        """Pinned names per row: a categorical column on the table's index."""
        return self._pins.series

    def _select(self, key, kind, geometry) -> int:
        if key not in self.views:
            msg = f"view={key!r} is not a view; choose one of {list(self.views)}."
            raise ValueError(msg)
        try:
            hits = self.views[key].rows_in(kind, geometry)
        except ValueError as err:
            self._message(f"Selection ignored: {err}", kind="warning")
            return len(self.selection)
        n = self._set_hits(hits)
        if n == 0:
            self._after_selection(
                f"No rows inside that {kind} on {key}: the selection is empty."
            )
        else:
            self._after_selection(
                f"{n:,} rows selected on {key} with a {kind}; "
                f"highlighted in red in every view."
            )
        return n

    def _set_hits(self, positions) -> int:
        """Select the rows a box or lasso hit; return how many."""
        self.selection.set_positions(positions)
        return int(positions.size)

    def _after_selection(self, text: str, kind: str | None = None) -> None:
        mask = None if self.selection.empty else self.selection.mask
        for view in self.views.values():
            view.set_selection(mask)
        self._refresh()
        kind = kind or ("warning" if self.selection.empty else "success")
        self._message(text, kind=kind)

    # -- widgets -------------------------------------------------------------
    def _message(self, text: str, *, kind: str = "info", level=logging.INFO) -> None:
        self.messages.append(text)
        log.log(level, text)
        if self._layout is not None:
            self._layout.status(text, kind)

    def _refresh(self) -> None:
        if self._layout is not None:
            self._layout.refresh()

    @property
    def layout(self):
        """The Panel layout: controls, views, histogram, contrast tables."""
        if self._layout is None:
            self._layout = Widgets(self)
        return self._layout.root

    @property
    def _summary_pane(self):
        return self._layout.summary if self._layout is not None else None

    # -- static fallback -----------------------------------------------------
    def static_png(self, *, dpi: int = 80) -> bytes:
        """The views as one PNG (Datashader through matplotlib): no kernel needed."""
        views = [
            (key, view.rows, *view.labels, key != "embedding")
            for key, view in self.views.items()
        ]
        mask = None if self.selection.empty else self.selection.mask
        labels = None
        if self.palette is not None:
            labels = _static_labels(self.table[self.color])
        return static_png(
            views,
            color=self.color,
            values=self._values,
            mask=mask,
            dpi=dpi,
            labels=labels,
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


def _with_labels(table: pd.DataFrame) -> pd.DataFrame:
    """A contrast table with the physical name of each feature after it."""
    labels = [display_label(f, tex=False) for f in table["feature"]]
    return table.assign(label=labels)[["feature", "label", *table.columns[1:]]]


def _static_labels(series: pd.Series) -> np.ndarray:
    """A categorical column as plain labels for the static preview (missing:
    ``-1`` for integers, shown grey as noise; ``"missing"`` otherwise)."""
    if pd.api.types.is_bool_dtype(series.dtype) and not series.isna().any():
        return series.to_numpy(dtype=bool)
    if pd.api.types.is_integer_dtype(series.dtype):
        return series.astype("Int64").fillna(-1).to_numpy(dtype=np.int64)
    return series.astype(object).where(series.notna(), "missing").astype(str).to_numpy()
