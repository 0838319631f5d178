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
        self.columns = list(colour_choices(table, show_all=True).values())
        coords = {*(embedding or ()), *(sky or ()), by, "ra", "dec"}
        self.summary_columns = [c for c in physical_columns(table) if c not in coords]
        self.groups: dict[str, np.ndarray] = {}
        self._pins = Pins(table.index)
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
        reference = None
        if "embedding" in self.views:  # compare with the rows that have one
            reference = np.zeros(len(table), dtype=bool)
            reference[self.views["embedding"].rows.positions] = True
        self.selection = Selection(table, reference=reference, source=self.values)
        self.norm = norm
        self.color = None
        self.palette = None
        self.set_color(color)

    def __repr__(self) -> str:
        return (
            f"<Explorer: {len(self.table):,} rows, views {list(self.views)}, "
            f"colour {self.color or DENSITY}, {self.selection!r}>"
        )

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
        missing = [g for g in (a, b) if g not in self.groups]
        if missing:
            msg = (
                f"group(s) {missing} not set: select rows, then set_group('A') "
                "(and 'B')."
            )
            raise ValueError(msg)
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
