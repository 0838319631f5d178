"""The gradient-boosted trees behind a label transfer, one name per library.

:data:`BACKENDS` maps a name to a regressor that handles NaN features
natively (a missing value goes down the branch learned for it) and has a
quantile loss, so that one library gives the point prediction and its
interval:

- ``"sklearn"``: ``sklearn.ensemble.HistGradientBoostingRegressor`` (the
  default; always installed; ``loss="quantile"``, ``quantile=q``). Early
  stopping is on at every size (scikit-learn turns it on only above 10,000
  rows): 10% of the training rows are set aside and boosting stops after 10
  rounds without improvement there. It regularises small fits and makes them
  about four times faster (a 700-row fit here: 25-35 rounds instead of 100);
  pass ``params={"early_stopping": False}`` for scikit-learn's default;
- ``"lightgbm"``: ``lightgbm.LGBMRegressor`` (``objective="quantile"``,
  ``alpha=q``), when installed (``pip install lightgbm``);
- ``"xgboost"``: ``xgboost.XGBRegressor`` (``objective="reg:quantileerror"``,
  ``quantile_alpha=q``, XGBoost 2.0 or later), when installed
  (``pip install xgboost``).

Each library is imported only when a model is made.
"""

from __future__ import annotations

import difflib
import importlib

__all__ = ["BACKENDS", "make_regressor", "check_backend"]

BACKENDS = {
    "sklearn": "sklearn.ensemble.HistGradientBoostingRegressor",
    "lightgbm": "lightgbm.LGBMRegressor",
    "xgboost": "xgboost.XGBRegressor",
}
"""Backend name -> the regressor class it uses (module path)."""

_INSTALL = {"lightgbm": "pip install lightgbm", "xgboost": "pip install xgboost"}


def check_backend(backend) -> str:
    """``backend`` if it names a key of :data:`BACKENDS`, else ValueError."""
    if backend not in BACKENDS:
        close = difflib.get_close_matches(str(backend), list(BACKENDS), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        msg = f"backend={backend!r} is not one of {list(BACKENDS)}.{hint}"
        raise ValueError(msg)
    return backend


def _regressor_class(backend: str):
    module, _, name = BACKENDS[backend].rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError as err:
        msg = (
            f"backend={backend!r} needs the {module.split('.')[0]} package, which "
            f"is not installed: {_INSTALL[backend]} (or use backend='sklearn')."
        )
        raise ImportError(msg) from err


def make_regressor(backend: str, *, quantile: float | None, params: dict, seed: int):
    """An unfitted regressor: the mean (``quantile`` None) or a quantile.

    ``params`` are passed on to the library's class (e.g. ``max_iter`` for
    scikit-learn, ``n_estimators`` for LightGBM and XGBoost); the loss, the
    quantile and the seed are set here.
    """
    cls = _regressor_class(check_backend(backend))
    params = dict(params)
    if backend == "sklearn":
        loss = {"loss": "squared_error"} if quantile is None else {
            "loss": "quantile", "quantile": quantile,
        }  # fmt: skip
        params.setdefault("early_stopping", True)
        return cls(**loss, random_state=seed, **params)
    if backend == "lightgbm":
        loss = {"objective": "regression"} if quantile is None else {
            "objective": "quantile", "alpha": quantile,
        }  # fmt: skip
        params.setdefault("verbose", -1)
        return cls(**loss, random_state=seed, **params)
    loss = {"objective": "reg:squarederror"} if quantile is None else {
        "objective": "reg:quantileerror", "quantile_alpha": quantile,
    }  # fmt: skip
    return cls(**loss, random_state=seed, **params)
