"""How sequence-like a point cloud is: the elongation of its spanning tree.

Baron's suggestion for judging an embedding (a UMAP map, a PCA plane): a
map in which the rows lie along one thread has a long, thin minimum
spanning tree; a fog or a set of islands has a bushy one. :func:`elongation`
is the elongation of the Euclidean minimum spanning tree of the rows (the
Sequencer's figure of merit, :mod:`astrokit.sequence._tree`) on a fixed
random sample, so maps of the same rows can be compared.
"""

from __future__ import annotations

import numpy as np

from astrokit._shared.checks import check_max_rows, check_random_state
from astrokit._shared.matrix import feature_matrix
from astrokit.sequence._tree import Tree, spanning_tree

__all__ = ["elongation", "ELONGATION_ROWS"]

ELONGATION_ROWS = 2_000
"""Default sample size of :func:`elongation` (a dense (n, n) matrix)."""


def elongation(
    data, *, columns=None, max_rows: int | None = ELONGATION_ROWS, random_state=0
) -> float:
    """Elongation of the Euclidean minimum spanning tree of the rows.

    Parameters
    ----------
    data : DataFrame or array of shape (N, d)
        Points, e.g. an embedding's ``umap_x``, ``umap_y`` (``columns``
        selects them).
    columns : list of str, optional
        Use only these columns of a DataFrame.
    max_rows : int or None, default 2000
        Score a random sample of at most this many rows (seeded); None uses
        every row (the distance matrix holds N squared numbers).
    random_state : int, Generator or None, default 0

    Returns
    -------
    float
        Half-length over half-width of the tree, plus one: n for n points on
        a line, near 1 for a star or a round cloud. It grows with the number
        of rows, so compare maps of the same rows (a scan does).

    Raises
    ------
    ValueError
        Fewer than 3 rows, NaN or infinite values.

    Examples
    --------
    >>> t = np.linspace(0, 1, 200)
    >>> line = np.c_[t, 0.01 * np.sin(40 * t)]
    >>> blob = np.random.default_rng(0).normal(size=(200, 2))
    >>> elongation(line) > 5 * elongation(blob)
    True
    """
    from scipy.spatial.distance import pdist, squareform

    values, _, _ = feature_matrix(
        data,
        name="data",
        columns=columns,
        allow_constant=True,
        min_rows=3,
        purpose="an elongation",
    )
    max_rows = check_max_rows(max_rows, minimum=3)
    if max_rows is not None and len(values) > max_rows:
        rng = np.random.default_rng(check_random_state(random_state))
        values = values[np.sort(rng.choice(len(values), max_rows, replace=False))]
    return Tree(spanning_tree(squareform(pdist(values)))).elongation
