"""The Sequencer on the toy example of Baron & Ménard (2020): order and time.

Prints, for a few sizes of the toy data set (shuffled spectra whose single
emission line moves along a hidden sequence, ``make_toy_spectra``: 400 grid
points, noise 5% of the continuum), the Spearman correlation between the
Sequencer's order and the hidden one (the target: |rho| >= 0.99), the final
elongation (N would be a perfect chain), the metrics and scales used, and
the run time of ``fit``. Then the same after shuffling every column on its
own (no sequence left): the elongation must drop.

Run: ``python benchmarks/bench_sequencer.py`` (``--sizes 200 500 1000``).
Times are wall-clock on whatever machine runs it; on a shared 2-core machine
they vary by tens of percent from run to run.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.stats import spearmanr

from astrokit.sequence import Sequencer, make_toy_spectra


def run(n_objects: int, n_pixels: int, noise: float) -> None:
    grid, spectra, truth = make_toy_spectra(
        n_objects=n_objects, n_pixels=n_pixels, noise=noise
    )
    start = time.perf_counter()
    seq = Sequencer(grid=grid).fit(spectra)
    seconds = time.perf_counter() - start
    rho = spearmanr(seq.rank_, truth)[0]
    print(
        f"N={n_objects:5d} x {n_pixels} pixels: |Spearman rho| = {abs(rho):.5f}  "
        f"elongation = {seq.elongation_:7.1f} (N = perfect)  "
        f"fit {seconds:6.1f} s  [{len(seq.metrics_)} metrics x scales {seq.scales_}]"
    )
    rng = np.random.default_rng(1)
    shuffled = np.column_stack([rng.permutation(column) for column in spectra.T])
    null = Sequencer(grid=grid).fit(shuffled)
    print(
        f"{'':8s}columns shuffled (no sequence): elongation = "
        f"{null.elongation_:7.1f}, |rho| = {abs(spearmanr(null.rank_, truth)[0]):.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 500, 1000])
    parser.add_argument("--pixels", type=int, default=400)
    parser.add_argument("--noise", type=float, default=0.05)
    args = parser.parse_args()
    for n in args.sizes:
        run(n, args.pixels, args.noise)


if __name__ == "__main__":
    main()
