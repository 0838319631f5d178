""":func:`astrokit.discover` on a large table: fit on a sample, place the rest.

Above :data:`LARGE_ROWS` complete rows, every step of the loop that costs
more than linear time is fitted on one seeded random sample of
:data:`SAMPLE_ROWS` rows (the same rows for every step), and the other rows
are placed by models fitted on it:

- embedding: UMAP of the sample; every other row at the distance-weighted
  mean of the coordinates of its nearest sample rows in feature space
  (:class:`astrokit.embedding._place.NeighbourPlacer`);
- clusters: HDBSCAN with its stability reruns on the sample's embedding;
  every other row takes the majority label of its nearest sample rows in
  the embedding (noise among them), and as confidence the mean over those
  neighbours of their own confidence where they carry that label (0 where
  they do not), so a row between two groups is less sure;
- outliers: each method of :mod:`astrokit.outliers` fitted on the sample and
  every other row scored against it (``OutlierScorer(max_rows=...)``,
  percentiles among the sample); GLOSH, which needs HDBSCAN's tree over
  every pair of fitted rows and keeps no model for new rows, is left out.

Each such choice is recorded in ``choices`` with its reason. The code here
is the bookkeeping; the models are scikit-learn's and the kit's.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

__all__ = [
    "run",
    "LARGE_ROWS",
    "SAMPLE_ROWS",
    "LABEL_NEIGHBORS",
    "sample_rows",
    "embedding",
    "groups",
    "outliers",
]

logger = logging.getLogger("astrokit.discover")

LARGE_ROWS = 100_000
"""Above this many complete rows, discover fits on a sample and places the rest.

The loop on every row grows faster than linearly (UMAP's neighbours, HDBSCAN
and its five reruns, LOF with neighbours at the 1% group scale, so 1% more
rows is more neighbours per row too). Measured on a 50,000-row sample of the
full tier (CPU seconds on a busy 2-core machine): UMAP 78, HDBSCAN and its
reruns 107 (scikit-learn's; fast_hdbscan's are about four times faster),
the outlier fits 105 (LOF's 500 neighbours and the forest most
of it); scoring placed rows costs about 0.9 ms of CPU each (LOF's neighbour
query most of it)."""

SAMPLE_ROWS = 50_000
"""Rows of the sample that every model is fitted on (the demo tier's scale).

At this size UMAP's neighbours are still exact (``EXACT_MAX_ROWS``), a group
of 1% is 500 rows (as on the demo tier, where the settings were measured),
and LOF's 500 neighbours fit its memory bound; each placed row then costs
neighbour queries only (``benchmarks/bench_demo_full.py``)."""

LABEL_NEIGHBORS = 10
"""Labelled sample rows (nearest in the embedding) that vote on a placed row."""


def run(
    X, n_neighbors, random_state, progress, choices, wanted, run_groups, on_feature
):
    """``(embedding, labels, confidence, stability, outliers)`` of a large ``X``.

    ``run_groups(embedding, random_state, choices)`` is discover's clustering
    step (HDBSCAN and its reruns), applied to the sample's embedding, or with
    ``on_feature`` to its one feature.
    """
    rows = sample_rows(len(X), SAMPLE_ROWS, random_state)
    choices.append(
        (
            "sample",
            f"{len(rows):,} of {len(X):,} rows drawn at random (seeded); every "
            "model below is fitted on them and places the other rows",
            f"above LARGE_ROWS={LARGE_ROWS:,} rows the loop's cost grows faster "
            "than the rows (neighbours, HDBSCAN, LOF); a uniform sample keeps "
            "every group of 1% or more with hundreds of rows",
        )
    )
    emb = embedding(X, rows, n_neighbors, random_state, choices)
    space = X if on_feature else emb
    labels, confidence, stable = groups(space, rows, run_groups, random_state, choices)
    scores = pd.DataFrame(index=X.index)
    if wanted:
        scores = outliers(X, rows, n_neighbors, random_state, progress, choices)
    return emb, labels, confidence, stable, scores


def sample_rows(n_rows: int, size: int, random_state) -> np.ndarray:
    """Sorted positions of ``size`` of ``n_rows`` rows, seeded.

    The same draw as ``OutlierScorer(max_rows=size)`` and
    ``embed(max_rows=size)``, so every step sees the same sample.
    """
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n_rows, size, replace=False))


def embedding(X: pd.DataFrame, rows, n_neighbors, random_state, choices):
    """UMAP of the sample rows of ``X``; the other rows placed by neighbours."""
    from astrokit import embedding as emb
    from astrokit.embedding._place import NeighbourPlacer

    k = min(n_neighbors, len(rows) - 1)
    sample = X.iloc[rows]
    fitted = emb.embed(sample, n_neighbors=k, min_dist=0.0, random_state=random_state)
    placer = NeighbourPlacer(n_jobs=-1).fit(sample, fitted)
    rest = np.setdiff1d(np.arange(len(X)), rows)
    placed = placer.transform(X.iloc[rest])
    out = pd.concat([fitted, placed]).reindex(X.index)
    choices.append(
        (
            "distance",
            f"euclidean, {k} neighbours",
            "on standardised features it recovers compact groups best in the "
            "benchmarks (demo, SDSS, Gaia); the forest is used for outliers",
        )
    )
    choices.append(
        (
            "embedding",
            f"UMAP, n_neighbors={k}, min_dist=0, fitted on a random sample of "
            f"{len(rows):,} of {len(X):,} rows; the other rows placed at the "
            f"distance-weighted mean of their {placer.n_neighbors_} nearest "
            "sample rows (features)",
            "Baron's settings; a sample because UMAP's cost grows faster than "
            "the rows; neighbour placement because it is as trustworthy as "
            "UMAP.transform (0.949 against 0.957 on 100,000 full-tier rows) "
            "at about 50 times less CPU (benchmarks/bench_placement.py)",
        )
    )
    return out


def groups(emb: pd.DataFrame, rows, run_groups, random_state, choices):
    """``run_groups`` (HDBSCAN + reruns) on the sample; labels for the rest."""
    from sklearn.neighbors import NearestNeighbors

    sample = emb.iloc[rows]
    labels, confidence, stable = run_groups(sample, random_state, choices)
    rest = np.setdiff1d(np.arange(len(emb)), rows)
    k = min(LABEL_NEIGHBORS, len(rows))
    nn = NearestNeighbors(n_neighbors=k, n_jobs=-1).fit(sample.to_numpy())
    _, ind = nn.kneighbors(emb.iloc[rest].to_numpy())
    votes = labels.to_numpy()[ind]  # (rest, k), noise -1 among them
    conf = np.nan_to_num(confidence.to_numpy(dtype=float))[ind]
    shifted = votes + 1  # -1 -> 0
    counts = np.zeros((len(rest), int(shifted.max()) + 1), dtype=np.int32)
    np.add.at(counts, (np.repeat(np.arange(len(rest)), k), shifted.ravel()), 1)
    winner = counts.argmax(axis=1) - 1  # ties: the lower label, noise first
    agree = votes == winner[:, None]
    placed_conf = np.where(winner >= 0, (conf * agree).mean(axis=1), np.nan)
    all_labels = pd.concat(
        [labels, pd.Series(winner, index=emb.index[rest], name=labels.name)]
    ).reindex(emb.index)
    all_conf = pd.concat(
        [confidence, pd.Series(placed_conf, index=emb.index[rest])]
    ).reindex(emb.index)
    all_conf.name = confidence.name
    stable = stable.copy()
    if "size" in stable:
        stable.insert(1, "sample_size", stable["size"])
        counts_all = all_labels[all_labels >= 0].value_counts()
        stable["size"] = counts_all.reindex(stable.index).fillna(0).astype(int)
    choices.append(
        (
            "cluster labels",
            f"HDBSCAN and its reruns on the {len(rows):,} sample rows; every "
            f"other row takes the majority label of its {k} nearest sample rows "
            f"in the {'feature' if emb.shape[1] == 1 else 'embedding'}, its "
            "confidence their mean confidence in that label",
            "HDBSCAN's cost grows faster than the rows and it keeps no model "
            "for new rows; the nearest labelled rows are its approximate_predict "
            "in spirit (a row among noise stays noise)",
        )
    )
    return all_labels.astype(labels.dtype), all_conf, stable


def outliers(X: pd.DataFrame, rows, n_neighbors, random_state, progress, choices):
    """Every method that can score new rows, fitted on the sample rows of ``X``."""
    from astrokit import outliers as out

    methods = [m for m in out.DEFAULT_METHODS if m != "glosh"]
    scorer = out.OutlierScorer(
        methods,
        n_neighbors=min(n_neighbors, len(rows) - 1),
        max_rows=len(rows),
        random_state=random_state,
        n_jobs=-1,
        progress=progress,
    ).fit(X)
    if not np.array_equal(scorer.fit_rows_, rows):  # the same seeded draw
        msg = "internal: the outlier sample differs from the embedding's."
        raise RuntimeError(msg)
    choices.append(
        (
            "outliers",
            f"{', '.join(methods)} fitted on the {len(rows):,} sample rows, every "
            "other row scored against them (percentiles among the sample), and "
            "their combined rank",
            "each method sees another kind of outlier; glosh is left out: it "
            "needs HDBSCAN's tree over every pair of fitted rows and keeps no "
            "model to score new rows",
        )
    )
    return scorer.scores_
