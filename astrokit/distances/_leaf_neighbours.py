"""Nearest neighbours in the forest distance, from leaf codes (numba kernels).

Every row is summarised by its *leaf codes*: an ``(N, T)`` array whose entry
``[i, t]`` says which terminal leaf of tree ``t`` row ``i`` falls in, or the
``sentinel`` when that leaf does not count (with Baron & Poznanski's rule, a
leaf that the tree classifies as synthetic). Two rows are similar in tree
``t`` when they share a counted leaf, so the forest distance is

    d(i, j) = misses(i, j) / T,  misses = #{t : codes[i, t] != codes[j, t]
                                               or codes[i, t] == sentinel}

a Hamming distance that treats the sentinel as matching nothing.

Ordering and ties
    Neighbours are ranked by the key ``(misses << 32) | tie(i, j)``, where
    ``tie`` is a 32-bit hash of the unordered pair, then by index. The forest
    distance has only ``T + 1`` values, so ties are the rule, not the
    exception; the hash breaks them the same way on every run and thread
    count, without favouring low row numbers (which, in a pixel table, are
    neighbours on the sky) and without turning a few rows into hubs.

Exact search (:func:`exact_knn`, :func:`dense`)
    For each row, count shared leaves with every row that shares at least one
    (through per-tree member lists); rows sharing none are at distance 1 and
    are scanned only when fewer than ``k`` rows share a leaf. The cost grows
    with the summed size of a row's leaves, so it is meant for up to a few
    tens of thousands of rows.

Approximate search (:func:`approximate_knn`)
    1. Candidates from sorted windows: for a few random orders of the trees,
       sort the rows lexicographically by their codes in the first
       :data:`SORT_DEPTH` trees of that order; rows that share long
       prefixes (many leaves) become adjacent, and each row is compared with
       the ``window`` rows on each side.
    2. Refinement (as in NN-descent): each row is compared with the
       neighbours of its neighbours, a few rounds.
    Each row only updates its own neighbour list, and refinement reads a
    frozen copy of the previous round, so the result does not depend on the
    number of threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["approximate_knn", "exact_knn", "dense", "mean_similarity", "members"]

_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)
N_ORDERS = 8
"""Random tree orders whose sorted windows seed the approximate search."""
SORT_DEPTH = 32
"""Trees each sorted order is keyed on: on compact groups the trees stop at
pure leaves of 10^5 rows, and 8 trees left long runs of rows in arbitrary
order (recall 0.932 at 10^6 blobs; 32: 0.995; ``benchmarks/bench_forest.py``)."""
N_REFINE = 3
"""Rounds of neighbour-of-neighbour refinement (fewer once nothing changes)."""
FANOUT = 20
"""Neighbours of each neighbour compared in a refinement round."""


@njit(inline="always", cache=True)
def _tie(i, j):
    a = np.uint64(min(i, j))
    b = np.uint64(max(i, j))
    h = a * np.uint64(0x9E3779B97F4A7C15) + b * np.uint64(0xC2B2AE3D27D4EB4F)
    h = h ^ (h >> np.uint64(31))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(29))
    return h & np.uint64(0xFFFFFFFF)


@njit(inline="always", cache=True)
def _key(misses, i, j):
    return (np.uint64(misses) << np.uint64(32)) | _tie(i, j)


@njit(inline="always", cache=True)
def _misses(codes_a, codes_b, sentinel):
    """Trees where the two code rows differ or sit at the sentinel.

    One branch-free loop, which LLVM vectorises: twice as fast as stopping
    early once past the worst kept neighbour (blocks of 32 trees), which
    does not (measured at 10^6 rows, ``benchmarks/bench_forest.py``).
    """
    m = 0
    for t in range(codes_a.shape[0]):
        c = codes_a[t]
        m += (c != codes_b[t]) | (c == sentinel)
    return m


@njit(inline="always", cache=True)
def _push(keys, idx, fresh, key, j):
    """Insert (key, j) into one row's sorted top-k lists; False if not kept.

    ``fresh`` flags the entries inserted since the last refinement round.
    """
    k = keys.shape[0]
    last = k - 1
    if key > keys[last] or (key == keys[last] and j >= idx[last]):
        return False
    p = last
    while p > 0 and (key < keys[p - 1] or (key == keys[p - 1] and j < idx[p - 1])):
        p -= 1
    # already present? The same j always comes with the same key, so it
    # would sit just before the insertion point.
    if p > 0 and keys[p - 1] == key and idx[p - 1] == j:
        return False
    for q in range(last, p, -1):
        keys[q] = keys[q - 1]
        idx[q] = idx[q - 1]
        fresh[q] = fresh[q - 1]
    keys[p] = key
    idx[p] = j
    fresh[p] = True
    return True


@njit(inline="always", cache=True)
def _try(codes, ids, sentinel, keys, idx, fresh, i, j):
    m = _misses(codes[i], codes[j], sentinel)
    return _push(keys[i], idx[i], fresh[i], _key(m, ids[i], ids[j]), j)


@njit(parallel=True, cache=True)
def _window_pass(codes, ids, order, window, sentinel, keys, idx, fresh):
    """Compare each row with the ``window`` rows on each side in ``order``.

    Each pair's misses are counted once (first loop, nothing written), then
    both rows are offered the pair (second loop, each row updating only its
    own list): half the comparisons of offering each row its window alone.
    """
    n = order.shape[0]
    pair = np.empty((n, window), dtype=np.int32)  # misses(order[p], order[p + 1 + d])
    for p in prange(n):
        for d in range(min(window, n - 1 - p)):
            pair[p, d] = _misses(codes[order[p]], codes[order[p + 1 + d]], sentinel)
    for p in prange(n):
        i = order[p]
        for d in range(window):
            if p + 1 + d < n:
                j = order[p + 1 + d]
                _push(keys[i], idx[i], fresh[i], _key(pair[p, d], ids[i], ids[j]), j)
            if p >= 1 + d:
                j = order[p - 1 - d]
                key = _key(pair[p - 1 - d, d], ids[i], ids[j])
                _push(keys[i], idx[i], fresh[i], key, j)


@njit(parallel=True, cache=True)
def _refine_pass(codes, ids, old_idx, old_fresh, fanout, sentinel, keys, idx, fresh):
    """Compare each row with its neighbours' neighbours (NN-descent's local join).

    Pairs reached through two entries that were both already there last
    round were compared then, and are skipped; a per-chunk stamp array skips
    rows already compared with (or listed by) row ``i`` in this round.
    """
    n, k = old_idx.shape
    f = min(fanout, k)
    n_chunks = 64
    size = (n + n_chunks - 1) // n_chunks
    changed = np.zeros(n_chunks, dtype=np.int64)
    for c in prange(n_chunks):
        stamp = np.full(n, -1, dtype=np.int32)
        count = 0
        for i in range(c * size, min(n, (c + 1) * size)):
            stamp[i] = i
            for a in range(k):
                if old_idx[i, a] >= 0:
                    stamp[old_idx[i, a]] = i
            for a in range(f):
                u = old_idx[i, a]
                if u < 0:
                    continue
                for b in range(f):
                    j = old_idx[u, b]
                    if j < 0 or stamp[j] == i:
                        continue
                    if not (old_fresh[i, a] or old_fresh[u, b]):
                        continue
                    stamp[j] = i
                    if _try(codes, ids, sentinel, keys, idx, fresh, i, j):
                        count += 1
        changed[c] = count
    return changed.sum()


def _sort_order(codes: np.ndarray, trees: np.ndarray) -> np.ndarray:
    """Rows sorted lexicographically by their codes in ``trees`` (first key first)."""
    return np.lexsort(codes[:, trees[::-1]].T).astype(np.int64)


def approximate_knn(
    codes: np.ndarray,
    sentinel: int,
    n_neighbors: int,
    *,
    rng: np.random.Generator,
    n_orders: int = N_ORDERS,
    sort_depth: int = SORT_DEPTH,
    window: int = 12,
    n_refine: int = N_REFINE,
    fanout: int = FANOUT,
    progress=None,
):
    """Approximate ``(indices, misses)`` of shape (N, k), self excluded.

    The rows are first reordered by their leaves (similar rows close in
    memory, which keeps the neighbour-of-neighbour reads in cache); results
    are mapped back. ``progress`` is an optional callable called after each
    pass (the caller drives a progress bar).
    """
    n, n_trees = codes.shape
    depth = min(sort_depth, n_trees)
    ids = _sort_order(codes, rng.permutation(n_trees)[:depth])
    local = codes[ids]
    keys = np.full((n, n_neighbors), _EMPTY, dtype=np.uint64)
    idx = np.full((n, n_neighbors), -1, dtype=np.int32)
    fresh = np.zeros((n, n_neighbors), dtype=np.bool_)
    for step in range(n_orders):
        if step == 0:
            order = np.arange(n, dtype=np.int64)
        else:
            order = _sort_order(local, rng.permutation(n_trees)[:depth])
        _window_pass(local, ids, order, window, sentinel, keys, idx, fresh)
        if progress is not None:
            progress("sorted windows")
    for _ in range(n_refine):
        old_idx, old_fresh = idx.copy(), fresh.copy()
        fresh[:] = False
        changed = _refine_pass(
            local, ids, old_idx, old_fresh, fanout, sentinel, keys, idx, fresh
        )
        del old_idx, old_fresh
        if progress is not None:
            progress("refinement")
        if changed <= n * n_neighbors * 1e-3:  # converged
            break
    del local, fresh
    out_ind = np.empty((n, n_neighbors), dtype=np.int32)
    out_misses = np.empty((n, n_neighbors), dtype=np.int32)
    _scatter_back(keys, idx, ids, out_ind, out_misses)
    return out_ind, out_misses


@njit(parallel=True, cache=True)
def _scatter_back(keys, idx, ids, out_ind, out_misses):
    """Sorted row ``r`` is row ``ids[r]``: map back with no N x k temporaries."""
    n, k = idx.shape
    for r in prange(n):
        row = ids[r]
        for c in range(k):
            out_ind[row, c] = ids[idx[r, c]]
            out_misses[row, c] = np.int32(keys[r, c] >> np.uint64(32))


def _unpack(keys, idx):
    misses = (keys >> np.uint64(32)).astype(np.int32)
    return idx.astype(np.int32, copy=False), misses


def members(codes: np.ndarray, sentinel: int):
    """Per tree, rows grouped by leaf: ``(order, starts)``.

    ``order[t]`` lists the rows sorted by their code in tree ``t``;
    ``starts[t, c]:starts[t, c + 1]`` are the positions of the rows in leaf
    ``c``. Rows at the sentinel are left out.
    """
    n, n_trees = codes.shape
    kept = codes[codes != sentinel]
    n_codes = int(kept.max()) + 1 if kept.size else 0
    order = np.empty((n_trees, n), dtype=np.int32)
    starts = np.zeros((n_trees, n_codes + 1), dtype=np.int64)
    for t in range(n_trees):
        column = codes[:, t]
        order[t] = np.argsort(column, kind="stable")
        kept = column[column != sentinel].astype(np.int64)
        starts[t, 1:] = np.cumsum(np.bincount(kept, minlength=n_codes))
    return order, starts


@njit(parallel=True, cache=True)
def _exact(query, self_ids, ties, codes_ref, order, starts, sentinel, n_neighbors):
    nq, n_trees = query.shape
    n = codes_ref.shape[0]
    keys = np.full((nq, n_neighbors), _EMPTY, dtype=np.uint64)
    idx = np.full((nq, n_neighbors), -1, dtype=np.int32)
    fresh = np.zeros((nq, n_neighbors), dtype=np.bool_)
    n_chunks = min(nq, 16)
    for chunk in prange(n_chunks):
        counts = np.zeros(n, dtype=np.int32)
        touched = np.empty(n, dtype=np.int64)
        for i in range(chunk, nq, n_chunks):
            me = self_ids[i]
            tie = ties[i]
            nt = 0
            for t in range(n_trees):
                c = query[i, t]
                if c == sentinel or c + 1 >= starts.shape[1]:
                    continue
                for p in range(starts[t, c], starts[t, c + 1]):
                    j = order[t, p]
                    if counts[j] == 0:
                        touched[nt] = j
                        nt += 1
                    counts[j] += 1
            found = 0
            for a in range(nt):
                j = touched[a]
                if j != me:
                    key = _key(n_trees - counts[j], tie, j)
                    _push(keys[i], idx[i], fresh[i], key, j)
                    found += 1
            if found < n_neighbors:  # the rest are at distance 1: all tie
                for j in range(n):
                    if counts[j] == 0 and j != me:
                        _push(keys[i], idx[i], fresh[i], _key(n_trees, tie, j), j)
            for a in range(nt):
                counts[touched[a]] = 0
    return keys, idx


def exact_knn(
    query, codes, sentinel, n_neighbors, *, self_ids=None, ties=None, groups=None,
    progress=None,
):  # fmt: skip
    """Exact ``(indices, misses)`` of the rows of ``query`` among ``codes``.

    ``self_ids[i]`` is the row of ``codes`` that query ``i`` is (left out of
    its neighbours, and the pair hash uses it), or -1 for a new row; None
    means every query is new. A new row's ties are hashed with ``ties[i]``
    (the estimator passes :func:`astrokit.distances._leaf_query.tie_ids`;
    default 0: all new rows alike). Queries are searched in blocks;
    ``progress(rows)`` is called after each.
    """
    if self_ids is None:
        self_ids = np.full(len(query), -1, dtype=np.int64)
    self_ids = np.asarray(self_ids, dtype=np.int64)
    ties = np.where(self_ids >= 0, self_ids, 0 if ties is None else ties)
    order, starts = groups if groups is not None else members(codes, sentinel)
    nq = len(query)
    ind = np.empty((nq, n_neighbors), dtype=np.int32)
    misses = np.empty((nq, n_neighbors), dtype=np.int32)
    block = max(2048, -(-nq // 50))
    for start in range(0, nq, block):
        stop = min(start + block, nq)
        keys, idx = _exact(
            query[start:stop], self_ids[start:stop], ties[start:stop], codes,
            order, starts, sentinel, n_neighbors,
        )  # fmt: skip
        ind[start:stop], misses[start:stop] = _unpack(keys, idx)
        if progress is not None:
            progress(stop - start)
    return ind, misses


@njit(parallel=True, cache=True)
def _dense(query, order, starts, sentinel, n_ref):
    nq, n_trees = query.shape
    out = np.zeros((nq, n_ref), dtype=np.int32)
    for i in prange(nq):
        for t in range(n_trees):
            c = query[i, t]
            if c == sentinel or c + 1 >= starts.shape[1]:
                continue
            for p in range(starts[t, c], starts[t, c + 1]):
                out[i, order[t, p]] += 1
    return out


def dense(query, codes, sentinel):
    """Shared-leaf counts (nq, N) int32 between ``query`` and ``codes`` rows."""
    order, starts = members(codes, sentinel)
    return _dense(query, order, starts, sentinel, codes.shape[0])


def mean_similarity(query, codes, sentinel, *, exclude_self):
    """Mean shared-leaf count of each query row with all rows of ``codes``.

    Exact and O(N T): a row in leaf ``c`` of tree ``t`` shares that leaf with
    every row of ``codes`` in it, so summing leaf occupancies over trees gives
    the sum of similarities; ``exclude_self`` removes the row's own count
    (``query`` is ``codes``). Returns the mean over the other rows, as a
    fraction of the trees (float64).
    """
    n, n_trees = codes.shape
    total = np.zeros(query.shape[0], dtype=np.float64)
    for t in range(n_trees):
        ref = codes[:, t]
        kept = ref[ref != sentinel].astype(np.int64)
        occupancy = np.bincount(kept)
        column = query[:, t].astype(np.int64)
        counted = (column != sentinel) & (column < occupancy.size)
        total[counted] += occupancy[column[counted]] - (1 if exclude_self else 0)
    others = n - 1 if exclude_self else n
    return total / (n_trees * max(others, 1))
