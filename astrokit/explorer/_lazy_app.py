"""The :class:`Explorer` on a Dask DataFrame: nothing collected into pandas.

:class:`LazyExplorer` is the explorer with its row source swapped: each view
holds a :class:`~astrokit.explorer._lazy.LazyRows` (lazy coordinates, which
Datashader aggregates per partition), the colour column is a lazy Series
(columns and derived features computed per partition with the same
:func:`~astrokit.explorer._choices.values_of` as in memory), and the
selection, the two groups and the pins are lazy boolean masks of the table.
What has to be a number is computed by Dask reductions (tree reductions
into one partition, never a shuffle), in one pass where
several are needed: the views' ranges when built, the colour's 1st-99th
percentiles (on a sample of at most 10^6 rows, as in memory), histograms,
legend counts, the size of a selection, the contrast tables. The widgets,
views and their HoloViews callbacks are the in-memory explorer's own.

On a cluster, persist the columns explored first (``table.persist()``):
every view update is then one pass over memory on the workers.
"""

from __future__ import annotations

import io
import logging

import numpy as np
import pandas as pd

from astrokit.explorer._app import Explorer, _with_labels
from astrokit.explorer._choices import _COORDS, MAX_CATEGORIES, values_of
from astrokit.explorer._columns import count_note
from astrokit.explorer._lazy import LazyRows, moments, view_stats
from astrokit.explorer._lazy_selection import LazyPins, LazySelection
from astrokit.explorer._raster import robust_limits
from astrokit.explorer._selection import ranked
from astrokit.explorer._views import NORMS, SELECTED_COLOR
from astrokit.plot import category_colors

__all__ = ["LazyExplorer"]

_SAMPLE = 1_000_000
"""Rows sampled for the colour limits (as the in-memory explorer does)."""
LOCAL_ROWS = 1_000_000
"""Selections up to this size keep their coordinates in memory (8 to 16
bytes a row and view) for the red overlay; larger ones stay lazy."""


def _values_partition(part: pd.DataFrame, column: str) -> pd.Series:
    return pd.Series(values_of(part, column), index=part.index, name="v")


def _codes_partition(series: pd.Series, cats: list) -> pd.Series:
    from astrokit.explorer._raster import categories

    codes = pd.Categorical(series, categories=cats).codes
    return pd.Series(categories(codes, len(cats)), index=series.index, name="c")


def _histogram_partition(series: pd.Series, edges: np.ndarray) -> np.ndarray:
    v = series.to_numpy(dtype=np.float64, na_value=np.nan)
    return np.histogram(v[np.isfinite(v)], edges)[0]


class LazyExplorer(Explorer):
    """Linked views of a Dask DataFrame; build it with ``explore(ddf)``.

    As :class:`Explorer`, except that ``selection.mask``, ``groups`` and
    ``labels`` are lazy Dask Series of the table (``selection.frame`` a lazy
    Dask DataFrame), and ``n_rows`` is the table's length.
    """

    def _view_rows(self, embedding, sky, by) -> dict:
        out = {}
        if embedding is not None:
            rows = LazyRows(self.table, embedding, role="embedding")
            out["embedding"] = (rows, embedding)
        if sky is not None:
            for name, group in self._groups(by):
                out[name] = (LazyRows(self.table, sky, role="sky", group=group), sky)
        stats, self.n_rows = view_stats(self.table, [rows for rows, _ in out.values()])
        for (rows, _), found in zip(out.values(), stats, strict=True):
            rows.set_stats(found)
        return out

    def _groups(self, by):
        """(view name, (column, value)) per value of ``by``; one view if None."""
        if by is None:
            return [("sky", None)]
        if by not in self.table.columns:
            msg = (
                f"by={by!r} is not a column of the table; pass by=None for one "
                "sky view."
            )
            raise ValueError(msg)
        return [(str(v), (by, v)) for v in self._categories(by)]

    def _categories(self, column: str) -> list:
        """The values of a column, sorted (categories in their own order)."""
        return list(self._value_counts(column).index)

    def _value_counts(self, column: str) -> pd.Series:
        """Rows per value of a column (one tree reduction, cached), ordered
        as :meth:`_categories`."""
        key = ("counts", column)
        if key not in self._limit_cache:
            from dask.dataframe.utils import has_known_categories

            series = self.table[column]
            counts = series.value_counts(split_out=1).compute()
            counts = counts[counts > 0]
            dtype = self.meta[column].dtype
            if isinstance(dtype, pd.CategoricalDtype) and has_known_categories(series):
                order = [c for c in dtype.categories if c in counts.index]
            else:
                order = sorted(counts.index)
            counts = counts.reindex(order)
            counts.index = [v.item() if hasattr(v, "item") else v for v in order]
            self._limit_cache[key] = counts
        return self._limit_cache[key]

    def _new_pins(self):
        return LazyPins(self.table)

    def _new_selection(self) -> LazySelection:
        reference = None
        if "embedding" in self.views:  # compare with the rows that have one
            reference = self.views["embedding"].rows.keep
        return LazySelection(self.table, reference=reference, source=self.values)

    def _set_hits(self, mask) -> int:
        self.selection.set_mask(mask)
        n = len(self.selection)
        if n == 0:
            self.selection.clear()
        return n

    def _after_selection(self, text: str, kind: str | None = None) -> None:
        """As the in-memory explorer; a selection of at most ``LOCAL_ROWS``
        rows has its coordinates collected (every view's in one pass), so
        that its red overlay re-aggregates in memory at every pan and zoom."""
        import dask

        mask = None if self.selection.empty else self.selection.mask
        if mask is not None and len(self.selection) <= LOCAL_ROWS:
            views = list(self.views.values())
            frames = dask.compute(*[view.rows.marked(mask) for view in views])
            for view, chosen in zip(views, frames, strict=True):
                view.mark("selected", None)
                if len(chosen):
                    view.marked["selected"] = chosen
        else:
            for view in self.views.values():
                view.set_selection(mask)
        self._refresh()
        kind = kind or ("warning" if self.selection.empty else "success")
        self._message(text, kind=kind)

    def __repr__(self) -> str:
        return (
            f"<Explorer of a Dask table: {self.n_rows:,} rows in "
            f"{self.table.npartitions} partitions, views {list(self.views)}, "
            f"colour {self.color or 'density'}>"
        )

    # -- colour --------------------------------------------------------------
    def values(self, column: str):
        """A column, or a derived feature, as a lazy float32 Series named ``v``."""
        if column not in self._derived:
            values_of(self.meta, column)  # an unknown column raises now
            meta = pd.Series(dtype=np.float32, name="v")
            lazy = self.table.map_partitions(_values_partition, column, meta=meta)
            self._derived[column] = lazy.where(lazy.abs() < np.inf)
        return self._derived[column]

    def _is_categorical(self, column: str) -> bool:
        if column not in self.table.columns:
            return False
        dtype = self.meta[column].dtype
        if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype):
            return True
        if not pd.api.types.is_integer_dtype(dtype) or column in _COORDS:
            return False
        return len(self._categories(column)) <= MAX_CATEGORIES

    def set_color(self, column: str | None, *, norm: str | None = None) -> None:
        """As :meth:`Explorer.set_color`, with the colour kept lazy."""
        import dask

        if norm is not None:
            if norm not in NORMS:
                msg = f"norm={norm!r} is not a normalisation; use one of {list(NORMS)}."
                raise ValueError(msg)
            self.norm = norm
        if column == "(density)":
            column = None
        self.palette, self.legend, self._colour_note = None, {}, None
        values = None
        if column is not None and self._is_categorical(column):
            cats = self._categories(column)
            colors = category_colors(cats)
            self.palette = [colors[c] for c in cats]
            meta = pd.Series(pd.Categorical([], categories=range(len(cats) + 1)))
            values = self.table[column].map_partitions(
                _codes_partition, cats, meta=meta.rename("c")
            )
            counts = self._value_counts(column)
            self.legend = {c: (colors[c], int(n)) for c, n in counts.items()}
        elif column is not None:
            values = self.values(column)
            raw = self.table.map_partitions(
                _values_partition, column, meta=pd.Series(dtype=np.float32, name="v")
            )
            finite, n_inf = dask.compute(values.count(), (raw.abs() == np.inf).sum())
            note = count_note(column, self.n_rows, int(finite), int(n_inf))
            if note:
                self._colour_note = note
                self._message(note, kind="warning", level=logging.WARNING)
        self.color, self._values = column, values
        for view in self.views.values():
            view.set_values(values)
        self._refresh()

    def _limits(self):
        if self.palette is not None or self.color is None:
            return super()._limits()
        log_scale = self.norm == "log"
        key = (self.color, log_scale)
        if key not in self._limit_cache:
            values = self._values
            if self.n_rows > _SAMPLE:
                values = values.sample(frac=_SAMPLE / self.n_rows, random_state=0)
            sample = values.compute().to_numpy(dtype=np.float32)
            self._limit_cache[key] = robust_limits(sample, log=log_scale)
        return self._limit_cache[key]

    def histogram(self, edges, *, log_scale: bool, selected: bool = False):
        """Rows of the colour column per bin (all rows, or the selected)."""
        import dask

        key = ("histogram", self.color, log_scale, tuple(edges))
        if not selected and key in self._hist_cache:
            return self._hist_cache[key]
        v = self._values
        if log_scale:
            v = np.log10(v.where(v > 0))
        if selected:
            v = v.where(self.selection.mask)
        parts = [dask.delayed(_histogram_partition)(p, edges) for p in v.to_delayed()]
        counts = np.sum(dask.compute(*parts), axis=0)
        if not selected:
            self._hist_cache[key] = counts
        return counts

    def category_counts(self) -> np.ndarray:
        """Selected rows per category of the colour column (legend order)."""
        counts = self._values[self.selection.mask].value_counts(split_out=1).compute()
        return np.array([int(counts.get(i, 0)) for i in range(len(self.legend))])

    # -- groups --------------------------------------------------------------
    def compare(self, a: str = "A", b: str = "B", *, columns=None) -> pd.DataFrame:
        """As :meth:`Explorer.compare`, by Dask reductions (one pass)."""
        self._check_groups(a, b)
        columns = self.summary_columns if columns is None else list(columns)
        masks = {a: self.groups[a], b: self.groups[b]}
        done = moments(self.table, columns, masks)
        sums = {c: (s[a], s[b]) for c, s in done.items()}
        names = ["feature", f"mean_{a}", f"mean_{b}", "effect", f"n_{a}", f"n_{b}"]
        return _with_labels(ranked(sums, names, rest=False))

    # -- static preview ------------------------------------------------------
    def static_png(self, *, dpi: int = 80) -> bytes:
        """The views as one PNG from their Datashader aggregates (no kernel)."""
        import matplotlib

        from astrokit.explorer._views import normalise
        from astrokit.plot import panel_grid

        with matplotlib.rc_context({"figure.max_open_warning": 0}):
            axes = panel_grid(len(self.views), ncols=min(len(self.views), 4))
            for ax, (key, view) in zip(axes, self.views.items(), strict=True):
                main, marked = view.raster()
                shown = main.count.astype(float) if main.mean is None else main.mean
                shown = np.where(main.count > 0, shown, np.nan)
                if self.palette is None:
                    shown, clim = normalise(shown, self.norm, self._limits())
                    cmap = "viridis" if self.color else "Blues"
                else:
                    cmap = matplotlib.colors.ListedColormap(self.palette)
                    clim = (-0.5, len(self.palette) - 0.5)
                x0, y0, x1, y1 = view.extent
                extent = (main.xs[0], main.xs[-1], main.ys[0], main.ys[-1])
                alpha = 0.3 if marked else 1.0  # dimmed under a selection
                ax.imshow(shown, origin="lower", extent=extent, cmap=cmap,
                          vmin=clim[0], vmax=clim[1], aspect="auto", alpha=alpha,
                          interpolation="nearest")  # fmt: skip
                if "selected" in marked:
                    rgba = np.zeros((*main.count.shape, 4))
                    rgba[marked["selected"] > 0] = matplotlib.colors.to_rgba(
                        SELECTED_COLOR, 0.9
                    )
                    ax.imshow(rgba, origin="lower", extent=extent, aspect="auto",
                              interpolation="nearest")  # fmt: skip
                ax.set_xlim(x0, x1)
                ax.set_ylim(y0, y1)
                ax.set_xlabel(view.labels[0])
                ax.set_ylabel(view.labels[1])
                ax.set_title(view.title)
                if key != "embedding":
                    ax.set_aspect("equal", adjustable="box")
            fig = axes[0].figure
            if self.palette is not None:
                from matplotlib.patches import Patch

                handles = [
                    Patch(color=color, label=f"{name} ({n:,})")
                    for name, (color, n) in self.legend.items()
                ]
                axes[-1].legend(
                    handles=handles,
                    title=self.color,
                    fontsize="small",
                    loc="center left",
                    bbox_to_anchor=(1.02, 0.5),
                )
                what = f"majority {self.color}"
            else:
                what = f"mean of {self.color}" if self.color else "point density"
            fig.suptitle(f"colour: {what} per pixel (static preview, Dask)")
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
            matplotlib.pyplot.close(fig)
        return buffer.getvalue()
