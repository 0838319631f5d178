"""The options :func:`astrokit.embedding.embed` passes to umap-learn, checked first.

umap-learn checks its options only when it fits, deep in its code and with
messages that do not say the value received (``"n_epochs must be a
nonnegative integer"``); some it does not check at all (an ``init`` array of
the wrong shape crashes the process). Here every option ``embed`` passes on is
checked before any work, with the kit's message: an unknown metric or keyword
suggests the close match (as :func:`astrokit.data.load` does for names).
The lists of metrics and keywords are those of umap-learn 0.5, compared with
the installed package by a test (``umap`` is not imported here: a cache hit
stays fast).
"""

from __future__ import annotations

import numpy as np

from astrokit.embedding._input import COLUMNS

__all__ = [
    "UMAP_METRICS",
    "UMAP_PARAMETERS",
    "check_umap_options",
    "check_n_epochs",
    "check_seed",
    "check_init",
]


UMAP_METRICS = (
    "braycurtis", "canberra", "categorical", "chebyshev", "correlation", "cosine",
    "count", "dice", "euclidean", "hamming", "haversine", "hellinger",
    "hierarchical_categorical", "jaccard", "kulsinski", "l1", "l2", "linf",
    "linfinity", "linfty", "ll_dirichlet", "mahalanobis", "manhattan", "matching",
    "minkowski", "myers", "ordinal", "poincare", "rogerstanimoto", "russellrao",
    "seuclidean", "softmax_hellinger", "sokalmichener", "sokalsneath",
    "standardised_euclidean", "string", "symmetric_kl", "taxicab",
    "weighted_minkowski", "wminkowski", "yule",
)  # fmt: skip
"""``umap.distances.named_distances`` of umap-learn 0.5 (a test compares)."""

UMAP_PARAMETERS = (
    "n_neighbors", "n_components", "metric", "metric_kwds", "output_metric",
    "output_metric_kwds", "n_epochs", "learning_rate", "init", "min_dist", "spread",
    "low_memory", "n_jobs", "set_op_mix_ratio", "local_connectivity",
    "repulsion_strength", "negative_sample_rate", "transform_queue_size", "a", "b",
    "random_state", "angular_rp_forest", "target_n_neighbors", "target_metric",
    "target_metric_kwds", "target_weight", "transform_seed", "transform_mode",
    "force_approximation_algorithm", "verbose", "tqdm_kwds", "unique", "densmap",
    "dens_lambda", "dens_frac", "dens_var_shift", "output_dens",
    "disconnection_distance", "precomputed_knn",
)  # fmt: skip
"""The keywords of ``umap.UMAP`` in umap-learn 0.5 (a test compares)."""

_EMBED_OPTIONS = ("columns", "max_rows", "neighbors", "cache")
_SET_BY_EMBED = ("precomputed_knn", "force_approximation_algorithm")
_INITS = ("spectral", "pca", "tswspectral", "random")
_RANGES = {  # name: (lowest, highest, lowest allowed itself)
    "spread": (0.0, np.inf, False),
    "learning_rate": (0.0, np.inf, False),
    "repulsion_strength": (0.0, np.inf, True),
    "local_connectivity": (0.0, np.inf, True),
    "set_op_mix_ratio": (0.0, 1.0, True),
    "negative_sample_rate": (0.0, np.inf, False),
    "a": (0.0, np.inf, False),
    "b": (0.0, np.inf, False),
}


def _close(name, names) -> str:
    import difflib

    match = difflib.get_close_matches(str(name), list(names), n=1, cutoff=0.75)
    return f" Did you mean {match[0]!r}?" if match else ""


def _check_real(name: str, value) -> float:
    lowest, highest, inclusive = _RANGES[name]
    real = isinstance(value, int | float | np.integer | np.floating)
    if real and not isinstance(value, bool) and np.isfinite(value):
        if (value >= lowest if inclusive else value > lowest) and value <= highest:
            return float(value)
    bound = f">= {lowest:g}" if inclusive else f"> {lowest:g}"
    if np.isfinite(highest):
        bound += f" and <= {highest:g}"
    msg = f"{name}={value!r} must be a finite number {bound}."
    raise (ValueError if real else TypeError)(msg)


def check_umap_options(*, metric, min_dist, umap_kw: dict) -> None:
    """Refuse, with the kit's message, what ``umap.UMAP`` would refuse deep down."""
    if not isinstance(metric, str):
        msg = f"metric={metric!r} must be the name of a UMAP metric (a string)."
        raise TypeError(msg)
    if metric == "precomputed":
        msg = (
            "metric='precomputed' is not for feature rows: pass the kNN graph "
            "itself as data (e.g. embed(astrokit.distances.knn_graph(X)))."
        )
        raise ValueError(msg)
    if metric not in UMAP_METRICS:
        msg = (
            f"metric={metric!r} is not a UMAP metric.{_close(metric, UMAP_METRICS)} "
            f"UMAP metrics: {list(UMAP_METRICS)}."
        )
        raise ValueError(msg)
    for name in umap_kw:
        if name in _SET_BY_EMBED:
            msg = f"{name}= is set by embed itself; leave it out."
            raise TypeError(msg)
        if name not in UMAP_PARAMETERS:
            hint = _close(name, UMAP_PARAMETERS + _EMBED_OPTIONS)
            msg = (
                f"embed() got {name}={umap_kw[name]!r}, which is neither an option "
                f"of embed nor a keyword of umap.UMAP.{hint}"
            )
            raise TypeError(msg)
    if umap_kw.get("n_components", 2) != 2:
        msg = (
            f"n_components={umap_kw['n_components']!r}: embed returns two columns "
            f"{COLUMNS}; for another dimension call umap.UMAP directly."
        )
        raise ValueError(msg)
    if umap_kw.get("output_dens"):
        msg = "output_dens=True returns densities embed does not keep; leave it out."
        raise ValueError(msg)
    for name in _RANGES:
        if name in umap_kw:
            _check_real(name, umap_kw[name])
    spread = umap_kw.get("spread", 1.0)
    real = isinstance(min_dist, int | float | np.integer | np.floating)
    if not (real and not isinstance(min_dist, bool) and 0 <= min_dist <= spread):
        msg = f"min_dist={min_dist!r} must be between 0 and spread={spread}."
        raise (ValueError if real else TypeError)(msg)
    init = umap_kw.get("init", "spectral")
    if isinstance(init, str) and init not in _INITS:
        hint = _close(init, _INITS)
        msg = f"init={init!r} is not a UMAP initialisation; use one of {_INITS}.{hint}"
        raise ValueError(msg)
    if not isinstance(init, str | np.ndarray):
        msg = (
            f"init must be one of {_INITS} or a NumPy array of shape (rows, 2); "
            f"got {type(init).__name__}."
        )
        raise TypeError(msg)


def check_n_epochs(n_epochs) -> int | None:
    """``n_epochs`` as an int >= 0 (0: the initialisation only), or None."""
    if n_epochs is None:
        return None
    if isinstance(n_epochs, bool) or not isinstance(n_epochs, int | np.integer):
        msg = f"n_epochs={n_epochs!r} must be an integer >= 0 or None (umap's rule)."
        raise TypeError(msg)
    if n_epochs < 0:
        msg = f"n_epochs={n_epochs!r} must be an integer >= 0 or None (umap's rule)."
        raise ValueError(msg)
    return int(n_epochs)


def check_seed(random_state) -> None:
    """``random_state``: an int seed in [0, 2**32 - 1] or None (part of the key)."""
    if random_state is None:
        return
    if isinstance(random_state, bool) or not isinstance(random_state, int | np.integer):
        msg = f"random_state={random_state!r} must be an integer or None."
        raise TypeError(msg)
    if not 0 <= random_state < 2**32:
        msg = f"random_state={random_state!r} must be between 0 and 2**32 - 1."
        raise ValueError(msg)


def check_init(init, *, n_fit: int, n_rows: int) -> None:
    """An ``init`` array: one finite, non-constant (x, y) per fitted row."""
    if not isinstance(init, np.ndarray):
        return
    if init.shape != (n_fit, 2):
        sample = (
            f" (max_rows: UMAP is fitted on {n_fit} of {n_rows})"
            if n_fit < n_rows
            else ""
        )
        msg = (
            f"init has shape {init.shape}; it needs one (x, y) per fitted row: "
            f"({n_fit}, 2){sample}."
        )
        raise ValueError(msg)
    if not np.isfinite(init).all():
        msg = f"init has {int((~np.isfinite(init)).sum())} NaN or infinite values."
        raise ValueError(msg)
    if (np.ptp(init, axis=0) == 0).any():
        msg = "init has a constant column; UMAP rescales init by its spread."
        raise ValueError(msg)
