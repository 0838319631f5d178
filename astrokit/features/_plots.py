"""Figures of :mod:`astrokit.features`: correlations, importances, pairs, BPT, sky.

Each function takes ``ax=None`` (a new figure) and returns the axes it drew.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from astrokit.features._definitions import BPT_LINES, bpt_line

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "plot_correlation", "plot_importances", "plot_pair", "plot_bpt", "plot_kept",
]  # fmt: skip


def _axes(ax, size):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def plot_correlation(
    corr: pd.DataFrame, *, ax=None, annotate: bool | None = None
) -> Axes:
    """Heat map of an (ordered) correlation matrix, labelled by feature.

    Parameters
    ----------
    corr : pandas.DataFrame
        From :func:`astrokit.features.correlation`; its ``attrs["labels"]``
        give the tick labels (else the column names).
    ax : matplotlib Axes, optional
    annotate : bool, optional
        Write each coefficient in its cell; default when 16 features or fewer.

    Returns
    -------
    matplotlib.axes.Axes
        Its ``images[0]`` is the heat map (colour limits -1 to 1).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from astrokit.features import correlation
    >>> t = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [4.0, 1, 3, 2],
    ...                   "c": [2.0, 4, 6, 9]})
    >>> plot_correlation(correlation(t)).images[0].get_array().shape
    (3, 3)
    """
    d = len(corr)
    ax = _axes(ax, (0.45 * d + 3, 0.45 * d + 2))
    labels = corr.attrs.get("labels", {})
    names = [labels.get(c, c) for c in corr.columns]
    image = ax.imshow(corr.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(d), names, rotation=60, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(d), names)
    if annotate if annotate is not None else d <= 16:
        for (i, j), r in np.ndenumerate(corr.to_numpy()):
            color = "white" if abs(r) > 0.6 else "black"
            ax.text(j, i, f"{r:.2f}", ha="center", va="center", fontsize=7, color=color)
    method = corr.attrs.get("method", "")
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label=f"{method} correlation".strip())
    return ax


def plot_importances(
    importances: pd.DataFrame, *, ax=None, title: str | None = None
) -> Axes:
    """Horizontal bars of feature importances (largest on top), with their spread.

    Parameters
    ----------
    importances : pandas.DataFrame
        From :func:`astrokit.features.forest_importance` or
        :func:`~astrokit.features.unsupervised_importance` (columns
        ``importance`` and ``std``; ``attrs["labels"]`` for the names).
    ax : matplotlib Axes, optional
    title : str, optional
        Default: the out-of-bag score.

    Returns
    -------
    matplotlib.axes.Axes
        Its ``patches`` are the bars, top to bottom in ``importances`` order.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> imp = pd.DataFrame({"importance": [0.7, 0.3], "std": [0.1, 0.05]},
    ...                    index=["a", "b"])
    >>> len(plot_importances(imp, title="two features").patches)
    2
    """
    ax = _axes(ax, (6, 0.35 * len(importances) + 1.5))
    labels = importances.attrs.get("labels", {})
    rows = importances.iloc[::-1]
    ax.barh(
        [labels.get(n, n) for n in rows.index],
        rows["importance"],
        xerr=rows["std"] if "std" in rows else None,
        color="C0",
        ecolor="0.5",
    )
    ax.set_xlabel("importance (mean decrease in impurity)")
    score = importances.attrs.get("oob_score")
    if title is None and score is not None:
        title = f"out-of-bag score {score:.2f}"
    if title:
        ax.set_title(title)
    return ax


def plot_pair(
    features: pd.DataFrame, x: str, y: str, *, labels=None, values=None, ax=None,
    **kwargs,
) -> Axes:  # fmt: skip
    """One feature against another, axes labelled from the feature definitions.

    Points go through :func:`astrokit.plot.points`: a scatter, or a
    Datashader raster when there are many rows.

    Parameters
    ----------
    features : pandas.DataFrame
        With columns ``x`` and ``y`` (e.g. from :func:`astrokit.features.derive`).
    x, y : str
        Column names.
    labels, values : pandas.Series or array-like, optional
        Colour by categories or by a value (a Series is matched on the index).
    ax : matplotlib Axes, optional
    **kwargs
        Passed to :func:`astrokit.plot.points` (e.g. ``threshold``,
        ``legend``, ``xlabel``; the labels default to the features' own).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``x`` or ``y`` is not a column of ``features``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> f = pd.DataFrame({"log_nii_ha": [-0.5, -0.3, 0.1],
    ...                   "log_sii_ha": [-0.6, -0.4, -0.1]})
    >>> plot_pair(f, "log_nii_ha", "log_sii_ha").get_xlabel()
    'log_nii_ha'
    """
    from astrokit.plot import points

    absent = [c for c in (x, y) if c not in features]
    if absent:
        msg = f"Columns {absent} are not in the feature table; derive them first."
        raise ValueError(msg)

    def align(v):
        return v.reindex(features.index) if isinstance(v, pd.Series) else v

    defs = features.attrs.get("definitions", {})
    kwargs.setdefault("xlabel", defs.get(x, {}).get("label", x))
    kwargs.setdefault("ylabel", defs.get(y, {}).get("label", y))
    return points(
        features[x], features[y], labels=align(labels), values=align(values),
        ax=_axes(ax, (5.5, 5)), **kwargs,
    )  # fmt: skip


def plot_bpt(
    features: pd.DataFrame, *, x: str = "log_nii_ha", labels=None, values=None,
    ax=None, **kwargs,
) -> Axes:  # fmt: skip
    """A BPT diagram (``log_oiii_hb`` against ``x``) with its demarcation curves.

    With ``x="log_nii_ha"``: Kauffmann et al. (2003, the empirical upper edge
    of star-forming galaxies, dashed) and Kewley et al. (2001, the most a
    starburst can reach in photoionisation models, solid); with
    ``"log_sii_ha"`` or ``"log_oi_ha"``: Kewley et al. (2001). Above the
    maximum-starburst curve, dotted: the Seyfert/LINER line (Kewley et al.
    2006 for [SII] and [OI], Schawinski et al. 2007 for [NII]; see
    :func:`bpt_class`). Parameters as in :func:`plot_pair`.

    Returns
    -------
    matplotlib.axes.Axes
        The curves are its ``lines``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> f = pd.DataFrame({"log_nii_ha": [-0.5, -0.3, 0.1],
    ...                   "log_oiii_hb": [0.2, -0.1, 0.5]})
    >>> len(plot_bpt(f).lines)  # Kauffmann 2003, Kewley 2001, Schawinski 2007
    3
    """
    ax = plot_pair(features, x, "log_oiii_hb", labels=labels, values=values, ax=ax,
                   **kwargs)  # fmt: skip
    grid = np.linspace(*ax.get_xlim(), 300)
    styles = {"kauffmann03": "--", "kewley01": "-"}
    for name, line in BPT_LINES.items():
        if line["x"] == x:
            ax.plot(grid, bpt_line(name, grid), color="k", lw=1.2,
                    ls=styles.get(name, ":" if "m" in line else "-"),
                    label=line["text"])  # fmt: skip
    y = features["log_oiii_hb"]
    ax.set_ylim(*np.nanpercentile(y, [0.1, 99.9]) + np.array([-0.5, 0.5]))
    if ax.lines:
        previous = ax.get_legend()  # the categories' legend, if any
        ax.legend(handles=list(ax.lines), loc="lower left", fontsize=7)
        if previous is not None:
            ax.add_artist(previous)
    return ax


def plot_kept(
    table: pd.DataFrame, features: pd.DataFrame, *, galaxy=None, ax=None
) -> Axes:
    """On one galaxy's sky grid: the pixels kept in ``features``, and the others.

    Blue: the row is in ``features`` (kept by the missing-data policy); grey:
    the row exists in ``table`` but was dropped; white: no row (outside every
    footprint).

    Parameters
    ----------
    table : pandas.DataFrame
        The pixel table ``features`` was derived from.
    features : pandas.DataFrame
        From :func:`astrokit.features.derive` (matched on the index).
    galaxy : str, optional
        Needed when the table holds several galaxies.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Its ``images[0]`` is the map (numpy order, ``origin="lower"``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"galaxy": ["A"] * 3, "x": [0, 1, 1], "y": [0, 0, 1]})
    >>> t.attrs["shape"] = {"A": (2, 2)}
    >>> plot_kept(t, t.iloc[:2]).get_title()
    'A: 2 of 3 pixels kept'
    """
    from matplotlib.colors import ListedColormap

    from astrokit.data import to_image

    kept = pd.Series(table.index.isin(features.index).astype(float), index=table.index)
    image = to_image(table, kept + 1.0, galaxy=galaxy)
    ax = _axes(ax, (4.5, 4.5))
    cmap = ListedColormap(["0.8", "#1f77b4"])
    ax.imshow(
        image, origin="lower", cmap=cmap, vmin=0.5, vmax=2.5, interpolation="none"
    )
    name = galaxy if galaxy is not None else str(table["galaxy"].iloc[0])
    rows = table["galaxy"].astype(str) == name
    n_kept = int(kept[rows.to_numpy()].sum())
    ax.set_title(f"{name}: {n_kept} of {int(rows.sum())} pixels kept", fontsize=9)
    ax.set_xlabel("x [pixel]")
    ax.set_ylabel("y [pixel]")
    return ax
