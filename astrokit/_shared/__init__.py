"""What every layer of astrokit shares: band metadata, the cache, validation.

This package imports nothing from the rest of astrokit (a test enforces it),
so every stage can use it:

- :mod:`astrokit._shared.bands`: the PHANGS-like bands (names, instruments,
  units, labels) and the ``_err`` / ``_ul`` column suffixes;
- :mod:`astrokit._shared.cache`: where generated and downloaded files live,
  the data tiers, and atomic writes;
- :mod:`astrokit._shared.matrix`: the feature matrix every analysis stage
  starts from, checked in one place;
- :mod:`astrokit._shared.checks`: the scalar checks (positive integers,
  ``n_neighbors``, ``random_state``, renamed keywords) with one message each.
"""
