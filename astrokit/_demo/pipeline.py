"""The analysis behind ``astrokit demo``: :func:`astrokit.discover`, then the truth.

:func:`analyse` runs the whole loop with :func:`astrokit.discover` and its
defaults (the eleven features of Baron et al. 2024 under ``policy="flag"``,
25 Euclidean neighbours of the standardised features, UMAP with Baron's
``min_dist=0`` (the forest's own embedding clusters worse: see
:data:`astrokit._discover._loop.METRIC`), HDBSCAN on the embedding with
confidence over subsamples (a group that dissolves in them withdrawn),
groups split where their features hold two separate Gaussians
(:func:`astrokit.cluster.split_groups`), effect sizes, every outlier method
and their combined score), names each group from its features
(:func:`astrokit.interpret.describe_clusters`), and only then
grades the result against the planted truth. No choice reads a truth column.
"""

from __future__ import annotations

import logging
import time

import pandas as pd

logger = logging.getLogger("astrokit.demo")


class _Clock:
    """Log and keep the wall time of each step."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    def __call__(self, step: str, func, *args, **kwargs):
        logger.info("%s ...", step)
        start = time.perf_counter()
        result = func(*args, **kwargs)
        self.times[step] = time.perf_counter() - start
        return result


def analyse(table: pd.DataFrame, *, random_state: int = 0, progress=False) -> dict:
    """Run :func:`astrokit.discover` on ``table``, describe the groups, grade them.

    Returns a dict of the results the report shows; ``"times"`` holds the
    seconds each step took. ``progress``: discover's progress bar.
    """
    from astrokit import discover, features, interpret

    clock = _Clock()
    found = clock(
        "discover", discover, table, random_state=random_state, progress=progress
    )
    derived = features.derive(table, policy="flag").loc[found.labels.index]
    description = clock(
        "naming the groups",
        interpret.describe_clusters,
        derived,
        found.labels,
        columns=list(found.features.columns),
    )
    result = dict(
        features=derived,
        X=found.X,
        embedding=found.embedding,
        labels=found.labels,
        choices=found.choices,
        stability_rows=found.confidence.to_frame("confidence"),
        stability_clusters=found.stability,
        effects=found.effects,
        summary=found.summary,
        description=description,
        outlier_scores=found.outliers,
        times=clock.times,
    )
    _grade(result, table)
    return result


def _grade(result: dict, table: pd.DataFrame) -> None:
    """Add the agreement with the planted truth, after the analysis ran."""
    from astrokit import cluster, outliers

    truth = table.attrs.get("truth_columns", [])
    labels = result["labels"]
    if "truth_env" in truth:
        truth_env = table.loc[labels.index, "truth_env"]
        result["agreement"] = cluster.agreement(labels, truth_env)
        result["n_planted_groups"] = int(truth_env.nunique())
        result["contingency"] = cluster.contingency(
            labels, truth_env, normalize="cluster"
        )
    if "truth_anomaly" in truth:
        scores = result["outlier_scores"]
        planted = table.loc[scores.index, "truth_anomaly"]
        result["outlier_precision"] = outliers.precision_at_k(scores, planted)
        result["n_planted"] = int(planted.sum())
        result["n_planted_table"] = int(table["truth_anomaly"].sum())
