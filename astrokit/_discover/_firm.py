"""The groups :func:`discover` keeps: stable ones, split where their features part.

HDBSCAN's groups on the embedding are first tested by reruns: a group that
dissolves in them is withdrawn (:func:`withdraw_dissolved`). A group whose
features hold two separate Gaussians is then split in two
(:func:`astrokit.cluster.split_groups`), and the split is rerun on
subsamples in its turn: a split whose parts dissolve is undone (:func:`split`).
One rule, Hennig's, for both.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

__all__ = ["DISSOLVED", "n_groups", "groups_of", "withdraw_dissolved", "split"]

logger = logging.getLogger("astrokit.discover")

DISSOLVED = 0.5
"""A group whose mean Jaccard over the reruns is at most this is withdrawn."""

STABILITY_RUNS = 5
"""Subsample reruns behind each row's confidence, and of each split."""


def n_groups(labels) -> int:
    """The groups of ``labels``, noise aside."""
    return int(labels[labels >= 0].nunique())


def groups_of(labels) -> str:
    """``"1 group"``, ``"5 groups"``."""
    found = n_groups(labels)
    return f"{found} group" + ("" if found == 1 else "s")


def withdraw_dissolved(labels, confidence, stable, choices):
    """Label noise the groups that dissolve in the reruns, renumbering the rest.

    Hennig (2007, Comput. Stat. Data Anal. 52, 258) calls a cluster whose
    mean Jaccard similarity over resamples is at most 0.5 *dissolved*: it
    should not be trusted (``fpc::clusterboot``'s documentation). Its rows
    are in no stable group, so they join the noise rather than a neighbour.
    """
    gone = stable.index[stable["stability"] <= DISSOLVED]
    if len(gone) == len(stable) > 0:
        logger.warning(
            "discover: every group dissolves in the reruns (mean Jaccard at most "
            "%s); they are kept, but none is a stable finding. Try more rows, "
            "fewer features, or a larger n_neighbors.",
            DISSOLVED,
        )
        gone = gone[:0]
    if len(gone):
        kept = stable.index.difference(gone)
        lookup = pd.Series(np.arange(len(kept)), index=kept)
        withdrawn = labels.isin(gone)
        labels = labels.map(lookup).fillna(-1).astype(int).rename(labels.name)
        confidence = confidence.mask(withdrawn)
        shown = ", ".join(
            f"{int(stable.at[g, 'size'])} rows at {stable.at[g, 'stability']:.2f}"
            for g in gone
        )
        stable = stable.loc[kept].set_axis(pd.Index(lookup.to_numpy(), name="cluster"))
    choices.append(
        (
            "stable groups",
            f"{len(gone)} group(s) withdrawn as noise"
            + (f" ({shown})" if len(gone) else "")
            + f": {groups_of(labels)}",
            f"a group whose mean Jaccard over the reruns is at most {DISSOLVED} "
            "has dissolved (Hennig 2007) and is not a finding; its rows are "
            "in no stable group",
        )
    )
    return labels, confidence, stable


def _firm_splits(X, labels, size, random_state):
    """``(split, made, again, undone)``: the splits whose parts survive reruns.

    A split whose part dissolves in the split's reruns (mean Jaccard at most
    :data:`DISSOLVED`) is undone: its group is kept whole, and the others
    are split again (``again`` is then rerun for them alone).
    """
    from astrokit import cluster

    undone: list[int] = []
    while True:
        split, made = cluster.split_groups(
            X, labels, min_size=size, keep_whole=undone, random_state=random_state
        )
        again = cluster.split_stability(
            X, labels, split, min_size=size, n_runs=STABILITY_RUNS,
            random_state=random_state,
        )  # fmt: skip
        weak = made.loc[again.index[again <= DISSOLVED], "from"].unique()
        if not len(weak):
            return split, made, again, undone
        undone += [int(g) for g in weak]


def split(X, labels, confidence, stable, n_neighbors, random_state, choices):
    """Split the groups whose features hold two separate Gaussians.

    A split group keeps its parent's rerun figures in ``stable`` (the reruns
    are HDBSCAN's) and gains its ``split_bound`` and ``split_stability``
    (:func:`astrokit.cluster.split_stability`: the split's own reruns).
    """
    from astrokit import cluster
    from astrokit.cluster._split import BOUND

    size = cluster.smallest_group(len(X), n_neighbors)
    labels_split, made, again, undone = _firm_splits(X, labels, size, random_state)
    parents = stable.reindex(made["from"].to_numpy()).set_axis(made.index)
    parents["size"] = made["size"]
    if "confidence" in parents:
        parents["confidence"] = (
            confidence.groupby(labels_split).mean().reindex(made.index)
        )
    parents["split_bound"] = made["bound"]
    parents["split_stability"] = again.reindex(made.index)
    if "sample_size" in parents:  # the sample's rows of a part are not counted
        parents.loc[made["bound"].notna(), "sample_size"] = np.nan
    bounds = made["bound"].dropna().unique()
    shown = ", ".join(f"{b:.3f}" for b in bounds)
    if len(again):
        shown += "; parts found again in reruns of the split at " + ", ".join(
            f"{j:.2f}" for j in again
        )
    if undone:
        logger.info(
            "discover: the split of group(s) %s is undone: a part dissolves in "
            "reruns of the split",
            undone,
        )
    choices.append(
        (
            "split",
            f"{len(bounds)} group(s) split in two by their features"
            + (f" (Bhattacharyya bounds {shown})" if len(bounds) else "")
            + (f"; split of group(s) {undone} undone" if undone else "")
            + f": {groups_of(labels_split)}",
            "HDBSCAN keeps a group that reaches out of another as a thin tail, "
            "with no drop in density at the neck; a group is split where two "
            "Gaussians fitted to its features (its 5% least likely rows "
            "trimmed) are separate by Hennig's (2010) "
            f"rule (Bhattacharyya bound below {BOUND}), each part holds at "
            f"least {size} rows, and the parts do not dissolve in reruns of "
            f"the split (mean Jaccard above {DISSOLVED})",
        )
    )
    return labels_split, parents
