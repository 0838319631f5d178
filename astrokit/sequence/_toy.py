"""The toy data of Baron & Ménard (2020): a hidden sequence of shifted peaks.

Each object is a "spectrum" on a common grid: a flat continuum plus one
Gaussian-shaped emission line whose centre moves steadily from the blue to
the red end along the hidden sequence, plus Gaussian noise; the rows are
then shuffled. The Sequencer must recover the order from the shuffled rows
alone; the returned truth (the line centre of each row) grades it.
"""

from __future__ import annotations

import numpy as np

from astrokit._shared.checks import check_int, check_random_state

__all__ = ["make_toy_spectra"]


def make_toy_spectra(
    *,
    n_objects: int = 300,
    n_pixels: int = 400,
    width: float = 0.03,
    noise: float = 0.05,
    random_state=0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shuffled spectra with a peak that moves along a hidden sequence.

    Parameters
    ----------
    n_objects : int, default 300
        Number of spectra (rows).
    n_pixels : int, default 400
        Number of grid points (columns).
    width : float, default 0.03
        Line width (Gaussian sigma) as a fraction of the grid's length.
    noise : float, default 0.05
        Standard deviation of the Gaussian noise, in units of the continuum
        (the line peaks at twice the continuum). Values stay positive: the
        noise is clipped at a tenth of the continuum.
    random_state : int, Generator or None, default 0
        Seeds the line centres' shuffle and the noise.

    Returns
    -------
    grid : ndarray, shape (n_pixels,)
        The x value of each column, 0 to 1.
    spectra : ndarray, shape (n_objects, n_pixels)
        One spectrum per row, in random order.
    truth : ndarray, shape (n_objects,)
        The line centre of each row: its place in the hidden sequence.

    Examples
    --------
    >>> grid, spectra, truth = make_toy_spectra(n_objects=5, n_pixels=50)
    >>> spectra.shape, bool(spectra.min() > 0), bool(np.all(np.diff(grid) > 0))
    ((5, 50), True, True)
    """
    n_objects = check_int(n_objects, "n_objects", minimum=2)
    n_pixels = check_int(n_pixels, "n_pixels", minimum=4)
    if not (np.isfinite(width) and width > 0) or not (
        np.isfinite(noise) and noise >= 0
    ):
        msg = f"width={width!r} must be > 0 and noise={noise!r} >= 0."
        raise ValueError(msg)
    rng = np.random.default_rng(check_random_state(random_state))
    grid = np.linspace(0.0, 1.0, n_pixels)
    truth = rng.permutation(np.linspace(0.15, 0.85, n_objects))
    line = np.exp(-0.5 * ((grid[None, :] - truth[:, None]) / width) ** 2)
    spectra = 1.0 + line + rng.normal(0.0, noise, (n_objects, n_pixels))
    return grid, np.clip(spectra, 0.1, None), truth
