"""Neighbours of new rows among the fitted rows, from leaf codes, at any N.

Why not only the exact search
    The exact search (:func:`astrokit.distances._leaf_neighbours.exact_knn`)
    counts, for each query row, the shared leaves with every fitted row in
    each of its leaves: its cost is the summed occupancy of the query's
    leaves (:func:`query_cost`). On compact, well-separated groups
    (``sklearn.datasets.make_blobs``: open clusters in phase space, star /
    galaxy / QSO colours) the trees isolate each group with a few splits
    and stop at pure real leaves of thousands of training rows, hundreds of
    thousands once every row is placed, so that cost grows as the square of
    the rows. Measured: ``fit(X).kneighbors_graph(X)`` on 20,000 blobs
    counted 4.3e9 shared leaves (7.7 s), 50,000 took 42 s, 10^6 did not
    finish in 25 minutes, when the fitted rows' own graph of 10^6 rows takes
    about a minute. Above ``EXACT_BUDGET`` pairs the query search is
    approximate, the way the fitted rows' search already was.

The approximate search (:func:`approximate_query`), written here because
the forest distance is a Hamming distance with a sentinel that matches
nothing, with ties broken by a pair hash, which no neighbour library offers:
    1. Entry points from sorted windows: the fitted rows sorted by their
       codes in a few random orders of the trees (as the fitted search
       does); each query is placed in each order by binary search and
       compared with ``window`` rows on each side.
    2. Best-first search over the fitted rows' own k-nearest-neighbour
       graph (as ``pynndescent``'s query): the nearest candidate not yet
       expanded is expanded (compared with its graph neighbours) until every
       candidate in the top ``k`` has been, or ``max_expand`` expansions.

Ties: the key is ``(misses, hash(tie id of the query, fitted row))``. A new
row's tie id is a hash of its own feature values (:func:`tie_ids`):
identical rows get identical neighbours, different rows break ties
differently even when they share every leaf (no row becomes a hub that
every query in a pure leaf lists, as when all new rows hashed alike), and a
row's neighbours do not depend on its position in the query. Each query
only writes its own list, so the result does not depend on the number of
threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from astrokit.distances._leaf_neighbours import (
    _EMPTY,
    SORT_DEPTH,
    _key,
    _misses,
    _push,
)

__all__ = ["approximate_query", "query_cost", "tie_ids"]

WINDOW = 8
"""Fitted rows compared on each side of a query's place in a sorted order."""
N_ORDERS = 4
"""Random tree orders (each sorted on ``SORT_DEPTH`` trees) giving entry points."""
FANOUT = 25
"""Graph neighbours compared when a candidate is expanded."""
MAX_EXPAND = 25
"""Most candidates expanded per query."""


def query_cost(query: np.ndarray, codes: np.ndarray, sentinel: int) -> float:
    """Shared-leaf pairs an exact search of ``query`` among ``codes`` counts.

    The summed occupancy (among ``codes``) of every query row's counted
    leaves; with ``query`` the fitted rows themselves it is the sum of
    occupancy squared.
    """
    cost = 0.0
    for t in range(codes.shape[1]):
        column = codes[:, t]
        occupancy = np.bincount(column[column != sentinel]).astype(np.float64)
        q = query[:, t]
        q = q[(q != sentinel) & (q < occupancy.size)]
        cost += float(occupancy[q.astype(np.int64)].sum())
    return cost


@njit(parallel=True, cache=True)
def _hash_rows(codes):
    n, n_trees = codes.shape
    out = np.empty(n, dtype=np.int64)
    for i in prange(n):
        h = np.uint64(0xCBF29CE484222325)
        for t in range(n_trees):
            h = (h ^ np.uint64(codes[i, t])) * np.uint64(0x100000001B3)
        h = h ^ (h >> np.uint64(33))
        out[i] = np.int64(h >> np.uint64(2))  # positive, never a fitted row id
    return out


def tie_ids(rows: np.ndarray) -> np.ndarray:
    """Per new row, the id its ties are hashed with: a hash of its values.

    ``rows``: integers, e.g. leaf codes, or float32 features viewed as
    ``uint32`` (what the estimator passes: rows with the same leaves but
    different values break their ties differently).
    """
    return _hash_rows(np.ascontiguousarray(rows))


@njit(inline="always", cache=True)
def _lower_bound(codes, order, trees, row):
    """First position in ``order`` whose codes on ``trees`` are not below ``row``."""
    lo, hi = 0, order.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        r = order[mid]
        below = False
        for t in trees:
            a, b = codes[r, t], row[t]
            if a != b:
                below = a < b
                break
        if below:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(inline="always", cache=True)
def _offer(query, codes, sentinel, keys, idx, fresh, i, tie, j):
    m = _misses(query[i], codes[j], sentinel)
    _push(keys[i], idx[i], fresh[i], _key(m, tie, j), j)


@njit(parallel=True, cache=True)
def _search(query, ties, codes, orders, trees, graph, sentinel, k, window,
            fanout, max_expand):  # fmt: skip
    nq = query.shape[0]
    n = codes.shape[0]
    keys = np.full((nq, k), _EMPTY, dtype=np.uint64)
    idx = np.full((nq, k), -1, dtype=np.int32)
    fresh = np.zeros((nq, k), dtype=np.bool_)
    f = min(fanout, graph.shape[1])
    n_chunks = min(nq, 16)
    size = (nq + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        stamp = np.full(n, -1, dtype=np.int32)
        for i in range(c * size, min(nq, (c + 1) * size)):
            tie = ties[i]
            for o in range(orders.shape[0]):
                pos = _lower_bound(codes, orders[o], trees[o], query[i])
                for p in range(max(0, pos - window), min(n, pos + window)):
                    j = orders[o, p]
                    if stamp[j] != i:
                        stamp[j] = i
                        _offer(query, codes, sentinel, keys, idx, fresh, i, tie, j)
            for _ in range(max_expand):
                a = -1
                for p in range(k):
                    if fresh[i, p]:
                        a = p
                        break
                if a < 0:
                    break
                fresh[i, a] = False
                u = idx[i, a]
                for b in range(f):
                    j = graph[u, b]
                    if j >= 0 and stamp[j] != i:
                        stamp[j] = i
                        _offer(query, codes, sentinel, keys, idx, fresh, i, tie, j)
    return keys, idx


def sorted_orders(codes: np.ndarray, rng: np.random.Generator, n_orders: int):
    """``(orders, trees)``: the fitted rows sorted on random subsets of trees."""
    n_trees = codes.shape[1]
    depth = min(SORT_DEPTH, n_trees)
    trees = np.stack([rng.permutation(n_trees)[:depth] for _ in range(n_orders)])
    orders = np.stack([np.lexsort(codes[:, t[::-1]].T).astype(np.int32) for t in trees])
    return orders, trees.astype(np.int64)


def approximate_query(
    query: np.ndarray,
    codes: np.ndarray,
    sentinel: int,
    n_neighbors: int,
    graph: np.ndarray,
    *,
    rng: np.random.Generator,
    ties=None,
    n_orders: int = N_ORDERS,
    window: int = WINDOW,
    fanout: int = FANOUT,
    max_expand: int = MAX_EXPAND,
    progress=None,
):
    """Approximate ``(indices, misses)`` (n_queries, k) of new rows among ``codes``.

    ``graph`` is the fitted rows' own neighbour indices (N, k'), e.g. from
    :func:`astrokit.distances._trees.fitted_knn`; ``ties`` as in
    :func:`astrokit.distances._leaf_neighbours.exact_knn`. Queries are searched in
    blocks (in the order of their codes, so neighbouring queries read the
    same fitted rows) and ``progress(rows)`` is called after each block.
    """
    orders, trees = sorted_orders(codes, rng, n_orders)
    query = np.ascontiguousarray(query)
    ties = tie_ids(query) if ties is None else ties
    order = np.lexsort(query[:, trees[0][::-1]].T)
    nq = len(query)
    ind = np.empty((nq, n_neighbors), dtype=np.int32)
    misses = np.empty((nq, n_neighbors), dtype=np.int32)
    block = max(4096, -(-nq // 50))
    for start in range(0, nq, block):
        rows = order[start : start + block]
        keys, idx = _search(
            query[rows], ties[rows], codes, orders, trees, graph, sentinel,
            n_neighbors, window, fanout, max_expand,
        )  # fmt: skip
        ind[rows] = idx
        misses[rows] = (keys >> np.uint64(32)).astype(np.int32)
        if progress is not None:
            progress(len(rows))
    return ind, misses
