"""The ``survey`` tier: tens of synthetic galaxies of PHANGS-like size, on disk.

PHANGS maps have 1-10 million pixels per galaxy (MUSE's 0.2 arcsec pixels)
and the surveys 19-90 galaxies: 10^7-10^8 rows, more than one machine holds.
:func:`write_survey` writes such a sample straight to a Parquet dataset
(:func:`astrokit.data.write_table`'s format: a folder per galaxy, a row group
per chunk), galaxy by galaxy and band of pixel rows by band, so memory holds
one chunk at a time whatever the survey's size.

Every galaxy comes from the generator of the other tiers
(:func:`astrokit.data.make_galaxies`: the same structure, emission, noise,
footprints, columns, truth columns and ``attrs``); only the galaxies differ.
:func:`survey_galaxies` draws them from ``random_state``: sky position
(PHANGS-like, mostly southern), distance 5-20 Mpc, inclination up to 70
degrees, disc radius 8-25 kpc, bars (60%), Seyfert nuclei (25%), clump
numbers in proportion to the disc area, and a target number of pixels drawn
log-uniformly in ``pixels`` (1-10 million by default), which sets the pixel
size (as the real pixel is a fixed angle, its size in pc differs from galaxy
to galaxy: ``attrs["pixel_pc"]`` is a dict per galaxy here).

A band's pixel noise and anomalies are drawn from its own stream
(``[random_state, galaxy, 1, 3, band]``); its clumps, textures and footprints
are the galaxy's, the same in every band. The rule "at least 2 anomalies when
20 pixels are eligible" applies per band, so the anomaly rate sits slightly
above the other tiers' 0.5% in galaxies with many small bands.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_int
from astrokit.data._parquet import DatasetWriter
from astrokit.data._synthetic import (
    check_random_state,
    galaxy_attrs,
    galaxy_columns,
    galaxy_frame,
)
from astrokit.data._synthetic_geometry import GalaxySpec, make_grid

__all__ = ["write_survey", "survey_galaxies", "SURVEY_PIXELS", "CHUNK_ROWS"]

logger = logging.getLogger("astrokit.data")

SURVEY_PIXELS = (1_000_000, 10_000_000)
"""Range of pixels per galaxy (drawn log-uniformly): PHANGS-MUSE-like sizes."""
SURVEY_GALAXIES = 25
"""Galaxies in the default survey: about 10^8 rows."""
CHUNK_ROWS = 500_000
"""Most grid cells (hence rows) generated at once by default."""
SURVEY_TIER = 3  # the pixel streams' tier number (tiny, demo, full are 0-2)
FIRST_GID = 100  # survey galaxy g is galaxy number FIRST_GID + g in the streams


def _check_pixels(pixels) -> tuple[int, int]:
    try:
        low, high = (int(p) for p in pixels)
        ok = 1_000 <= low <= high and all(float(p) == int(p) for p in pixels)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        msg = (
            f"pixels={pixels!r} must be a (low, high) pair of integers with "
            f"1000 <= low <= high, e.g. {SURVEY_PIXELS}."
        )
        raise ValueError(msg)
    return low, high


def _draw_spec(i: int, rng, pixels) -> tuple[GalaxySpec, float, int]:
    """One survey galaxy: its spec, pixel size (pc) and target pixel count."""
    radius = float(np.exp(rng.uniform(np.log(8.0), np.log(25.0))))
    incl = float(np.degrees(np.arccos(rng.uniform(np.cos(np.radians(70.0)), 1.0))))
    barred, agn = bool(rng.random() < 0.6), bool(rng.random() < 0.25)
    n_hii = int(rng.uniform(2.5, 4.0) * radius**2)
    target = int(np.exp(rng.uniform(np.log(pixels[0]), np.log(pixels[1]))))
    kind = "barred spiral" if barred else "spiral"
    spec = GalaxySpec(
        f"SYN{i + 1:03d}",
        ra=float(rng.uniform(0.0, 360.0)),
        dec=float(np.degrees(np.arcsin(rng.uniform(np.sin(-1.31), np.sin(0.44))))),
        dist_mpc=float(rng.uniform(5.0, 20.0)),
        incl_deg=incl,
        pa_deg=float(rng.uniform(0.0, 360.0)),
        r_disc_kpc=radius,
        pitch_deg=float(rng.uniform(12.0, 28.0)),
        arm_phase_deg=float(rng.uniform(0.0, 360.0)),
        bar_kpc=float(rng.uniform(0.15, 0.3) * radius) if barred else 0.0,
        bar_angle_deg=float(rng.uniform(-90.0, 90.0)),
        bulge_kpc=float(rng.uniform(0.05, 0.09) * radius),
        agn=agn,
        n_hii=n_hii,
        n_gmc=int(n_hii * rng.uniform(1.1, 1.4)),
        description=f"synthetic survey {kind}" + (" with a Seyfert nucleus" * agn),
    )
    area = np.pi * radius**2 * np.cos(np.radians(incl))  # kpc^2 on the sky
    return spec, float(1000.0 * np.sqrt(area / target)), target


def _specs(n_galaxies, random_state, pixels):
    n_galaxies = check_int(n_galaxies, "n_galaxies", what="galaxies")
    seed = check_random_state(random_state)
    pixels = _check_pixels(pixels)
    rng = np.random.default_rng([seed, FIRST_GID])
    return [_draw_spec(i, rng, pixels) for i in range(n_galaxies)], seed


def survey_galaxies(
    n_galaxies: int = SURVEY_GALAXIES,
    *,
    random_state: int = 0,
    pixels: tuple[int, int] = SURVEY_PIXELS,
) -> pd.DataFrame:
    """The galaxies :func:`write_survey` would write, without generating them.

    Parameters
    ----------
    n_galaxies, random_state, pixels
        As for :func:`write_survey`.

    Returns
    -------
    pandas.DataFrame
        One row per galaxy (index ``galaxy``): ``ra``, ``dec``, ``dist_mpc``,
        ``incl_deg``, ``pa_deg``, ``r_disc_kpc``, ``bar_kpc``, ``agn``,
        ``pixel_pc`` and ``target_pixels`` (the drawn size; the written
        count differs by a few per cent: the footprints are not exact
        ellipses).

    Examples
    --------
    >>> g = survey_galaxies(3, pixels=(10_000, 20_000))
    >>> g.index.tolist()
    ['SYN001', 'SYN002', 'SYN003']
    >>> bool(g["target_pixels"].between(10_000, 20_000).all())
    True
    """
    specs, _ = _specs(n_galaxies, random_state, pixels)
    keys = ["ra", "dec", "dist_mpc", "incl_deg", "pa_deg", "r_disc_kpc", "bar_kpc"]
    rows = [
        {
            **{k: getattr(s, k) for k in keys},
            "agn": s.agn,
            "pixel_pc": pc,
            "target_pixels": n,
        }  # fmt: skip
        for s, pc, n in specs
    ]
    return pd.DataFrame(
        rows, index=pd.Index([s.name for s, _, _ in specs], name="galaxy")
    )


def write_survey(
    path,
    *,
    n_galaxies: int = SURVEY_GALAXIES,
    random_state: int = 0,
    pixels: tuple[int, int] = SURVEY_PIXELS,
    chunk_rows: int = CHUNK_ROWS,
    n_jobs: int | None = None,
    overwrite: bool = False,
    progress: bool = True,
) -> Path:
    """Write the ``survey`` tier: a synthetic sample of PHANGS-like size, to Parquet.

    Galaxies are generated one after the other, each in bands of pixel rows
    of at most ``chunk_rows`` grid cells, and every band is appended to the
    dataset as it is made: peak memory is that of one chunk (measured:
    0.86 GB for a process generating chunks of the default 500,000 cells,
    imports included; ``benchmarks/bench_survey.py``), whatever the
    galaxies' sizes or ``n_galaxies``. The dataset is moved into place only
    when complete.

    Parameters
    ----------
    path : str or Path
        The dataset folder (read it with :func:`astrokit.data.read_table`,
        e.g. ``dask=True``: one partition per chunk).
    n_galaxies : int, default 25
        Galaxies in the sample (named ``SYN001``, ...): about 4 x 10^6 rows
        each on average with the default ``pixels``, 10^8 rows for 25.
    random_state : int, default 0
        Seeds the galaxies and their pixels (the same value writes the same
        dataset).
    pixels : (int, int), default (1_000_000, 10_000_000)
        Range of each galaxy's number of pixels (log-uniform); smaller values
        give a small survey for tests and lessons.
    chunk_rows : int, default 500_000
        Most grid cells generated at once (a row group of the dataset).
    n_jobs : int, optional
        Processes generating chunks side by side (joblib's convention:
        ``None`` one, ``-1`` all cores); this process writes them in order,
        so the dataset is the same for any ``n_jobs``. Memory: about
        ``2 * n_jobs + 1`` chunks.
    overwrite : bool, default False
        Replace an existing astrokit dataset at ``path``.
    progress : bool, default True
        A tqdm progress bar (stderr) over the chunks.

    Returns
    -------
    Path
        ``path``. The table has the columns, dtypes and truth columns of
        :func:`make_galaxies`, a unique int64 index over the whole survey,
        and its ``attrs`` (``tier="survey"``; ``pixel_pc``, ``wcs``,
        ``shape`` and ``galaxy_info`` per galaxy).

    Raises
    ------
    ValueError
        For a bad ``n_galaxies``, ``random_state``, ``pixels`` or
        ``chunk_rows``; FileExistsError as :func:`write_table`.

    Examples
    --------
    >>> import tempfile
    >>> from astrokit.data import read_table
    >>> folder = Path(tempfile.mkdtemp()) / "survey"
    >>> _ = write_survey(folder, n_galaxies=2, pixels=(5_000, 8_000), progress=False)
    >>> t = read_table(folder)
    >>> t["galaxy"].cat.categories.tolist(), t.attrs["tier"]
    (['SYN001', 'SYN002'], 'survey')
    """
    from joblib import effective_n_jobs
    from tqdm.auto import tqdm

    specs, seed = _specs(n_galaxies, random_state, pixels)
    chunk_rows = check_int(chunk_rows, "chunk_rows", minimum=1000, what="cells")
    n_jobs = max(1, effective_n_jobs(n_jobs))
    names = [spec.name for spec, _, _ in specs]
    grids = [make_grid(spec, pc, rows=(0, 0)) for spec, pc, _ in specs]
    tasks = [
        (spec, pc, g, b, y0, max(1, chunk_rows // grid.nx), seed, names)
        for g, ((spec, pc, _), grid) in enumerate(zip(specs, grids, strict=True))
        for b, y0 in enumerate(range(0, grid.ny, max(1, chunk_rows // grid.nx)))
    ]
    bar = tqdm(
        total=len(tasks), desc="survey chunks", unit="chunk", disable=not progress
    )
    offset = 0
    with (
        bar,
        DatasetWriter(path, row_group_size=chunk_rows, overwrite=overwrite) as out,
    ):
        for task, chunk in zip(tasks, _chunks(tasks, n_jobs), strict=True):
            bar.set_postfix_str(task[0].name)
            if chunk is not None:
                chunk.index = pd.RangeIndex(offset, offset + len(chunk))
                out.write(chunk)
                offset += len(chunk)
            del chunk
            bar.update(1)
        parts = [{"header": grid.header, "shape": (grid.ny, grid.nx)} for grid in grids]
        pixel_pc = {spec.name: pc for spec, pc, _ in specs}
        attrs = galaxy_attrs([s for s, _, _ in specs], parts, pixel_pc, "survey", seed)
        logger.info("survey: %d rows in %d galaxies -> %s", offset, len(specs), path)
        return out.commit(attrs)


def _band_chunk(spec, pixel_pc, g, b, y0, height, seed, names):
    """The table of one band of rows of survey galaxy ``g`` (None: no pixels)."""
    band = make_grid(spec, pixel_pc, rows=(y0, y0 + height))
    rng = np.random.default_rng([seed, FIRST_GID + g, 1, SURVEY_TIER, b])
    part = galaxy_columns(spec, FIRST_GID + g, band, seed, rng)
    return galaxy_frame([part], [spec.name], names) if part["n"] else None


def _chunks(tasks, n_jobs: int):
    """The chunks of ``tasks`` in order, made here or by ``n_jobs`` processes."""
    if n_jobs == 1:
        for task in tasks:
            yield _band_chunk(*task)
        return
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")  # no fork of a threaded process
    pool = ProcessPoolExecutor(n_jobs, mp_context=context)
    try:
        pending = deque()
        for task in tasks:
            pending.append(pool.submit(_band_chunk, *task))
            if len(pending) > n_jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(cancel_futures=True)
