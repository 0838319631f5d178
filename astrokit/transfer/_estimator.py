"""The fitted label transfer: :class:`LabelTransfer`, one model set per label.

For each label: its labelled rows (finite label, at least one finite
feature) are split into a training part and a held-out part; gradient-boosted
trees learn the mean (squared error) and two quantiles (the interval) on the
training part; the held-out part gives the scores (:func:`scores`) and the
permutation importances; with ``refit=True`` the models are then refitted on
every labelled row. :func:`astrokit.transfer.transfer_labels` is
``LabelTransfer(...).fit(table[features], table[labels]).predictions_``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from astrokit._shared.matrix import names_list
from astrokit.transfer._fit import check_options, fit_label, predict_models, threads
from astrokit.transfer._inputs import check_features, check_groups, check_labels

__all__ = ["LabelTransfer", "MIN_LABELLED", "SPLITS"]

MIN_LABELLED = 50
"""Fewest labelled rows per label by default: enough to train and hold out."""

SPLITS = ("train", "test", "unlabelled", "unused")
"""What a row was for one label: trained on, held out, without a label (to
be predicted), or labelled but with no finite feature (left out)."""


class LabelTransfer(BaseEstimator):
    """Learn labels from cheap features where both exist; predict them elsewhere.

    Anders' "label transfer": spectroscopic labels (a redshift, a line ratio,
    a metallicity) are known for a subset; photometry for all. Gradient-
    boosted trees, one set per label, learn the labels from the features on
    the labelled rows and predict them for every row. NaN features are
    allowed (the trees learn a branch for a missing value, e.g. outside an
    instrument's footprint); NaN labels mark the rows to predict.

    Parameters
    ----------
    backend : {"sklearn", "lightgbm", "xgboost"}, default "sklearn"
        The trees (see :data:`astrokit.transfer.BACKENDS`): scikit-learn's
        ``HistGradientBoostingRegressor``, or LightGBM / XGBoost when
        installed.
    params : dict, optional
        Passed to the backend's regressor (e.g. ``{"max_iter": 300}``).
    interval : (float, float) or None, default (0.16, 0.84)
        Quantiles of the prediction interval, each a model with the quantile
        (pinball) loss; None: no interval (a third of the fitting time).
    test_size : float, default 0.25
        Fraction of each label's labelled rows held out for the scores.
    redshift : str or list of str, optional
        Labels scored as redshifts: residuals over ``1 + z``, outliers above
        0.15 (see :func:`astrokit.transfer.scores`).
    outlier_threshold : float or dict, optional
        Outlier threshold in each label's residual units (a dict: per label);
        default 0.15 for redshifts, three times the label's spread otherwise.
    min_labelled : int, default 50
        Fewest labelled rows a label needs.
    n_repeats : int, default 5
        Shuffles per feature for the permutation importances (0: none).
    refit : bool, default False
        After scoring, refit every model on all labelled rows (the scores
        then describe a model trained on fewer rows than the one kept).
    random_state : int, Generator, RandomState or None, default 0
        Seeds the split, the trees and the importances.
    n_jobs : int or None, default None
        Threads of the trees (None: 1, -1: all cores), set with
        ``threadpoolctl``: OpenMP's default of every core spins badly on a
        shared machine (here a fit took ten times longer with two busy
        cores than with one thread).
    progress : bool, default True
        A tqdm bar over the labels (when there are several).

    Attributes
    ----------
    labels_, feature_names_in_ : list
    n_features_in_ : int
    models_ : dict
        ``{label: {"mean": model, "low": model, "high": model}}``.
    scores_ : DataFrame
        One row per label: ``n_labelled``, ``n_unlabelled``, ``n_unused``,
        ``n_train``, then the held-out :func:`~astrokit.transfer.scores`.
    importances_, importances_std_ : DataFrame
        Features x labels: the drop in held-out R^2 when the feature is
        shuffled (``sklearn.inspection.permutation_importance``), mean and
        spread over the repeats. Features that carry the same information
        share it: each looks less important than the pair.
    split_ : DataFrame
        Features' index x labels: each row's role, one of :data:`SPLITS`.
    predictions_ : DataFrame
        For the rows given to :meth:`fit`: ``<label>_pred``, ``<label>_lo``,
        ``<label>_hi``, ``<label>_split`` and ``extrapolated`` (see
        :meth:`extrapolated`).
    feature_range_ : DataFrame
        Per feature: ``min``, ``max`` and ``nan_seen`` over the trained rows.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(400, 2)), columns=["a", "b"])
    >>> y = pd.Series(2 * X["a"] + 0.1 * rng.normal(size=400), name="y")
    >>> y[300:] = np.nan  # not measured: to be predicted
    >>> model = LabelTransfer(progress=False).fit(X, y)
    >>> model.scores_.loc["y", ["n_labelled", "n_unlabelled", "n_test"]].tolist()
    [300.0, 100.0, 75.0]
    >>> bool(model.scores_.loc["y", "nmad"] < 0.3 * model.scores_.loc["y", "baseline_nmad"])
    True
    >>> model.importances_["y"].idxmax()
    'a'
    """  # noqa: E501

    def __init__(
        self,
        *,
        backend: str = "sklearn",
        params: dict | None = None,
        interval=(0.16, 0.84),
        test_size: float = 0.25,
        redshift=None,
        outlier_threshold=None,
        min_labelled: int = MIN_LABELLED,
        n_repeats: int = 5,
        refit: bool = False,
        random_state=0,
        n_jobs: int | None = None,
        progress: bool = True,
    ):
        self.backend = backend
        self.params = params
        self.interval = interval
        self.test_size = test_size
        self.redshift = redshift
        self.outlier_threshold = outlier_threshold
        self.min_labelled = min_labelled
        self.n_repeats = n_repeats
        self.refit = refit
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress

    def fit(self, X, Y, groups=None) -> LabelTransfer:
        """Train, score on held-out rows, and predict every row of ``X``.

        Parameters
        ----------
        X : DataFrame or array of shape (N, d)
            Numeric features; NaN allowed (not infinite).
        Y : Series, DataFrame or array of shape (N,) or (N, n_labels)
            The labels, NaN where not measured; on ``X``'s index.
        groups : array-like of shape (N,), optional
            Rows of one group are held out together (e.g.
            :func:`astrokit.transfer.sky_blocks`); default: a random split.

        Returns
        -------
        LabelTransfer
            ``self``, fitted.

        Raises
        ------
        ValueError
            Non-numeric or infinite features or labels, mismatched rows, a
            label with fewer than ``min_labelled`` labelled rows, bad options.
        """
        from tqdm.auto import tqdm

        values, names, index = check_features(X, "X")
        labels = check_labels(Y, values.shape[0], index)
        self.labels_ = list(labels.columns)
        opts = check_options(self, self.labels_)
        self._n_threads = opts["n_threads"]
        groups = check_groups(groups, index)
        self.feature_names_in_, self.n_features_in_ = names, len(names)
        fits = {}
        several = len(self.labels_) > 1
        bar = tqdm(self.labels_, desc="labels", disable=not (self.progress and several))
        with threads(opts["n_threads"]):
            for label in bar:
                bar.set_postfix_str(str(label))
                y = labels[label].to_numpy()
                fits[label] = fit_label(values, y, groups, label, opts)
        self.models_ = {k: f["models"] for k, f in fits.items()}
        self.scores_ = pd.DataFrame({k: f["scores"] for k, f in fits.items()}).T
        self.scores_.index.name = "label"
        imp = {k: f["importance"] for k, f in fits.items()}
        self.importances_ = pd.DataFrame({k: v[0] for k, v in imp.items()}, names)
        self.importances_std_ = pd.DataFrame({k: v[1] for k, v in imp.items()}, names)
        roles = {k: pd.Categorical(f["role"], SPLITS) for k, f in fits.items()}
        self.split_ = pd.DataFrame(roles, index=index)
        trained = np.unique(np.concatenate([f["trained"] for f in fits.values()]))
        self.feature_range_ = _ranges(values[trained], names)
        self.predictions_ = self._table(values, index)
        return self

    def _values(self, X) -> tuple[np.ndarray, pd.Index]:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "models_")
        if isinstance(X, pd.DataFrame):
            missing = [c for c in self.feature_names_in_ if c not in X.columns]
            if missing:
                msg = (
                    f"X lacks the feature columns {names_list(missing)} the model "
                    f"was fitted on ({names_list(self.feature_names_in_)})."
                )
                raise ValueError(msg)
            X = X[self.feature_names_in_]
        values, _, index = check_features(X, "X")
        if values.shape[1] != self.n_features_in_:
            msg = (
                f"X has {values.shape[1]} columns; the model was fitted on "
                f"{self.n_features_in_} features {names_list(self.feature_names_in_)}."
            )
            raise ValueError(msg)
        return values, index

    def _predict_all(self, values: np.ndarray) -> dict:
        empty = ~np.isfinite(values).any(axis=1)
        out = {}
        with threads(getattr(self, "_n_threads", 1)):
            for label, models in self.models_.items():
                pred = predict_models(models, values)
                out[label] = {k: np.where(empty, np.nan, v) for k, v in pred.items()}
        return out

    def predict(self, X) -> pd.DataFrame:
        """The predicted labels (the mean model), one column per label.

        Rows with no finite feature get NaN (nothing to predict from).
        """
        values, index = self._values(X)
        pred = self._predict_all(values)
        return pd.DataFrame({k: v["mean"] for k, v in pred.items()}, index=index)

    def predict_interval(self, X) -> pd.DataFrame:
        """``<label>_lo`` and ``<label>_hi``: the quantiles of ``interval``."""
        if self.interval is None:
            msg = "interval=None: this model has no quantile models; refit with one."
            raise ValueError(msg)
        values, index = self._values(X)
        out = {}
        for label, pred in self._predict_all(values).items():
            out[f"{label}_lo"], out[f"{label}_hi"] = pred["low"], pred["high"]
        return pd.DataFrame(out, index=index)

    def extrapolated(self, X) -> pd.Series:
        """True where a row lies outside what the trees were trained on.

        A feature beyond the trained range (trees predict a constant there),
        or NaN where no trained row had NaN (a branch never trained).
        """
        values, index = self._values(X)
        r = self.feature_range_
        with np.errstate(invalid="ignore"):
            beyond = (values < r["min"].to_numpy()) | (values > r["max"].to_numpy())
        unseen_nan = np.isnan(values) & ~r["nan_seen"].to_numpy()
        outside = (beyond | unseen_nan).any(axis=1)
        return pd.Series(outside, index=index, name="extrapolated")

    def _table(self, values: np.ndarray, index: pd.Index) -> pd.DataFrame:
        cols = {}
        for label, pred in self._predict_all(values).items():
            cols[f"{label}_pred"] = pred["mean"]
            if "low" in pred:
                cols[f"{label}_lo"], cols[f"{label}_hi"] = pred["low"], pred["high"]
            cols[f"{label}_split"] = self.split_[label].array
        out = pd.DataFrame(cols, index=index)
        frame = pd.DataFrame(values, index=index, columns=self.feature_names_in_)
        out["extrapolated"] = self.extrapolated(frame)
        return out


def _ranges(seen: np.ndarray, names: list) -> pd.DataFrame:
    """Per feature: finite ``min`` and ``max`` of the trained rows, ``nan_seen``."""
    nan = np.isnan(seen)
    return pd.DataFrame(
        {
            "min": np.where(nan, np.inf, seen).min(axis=0),
            "max": np.where(nan, -np.inf, seen).max(axis=0),
            "nan_seen": nan.any(axis=0),
        },
        index=names,
    )
