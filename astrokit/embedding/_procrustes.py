"""Procrustes alignment of one embedding onto another (same rows).

UMAP's axes mean nothing: two runs that agree up to a rotation, reflection,
scale and shift look different on screen. Aligning every panel onto a
reference with the best similarity transform (orthogonal matrix, one scale,
one shift; no shear) lets them be compared by eye without changing any
distance ratio within a panel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit.embedding._input import coords, embedding_columns

__all__ = ["align", "procrustes_align"]


def procrustes_align(
    moving: np.ndarray, reference: np.ndarray, *, fit_rows: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """``moving`` mapped onto ``reference``; returns (aligned, disparity).

    ``disparity`` is the residual sum of squares after alignment divided by
    the reference's total sum of squares about its mean (0 = identical shape).
    ``fit_rows`` restricts the rows used to find the transform (for speed);
    the transform is applied to every row.
    """
    from scipy.linalg import orthogonal_procrustes

    moving = np.asarray(moving, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if moving.shape != reference.shape or moving.ndim != 2:
        msg = (
            "Procrustes alignment needs two embeddings of the same shape (N, d); "
            f"got {moving.shape} and {reference.shape}."
        )
        raise ValueError(msg)
    rows = slice(None) if fit_rows is None else fit_rows
    mu_m, mu_r = moving[rows].mean(axis=0), reference[rows].mean(axis=0)
    a, b = moving[rows] - mu_m, reference[rows] - mu_r
    norm = np.sum(a * a)
    if norm == 0:
        msg = "Cannot align an embedding whose points all coincide."
        raise ValueError(msg)
    rotation, singular_sum = orthogonal_procrustes(a, b)
    scale = singular_sum / norm
    aligned = scale * (moving - mu_m) @ rotation + mu_r
    residual = aligned[rows] - reference[rows]
    disparity = float(np.sum(residual**2) / max(np.sum(b * b), np.finfo(float).tiny))
    return aligned, disparity


def align(embedding, reference):
    """``embedding`` rotated, reflected, scaled and shifted onto ``reference``.

    The best similarity transform in the least-squares sense (no shear), so
    distance ratios within ``embedding`` are kept.

    Parameters
    ----------
    embedding : DataFrame of an embedding (``umap_x``, ``umap_y`` or another
        method's pair), or array of shape (N, 2)
        The embedding to move.
    reference : DataFrame or array of shape (N, 2)
        The embedding to move onto: the same rows in the same order.

    Returns
    -------
    DataFrame or numpy.ndarray of shape (N, 2)
        The type of ``embedding``: a DataFrame keeps its index and its
        coordinate columns (float32); an array is float64.

    Raises
    ------
    ValueError
        Embeddings of different shapes, or one whose points all coincide.

    Examples
    --------
    >>> ref = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    >>> turned = 3 * ref @ np.array([[0.0, -1.0], [1.0, 0.0]]) + 5
    >>> np.allclose(align(turned, ref), ref)
    True
    """
    aligned, _ = procrustes_align(coords(embedding), coords(reference))
    if isinstance(embedding, pd.DataFrame):
        return pd.DataFrame(
            aligned.astype(np.float32),
            index=embedding.index,
            columns=embedding_columns(embedding),
        )
    return aligned
