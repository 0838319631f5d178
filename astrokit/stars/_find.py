""":func:`find_cluster`: from a cone to the members of its open cluster.

The method is described in :mod:`astrokit.stars._members`; this module
runs the steps, records each choice and builds the result tables.

The grouping and the membership mixture run on one thread
(``threadpoolctl``): a cone is a few thousand stars in three dimensions, too
little work per EM or k-means iteration for OpenMP and BLAS threads to pay
for their synchronisation. Measured on the M67 cone (2,290 stars after the
cuts, 2 cores shared with other jobs, noisy): the Gaussian mixture with its
ICL search 33 s on the default threads, 3.8 s on one; HDBSCAN 2.3 s and
0.6 s; the same labels, scores and members.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_int
from astrokit.stars._cone import ASTROMETRY
from astrokit.stars._members import (
    dbscan_eps,
    group_concentration,
    membership,
    scaled_astrometry,
)
from astrokit.stars._summary import ZERO_POINT, cluster_summary, distance_pc

__all__ = ["OpenCluster", "find_cluster", "CLUSTER_METHODS"]

logger = logging.getLogger("astrokit.stars")

CLUSTER_METHODS = ("hdbscan", "dbscan", "gmm")
"""Methods :func:`find_cluster` groups the stars with (astrokit.cluster's)."""

MEMBER_COLUMNS = (
    "source_id", "ra", "dec", "pmra", "pmdec", "parallax", "phot_g_mean_mag", "bp_rp",
)  # fmt: skip


@dataclasses.dataclass
class OpenCluster:
    """The result of :func:`find_cluster`; every table keeps the cone's index.

    Attributes
    ----------
    labels : Series
        The grouping of the clustering method (-1 noise), per star used.
    groups : DataFrame
        Per group: ``stars`` and ``concentration`` (most concentrated first).
    chosen : int
        The group taken as the cluster (the most concentrated).
    probability : Series
        Per star used, the posterior probability of cluster membership.
    members : DataFrame
        The stars with ``probability >= threshold``: ``source_id``,
        ``probability``, astrometry and photometry, ``distance_pc`` per star
        (noisy: the cluster's distance is in ``summary``), most probable first.
    summary : DataFrame
        One row: mean astrometry, its uncertainty, distance, parallax fit
        (see :func:`astrokit.stars.cluster_summary`).
    choices : DataFrame
        One row per step: ``step``, ``choice``, ``reason``.
    scaled : DataFrame
        The clustering space (robust-scaled columns).
    dropped : Index
        Stars left out (a non-finite value in the clustering columns).
    """

    labels: pd.Series
    groups: pd.DataFrame
    chosen: int
    probability: pd.Series
    members: pd.DataFrame
    summary: pd.DataFrame
    choices: pd.DataFrame
    scaled: pd.DataFrame
    dropped: pd.Index

    @property
    def is_member(self) -> pd.Series:
        """Per star used: True for the members."""
        return self.probability.index.isin(self.members.index)


def _group(X, method, random_state, options):
    from astrokit.cluster import cluster

    opts = dict(options)
    if method == "hdbscan":
        opts.setdefault("min_cluster_size", max(10, len(X) // 100))
        opts.setdefault("min_samples", 10)
        reason = (
            f"HDBSCAN, min_cluster_size={opts['min_cluster_size']} (1% of the "
            f"stars, at least 10), min_samples={opts['min_samples']} "
            "(Hunt & Reffert 2021)"
        )
    elif method == "dbscan":
        opts.setdefault("min_samples", max(10, 2 * X.shape[1]))
        if "eps" not in opts:
            opts["eps"] = dbscan_eps(X, opts["min_samples"])
        reason = (
            f"DBSCAN, min_samples={opts['min_samples']}, eps={opts['eps']:.3g} "
            "(half the median distance to that neighbour: a density contrast of "
            f"2**{X.shape[1]})"
        )
    else:
        reason = (
            "Gaussian mixture, number of components by ICL over 1..10 "
            "(astrokit.cluster)"
            if opts.get("n_clusters") is None
            else f"Gaussian mixture, n_clusters={opts['n_clusters']} (given)"
        )
    labels = cluster(X, method=method, random_state=random_state, **opts)
    return labels, reason


def find_cluster(
    stars: pd.DataFrame,
    *,
    method: str = "hdbscan",
    columns=ASTROMETRY,
    position: bool = False,
    n_field: int = 2,
    threshold: float = 0.5,
    zero_point: float = ZERO_POINT,
    random_state: int | None = 0,
    **options,
) -> OpenCluster:
    """Find the open cluster in a cone and the membership probability of each star.

    Parameters
    ----------
    stars : pandas.DataFrame
        A cone, usually after :func:`astrokit.stars.quality_cuts`: ``pmra``,
        ``pmdec``, ``parallax`` (and ``ra``, ``dec`` for ``position=True``).
    method : {"hdbscan", "dbscan", "gmm"}, default "hdbscan"
        How the stars are grouped before the most concentrated group is
        chosen (:func:`astrokit.cluster.cluster`; defaults in the Notes).
    columns : sequence of str, default ("pmra", "pmdec", "parallax")
    position : bool, default False
        Also cluster on the tangent-plane sky offsets (deg).
    n_field : int, default 2
        Gaussian components of the field in the membership mixture.
    threshold : float, default 0.5
        Members have a probability of at least this.
    zero_point : float, default -0.017
        Parallax zero-point in mas removed before distances (Gaia (E)DR3,
        Lindegren et al. 2021; DR2: -0.029).
    random_state : int or None, default 0
    **options
        Passed to the clustering method (``min_cluster_size``, ``eps``, ...).

    Returns
    -------
    OpenCluster

    Raises
    ------
    ValueError
        An unknown method; missing or empty astrometric columns; fewer than
        50 stars with astrometry; no group found; a threshold outside (0, 1).

    Notes
    -----
    Method and defaults: :mod:`astrokit.stars._members` (scaled space, the
    choice of the most concentrated group, the membership mixture).
    """
    if method not in CLUSTER_METHODS:
        msg = f"method={method!r} is not one of {CLUSTER_METHODS}."
        raise ValueError(msg)
    if not (isinstance(threshold, int | float) and 0 < threshold < 1):
        msg = f"threshold={threshold!r} must be a probability between 0 and 1."
        raise ValueError(msg)
    n_field = check_int(n_field, "n_field")
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # small 3-D problems: see the module notes
        X = scaled_astrometry(stars, columns=columns, position=position)
        labels, reason = _group(X, method, random_state, options)
        groups = group_concentration(X, labels)
        if groups.empty:
            msg = (
                f"method={method!r} found no group of stars in {len(X)} stars; "
                "try another method, a smaller min_cluster_size, or a larger cone."
            )
            raise ValueError(msg)
        chosen = int(groups.index[0])
        seed = labels.to_numpy() == chosen
        probability, component = membership(
            X, seed, n_field=n_field, random_state=random_state
        )
    kept = stars.loc[X.index]
    members = kept.loc[
        probability >= threshold, [c for c in MEMBER_COLUMNS if c in kept]
    ]
    members.insert(1 if "source_id" in members else 0, "probability",
                   probability[members.index])  # fmt: skip
    members["distance_pc"] = distance_pc(members["parallax"], zero_point=zero_point)
    members = members.sort_values("probability", ascending=False)
    if len(members) < 5:
        logger.warning(
            "find_cluster: only %d stars have probability >= %g: the chosen "
            "group may not be a cluster. Look at plot_proper_motions and "
            "groups before trusting it.", len(members), threshold,
        )  # fmt: skip
    summary = cluster_summary(members, zero_point=zero_point)
    ratio = (
        groups["concentration"].iloc[0] / groups["concentration"].iloc[1]
        if len(groups) > 1
        else np.inf
    )
    choices = pd.DataFrame(
        [
            ("scale", f"{list(X.columns)} by median and IQR",
             "the field's spread sets the units, not the cluster's"),
            ("group", method, reason),
            ("choose", f"group {chosen} ({int(groups['stars'].iloc[0])} stars)",
             f"most concentrated: stars per unit covariance volume, {ratio:.3g}x "
             "the next group"),
            ("membership", f"1 cluster + {n_field} field Gaussians",
             f"posterior of the cluster component (weight {component['weight']:.3f})"),
            ("members", f"probability >= {threshold}", f"{len(members)} stars"),
            ("distance", f"zero-point {zero_point} mas removed",
             "Gaia (E)DR3 global value (Lindegren et al. 2021)"),
        ],
        columns=["step", "choice", "reason"],
    )  # fmt: skip
    return OpenCluster(
        labels=labels, groups=groups, chosen=chosen, probability=probability,
        members=members, summary=summary, choices=choices, scaled=X,
        dropped=stars.index.difference(X.index),
    )  # fmt: skip
