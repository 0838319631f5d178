"""Figures of :mod:`astrokit.stars`: sky, proper motions, CMD, parallaxes.

Each takes the cone (and optionally a :class:`~astrokit.stars.OpenCluster`),
``ax=None`` (a new figure) and returns the axes it drew. Members are
coloured by their probability; the field is grey.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["plot_sky", "plot_proper_motions", "plot_cmd", "plot_parallax"]


def _axes(ax, size=(4.5, 4.0)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _scatter(ax, stars, x, y, found):
    ax.scatter(stars[x], stars[y], s=2, c="0.7", lw=0, label="field", rasterized=True)
    if found is not None:
        members = found.members
        points = ax.scatter(
            members[x], members[y], s=4, c=members["probability"], cmap="viridis",
            vmin=0, vmax=1, lw=0, label=f"members ({len(members)})",
        )  # fmt: skip
        ax.figure.colorbar(points, ax=ax, label="membership probability")
        ax.legend(loc="best", fontsize="small", markerscale=3)
    return ax


def plot_sky(stars: pd.DataFrame, found=None, *, ax=None):
    """RA-Dec of the stars (RA increasing to the left), members coloured."""
    ax = _scatter(_axes(ax), stars, "ra", "dec", found)
    if not ax.xaxis_inverted():
        ax.invert_xaxis()
    ax.set(xlabel="RA (deg)", ylabel="Dec (deg)", title="sky")
    return ax


def plot_proper_motions(stars: pd.DataFrame, found=None, *, ax=None, zoom=None):
    """The proper-motion plane; ``zoom`` (mas/yr) frames the cluster."""
    ax = _scatter(_axes(ax), stars, "pmra", "pmdec", found)
    ax.set(xlabel="pmra (mas/yr)", ylabel="pmdec (mas/yr)", title="proper motions")
    if zoom is not None and found is not None:
        s = found.summary.iloc[0]
        ax.set(
            xlim=(s.pmra - zoom, s.pmra + zoom), ylim=(s.pmdec - zoom, s.pmdec + zoom)
        )
    return ax


def plot_cmd(stars: pd.DataFrame, found=None, *, ax=None):
    """Colour-magnitude diagram (BP-RP, G; bright at the top)."""
    ax = _scatter(_axes(ax, (4.0, 5.0)), stars, "bp_rp", "phot_g_mean_mag", found)
    if not ax.yaxis_inverted():
        ax.invert_yaxis()
    ax.set(xlabel="BP - RP (mag)", ylabel="G (mag)", title="colour-magnitude diagram")
    return ax


def plot_parallax(stars: pd.DataFrame, found=None, *, ax=None, bins=60):
    """Histogram of parallaxes; with ``found``, the members' and their Gaussian fit."""
    from astrokit.stars._summary import fit_parallax

    ax = _axes(ax, (5.0, 3.5))
    plx = stars["parallax"].dropna()
    low, high = np.percentile(plx, [1, 99])
    edges = np.linspace(low, high, bins + 1)
    ax.hist(plx, bins=edges, color="0.75", label="all stars")
    if found is not None:
        values = found.members["parallax"]
        ax.hist(values, bins=edges, color="tab:blue", alpha=0.7, label="members")
        fit = fit_parallax(values)
        grid = np.linspace(low, high, 400)
        width = edges[1] - edges[0]
        scale = len(values) * width / (fit["stddev"] * np.sqrt(2 * np.pi))
        curve = scale * np.exp(-0.5 * ((grid - fit["mean"]) / fit["stddev"]) ** 2)
        label = f"Gaussian: {fit['mean']:.3f} +- {fit['stddev']:.3f} mas"
        ax.plot(grid, curve, color="k", label=label)
        ax.legend(fontsize="small")
    ax.set(xlabel="parallax (mas)", ylabel="stars", title="parallaxes")
    return ax
