"""Explore millions of rows interactively: linked, rasterised views in Jupyter.

The table may be a pandas DataFrame or, beyond memory, a Dask DataFrame
(:mod:`astrokit.explorer._lazy_app`): the same views and controls, with the
views aggregated by Datashader on the Dask partitions and the selection kept
as a lazy boolean mask.

:func:`explore` lays out the embedding, one sky map per galaxy, a histogram
of the colouring column and a table of how the selected rows differ from the
rest, with a "colour by" control over every numeric column (features,
cluster labels, outlier scores, truth columns) and linear / log / eq_hist
normalisation. Every view is aggregated by Datashader at screen resolution
on each pan or zoom, so 10^7 rows stay interactive; hover shows the count
and the mean of the colouring column under the cursor.

A box or lasso drawn on any view selects table rows; they light up in red in
every other view (both ways: embedding to sky, sky to embedding), and are
available in Python as ``explorer.selection`` (``.index``, ``.frame``,
``.summary()``, ``.save(path)``). Without a live kernel (a notebook rendered
on a website) the explorer shows a static PNG of the same views.

The selection link is built on Bokeh's selection geometry (``BoundsXY`` and
``Lasso`` streams) plus a Datashader re-aggregation of the selected subset,
not on ``holoviews.link_selections``, whose lasso does not work on
rasterised plots (holoviews #5041, #5117).
"""

from __future__ import annotations

import pandas as pd

from astrokit._shared.checks import check_int
from astrokit._shared.matrix import check_unique_index
from astrokit.explorer._app import DENSITY, Explorer
from astrokit.explorer._lazy import is_dask
from astrokit.explorer._selection import Selection, unique_path

__all__ = ["explore", "Explorer", "Selection", "unique_path", "DENSITY"]

_DEFAULT_EMBEDDING = ("umap_x", "umap_y")


def explore(
    table: pd.DataFrame,
    *,
    embedding: tuple[str, str] | None = _DEFAULT_EMBEDDING,
    sky: tuple[str, str] | None = ("x", "y"),
    by: str | None = "galaxy",
    color: str | None = None,
    norm: str = "eq_hist",
    width: int = 320,
    height: int = 320,
    max_sky: int = 3,
) -> Explorer:
    """Linked, Datashader-rasterised views of a table, with selection.

    Parameters
    ----------
    table : DataFrame or dask.dataframe.DataFrame
        Any table with two numeric coordinate columns (the pixel table, with
        embedding, cluster and outlier columns joined on its index, or not).
        Kept by reference, not copied. A Dask DataFrame stays lazy: the views
        are aggregated by Datashader partition by partition, and the
        selection is a lazy boolean mask (a Dask Series on the table's
        index; ``selection.frame`` is lazy, ``selection.save`` streams the
        rows into one file). Persist it first (``table.persist()``) for fast
        view updates; its index must be unique (not checked, as that would
        need a pass over the table).
    embedding : (str, str) or None, default ("umap_x", "umap_y")
        Columns of the embedding view; None for no embedding view. When left
        at the default and the table has no such columns, the view is left
        out. Rows with NaN coordinates (e.g. pixels without an embedding) are
        left out of the view and counted.
    sky : (str, str) or None, default ("x", "y")
        Columns of the sky views; None for none.
    by : str or None, default "galaxy"
        One sky view per value of this column; None for a single sky view.
        With more than ``max_sky`` values, the sky views become tabs.
    color : str, optional
        Initial colouring column (mean per pixel); default the point density.
    norm : {"eq_hist", "linear", "log"}, default "eq_hist"
        Initial colour normalisation.
    width, height : int, default 320
        Size of each view in screen pixels.
    max_sky : int, default 3
        Most sky views shown side by side.

    Returns
    -------
    Explorer
        Displays as the live widget in Jupyter (``explorer.layout`` is the
        Panel layout, ``explorer.layout.servable()`` serves it) and as a
        static PNG where no kernel runs. ``explorer.selection`` holds the
        selected rows.

    Raises
    ------
    ValueError
        A table without rows; a coordinate, ``by`` or ``color`` column that
        is missing or not numeric; an unknown ``norm``; no view at all;
        ``width`` or ``height`` below 50. (A colour column with no finite
        value, or with infinite ones, is said in the status line and logged
        as a warning.)
    TypeError
        A ``table`` that is neither a pandas nor a Dask DataFrame; a
        ``width`` or ``height`` that is not an integer.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> xy, uv = rng.integers(0, 10, (2, 100)), rng.normal(size=(2, 100))
    >>> t = pd.DataFrame({"galaxy": ["A"] * 50 + ["B"] * 50, "x": xy[0], "y": xy[1],
    ...                   "umap_x": uv[0], "umap_y": uv[1], "flux": rng.random(100)})
    >>> ex = explore(t, color="flux")
    >>> list(ex.views)
    ['embedding', 'A', 'B']
    >>> ex.select_box("embedding", (0, 0, 5, 5)) == len(ex.selection)
    True
    >>> ex.selection.summary().columns[:3].tolist()
    ['feature', 'mean_selected', 'mean_rest']
    """
    lazy = is_dask(table)
    if not (lazy or isinstance(table, pd.DataFrame)):
        msg = (
            f"table must be a pandas DataFrame; got {type(table).__name__}. (A "
            "dask.dataframe.DataFrame works too, for tables beyond memory.)"
        )
        raise TypeError(msg)
    if not lazy and len(table) == 0:
        msg = (
            f"table has no rows (columns: {list(table.columns)[:8]}): nothing to "
            "explore. Did a filter or a missing-data policy remove every row? See "
            "astrokit.features.missing_report."
        )
        raise ValueError(msg)
    if not lazy:
        check_unique_index(table, "table")
    from astrokit.explorer._views import NORMS

    if norm not in NORMS:
        msg = f"norm={norm!r} is not a normalisation; use one of {list(NORMS)}."
        raise ValueError(msg)
    if embedding == _DEFAULT_EMBEDDING and not set(embedding) <= set(table.columns):
        embedding = None
    if color is not None and color not in table.columns:
        from astrokit.explorer._choices import derivable

        if color not in derivable(getattr(table, "_meta", table)):
            msg = (
                f"color={color!r} is not a column of the table nor a feature "
                "its bands can give (astrokit.features.registry())."
            )
            raise ValueError(msg)
    for name, v in (("width", width), ("height", height)):
        check_int(v, name, minimum=50, what="screen pixels")
    if lazy:
        from astrokit.explorer._lazy_app import LazyExplorer

        cls = LazyExplorer
    else:
        cls = Explorer
    explorer = cls(
        table,
        embedding=embedding,
        sky=sky,
        by=by if sky is not None else None,
        color=color,
        norm=norm,
        size=(width, height),
        max_sky=max_sky,
    )
    if lazy and explorer.n_rows == 0:
        msg = (
            "table has no rows (a Dask DataFrame of "
            f"{table.npartitions} empty partitions): nothing to explore."
        )
        raise ValueError(msg)
    return explorer
