"""Placing rows outside a UMAP's fitted sample: neighbours against UMAP.transform.

Data: the full tier's pixels (``load_demo("full")``, the eleven features of
Baron et al. 2024 under ``policy="flag"``, standardised), the table that
``astrokit demo --tier full`` embeds. UMAP (n_neighbors=25, min_dist=0, as
in ``astrokit.discover``) is fitted on ``--fit-rows`` random rows; then
``--rows`` other rows are placed

- by ``UMAP.transform`` (umap-learn's own out-of-sample placement), and
- by :class:`astrokit.embedding._place.NeighbourPlacer` with k = 5, 10, 25
  (distance-weighted mean of the coordinates of the k nearest sample rows in
  feature space).

Printed per placement: rows per second (wall and CPU seconds: the machine
is shared, so wall times are noisy), and the trustworthiness
(``sklearn.manifold.trustworthiness``, 25 neighbours) of the placed rows,
averaged over ``--repeats`` random subsets of ``--trust-rows`` placed rows
(it needs all pairwise distances of the rows it scores); the same subsets
for every placement. Also the mean distance between the two placements'
coordinates, in units of the embedding's spread.

Run: ``python benchmarks/bench_placement.py`` (a few minutes on 2 cores).

Measured (2026-12-01 evening, full tier, fit 50,000, placed 100,000, on a
quiet 2-core machine; the neighbour search is pynndescent's above 10,000
sample rows, ``astrokit.embedding._place.EXACT_SAMPLE_ROWS``)::

    placement          rows/s wall  rows/s CPU   trust   ± sd   shift
    UMAP.transform           1,262       1,344   0.957  0.001   0.000
    neighbours k=5         121,898     121,747   0.950  0.001   0.035
    neighbours k=10         48,941      73,001   0.949  0.001   0.031
    neighbours k=25         41,554      41,564   0.949  0.001   0.031

Neighbour placement is within 0.01 of ``UMAP.transform``'s trustworthiness
at 54 times less CPU (k = 10, the default). Before pynndescent's index (the
same day, exact scikit-learn search, a busy machine): 3,677 rows per CPU
second at k = 10, the same trustworthiness.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def _features(tier: str) -> np.ndarray:
    from astrokit import features
    from astrokit._shared.matrix import standardize
    from astrokit.data import load_demo

    derived = features.derive(load_demo(tier), policy="flag")
    names = derived.attrs["features"]
    return standardize(derived[names].to_numpy(np.float64)).astype(np.float32)


def _timed(func, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    out = func(*args)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="full")
    parser.add_argument("--fit-rows", type=int, default=50_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--trust-rows", type=int, default=4_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from sklearn.manifold import trustworthiness

    from astrokit.embedding._place import NeighbourPlacer
    from astrokit.embedding._umap import _ExactIndex, exact_knn, load_umap

    X = _features(args.tier)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(X))
    fit, new = order[: args.fit_rows], order[args.fit_rows :][: args.rows]
    print(
        f"{args.tier} tier: {len(X):,} rows x {X.shape[1]} features; UMAP fitted "
        f"on {len(fit):,}, {len(new):,} other rows placed"
    )
    umap = load_umap()
    indices, distances, index = exact_knn(X[fit], 26, "euclidean")
    model = umap.UMAP(
        n_neighbors=26,
        min_dist=0.0,
        random_state=0,
        n_epochs=200,
        precomputed_knn=(indices, distances, _ExactIndex(index)),
    )
    sample, wall, cpu = _timed(model.fit_transform, X[fit])
    print(f"UMAP fit: {wall:.0f} s wall, {cpu:.0f} s CPU")

    placed = {}
    times = {}
    placed["UMAP.transform"], *times["UMAP.transform"] = _timed(model.transform, X[new])
    for k in (5, 10, 25):
        placer = NeighbourPlacer(n_neighbors=k, n_jobs=-1).fit(X[fit], sample)
        frame, *times[f"neighbours k={k}"] = _timed(placer.transform, X[new])
        placed[f"neighbours k={k}"] = frame.to_numpy()

    subsets = [
        rng.choice(len(new), args.trust_rows, replace=False)
        for _ in range(args.repeats)
    ]
    spread = np.sqrt(sample.var(axis=0).sum())
    ref = placed["UMAP.transform"]
    print(
        f"\n{'placement':<18}{'rows/s wall':>12}{'rows/s CPU':>12}"
        f"{'trust':>8}{'± sd':>7}{'shift':>8}"
    )
    for name, coords in placed.items():
        trust = [trustworthiness(X[new][s], coords[s], n_neighbors=25) for s in subsets]
        shift = np.linalg.norm(coords - ref, axis=1).mean() / spread
        wall, cpu = times[name]
        print(
            f"{name:<18}{len(new) / wall:>12,.0f}{len(new) / cpu:>12,.0f}"
            f"{np.mean(trust):>8.3f}{np.std(trust):>7.3f}{shift:>8.3f}"
        )
    print(
        "\ntrust: trustworthiness of the placed rows (25 neighbours) over "
        f"{args.repeats} subsets of {args.trust_rows:,}; shift: mean distance "
        "to UMAP.transform's position over the embedding's spread"
    )


if __name__ == "__main__":
    main()
