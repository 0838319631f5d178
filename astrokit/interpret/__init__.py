"""What the clusters and the embedding mean, in physical features and on the sky.

Tables:

- :func:`effect_sizes`: for each cluster against the rest, a signed effect
  size per feature, ranked: the features that distinguish the cluster.
- :func:`summarize`: one line per cluster, its size and its top features
  with their signed effect sizes (a cluster's "signature").
- :func:`describe_clusters`: the named table, one row per cluster: size,
  signature in words, BPT class mix (when the line ratios are there) and a
  short physical description.
- :func:`average_object`: the median feature values in square or hexagonal
  bins of the embedding, the "average object" of each region of the map
  (as self-organising maps show it).
- :func:`sky_map`: labels (or any per-row value) back on a galaxy's grid.

Figures (each returns the axes it drew; point plots switch to Datashader
above a size threshold, see :func:`astrokit.plot.points`):

- :func:`plot_embedding`: the embedding coloured by labels or one value;
- :func:`plot_features`: the embedding coloured by every feature;
- :func:`plot_violins`: per-cluster feature distributions;
- :func:`plot_effect_sizes`: the effect-size table as a heat map;
- :func:`plot_sky`: labels or values on each galaxy's sky grid;
- :func:`plot_average_object`: the average-object table as maps;
- :func:`plot_sequence`: the clusters' medians of one feature against
  others (PAH heating against the ionisation of the warm gas).
"""

from __future__ import annotations

from astrokit.data import sky_map
from astrokit.interpret._average import average_object
from astrokit.interpret._describe import describe_clusters, plot_sequence
from astrokit.interpret._effects import EFFECT_COLUMNS, effect_sizes, summarize
from astrokit.interpret._maps import plot_average_object, plot_sky
from astrokit.interpret._plots import (
    plot_effect_sizes,
    plot_embedding,
    plot_features,
    plot_violins,
)

__all__ = [
    "effect_sizes",
    "EFFECT_COLUMNS",
    "summarize",
    "describe_clusters",
    "average_object",
    "sky_map",
    "plot_embedding",
    "plot_features",
    "plot_violins",
    "plot_effect_sizes",
    "plot_sky",
    "plot_average_object",
    "plot_sequence",
]
