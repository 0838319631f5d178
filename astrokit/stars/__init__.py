"""Open clusters in Gaia: from a cone to members, distance and a clean CMD.

Anders' walk-through (find a cluster's members in proper motion and
parallax), done with the kit's clustering and a stated membership model.

Cones
    :func:`query_cone` (the Gaia archive, through ``astroquery.gaia`` when
    installed, cached), :func:`read_cone` (a file, a table, or a registered
    dataset such as ``"gaia_edr3_m67_cone"``), :func:`make_cone` (a
    synthetic cone with a known membership, for lessons offline).

Quality
    :func:`quality_cuts`: 5-parameter astrometry, RUWE < 1.4 where present,
    G < 18, optionally ``parallax_over_error``, with the count of each cut.

The cluster
    :func:`find_cluster` scales (pmra, pmdec, parallax) by their median and
    interquartile range, groups the stars by HDBSCAN, DBSCAN or a Gaussian
    mixture (:func:`astrokit.cluster.cluster`), takes the most concentrated
    group, and gives each star a membership probability from a mixture of
    one cluster and a few field Gaussians. It returns an
    :class:`OpenCluster`: ``members`` (source_id, probability, astrometry),
    ``summary`` (mean astrometry with errors, distance with the parallax
    zero-point removed, the Gaussian fit of the parallaxes) and
    ``choices`` (every step and why).
    :func:`distance_pc`, :func:`fit_parallax`, :data:`ZERO_POINT`.

Figures (each takes ``ax=None`` and returns the axes)
    :func:`plot_sky`, :func:`plot_proper_motions`, :func:`plot_cmd`,
    :func:`plot_parallax` (histogram with the Gaussian fit).
"""

from __future__ import annotations

from astrokit.stars._cone import (
    ASTROMETRY,
    GAIA_COLUMNS,
    adql_cone,
    check_cone,
    query_cone,
    read_cone,
)
from astrokit.stars._find import CLUSTER_METHODS, OpenCluster, find_cluster
from astrokit.stars._plots import plot_cmd, plot_parallax, plot_proper_motions, plot_sky
from astrokit.stars._quality import G_MAX, RUWE_MAX, quality_cuts
from astrokit.stars._summary import (
    ZERO_POINT,
    cluster_summary,
    distance_pc,
    fit_parallax,
)
from astrokit.stars._synthetic import make_cone

__all__ = [
    "ASTROMETRY",
    "GAIA_COLUMNS",
    "CLUSTER_METHODS",
    "G_MAX",
    "RUWE_MAX",
    "ZERO_POINT",
    "query_cone",
    "read_cone",
    "check_cone",
    "adql_cone",
    "make_cone",
    "quality_cuts",
    "find_cluster",
    "OpenCluster",
    "cluster_summary",
    "distance_pc",
    "fit_parallax",
    "plot_sky",
    "plot_proper_motions",
    "plot_cmd",
    "plot_parallax",
]
