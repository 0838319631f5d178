"""Label transfer with ``ak.transfer.LabelTransfer`` defaults on two problems.

- synthetic PHANGS-like pixels (``ASTROKIT_TIER``, default ``demo``): the four
  MUSE line ratios of the BPT diagrams ([NII]/Halpha, [SII]/Halpha,
  [OI]/Halpha, [OIII]/Hbeta; ``features.derive(policy="drop")``) from the log
  of the ALMA, JWST and HST bands (NaN outside their footprints), on the
  pixels JWST or HST observed. Held out at random and in 10 x 10 pixel sky
  blocks; the fraction of pixels without MUSE that lie outside the trained
  range is printed too;
- SDSS DR14 10k (``../shared/data/sdss``): photometric redshifts from the
  colours u-g, g-r, r-i, i-z and r, scored as photo-z papers do
  (``|dz|/(1+z) > 0.15`` outliers), for every object and per class.

Run: ``.venv/bin/python benchmarks/bench_transfer.py [pixels sdss]``. Times
are wall-clock on whatever machine runs it (noisy on a shared one).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import astrokit as ak

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
BANDS = ["co21", "co21_width", "f335m", "f770w", "f1130w", "f2100w"]
BANDS += ["f275w", "f336w", "f438w", "f555w", "f814w"]
RATIOS = ["log_nii_ha", "log_sii_ha", "log_oi_ha", "log_oiii_hb"]
SHOWN = ["n_labelled", "n_test", "bias", "nmad", "baseline_nmad"]
SHOWN += ["outlier_fraction", "outlier_threshold", "coverage"]


def _show(model: ak.transfer.LabelTransfer, seconds: float, what: str) -> None:
    print(f"{what} ({seconds:.0f} s)")
    print(model.scores_[SHOWN].round(3).to_string())


def pixels() -> None:
    tier = os.environ.get("ASTROKIT_TIER", "demo")
    table = ak.data.load_demo(tier)
    observed = table[["f770w", "f555w"]].notna().any(axis=1)
    table = table[observed]
    inputs = np.log10(table[BANDS].where(table[BANDS] > 0)).add_prefix("log_")
    ratios = ak.features.derive(table, features=RATIOS).reindex(table.index)
    print(f"pixels ({tier} tier): {len(table):,} seen by JWST or HST, "
          f"{int(table['halpha'].isna().sum()):,} of them without MUSE")  # fmt: skip
    for name, groups in [
        ("random", None),
        ("sky blocks", ak.transfer.sky_blocks(table)),
    ]:
        start = time.perf_counter()
        model = ak.transfer.LabelTransfer(progress=False).fit(
            inputs, ratios[RATIOS], groups=groups
        )
        _show(model, time.perf_counter() - start, f"  held out: {name}")
    no_muse = table["halpha"].isna()
    share = model.predictions_.loc[no_muse, "extrapolated"].mean()
    print(f"  pixels without MUSE outside the trained range: {share:.1%}")
    top = model.importances_.idxmax().to_dict()
    print(f"  most important input per ratio: {top}")


def sdss() -> None:
    d = pd.read_csv(SHARED / "sdss" / "skyserver_dr14_10k.csv")
    colours = pd.DataFrame(
        {"u_g": d.u - d.g, "g_r": d.g - d.r, "r_i": d.r - d.i, "i_z": d.i - d.z,
         "r": d.r}
    )  # fmt: skip
    start = time.perf_counter()
    model = ak.transfer.LabelTransfer(redshift="redshift", progress=False)
    model.fit(colours, d["redshift"])
    _show(model, time.perf_counter() - start, f"sdss photo-z, {len(d):,} objects")
    test = model.split_["redshift"] == "test"
    pred = model.predictions_["redshift_pred"]
    for cls, rows in d[test].groupby("class").groups.items():
        s = ak.transfer.scores(d.loc[rows, "redshift"], pred[rows], redshift=True)
        print(
            f"  {cls:6s} ({int(s['n'])} held out): nmad {s['nmad']:.4f}, "
            f"bias {s['bias']:+.4f}, outliers {s['outlier_fraction']:.1%}"
        )
    top = model.importances_["redshift"].sort_values(ascending=False)
    print(f"  permutation importances: {top.round(3).to_dict()}")


if __name__ == "__main__":
    wanted = sys.argv[1:] or ["pixels", "sdss"]
    if "sdss" in wanted and not SHARED.is_dir():
        print(f"skipping sdss: {SHARED} is absent")
        wanted = [w for w in wanted if w != "sdss"]
    for name in wanted:
        {"pixels": pixels, "sdss": sdss}[name]()
