"""Fitting one label of a :class:`~astrokit.transfer.LabelTransfer`.

:func:`check_options` validates the estimator's parameters once;
:func:`fit_label` does one label: its labelled rows (finite label, at least
one finite feature), the held-out split (random or grouped), the mean and
quantile models on the training part, the held-out scores and permutation
importances, and the optional refit on every labelled row.
:func:`threads` limits the trees' OpenMP threads.
"""

from __future__ import annotations

import contextlib
import logging
import os

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_int, check_random_state
from astrokit._shared.matrix import names_list
from astrokit.transfer._backends import check_backend, make_regressor
from astrokit.transfer._metrics import scores

__all__ = ["check_options", "fit_label", "predict_models", "threads"]

logger = logging.getLogger("astrokit.transfer")


def _seed(random_state) -> int | None:
    state = check_random_state(random_state)
    if isinstance(state, np.random.Generator):
        return int(state.integers(2**31 - 1))
    if isinstance(state, np.random.RandomState):
        return int(state.randint(2**31 - 1))
    return state


def _check_interval(interval):
    if interval is None:
        return None
    ok = (
        isinstance(interval, tuple | list)
        and len(interval) == 2
        and all(isinstance(q, float | int) and 0 < q < 1 for q in interval)
        and interval[0] < interval[1]
    )
    if not ok:
        msg = (
            f"interval={interval!r} must be two quantiles 0 < low < high < 1, "
            "e.g. (0.16, 0.84) for a 68% interval, or None for no interval."
        )
        raise ValueError(msg)
    return float(interval[0]), float(interval[1])


def _check_test_size(test_size) -> float:
    if (
        isinstance(test_size, bool)
        or not isinstance(test_size, float | int)
        or not 0 < test_size < 1
    ):
        msg = (
            f"test_size={test_size!r} must be a fraction between 0 and 1 (the "
            "labelled rows held out to score the model), e.g. 0.25."
        )
        raise ValueError(msg)
    return float(test_size)


def _n_threads(n_jobs) -> int:
    if n_jobs is None:
        return 1
    if n_jobs == -1:
        return os.cpu_count() or 1
    return check_int(n_jobs, "n_jobs", what="threads, -1 for all cores, or None")


def check_options(est, labels: list) -> dict:
    """The checked options of ``est`` (a LabelTransfer) for these labels."""
    check_backend(est.backend)
    redshift = est.redshift or []
    redshift = [redshift] if isinstance(redshift, str) else list(redshift)
    threshold = est.outlier_threshold
    named = [*redshift, *(threshold if isinstance(threshold, dict) else {})]
    unknown = [n for n in named if n not in labels]
    if unknown:
        msg = (
            f"redshift / outlier_threshold name {unknown}, which are not labels; "
            f"the labels are {names_list(labels)}."
        )
        raise ValueError(msg)
    if est.params is not None and not isinstance(est.params, dict):
        msg = f"params={est.params!r} must be a dict of regressor options."
        raise TypeError(msg)
    return {
        "backend": est.backend,
        "params": dict(est.params or {}),
        "interval": _check_interval(est.interval),
        "test_size": _check_test_size(est.test_size),
        "redshift": redshift,
        "threshold": threshold,
        "min_labelled": check_int(est.min_labelled, "min_labelled", minimum=4),
        "n_repeats": check_int(est.n_repeats, "n_repeats", minimum=0),
        "refit": bool(est.refit),
        "seed": _seed(est.random_state),
        "n_threads": _n_threads(est.n_jobs),
    }


@contextlib.contextmanager
def threads(n_threads: int):
    """Limit OpenMP (the trees of every backend) to ``n_threads`` threads."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=n_threads, user_api="openmp"):
        yield


def _split(rows, groups, test_size, seed, label):
    from sklearn.model_selection import GroupShuffleSplit, ShuffleSplit

    if groups is not None and len(np.unique(groups[rows])) < 2:
        msg = (
            f"label {label!r}: its labelled rows fall in one group; a grouped "
            "held-out split needs at least two (use smaller groups)."
        )
        raise ValueError(msg)
    kind = ShuffleSplit if groups is None else GroupShuffleSplit
    splitter = kind(n_splits=1, test_size=test_size, random_state=seed)
    train, test = next(
        splitter.split(rows, groups=None if groups is None else groups[rows])
    )
    return rows[train], rows[test]


def predict_models(models: dict, values: np.ndarray) -> dict:
    """``{"mean": ..., "low": ..., "high": ...}`` predictions of one label."""
    out = {k: m.predict(values) for k, m in models.items()}
    if "low" in out:  # quantile models trained apart may cross
        low, high = out["low"], out["high"]
        out["low"], out["high"] = np.minimum(low, high), np.maximum(low, high)
    return out


def _check_labelled(y, usable, label, min_labelled) -> None:
    n_labelled, n_usable = int(np.isfinite(y).sum()), int(usable.sum())
    if n_usable >= min_labelled:
        return
    why = ""
    if n_usable != n_labelled:
        why = f" ({n_labelled - n_usable} more have a label but no finite feature)"
    msg = (
        f"label {label!r} has {n_usable} labelled rows of {y.size}{why}; label "
        f"transfer needs at least min_labelled={min_labelled} to train and hold "
        "out a test set. Measure more rows, or lower min_labelled (scores on "
        "few rows are noisy)."
    )
    raise ValueError(msg)


def _importances(model, values, y, n_repeats, seed) -> np.ndarray:
    """Mean and spread of the drop in held-out R^2 per shuffled feature."""
    from sklearn.inspection import permutation_importance

    if not n_repeats:
        return np.full((2, values.shape[1]), np.nan)
    found = permutation_importance(
        model, values, y, n_repeats=n_repeats, random_state=seed
    )
    return np.vstack([found.importances_mean, found.importances_std])


def fit_label(values, y, groups, label, opts) -> dict:
    """Models, held-out scores, importances and row roles of one label."""
    labelled = np.isfinite(y)
    usable = labelled & np.isfinite(values).any(axis=1)
    _check_labelled(y, usable, label, opts["min_labelled"])
    logger.info(
        "transfer %s: %d labelled rows, %d without a label (to predict)",
        label, int(usable.sum()), int(y.size - labelled.sum()),
    )  # fmt: skip
    seed = opts["seed"]
    rows = np.flatnonzero(usable)
    train, test = _split(rows, groups, opts["test_size"], seed, label)
    quantiles = {"mean": None}
    if opts["interval"] is not None:
        quantiles |= dict(zip(("low", "high"), opts["interval"], strict=True))
    models = {}
    for key, q in quantiles.items():
        model = make_regressor(
            opts["backend"], quantile=q, params=opts["params"], seed=seed
        )
        models[key] = model.fit(values[train], y[train])
    held_out = predict_models(models, values[test])
    threshold = opts["threshold"]
    if isinstance(threshold, dict):
        threshold = threshold.get(label)
    row = scores(
        y[test], held_out["mean"], redshift=label in opts["redshift"],
        outlier_threshold=threshold,
        lower=held_out.get("low"), upper=held_out.get("high"),
    )  # fmt: skip
    importance = _importances(models["mean"], values[test], y[test],
                              opts["n_repeats"], seed)  # fmt: skip
    if opts["refit"]:
        for model in models.values():
            model.fit(values[rows], y[rows])
    role = np.where(labelled, "unused", "unlabelled").astype(object)
    role[train], role[test] = "train", "test"
    counts = {
        "n_labelled": rows.size,
        "n_unlabelled": int(y.size - labelled.sum()),
        "n_unused": int(labelled.sum() - rows.size),
        "n_train": train.size,
    }
    return {
        "models": models,
        "scores": pd.concat(
            [pd.Series(counts, dtype=float), row.rename({"n": "n_test"})]
        ),
        "importance": importance,
        "role": role,
        "trained": rows if opts["refit"] else train,
    }
