"""Principal component analysis as an embedding: the linear lens.

PCA (``sklearn.decomposition.PCA``) projects the rows onto the two
directions of largest variance. Unlike UMAP and t-SNE it is linear and has
no neighbourhood knob, so it keeps the global geometry (distances along the
main axes mean something) and loses curved or small structure. Baron's
follow-up work shows its other use: rows that stand apart along the first
components are a group of anomalies (lesson 04). ``max_rows`` fits the
components on a random sample and projects every row.
"""

from __future__ import annotations

import numpy as np

__all__ = ["fit_pca", "check_pca_options", "explained_variance"]

_PCA_KEYWORDS = ("whiten", "svd_solver", "tol", "iterated_power")


def check_pca_options(kwargs: dict) -> None:
    """Refuse keywords ``sklearn.decomposition.PCA`` would not take here."""
    for name in kwargs:
        if name not in _PCA_KEYWORDS:
            msg = (
                f"embed(method='pca') got {name}={kwargs[name]!r}; PCA takes "
                f"{list(_PCA_KEYWORDS)} (n_components is 2, random_state is "
                "embed's own)."
            )
            raise TypeError(msg)


def fit_pca(features: np.ndarray, *, fit_rows, random_state, kwargs: dict):
    """(N, 2) float32 projection and the explained-variance ratios."""
    from sklearn.decomposition import PCA

    model = PCA(n_components=2, random_state=random_state, **kwargs)
    model.fit(features if fit_rows is None else features[fit_rows])
    projected = model.transform(features).astype(np.float32)
    return projected, model.explained_variance_ratio_.astype(np.float64)


def explained_variance(embedding) -> np.ndarray | None:
    """The explained-variance ratios a PCA embedding carries in ``attrs``."""
    ratios = getattr(embedding, "attrs", {}).get("explained_variance_ratio")
    return None if ratios is None else np.asarray(ratios)
