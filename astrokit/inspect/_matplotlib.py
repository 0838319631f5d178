"""Matplotlib drawing for :mod:`astrokit.inspect`: maps and histograms on scales.

Every title says what its scale did (values dropped or clipped), so nothing
is hidden. Matplotlib is imported inside the functions.
"""

from __future__ import annotations

import numpy as np

from astrokit.inspect._scales import Scaled, bin_edges
from astrokit.inspect._sources import Source

__all__ = ["draw_maps", "draw_histograms"]

DROPPED_COLOUR = "0.65"
"""Colour of the pixels a log scale drops (values <= 0); NaN stays blank."""

_SCALE_TITLES = {"linear": "linear", "log": "log", "clipped-log": "clipped log"}


def _axes_list(axes, n: int, what: str) -> list:
    flat = list(np.ravel(np.asarray(axes, dtype=object)))
    if len(flat) != n:
        msg = f"axes holds {len(flat)} Axes; {what} needs exactly {n}."
        raise ValueError(msg)
    return flat


def _suptitle(src: Source) -> str:
    where = f" — {src.where}" if src.where else ""
    return f"{src.label}{where}"


def map_title(src: Source, scaled: Scaled) -> str:
    """The title of one map panel: scale, then counts."""
    lines = [_SCALE_TITLES[scaled.scale]]
    if scaled.scale == "clipped-log":
        unit = f" {src.unit_text()}" if src.unit else ""
        lines[0] += f", floor {scaled.floor:.3g}{unit}"
        lines.append(f"({scaled.floor_rule})")
    text = scaled.describe("pixels")
    if scaled.scale == "log" and scaled.n_dropped:
        text = text.replace(" dropped", " dropped (grey)", 1)  # the ≤ 0 ones
    lines.append(text)
    return "\n".join(lines)


def draw_maps(src: Source, scaled: list[Scaled], *, cmap: str, axes=None):
    """Draw one map panel per scale, each with a colour bar; return the Axes."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap, LogNorm, Normalize

    n = len(scaled)
    if axes is None:
        fig = plt.figure(figsize=(5.4 * n, 5.0), layout="constrained")
        kw = {"projection": src.wcs} if src.wcs is not None else {}
        axes = [fig.add_subplot(1, n, i + 1, **kw) for i in range(n)]
        fig.suptitle(_suptitle(src))
    else:
        axes = _axes_list(axes, n, "plot_map_scales")
    colours = plt.get_cmap(cmap).with_extremes(bad=(0.0, 0.0, 0.0, 0.0))
    image = src.image
    dropped = np.isfinite(image) & (image <= 0)
    for i, (ax, s) in enumerate(zip(axes, scaled, strict=True)):
        lo, hi = s.vmin, s.vmax
        norm = Normalize(lo, hi) if s.scale == "linear" else LogNorm(lo, hi)
        im = ax.imshow(
            s.values, origin="lower", cmap=colours, norm=norm, interpolation="nearest"
        )
        if s.scale == "log" and s.n_dropped:
            grey = ListedColormap([DROPPED_COLOUR])
            ax.imshow(
                np.where(dropped, 1.0, np.nan),
                origin="lower",
                cmap=grey,
                interpolation="nearest",
            )
        bar = ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.02, shrink=0.9)
        bar.set_label(src.axis_label())
        ax.set_title(map_title(src, s), fontsize=10)
        _label_sky_axes(ax, first=i == 0)
    return np.array(axes, dtype=object)


def _label_sky_axes(ax, *, first: bool) -> None:
    coords = getattr(ax, "coords", None)
    if coords is None:
        ax.set_xlabel("x [pixel]")
        ax.set_ylabel("y [pixel]" if first else "")
        return
    coords[0].set_axislabel("RA")
    coords[1].set_axislabel("Dec" if first else "")
    coords[0].set_ticklabel(exclude_overlapping=True)
    coords[1].set_ticklabel(exclude_overlapping=True)


def draw_histograms(src: Source, linear: Scaled, log: Scaled, *, bins: int, axes=None):
    """Draw the three histograms (linear; log bins, log x; log-log)."""
    import matplotlib.pyplot as plt

    if axes is None:
        fig, axes = plt.subplots(1, 3, figsize=(15, 4.4), layout="constrained")
        fig.suptitle(_suptitle(src))
    axes = _axes_list(axes, 3, "plot_histograms")
    lin_values = linear.values[np.isfinite(linear.values)]
    log_values = log.values[np.isfinite(log.values)]
    log_edges = bin_edges(log, bins)
    excluded = f"{log.n_dropped:,} values ≤ 0 excluded{log.inf_text}"
    panels = [
        (lin_values, bin_edges(linear, bins), "linear", "linear", "linear bins"),
        (log_values, log_edges, "log", "linear", "log-spaced bins, log x"),
        (log_values, log_edges, "log", "log", "log-spaced bins, log x and y"),
    ]
    noun = "pixels" if src.image is not None or src.where else "values"
    for ax, (values, edges, xscale, yscale, what) in zip(axes, panels, strict=True):
        ax.hist(values, bins=edges, color="#3b528b")
        ax.set_xscale(xscale)
        ax.set_yscale(yscale)
        ax.set_xlabel(src.axis_label())
        ax.set_ylabel(f"number of {noun}")
        count = linear.describe() if xscale == "linear" else excluded
        ax.set_title(f"{bins} {what}\n{count}", fontsize=10)
    return np.array(axes, dtype=object)
