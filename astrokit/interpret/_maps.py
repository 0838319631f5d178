"""Figures that are maps: labels or values on the sky, features on the embedding.

:func:`plot_sky` puts per-row labels or values back on each galaxy's pixel
grid (the footprint in grey underneath); :func:`plot_average_object` draws
the bins of :func:`~astrokit.interpret.average_object` as hexagons or
squares. Both return their axes; colours of labels come from
:func:`astrokit.plot.category_colors`, as in every other figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit.interpret._inputs import numeric_columns

__all__ = ["plot_sky", "plot_average_object"]

_FOOTPRINT = "#e8e8e8"
"""Colour of the table's pixels that hold no label or value (the footprint)."""


def plot_sky(
    table: pd.DataFrame,
    *,
    labels=None,
    values=None,
    galaxies=None,
    axes=None,
    panel_size: float = 4.0,
    cmap: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    legend: bool = True,
    colorbar: bool = True,
    title: str | None = None,
) -> np.ndarray:
    """Labels (categorical colours, a legend) or values on each galaxy's sky grid.

    The galaxy's pixels in the table that carry no label (e.g. outside the
    JWST or MUSE footprints) are drawn light grey underneath, and each panel
    is zoomed on the labelled pixels. Values share one colour bar.

    Parameters
    ----------
    table : DataFrame
        The pixel table (``galaxy``, ``x``, ``y``, ``attrs["shape"]``).
    labels, values : Series, optional
        Exactly one: per-row labels or a continuous value on (a subset of)
        the table's index; pixels without one stay blank.
    galaxies : list of str, optional
        Default: every galaxy of the table.
    axes : array of Axes, optional
    panel_size : float, default 4.0
    cmap : str, optional
        For ``values`` (default ``"viridis"``).
    vmin, vmax : float, optional
        Colour limits for ``values`` (default 1st/99th percentiles).
    legend, colorbar : bool, default True
    title : str, optional
        Prefix of each panel's title (the galaxy's name follows).

    Returns
    -------
    numpy.ndarray of Axes
        One per galaxy; ``images[0]`` is the grey footprint, ``images[-1]``
        the labels (as category codes) or values, in numpy order with
        ``origin="lower"``.

    Raises
    ------
    ValueError
        Neither or both of ``labels`` and ``values``; unknown galaxies.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"galaxy": ["A", "A", "A"], "x": [0, 1, 1],
    ...                   "y": [0, 0, 1]})
    >>> t.attrs["shape"] = {"A": (2, 2)}
    >>> axs = plot_sky(t, labels=pd.Series([0, 1], index=[0, 2]))
    >>> axs[0].images[-1].get_array()  # category codes; pixel (1, 0) unlabelled
    masked_array(
      data=[[0.0, --],
            [--, 1.0]],
      mask=[[False,  True],
            [ True, False]],
      fill_value=1e+20)
    """
    from astrokit.plot import panel_grid

    if (labels is None) == (values is None):
        msg = "Pass exactly one of labels= (categories) or values= (a number per row)."
        raise ValueError(msg)
    names = _galaxies(table, galaxies)
    axs = panel_grid(len(names), ncols=len(names), panel_size=panel_size, axes=axes)
    given = labels if labels is not None else values
    series = (
        given if isinstance(given, pd.Series) else pd.Series(given, index=table.index)
    )
    if labels is not None:
        series, cmap, norm, cats, colors = _label_colours(series)
    else:
        cmap, norm = cmap or "viridis", _value_norm(series, vmin, vmax)
    drawn = _draw_galaxies(axs, table, names, series, cmap, norm, title)
    if labels is not None and legend:
        _sky_legend(axs[-1], cats, colors)
    elif labels is None and colorbar:
        axs[0].figure.colorbar(drawn, ax=list(axs), shrink=0.8, label=series.name)
    return axs


def _galaxies(table: pd.DataFrame, galaxies) -> list:
    """The galaxies to draw (default all), checked against the table."""
    from astrokit.data import galaxies as list_galaxies

    present = list_galaxies(table)
    names = present if galaxies is None else list(galaxies)
    unknown = sorted(set(names) - set(present))
    if unknown:
        msg = f"galaxies {unknown} are not in the table; it holds {present}."
        raise ValueError(msg)
    return names


def _label_colours(series: pd.Series):
    """Labels as float codes, with their colormap, norm, categories, colours."""
    from matplotlib.colors import BoundaryNorm, ListedColormap

    from astrokit.plot import category_colors
    from astrokit.plot._colors import label_categories

    cats = label_categories(series.to_numpy())
    colors = category_colors(cats.categories)
    codes = pd.Series(cats.codes, index=series.index, dtype=float)
    cmap = ListedColormap([colors[c] for c in cats.categories])
    norm = BoundaryNorm(np.arange(len(cats.categories) + 1) - 0.5, cmap.N)
    return codes, cmap, norm, cats, colors


def _value_norm(series: pd.Series, vmin, vmax):
    """Colour limits: 1st/99th percentiles unless given."""
    from matplotlib.colors import Normalize

    finite = series.to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    lo, hi = np.percentile(finite, [1, 99]) if finite.size else (0.0, 1.0)
    lo, hi = lo if vmin is None else vmin, hi if vmax is None else vmax
    return Normalize(lo, hi if hi > lo else lo + 1)


def _draw_galaxies(axs, table, names, series, cmap, norm, title):
    """Footprint in grey, then the values, one galaxy per panel; the last image."""
    from matplotlib.colors import ListedColormap

    from astrokit.data import sky_map

    show = {"origin": "lower", "interpolation": "nearest"}
    footprint = pd.Series(1.0, index=table.index)
    for ax, name in zip(axs, names, strict=True):
        ax.imshow(
            sky_map(table, footprint, galaxy=name),
            cmap=ListedColormap([_FOOTPRINT]),
            **show,
        )
        image = sky_map(table, series, galaxy=name)
        drawn = ax.imshow(image, cmap=cmap, norm=norm, **show)
        _crop(ax, image)
        ax.set_title(name if title is None else f"{title}: {name}")
        ax.set_xlabel("x (pixel)")
        ax.set_ylabel("y (pixel)")
    return drawn


def _sky_legend(ax, cats, colors) -> None:
    from matplotlib.patches import Patch

    counts = pd.Series(cats).value_counts()
    handles = [
        Patch(color=colors[c], label=f"{c} ({counts[c]:,})") for c in cats.categories
    ]
    ax.legend(
        handles=handles, fontsize="small", loc="center left", bbox_to_anchor=(1.02, 0.5)
    )


def _crop(ax, image: np.ndarray) -> None:
    """Zoom on the pixels that hold a value, with a small margin."""
    ys, xs = np.nonzero(np.isfinite(image))
    if ys.size == 0:
        return
    pad = max(2, int(0.05 * max(image.shape)))
    ax.set_xlim(
        max(xs.min() - pad, 0) - 0.5, min(xs.max() + pad, image.shape[1] - 1) + 0.5
    )
    ax.set_ylim(
        max(ys.min() - pad, 0) - 0.5, min(ys.max() + pad, image.shape[0] - 1) + 0.5
    )


def _polygon(kind: str, size: float) -> np.ndarray:
    if kind == "square":
        h = size / 2
        return np.array([[-h, -h], [h, -h], [h, h], [-h, h]])
    angles = np.deg2rad(30 + 60 * np.arange(6))
    return size / np.sqrt(3) * np.column_stack([np.cos(angles), np.sin(angles)])


def plot_average_object(
    average: pd.DataFrame,
    *,
    columns=None,
    ncols: int = 4,
    panel_size: float = 3.0,
    axes=None,
    cmap: str = "viridis",
    kind: str | None = None,
    size: float | None = None,
) -> np.ndarray:
    """Maps of the table of :func:`~astrokit.interpret.average_object`.

    Each panel shows one feature's median in every bin of the embedding,
    drawn as the bin's hexagon or square.

    Parameters
    ----------
    average : DataFrame
        The output of ``average_object``: ``bin_x``, ``bin_y``, ``count``
        and the features.
    columns : list of str, optional
        Default: every feature column (not ``bin_x``, ``bin_y``, ``count``).
    ncols, panel_size, axes
        As for :func:`~astrokit.interpret.plot_features`.
    cmap : str, default "viridis"
    kind : {"hex", "square"}, optional
        The bins' shape; default ``average.attrs["kind"]``.
    size : float, optional
        The bins' width ``w``; default ``average.attrs["size"]``. Give
        ``kind`` and ``size`` when a pandas operation (``pd.concat``,
        ``merge``, ...) has dropped the ``attrs``.

    Returns
    -------
    numpy.ndarray of Axes

    Raises
    ------
    ValueError
        No ``kind`` or ``size``, given or in ``average.attrs``; an unknown
        ``kind``.
    KeyError
        Unknown column names.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from astrokit.interpret import average_object
    >>> emb = pd.DataFrame({"umap_x": [0.1, 0.2, 0.9, 1.9],
    ...                     "umap_y": [0.1, 0.3, 0.2, 0.1]})
    >>> av = average_object(emb, pd.DataFrame({"a": [1.0, 2, 4, 10]}), bins=2,
    ...                     kind="square", min_count=1)
    >>> axs = plot_average_object(av)
    >>> len(axs[0].collections[0].get_paths())  # one square per bin
    2
    >>> bare = pd.DataFrame(av.to_dict())  # attrs lost
    >>> len(plot_average_object(bare, kind="square", size=av.attrs["size"]))
    1
    """
    from matplotlib.collections import PolyCollection

    from astrokit.plot import panel_grid

    kind = average.attrs.get("kind") if kind is None else kind
    size = average.attrs.get("size") if size is None else size
    if kind is None or size is None:
        msg = (
            "average has no attrs['kind'] / attrs['size'] (pandas drops attrs in "
            "operations such as pd.concat or merge); pass kind= and size= (the "
            "bins' shape and width given to average_object), or the table "
            "average_object() returned."
        )
        raise ValueError(msg)
    if kind not in ("hex", "square"):
        msg = f"kind={kind!r} must be 'hex' or 'square'."
        raise ValueError(msg)
    feats = average.drop(columns=["bin_x", "bin_y", "count"], errors="ignore")
    columns = numeric_columns(feats if columns is None else average, columns)
    shape = _polygon(kind, float(size))
    centres = average[["bin_x", "bin_y"]].to_numpy()
    xname, yname = average.attrs.get("coordinates", ["bin_x", "bin_y"])
    axs = panel_grid(len(columns), ncols=ncols, panel_size=panel_size, axes=axes)
    for ax, col in zip(axs, columns, strict=True):
        polys = PolyCollection(
            centres[:, None, :] + shape[None, :, :], cmap=cmap, edgecolors="none"
        )
        polys.set_array(average[col].to_numpy(dtype=float))
        ax.add_collection(polys)
        ax.autoscale_view()
        ax.set_aspect("equal")
        ax.figure.colorbar(polys, ax=ax, shrink=0.8)
        ax.set_title(col)
        ax.set_xlabel(xname)
        ax.set_ylabel(yname)
    return axs
