"""Maps to one resolution and grid: correctness, a real map, speed and memory.

Usage::

    python benchmarks/bench_standardise.py            # all three parts
    python benchmarks/bench_standardise.py --speed    # only the speed part
    python benchmarks/bench_standardise.py --round-trip [--tier demo]

Correctness (targets: within 1%): a circular Gaussian of FWHM 1" smoothed to
3" (second-moment FWHM and total flux), an elliptical 2" x 1" beam at PA 30
deg on a grid turned by 35 deg matched to a 3" circle (FWHM along both
principal axes).

Real data (when ``../shared/data/phangs_alma`` is present): NGC 3621's
PHANGS-ALMA CO(2-1) map, reported at 150 pc (no kernel needed), then
smoothed to 300 pc: the beam in ``attrs`` against 300 pc at the sample
table's distance, the total flux against the 150 pc map's, and the error
ratio.

Round trip (target: median log-ratio offset below 0.02 dex): the generator's
raw observations (``write_raw_observations``: ALMA, MUSE, JWST and HST files
at their native beams, pixels and noise) of the three galaxies, each
standardised to 150 pc with one ``read_maps`` call and compared with the
noiseless truth at 150 pc (``raw_truth``): per line or band ratio, the median
of log10(measured / true) over pixels with S/N >= 5 in both bands; the times
to write and to standardise.

Speed (target: under 30 s on 2 cores, peak memory below 3x the maps):
five 2000 x 2000 float32 maps with error maps, at five pixel scales and
beams (ALMA-, MUSE-, JWST- and HST-like), smoothed to 2" and put on one new
grid. One timed run, then one under ``tracemalloc`` (peak of traced
allocations, NumPy's included); ``ru_maxrss`` (the process's peak resident
memory, imports included) is printed too. Timings on a shared machine are
noisy.
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from astropy.io import fits
from astropy.modeling import models
from astropy.wcs import WCS

import astrokit as ak
from astrokit._shared.bands import BANDS

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "phangs_alma"
FWHM_TO_SIGMA = 1 / (2 * math.sqrt(2 * math.log(2)))


def _header(n, pix, rotation=0.0, **cards):
    w = WCS(naxis=2)
    w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    w.wcs.crval = [150.0, 2.0]
    w.wcs.crpix = [(n + 1) / 2] * 2
    w.wcs.cdelt = [-pix / 3600, pix / 3600]
    c, s = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    w.wcs.pc = [[c, -s], [s, c]]
    header = w.to_header()
    header.update(cards)
    return header


def _gaussian(n, pix, fmaj, fmin, pa, rotation=0.0):
    y, x = np.mgrid[:n, :n]
    c = (n - 1) / 2
    sig = FWHM_TO_SIGMA / pix
    theta = math.radians(90 + pa - rotation)
    return models.Gaussian2D(100.0, c, c, fmaj * sig, fmin * sig, theta)(x, y)


def _moments_fwhm(image, pix):
    im = np.nan_to_num(image)
    y, x = np.mgrid[: im.shape[0], : im.shape[1]]
    f = im.sum()
    xc, yc = (im * x).sum() / f, (im * y).sum() / f
    cov = [
        [(im * (x - xc) ** 2).sum() / f, (im * (x - xc) * (y - yc)).sum() / f],
        [(im * (x - xc) * (y - yc)).sum() / f, (im * (y - yc) ** 2).sum() / f],
    ]
    return np.sqrt(np.linalg.eigvalsh(cov)[::-1]) / FWHM_TO_SIGMA * pix


def correctness(folder: Path) -> None:
    n, pix = 201, 0.2
    cases = [('circular 1" -> 3"', 1.0, 1.0, 0.0, 0.0)]
    cases += [
        ('elliptical 2"x1" PA 30, grid turned 35 deg -> 3"', 2.0, 1.0, 30.0, 35.0)
    ]
    for label, fmaj, fmin, pa, rot in cases:
        source = _gaussian(n, pix, fmaj, fmin, pa, rot)
        cards = {"BMAJ": fmaj / 3600, "BMIN": fmin / 3600, "BPA": pa, "BUNIT": "MJy/sr"}
        path = folder / "gauss.fits"
        fits.writeto(path, source.astype(np.float32), _header(n, pix, rot, **cards),
                     overwrite=True)  # fmt: skip
        table = ak.data.read_maps({"f770w": path}, resolution="3 arcsec", galaxy="g")
        image = ak.data.to_image(table, "f770w")
        major, minor = _moments_fwhm(image, pix)
        flux = np.nansum(image) / source.sum()
        print(
            f'{label}: FWHM {major:.4f}" x {minor:.4f}" (target 3, errors '
            f"{major / 3 - 1:+.2%}, {minor / 3 - 1:+.2%}); total flux ratio "
            f"{flux:.5f} ({flux - 1:+.3%})"
        )


def real_data() -> None:
    mom0 = SHARED / "ngc3621_1_12m+7m_co21_150pc_broad_mom0.fits"
    if not mom0.exists():
        print(f"real data: {SHARED} is absent; skipped.")
        return
    emom0 = SHARED / "ngc3621_1_12m+7m_co21_150pc_broad_emom0.fits"
    dist = ak.data.galaxy_distance(
        "NGC3621", sample_table=SHARED / "phangs_sample_table_v1p6.fits"
    )
    kwargs = {"errors": {"co21": emom0}, "distance": dist, "galaxy": "NGC3621"}
    at150 = ak.data.read_maps({"co21": mom0}, resolution="150 pc", **kwargs)
    info = at150.attrs["resolution"]
    native = info["bands"]["co21"]["native_beam"]["bmaj_arcsec"]
    print(
        f'NGC 3621 at {dist:.2f}: header beam {native:.4f}" = '
        f"{native / 206264.806 * dist.to('pc').value:.2f} pc; 150 pc = "
        f'{info["fwhm_arcsec"]:.4f}"; kernel {info["bands"]["co21"]["kernel"]}'
    )
    at300 = ak.data.read_maps({"co21": mom0}, resolution="300 pc", **kwargs)
    info = at300.attrs["resolution"]
    expected = 300 / dist.to("pc").value * 206264.806
    flux = at300["co21"].sum() / at150["co21"].sum()
    err = at150["co21_err"].median() / at300["co21_err"].median()
    print(
        f'  at 300 pc: beam {info["beam"]["bmaj_arcsec"]:.4f}" (300 pc = '
        f'{expected:.4f}"), total flux ratio {flux:.5f} ({flux - 1:+.3%}), '
        f"median error 150/300 pc {err:.2f} (noise {info['bands']['co21']['noise']})"
    )


INSTRUMENTS = [  # band, pixel (arcsec), native FWHM (arcsec), header beam?
    ("co21", 0.2, 1.0, True),
    ("halpha", 0.2, 0.8, False),
    ("f770w", 0.11, 0.269, False),
    ("f2100w", 0.11, 0.674, False),
    ("f555w", 0.04, 0.067, False),
]


def speed(folder: Path) -> None:
    n = 2000
    rng = np.random.default_rng(1)
    maps, errors, native = {}, {}, {}
    for band, pix, fwhm, in_header in INSTRUMENTS:
        cards = {"BUNIT": BANDS[band].unit}
        if in_header:
            cards.update(BMAJ=fwhm / 3600, BMIN=fwhm / 3600, BPA=0.0)
        else:
            native[band] = f"{fwhm} arcsec"
        data = rng.normal(10.0, 1.0, (n, n)).astype(np.float32)
        data[:, : n // 10] = np.nan
        maps[band], errors[band] = folder / f"{band}.fits", folder / f"e{band}.fits"
        fits.writeto(maps[band], data, _header(n, pix, **cards), overwrite=True)
        fits.writeto(errors[band], np.ones_like(data), _header(n, pix, **cards),
                     overwrite=True)  # fmt: skip
    size_mb = 2 * len(maps) * n * n * 4 / 2**20

    def run():
        return ak.data.read_maps(
            maps, errors=errors, native=native, resolution="2 arcsec", galaxy="bench"
        )

    start = time.perf_counter()
    table = run()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"speed: five {n}x{n} maps + error maps ({size_mb:.0f} MB as float32) -> "
        f"{len(table):,} rows on a {table.attrs['shape']['bench']} grid in "
        f"{seconds:.1f} s (target 30 s); peak traced memory {peak / 2**20:.0f} MB "
        f"= {peak / 2**20 / size_mb:.2f}x the maps (target < 3x); process peak "
        f"RSS {rss:.0f} MB (imports and the file writing included)"
    )


RATIOS = [
    ("nii6583", "halpha"),
    ("sii6716_31", "halpha"),
    ("oiii5007", "hbeta"),
    ("oi6300", "halpha"),
    ("halpha", "hbeta"),
    ("co21", "halpha"),
    ("f1130w", "f770w"),
    ("f335m", "f1130w"),
    ("f2100w", "halpha"),
    ("f275w", "f555w"),
]


def round_trip(folder: Path, tier: str) -> None:
    start = time.perf_counter()
    files = ak.data.write_raw_observations(folder, tier=tier)
    print(
        f"round trip ({tier}): raw files written in {time.perf_counter() - start:.1f} s"
    )
    worst = 0.0
    for galaxy, rows in files.groupby("galaxy", sort=False):
        maps = {f.band: (f.path, f.hdu) for f in rows.itertuples()}
        errors = {f.band: (f.err_path, f.err_hdu) for f in rows.itertuples()}
        start = time.perf_counter()
        table = ak.data.read_maps(maps, errors=errors, resolution="150 pc")
        seconds = time.perf_counter() - start
        truth = ak.data.raw_truth(table, folder)
        table["sii6716_31"] = table["sii6716"] + table["sii6731"]
        table["sii6716_31_err"] = np.hypot(table["sii6716_err"], table["sii6731_err"])
        truth["sii6716_31"] = truth["sii6716"] + truth["sii6731"]
        parts = []
        for a, b in RATIOS:
            good = (table[a] >= 5 * table[a + "_err"]) & (
                table[b] >= 5 * table[b + "_err"]
            )
            offset = np.log10(table[a][good] / table[b][good])
            offset = (offset - np.log10(truth[a][good] / truth[b][good])).median()
            worst = max(worst, abs(offset))
            parts.append(f"{a}/{b} {offset:+.4f}")
        print(
            f"  {galaxy}: {len(maps)} maps -> {len(table):,} rows in {seconds:.1f} s; "
            "median log-ratio offsets (dex): " + ", ".join(parts)
        )
    print(f"  largest |median offset| {worst:.4f} dex (target < 0.02)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", action="store_true", help="only the speed part")
    parser.add_argument("--round-trip", action="store_true", help="only the round trip")
    parser.add_argument("--tier", default="tiny", help="round-trip tier (tiny)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not (args.speed or args.round_trip):
            correctness(folder)
            real_data()
        if not args.speed:
            round_trip(folder / "raw", args.tier)
        if not args.round_trip:
            speed(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
