"""Find the open cluster of a cone, and each star's probability of membership.

The steps (each recorded in ``choices``):

1. *Scale*: (pmra, pmdec, parallax), optionally with the tangent-plane sky
   offsets, each centred on its median and divided by its interquartile
   range (``sklearn.preprocessing.RobustScaler``), so that the field's
   spread, not a cluster's, sets the units (as Hunt & Reffert 2021 rescale
   before HDBSCAN).
2. *Group* with :func:`astrokit.cluster.cluster`: HDBSCAN (Hunt & Reffert
   2021, 2023; default), DBSCAN (Castro-Ginard et al. 2018) or a Gaussian
   mixture (Cantat-Gaudin et al. 2019's first step).
3. *Choose* the most concentrated group: the most stars per unit volume of
   its covariance ellipsoid in the scaled space, ``n / sqrt(det(cov))``.
   An open cluster is a tight knot in astrometry; field "groups" are broad.
   No literature position is used.
4. *Membership*: a mixture of one Gaussian for the cluster and
   ``n_field`` Gaussians for the field, fitted to all stars by EM
   (:class:`astrokit.cluster.Clusterer` with ``method="gmm"``, started from
   the chosen group's robust centre and covariance,
   ``sklearn.covariance.MinCovDet`` on at most 500 of its stars, and a
   mixture fitted to the other stars). A star's probability is its
   posterior probability of the cluster component: the classical
   proper-motion membership of Vasilevskis et al. (1958) and Sanders
   (1971), with parallax added. Members are the stars with probability
   >= ``threshold``.

For DBSCAN, ``eps`` (unless given) is half the median distance of a star to
its ``min_samples``-th neighbour: a core star then sits where the density is
at least 2**d times (8 in 3-D) the typical density of the cone, a density
contrast rather than a constant in mas/yr.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_int
from astrokit.stars._cone import ASTROMETRY, check_cone

__all__ = ["scaled_astrometry", "group_concentration", "membership", "dbscan_eps"]

logger = logging.getLogger("astrokit.stars")

MIN_STARS = 50
"""Fewest stars with astrometry a cone must hold to look for a cluster."""
MCD_MAX_ROWS = 500
"""The robust start of the cluster component uses at most this many stars."""


def sky_offsets(stars: pd.DataFrame) -> pd.DataFrame:
    """Tangent-plane offsets (deg) from the cone's median position (astropy)."""
    import astropy.units as u
    from astropy.coordinates import SkyCoord

    coords = SkyCoord(stars["ra"].to_numpy() * u.deg, stars["dec"].to_numpy() * u.deg)
    centre = SkyCoord(np.median(stars["ra"]) * u.deg, np.median(stars["dec"]) * u.deg)
    local = coords.transform_to(centre.skyoffset_frame())
    return pd.DataFrame(
        {"x_deg": local.lon.deg, "y_deg": local.lat.deg}, index=stars.index
    )


def scaled_astrometry(
    stars: pd.DataFrame, *, columns=ASTROMETRY, position: bool = False
) -> pd.DataFrame:
    """The clustering space: columns scaled by median and IQR; rows kept finite.

    Raises
    ------
    ValueError
        Missing columns, no finite value in one, or fewer than
        :data:`MIN_STARS` stars with every column finite.
    """
    from sklearn.preprocessing import RobustScaler

    columns = list(columns)
    check_cone(stars, columns + (["ra", "dec"] if position else []), name="stars")
    values = stars[columns].apply(pd.to_numeric, errors="coerce")
    if position:
        values = values.join(sky_offsets(stars))
    values = values[np.isfinite(values).all(axis=1)]
    if len(values) < MIN_STARS:
        msg = (
            f"stars: only {len(values)} stars have finite {list(values.columns)}; "
            f"finding a cluster needs at least {MIN_STARS}. Widen the cone, or "
            "relax the quality cuts (g_max, max_ruwe)."
        )
        raise ValueError(msg)
    scaled = RobustScaler().fit(values)
    if not np.all(scaled.scale_ > 0):
        flat = [c for c, s in zip(values.columns, scaled.scale_, strict=True) if s <= 0]
        msg = f"stars: column(s) {flat} have no spread (interquartile range 0)."
        raise ValueError(msg)
    out = pd.DataFrame(
        scaled.transform(values), index=values.index, columns=values.columns
    )
    names = list(values.columns)
    out.attrs = {
        "center": dict(zip(names, scaled.center_, strict=True)),
        "scale": dict(zip(names, scaled.scale_, strict=True)),
    }
    return out


def dbscan_eps(X: pd.DataFrame, min_samples: int) -> float:
    """Half the median distance to the ``min_samples``-th neighbour (see notes)."""
    from sklearn.neighbors import NearestNeighbors

    k = int(min(min_samples, len(X) - 1))
    dist, _ = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X)
    return float(0.5 * np.median(dist[:, -1]))


def group_concentration(X: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    """Per group: size and ``concentration = n / sqrt(det(cov))`` (scaled units)."""
    rows = {}
    d = X.shape[1]
    for label in sorted(set(labels) - {-1}):
        inside = X[labels.to_numpy() == label].to_numpy()
        n = len(inside)
        if n <= d + 1:
            continue
        det = float(np.linalg.det(np.cov(inside, rowvar=False)))
        rows[int(label)] = {
            "stars": n,
            "concentration": n / np.sqrt(det) if det > 0 else np.inf,
        }
    table = pd.DataFrame.from_dict(
        rows, orient="index", columns=["stars", "concentration"]
    )
    table.index.name = "group"
    return table.sort_values("concentration", ascending=False)


def membership(
    X: pd.DataFrame, seed: np.ndarray, *, n_field: int = 2, random_state=0
) -> tuple[pd.Series, dict]:
    """Posterior cluster probability per star, from a 1 + ``n_field`` mixture.

    ``seed`` marks the stars of the chosen group (they start the cluster
    component). Returns the probabilities (index of ``X``) and the fitted
    cluster component in scaled units (``mean``, ``covariance``, ``weight``).
    """
    from sklearn.covariance import MinCovDet

    from astrokit.cluster import Clusterer

    n_field = check_int(n_field, "n_field")
    values = X.to_numpy()
    rows = np.flatnonzero(seed)
    if len(rows) > MCD_MAX_ROWS:  # MCD's cost grows fast; 500 stars pin a centre
        rng = np.random.default_rng(random_state)
        rows = rng.choice(rows, MCD_MAX_ROWS, replace=False)
    robust = MinCovDet(random_state=random_state).fit(values[rows])
    quiet = logging.getLogger("astrokit.cluster")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # its dominance warnings are about labels: not used
    try:
        field = Clusterer(
            "gmm", n_clusters=n_field, random_state=random_state,
            options={"n_init": 1},
        ).fit(values[~seed]).estimator_  # fmt: skip
        share = float(seed.mean())
        init = {
            "means_init": np.vstack([robust.location_, field.means_]),
            "precisions_init": np.linalg.inv(
                np.concatenate([robust.covariance_[None], field.covariances_])
            ),
            "weights_init": np.concatenate([[share], field.weights_ * (1 - share)]),
            "n_init": 1,
        }
        model = Clusterer(
            "gmm", n_clusters=1 + n_field, random_state=random_state, options=init
        ).fit(values).estimator_  # fmt: skip
    finally:
        quiet.setLevel(level)
    probability = pd.Series(
        model.predict_proba(values)[:, 0], index=X.index, name="probability"
    )
    component = {
        "mean": model.means_[0], "covariance": model.covariances_[0],
        "weight": float(model.weights_[0]),
    }  # fmt: skip
    return probability, component
