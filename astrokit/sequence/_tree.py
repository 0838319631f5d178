"""Minimum spanning trees, their elongation, and the walk that orders them.

The pieces of Baron & Ménard (2020) that act on a graph, on top of
``scipy.sparse.csgraph`` (the reference code uses networkx; scipy's
compiled routines do the same in a fraction of the time, and the kit
needs no new dependency):

- :func:`spanning_tree`: the minimum spanning tree of a dense distance
  matrix (Prim's algorithm in NumPy: scipy's routine sorts all N**2 edges
  first, 34 ms of the 40 per tree at N = 300) or of a sparse graph (scipy).
  scipy reads a zero as "no edge", so a zero-length edge (two identical
  rows) is stored as a length far below every other one.
- :func:`least_central`: the tree's least central node, the one whose mean
  number of steps to every other node is largest (lowest closeness
  centrality, as the paper chooses). On a tree this needs no all-pairs
  search: the sum of distances moves from a node to its child by
  ``N - 2 * size(child)`` (the usual rerooting identity).
- :func:`elongation`: from the start node, the tree's half-length (the mean
  number of steps from it) over its half-width (the mean number of nodes per
  level, halved), plus one. A chain of N nodes scores N; a star scores about
  one. It is the paper's figure of merit for how much the tree is a sequence.
- :func:`walk`: the order of the nodes: breadth-first from the start node,
  level by level, and within a level by the length of the edge to the
  parent (the paper's weighted BFS).
"""

from __future__ import annotations

import numpy as np

__all__ = ["spanning_tree", "least_central", "elongation", "walk", "Tree"]


class Tree:
    """A spanning tree, symmetric, with its start node, levels and elongation."""

    def __init__(self, tree):
        from scipy.sparse.csgraph import shortest_path

        self.edges = tree  # (N, N) sparse, one entry per edge
        self.graph = (tree + tree.T).tocsr()
        self.start = least_central(self.graph)
        self.levels = (
            shortest_path(self.graph, unweighted=True, indices=self.start)
            .round()
            .astype(int)
        )
        self.elongation = elongation(self.levels)

    def order(self) -> np.ndarray:
        """The nodes in sequence order (:func:`walk` from the start node)."""
        return walk(self.graph, self.start, self.levels)


def _prim(distances: np.ndarray):
    """Prim's algorithm on a dense matrix: N vector steps of length N.

    scipy's ``minimum_spanning_tree`` sorts all N**2 edges first (Kruskal),
    which dominates on a complete graph; Prim needs no sort.
    """
    import scipy.sparse

    n = len(distances)
    outside = np.ones(n, dtype=bool)
    outside[0] = False
    best = distances[0].astype(np.float64, copy=True)
    parent = np.zeros(n, dtype=np.int64)
    best[0] = np.inf
    rows, cols = np.empty(n - 1, np.int64), np.empty(n - 1, np.int64)
    for step in range(n - 1):
        node = int(np.argmin(best))
        rows[step], cols[step] = parent[node], node
        outside[node] = False
        best[node] = np.inf
        closer = outside & (distances[node] < best)
        best[closer] = distances[node][closer]
        parent[closer] = node
    weights = distances[rows, cols].astype(np.float64)
    return scipy.sparse.csr_matrix((_no_zeros(weights), (rows, cols)), shape=(n, n))


def _no_zeros(weights: np.ndarray) -> np.ndarray:
    """Zero-length edges (identical rows) made tiny: to scipy a zero is no edge."""
    positive = weights[weights > 0]
    tiny = positive.min() * 1e-6 if positive.size else 1.0
    return np.where(weights > 0, weights, tiny)


def spanning_tree(distances):
    """The minimum spanning tree of a graph, one sparse entry per edge.

    ``distances``: a dense symmetric (N, N) array (the diagonal is ignored;
    Prim's algorithm) or a sparse graph whose stored entries are its edges
    (scipy's ``minimum_spanning_tree``). Zero-length edges are kept, as
    tiny positive lengths.
    """
    import scipy.sparse
    from scipy.sparse.csgraph import connected_components, minimum_spanning_tree

    if not scipy.sparse.issparse(distances):
        return _prim(np.asarray(distances))
    graph = distances.tocsr(copy=True)
    graph.data = _no_zeros(graph.data)
    tree = minimum_spanning_tree(graph)
    n_parts = connected_components(tree, directed=False)[0]
    if n_parts != 1:  # pragma: no cover - the graphs built here are connected
        msg = f"the graph falls into {n_parts} unconnected parts; no spanning tree."
        raise ValueError(msg)
    return tree


def least_central(graph) -> int:
    """The node of a tree with the largest total number of steps to the others."""
    from scipy.sparse.csgraph import breadth_first_order

    n = graph.shape[0]
    order, parent = breadth_first_order(graph, 0, directed=False)
    depth = np.zeros(n, dtype=np.int64)
    for node in order[1:]:
        depth[node] = depth[parent[node]] + 1
    size = np.ones(n, dtype=np.int64)
    for node in order[:0:-1]:  # children before parents
        size[parent[node]] += size[node]
    total = np.empty(n, dtype=np.int64)
    total[0] = depth.sum()
    for node in order[1:]:
        total[node] = total[parent[node]] + n - 2 * size[node]
    return int(np.argmax(total))


def elongation(levels: np.ndarray) -> float:
    """Half-length over half-width of a tree seen from its start node, plus one.

    ``levels``: the number of steps from the start node to every node.

    Examples
    --------
    >>> elongation(np.arange(10))  # a chain of 10 nodes, from one end
    10.0
    >>> elongation(np.array([0, 1, 2, 2, 2, 2]))  # a star, from a leaf
    2.5
    """
    levels = np.asarray(levels, dtype=np.int64)
    half_length = levels.mean()
    half_width = np.bincount(levels).mean() / 2.0
    return float(half_length / half_width + 1.0)


def walk(graph, start: int, levels: np.ndarray) -> np.ndarray:
    """Breadth-first order from ``start``: by level, then by the edge to the parent."""
    from scipy.sparse.csgraph import breadth_first_order

    _, parent = breadth_first_order(graph, start, directed=False)
    nodes = np.arange(graph.shape[0])
    has_parent = parent >= 0
    edge = np.zeros(graph.shape[0])
    edge[has_parent] = np.asarray(graph[nodes[has_parent], parent[has_parent]]).ravel()
    return np.lexsort((nodes, edge, levels))
