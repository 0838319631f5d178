"""One colour per label everywhere, and the colour limits of a value.

:func:`category_colors` fixes a colour per category (noise and missing in
grey) so a cluster looks the same on the embedding, in the violins and on
the sky; :func:`label_categories` turns labels into the sorted Categorical
every plot colours by; :func:`value_limits` gives robust colour limits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "NOISE_COLOR",
    "MISSING_COLOR",
    "category_colors",
    "label_categories",
    "value_limits",
    "draw_legend",
]

NOISE_COLOR = "#b0b0b0"
"""Colour of label ``-1`` (noise) and of missing labels."""
MISSING_COLOR = "#e0e0e0"
"""Colour of points whose value is NaN (drawn under the coloured points)."""


def category_colors(categories) -> dict:
    """A colour (hex string) for every category; ``-1`` and ``"noise"`` grey.

    ``tab10`` up to 10 categories, ``tab20`` up to 20, then Glasbey's
    palette (colorcet). The order of ``categories`` fixes the colours, so
    the same labels get the same colours in every plot.

    Parameters
    ----------
    categories : iterable
        The labels, in the order that fixes their colours.

    Returns
    -------
    dict
        Category to hex colour string.

    Examples
    --------
    >>> category_colors([-1, 0, 1])
    {-1: '#b0b0b0', 0: '#1f77b4', 1: '#ff7f0e'}
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cats = list(categories)
    real = [c for c in cats if not _is_noise(c)]
    if len(real) <= 10:
        palette = [to_hex(c) for c in colormaps["tab10"].colors]
    elif len(real) <= 20:
        palette = [to_hex(c) for c in colormaps["tab20"].colors]
    else:
        import colorcet

        palette = [to_hex(c) for c in colorcet.glasbey_category10]
    colors = {}
    i = 0
    for c in cats:
        if _is_noise(c):
            colors[c] = NOISE_COLOR
        else:
            colors[c] = palette[i % len(palette)]
            i += 1
    return colors


def _is_noise(label) -> bool:
    return (isinstance(label, int | np.integer) and label == -1) or label == "noise"


def value_limits(values: np.ndarray, vmin, vmax) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (0.0, 1.0) if vmin is None or vmax is None else (vmin, vmax)
    lo, hi = np.percentile(finite, [1, 99])
    lo = lo if vmin is None else vmin
    hi = hi if vmax is None else vmax
    return (float(lo), float(hi)) if hi > lo else (float(lo) - 0.5, float(lo) + 0.5)


def label_categories(labels) -> pd.Categorical:
    """Labels as a Categorical, sorted, with missing values mapped to noise."""
    series = pd.Series(labels)
    if series.isna().any():
        fill = -1 if pd.api.types.is_numeric_dtype(series) else "noise"
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.cat.add_categories([fill])
        series = series.fillna(fill)
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = list(series.cat.categories)
        return pd.Categorical(series, categories=[c for c in cats if c in set(series)])
    return pd.Categorical(series, categories=sorted(pd.unique(series), key=_sort_key))


def _sort_key(label):
    return (
        (0, label, "")
        if isinstance(label, int | float | np.number)
        else (1, 0, str(label))
    )


LEGEND_INSIDE = 10
"""A legend of more entries than this is drawn beside the axes, in columns."""
LEGEND_ROWS = 15
"""Entries per column of a legend beside the axes."""


def draw_legend(ax, colors: dict, counts: dict) -> None:
    """One patch per category, ``label (count)``; beside the axes when long."""
    from matplotlib.patches import Patch

    handles = [Patch(color=colors[c], label=f"{c} ({counts[c]:,})") for c in colors]
    if len(handles) <= LEGEND_INSIDE:
        ax.legend(handles=handles, fontsize="small", loc="best", framealpha=0.8)
        return
    ax.legend(
        handles=handles, fontsize="small", loc="upper left",
        bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
        ncols=-(-len(handles) // LEGEND_ROWS),
    )  # fmt: skip
