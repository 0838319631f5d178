"""Ordering objects into a sequence: the Sequencer of Baron & Ménard (2020).

Some data sets hide a one-dimensional trend: spectra that change steadily
with one physical parameter, pixels that run from star-forming to
shock-ionised gas. The Sequencer finds it without being told which feature
carries it, and says how strong it is.

- :class:`Sequencer` compares the rows with several distances (Euclidean,
  earth mover's, energy, Kullback-Leibler) at several scales (the columns
  cut into chunks), builds a minimum spanning tree for each, weights each
  tree by its *elongation* (how much it looks like a chain rather than a
  bush), merges them and walks the final tree from its least central node:
  ``fit(X)`` gives ``order_`` (the sequence), ``rank_`` (each row's place,
  on the input's index) and ``elongation_`` (N for a perfect sequence of N
  rows, near 1 for none).
- :func:`elongation` scores any point cloud (an embedding) the same way.
- :func:`make_toy_spectra` makes the paper's toy example: shuffled spectra
  whose emission line moves along a hidden sequence.

The distances are computed for all pairs at once (N x N matrices), so a
sequence holds at most :data:`MAX_ROWS` rows: sequence a sample of a large
table. See ``benchmarks/bench_sequencer.py`` for the toy example's
Spearman correlation and run time.
"""

from __future__ import annotations

from astrokit.sequence._estimator import MAX_ROWS, MIN_CHUNK, Sequencer
from astrokit.sequence._metrics import METRICS
from astrokit.sequence._score import elongation
from astrokit.sequence._toy import make_toy_spectra

__all__ = [
    "Sequencer",
    "elongation",
    "make_toy_spectra",
    "METRICS",
    "MAX_ROWS",
    "MIN_CHUNK",
]
