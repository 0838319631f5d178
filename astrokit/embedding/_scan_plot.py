"""The grid of scan panels: one embedding per axes, titled with its scores.

Below ``DATASHADE_ROWS`` points a panel is a matplotlib scatter; above, the
points are aggregated by Datashader onto a pixel grid (mean of a numeric
colour, count per category, or a count) and shown with ``imshow``, so a
panel of a million points draws in about the time of a small scatter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DATASHADE_ROWS", "draw_panels"]

DATASHADE_ROWS = 20_000
_PIXELS = 300
_SCORES = [("trustworthiness", "T"), ("knn_preservation", "kNN"), ("ari", "ARI")]


def _title(panel: pd.Series, varying: list[str]) -> str:
    head = ", ".join(f"{name}={panel[name]}" for name in varying)
    scores = "  ".join(
        f"{short}={panel[name]:.2f}"
        for name, short in _SCORES
        if name in panel.index and np.isfinite(panel[name])
    )
    return f"{head}\n{scores}" if scores else head


def _colour_values(color, rows: pd.Index):
    """Colour values in the order of ``rows``; (values, is_categorical)."""
    if color is None:
        return None, False
    if isinstance(color, pd.Series) and color.index.equals(rows):
        values = color
    elif isinstance(color, pd.Series) and rows.isin(color.index).all():
        values = color.reindex(rows)
    else:
        values = pd.Series(np.asarray(color), index=None)
        if len(values) != len(rows):
            msg = (
                f"color has {len(values)} values; the scan has {len(rows)} rows "
                "per panel. Pass one value per row of the embedded data."
            )
            raise ValueError(msg)
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(
        values
    )
    if numeric:
        return values.to_numpy(dtype=float), False
    return pd.Categorical(values.astype(str)), True


def _palette(categories) -> dict:
    import matplotlib as mpl

    cmap = mpl.colormaps["tab10" if len(categories) <= 10 else "tab20"]
    return {c: mpl.colors.to_hex(cmap(i % cmap.N)) for i, c in enumerate(categories)}


def _shade(ax, xy, values, categorical, norm, cmap, palette, extent):
    import datashader as ds
    import datashader.transfer_functions as tf
    import matplotlib as mpl

    frame = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]})
    canvas = ds.Canvas(
        plot_width=_PIXELS,
        plot_height=_PIXELS,
        x_range=extent[:2],
        y_range=extent[2:],
    )
    if values is None:
        agg = canvas.points(frame, "x", "y", ds.count())
        image = tf.shade(agg, cmap=["#c6dbef", "#08306b"], how="eq_hist")
    elif categorical:
        frame["c"] = values
        agg = canvas.points(frame, "x", "y", ds.count_cat("c"))
        image = tf.shade(agg, color_key=palette, how="eq_hist")
    else:
        frame["c"] = values
        agg = canvas.points(frame, "x", "y", ds.mean("c"))
        hexes = [mpl.colors.to_hex(cmap(i / 255)) for i in range(256)]
        image = tf.shade(agg, cmap=hexes, how="linear", span=(norm.vmin, norm.vmax))
    rgba = np.flipud(image.to_numpy().view(np.uint8).reshape(_PIXELS, _PIXELS, 4))
    ax.imshow(rgba, extent=extent, origin="upper", interpolation="nearest")


def _grid(n_panels: int, min_dists: int, axes):
    """``axes`` as a 2-D array, or a new grid of up to 4 columns."""
    import matplotlib.pyplot as plt

    if axes is None:
        ncols = min_dists if n_panels > 1 else 1
        ncols = min(ncols if ncols > 1 else n_panels, 4)
        nrows = -(-n_panels // ncols)
        _, axes = plt.subplots(
            nrows,
            ncols,
            figsize=(3.2 * ncols, 3.4 * nrows),
            squeeze=False,
            layout="constrained",
        )
    axes = np.atleast_2d(np.asarray(axes, dtype=object))
    if axes.size < n_panels:
        msg = f"axes holds {axes.size} axes; the scan has {n_panels} panels."
        raise ValueError(msg)
    return axes


def _colouring(values, categorical, cmap_name):
    """``(cmap, norm, palette)`` for continuous values or categories."""
    import matplotlib as mpl

    cmap = mpl.colormaps[cmap_name]
    norm = palette = None
    if values is not None and not categorical:
        low, high = np.nanpercentile(values, [1, 99])
        norm = mpl.colors.Normalize(low, high if high > low else low + 1)
    if categorical:
        palette = _palette(list(values.categories))
    return cmap, norm, palette


def _key(figure, axes, color, values, categorical, cmap, norm, palette) -> None:
    """A legend of the categories, or a colour bar of the values."""
    import matplotlib as mpl

    if categorical:
        handles = [
            mpl.lines.Line2D([], [], ls="", marker="o", color=palette[c], label=c)
            for c in palette
        ]
        figure.legend(
            handles=handles,
            loc="outside lower center",
            ncols=min(len(handles), 4),
            fontsize=8,
            frameon=False,
        )
    elif values is not None:
        mappable = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
        label = color.name if isinstance(color, pd.Series) else None
        figure.colorbar(mappable, ax=list(axes), shrink=0.6, label=label)


def draw_panels(scan_table, *, color, axes, datashade, cmap_name, s):
    """Draw every panel of a scan table; returns the 2-D array of axes."""
    panels = scan_table.groupby("panel", sort=True)
    rows = pd.Index(next(iter(panels))[1]["row"])
    summary = panels.first()
    varying = [
        c
        for c in ("n_neighbors", "min_dist", "metric", "random_state")
        if summary[c].nunique() > 1
    ] or ["n_neighbors", "min_dist"]
    n_panels = len(summary)
    axes = _grid(n_panels, summary["min_dist"].nunique(), axes)
    values, categorical = _colour_values(color, rows)
    shade = len(rows) > DATASHADE_ROWS if datashade == "auto" else bool(datashade)
    cmap, norm, palette = _colouring(values, categorical, cmap_name)
    xy_all = scan_table[["umap_x", "umap_y"]].to_numpy(dtype=float)
    pad = 0.03 * np.ptp(xy_all, axis=0)
    lo, hi = xy_all.min(axis=0) - pad, xy_all.max(axis=0) + pad
    extent = (lo[0], hi[0], lo[1], hi[1])
    size = s if s is not None else float(np.clip(20_000 / len(rows), 0.3, 8))
    for ax, (number, group) in zip(axes.flat, panels, strict=False):
        xy = group[["umap_x", "umap_y"]].to_numpy(dtype=float)
        if shade:
            _shade(ax, xy, values, categorical, norm, cmap, palette, extent)
        elif values is None:
            ax.scatter(xy[:, 0], xy[:, 1], s=size, c="#3b6ea8", lw=0, alpha=0.6)
        elif categorical:
            ax.scatter(xy[:, 0], xy[:, 1], s=size, lw=0, c=[palette[c] for c in values])
        else:
            ax.scatter(xy[:, 0], xy[:, 1], s=size, lw=0, c=values, cmap=cmap, norm=norm)
        ax.set(xlim=extent[:2], ylim=extent[2:], xticks=[], yticks=[])
        ax.set_aspect("equal", adjustable="box")
        ax.set_title(_title(summary.loc[number], varying), fontsize=9)
    for ax in axes.flat[n_panels:]:
        ax.set_axis_off()
    _key(
        axes.flat[0].figure, axes.flat[:n_panels], color, values, categorical,
        cmap, norm, palette,
    )  # fmt: skip
    return axes
