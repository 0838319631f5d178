"""BPT classes: each line's two sides, the combined scheme, NaN and limits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import astrokit.features as F
from astrokit.features._definitions import BPT_LINES

CENSOR = ["none", "upper", "lower", "unconstrained"]


def frame(**columns) -> pd.DataFrame:
    """Ratios as derive returns them; ``<name>_censored`` lists become categorical."""
    out = pd.DataFrame(columns)
    out.index = [f"px{i}" for i in range(len(out))]
    for name in [c for c in out if c.endswith("_censored")]:
        out[name] = pd.Categorical(out[name], categories=CENSOR)
    return out


def one(which="kewley06", **ratios) -> str:
    """The class of a single row."""
    row = frame(**{k: [v] for k, v in ratios.items()})
    return F.bpt_class(row, which=which).iloc[0]


def test_published_coefficients():
    # Kewley et al. (2006): log([OIII]/Hb) = 1.89 log([SII]/Ha) + 0.76 and
    # 1.18 log([OI]/Ha) + 1.30; Schawinski et al. (2007): 1.05 x + 0.45.
    assert F.bpt_line("kewley06_sii", [0.0, 0.5]) == pytest.approx([0.76, 1.705])
    assert F.bpt_line("kewley06_oi", [0.0, -0.5]) == pytest.approx([1.30, 0.71])
    assert F.bpt_line("schawinski07", 0.0) == pytest.approx(0.45)
    assert F.bpt_line("kewley01_oi", -1.2) == pytest.approx(0.73 / -0.61 + 1.33)
    # a Seyfert/LINER line starts at the maximum-starburst curve
    assert np.isnan(F.bpt_line("kewley06_sii", -0.5))
    assert {line["ref"].split(",")[0] for line in BPT_LINES.values()} == {
        "Kauffmann et al. 2003", "Kewley et al. 2001", "Kewley et al. 2006",
        "Schawinski et al. 2007",
    }  # fmt: skip


# (scheme, x column, x, the line's y there, class below, class above)
SIDES = [
    ("nii", "log_nii_ha", -0.5, 0.61 / -0.55 + 1.30, "star-forming", "composite"),
    ("nii", "log_nii_ha", -0.2, 0.61 / -0.67 + 1.19, "composite", "Seyfert"),
    ("nii", "log_nii_ha", 0.3, 1.05 * 0.3 + 0.45, "LINER", "Seyfert"),
    ("sii", "log_sii_ha", -0.5, 0.72 / -0.82 + 1.30, "star-forming", "Seyfert"),
    ("sii", "log_sii_ha", 0.1, 1.89 * 0.1 + 0.76, "LINER", "Seyfert"),
    ("oi", "log_oi_ha", -1.2, 0.73 / -0.61 + 1.33, "star-forming", "Seyfert"),
    ("oi", "log_oi_ha", -0.5, 1.18 * -0.5 + 1.30, "LINER", "Seyfert"),
]


@pytest.mark.parametrize(("which", "xname", "x", "y", "below", "above"), SIDES)
def test_either_side_of_each_line(which, xname, x, y, below, above):
    f = frame(**{xname: [x, x], "log_oiii_hb": [y - 0.05, y + 0.05]})
    out = F.bpt_class(f, which=which)
    assert out.tolist() == [below, above]
    assert out.index.equals(f.index) and out.name == "bpt_class"
    assert list(out.cat.categories) == list(F.BPT_CLASSES)
    assert out.attrs["which"] == which


def test_beyond_the_asymptote_is_above_the_curve():
    # log [NII]/Ha = 0.6 lies beyond both curves' asymptotes: never star-forming
    assert one("nii", log_nii_ha=0.6, log_oiii_hb=-1.0) == "LINER"
    assert one("sii", log_sii_ha=0.5, log_oiii_hb=-1.0) == "LINER"


# one row per class: [NII], [SII], [OI] ratios and [OIII]/Hb
COMBINED = {
    "star-forming": (-0.6, -0.6, -1.5, -0.3),
    "composite": (-0.2, -0.4, -1.3, 0.0),
    "Seyfert": (0.0, 0.0, -0.5, 1.0),
    "LINER": (0.3, 0.1, -0.4, 0.0),
}


def combined(rows) -> pd.DataFrame:
    names = ["log_nii_ha", "log_sii_ha", "log_oi_ha", "log_oiii_hb"]
    return frame(**{n: [r[i] for r in rows] for i, n in enumerate(names)})


def test_kewley06_combines_the_three_diagrams():
    out = F.bpt_class(combined(list(COMBINED.values())))
    assert out.tolist() == list(COMBINED)
    # star-forming in [NII], LINER in [SII] and [OI]: the diagrams disagree
    agn = dict(log_sii_ha=0.3, log_oi_ha=-0.2, log_oiii_hb=0.1)
    assert one("nii", log_nii_ha=-0.6, **agn) == "star-forming"
    assert one("sii", **agn) == "LINER" and one("oi", **agn) == "LINER"
    assert one(log_nii_ha=-0.6, **agn) == "ambiguous"
    # Seyfert in [SII], LINER in [OI]: ambiguous, though each alone is clear
    mixed = dict(log_nii_ha=0.2, log_sii_ha=-0.1, log_oi_ha=-0.2, log_oiii_hb=0.7)
    assert one("sii", **mixed) == "Seyfert" and one("oi", **mixed) == "LINER"
    assert one(**mixed) == "ambiguous"


def test_a_composite_is_decided_by_the_nii_diagram_alone():
    # between the [NII] curves, above Kewley 2001 in [SII]: still composite
    assert one(log_nii_ha=-0.2, log_sii_ha=0.2, log_oi_ha=-1.3, log_oiii_hb=0.0) == (
        "composite"
    )


def test_nan_ratios():
    f = combined(list(COMBINED.values()))
    f.loc["px0", "log_oi_ha"] = np.nan  # [OI] not measured: the others decide
    f.loc["px2", "log_oiii_hb"] = np.nan  # the y-axis of every diagram
    f.loc["px3", "log_nii_ha"] = np.nan  # no [NII]: LINER or composite?
    assert F.bpt_class(f).tolist() == [
        "star-forming", "composite", "unclassified", "unclassified",
    ]  # fmt: skip
    assert F.bpt_class(f, which="sii")["px3"] == "LINER"
    # without [NII], star-forming and composite cannot be told apart either
    g = combined([COMBINED["star-forming"]]).assign(log_nii_ha=np.nan)
    assert F.bpt_class(g).iloc[0] == "unclassified"
    assert F.bpt_class(g, which="sii").iloc[0] == "star-forming"
    assert F.bpt_class(f, which="nii")["px3"] == "unclassified"


def test_only_the_nii_diagram_present():
    f = frame(log_nii_ha=[-0.6, 0.3], log_oiii_hb=[-0.3, 0.0])
    assert F.bpt_class(f).tolist() == ["star-forming", "unclassified"]
    assert F.bpt_class(f, which="nii").tolist() == ["star-forming", "LINER"]


# (x, y, censoring of x, censoring of y, class) in the [NII] diagram
LIMITS = [
    (-0.2, 0.0, "upper", "none", "unclassified"),  # composite, could be lower
    (-0.6, -0.3, "upper", "none", "star-forming"),  # below: stays below
    (-0.6, -0.3, "none", "upper", "star-forming"),
    (-0.6, -0.3, "lower", "none", "unclassified"),  # could rise across a curve
    (0.0, 1.0, "lower", "none", "unclassified"),  # towards LINER
    (0.0, 1.0, "none", "lower", "Seyfert"),  # only further from every line
    (0.3, 0.0, "lower", "none", "LINER"),  # right: further from Schawinski
    (0.3, 0.0, "none", "upper", "unclassified"),  # down: below Kewley 2001?
    (0.6, 0.0, "none", "upper", "LINER"),  # beyond the asymptotes: stays above
    (-0.2, 1.25, "upper", "none", "Seyfert"),  # left, above c = 1.19: stays
    (0.3, 0.0, "none", "lower", "unclassified"),
    (-0.6, -0.3, "unconstrained", "none", "unclassified"),
    (-0.6, -0.3, "none", "unconstrained", "unclassified"),
]


@pytest.mark.parametrize(("x", "y", "cx", "cy", "expected"), LIMITS)
def test_limits_never_place_a_row_across_a_line(x, y, cx, cy, expected):
    f = frame(log_nii_ha=[x], log_oiii_hb=[y], log_nii_ha_censored=[cx],
              log_oiii_hb_censored=[cy])  # fmt: skip
    assert F.bpt_class(f, which="nii").iloc[0] == expected
    plain = F.bpt_class(f.drop(columns=[c for c in f if "censored" in c]), which="nii")
    if expected != "unclassified":  # a limit on the safe side changes nothing
        assert plain.iloc[0] == expected


def test_an_oi_upper_limit_above_the_line_leaves_the_others_to_decide():
    f = combined([COMBINED["star-forming"]]).assign(log_oi_ha=-0.2)
    assert F.bpt_class(f).iloc[0] == "ambiguous"  # as a measurement: [OI] says AGN
    f["log_oi_ha_censored"] = pd.Categorical(["upper"], categories=CENSOR)
    assert F.bpt_class(f).iloc[0] == "star-forming"
    assert F.bpt_class(f, which="oi").iloc[0] == "unclassified"


def test_with_derive_policy_flag():
    # the first pixel's [OI] is not detected: its ratio is an upper limit
    t = pd.DataFrame({
        "halpha": [1000.0, 1000.0], "hbeta": [350.0, 350.0],
        "oiii5007": [150.0, 150.0], "nii6583": [250.0, 250.0],
        "sii6716_31": [250.0, 250.0], "oi6300": [0.0, 10.0],
        "oi6300_err": [60.0, 2.0], "oi6300_ul": [True, False],
    })  # fmt: skip
    f = F.derive(t, features="bpt", policy="flag")
    assert f["log_oi_ha_censored"].tolist() == ["upper", "none"]
    limit = F.bpt_line("kewley01_oi", f.loc[0, "log_oi_ha"])
    assert f.loc[0, "log_oiii_hb"] > limit  # the limit lies above the curve
    assert F.bpt_class(f, which="oi").tolist() == ["unclassified", "star-forming"]
    assert F.bpt_class(f).tolist() == ["star-forming", "star-forming"]


def test_imputed_ratios_are_not_measurements():
    f = combined([COMBINED["LINER"]] * 2)
    f["log_nii_ha_imputed"] = [True, False]
    assert F.bpt_class(f, which="nii").tolist() == ["unclassified", "LINER"]


def test_errors():
    f = combined([COMBINED["LINER"]])
    with pytest.raises(ValueError, match=r"which='bpt' is not a BPT scheme; choose"):
        F.bpt_class(f, which="bpt")
    with pytest.raises(ValueError, match=r"features lacks the columns that "
                       r"which='oi' needs: .*features='bpt'"):  # fmt: skip
        F.bpt_class(f.drop(columns="log_oi_ha"), which="oi")
    with pytest.raises(ValueError, match=r"which='kewley06' needs: log_oiii_hb and"):
        F.bpt_class(f.drop(columns="log_oiii_hb"))
    with pytest.raises(ValueError, match=r"features must be a pandas DataFrame; got"):
        F.bpt_class(f.to_numpy())
