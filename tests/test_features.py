"""Tests of astrokit.features: formulas, missing-data policies, ranking tools."""

from __future__ import annotations

import astropy.units as u
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.legend import Legend

from astrokit import features as F
from astrokit._shared.bands import BANDS
from astrokit.features._definitions import FEATURES

matplotlib.use("Agg")


def _table(**columns) -> pd.DataFrame:
    """A pixel table of the given band columns, detected unless told (``_ul``)."""
    frame = pd.DataFrame(columns, dtype=float)
    for band in list(frame.columns):
        if band in BANDS and band + "_ul" not in columns:
            frame[band + "_ul"] = False
    return frame


@pytest.fixture
def messy():
    """Six rows, index 10..15: fine, outside footprint, non-detections, negative.

    ======  =======  ========================  =====================
    row     halpha   nii6583                   sii6716_31
    ======  =======  ========================  =====================
    10      100      50                        40
    11      NaN      50                        40
    12      100      5, upper limit (err 10)   40
    13      100      -1, not flagged           40
    14      100      10                        2, upper limit (err 4)
    15      100      30                        20
    ======  =======  ========================  =====================
    """
    t = pd.DataFrame(
        {
            "halpha": [100, np.nan, 100, 100, 100, 100],
            "nii6583": [50, 50, 5, -1, 10, 30],
            "nii6583_err": [5, 5, 10, 5, 5, 5],
            "nii6583_ul": [False, False, True, False, False, False],
            "sii6716_31": [40, 40, 40, 40, 2, 20],
            "sii6716_31_err": [4.0] * 6,
            "sii6716_31_ul": [False, False, False, False, True, False],
        },
        index=pd.Index(range(10, 16), name="pixel"),
    )
    t["halpha_ul"] = False
    t.attrs["detection_snr"] = 3.0
    return t


# --- the registry -----------------------------------------------------------


def test_registry_lists_bands_units_labels():
    reg = F.registry()
    assert list(reg.index) == list(FEATURES)
    for name, row in reg.iterrows():
        assert all(b in BANDS for b in row["bands"].split(", ")), name
        u.Unit(row["unit"])  # every unit is an astropy unit string
        assert row["label"] and row["formula"] and row["meaning"]
    assert reg.loc["log_ha_co", "unit"] == "dex(1e-20 erg / (K km cm2))"
    assert "K km s" in reg.loc["log_ha_co", "label"]  # the label names units
    assert len(F.FEATURE_SETS["baron2024"]) == 11


def test_unknown_feature_lists_available_and_close_matches():
    with pytest.raises(ValueError, match=r"unknown feature\(s\) \['log_nii_h'\]"):
        F.registry(["log_nii_h"])
    with pytest.raises(ValueError, match=r"did you mean \['log_nii_ha'.*Available"):
        F.derive(_table(halpha=[1.0]), features=["log_nii_h"])
    with pytest.raises(ValueError, match=r"unknown feature.*named sets"):
        F.derive(_table(halpha=[1.0]), features=[])


def test_missing_band_is_named():
    t = _table(halpha=[100.0], nii6583=[30.0])
    with pytest.raises(
        ValueError, match=r"lacks band column\(s\) \['oi6300'\].*log_oi_ha"
    ):
        F.derive(t, features=["log_nii_ha", "log_oi_ha"])


# --- formulas on hand-computed rows -----------------------------------------


def test_line_and_band_ratios():
    t = _table(
        halpha=[200.0], hbeta=[50.0], nii6583=[100.0], sii6716_31=[20.0],
        oi6300=[2.0], oiii5007=[500.0], co21=[10.0], co21_width=[12.5],
        f770w=[2.0], f1130w=[1.0], f335m=[0.1], f2100w=[0.5],
    )  # fmt: skip
    f = F.derive(t, features="all")
    expected = {
        "log_nii_ha": np.log10(0.5),  # 100 / 200
        "log_sii_ha": -1.0,  # 20 / 200
        "log_oi_ha": -2.0,  # 2 / 200
        "log_oiii_hb": 1.0,  # 500 / 50
        "log_ha_hb": np.log10(4.0),
        "log_ha_co": np.log10(20.0),  # 200 / 10
        "log_ha_f2100w": np.log10(400.0),  # 200 / 0.5
        "log_co_f2100w": np.log10(20.0),  # 10 / 0.5
        "log_ha_f770w": 2.0,  # 200 / 2
        "log_co_f770w": np.log10(5.0),  # 10 / 2
        "log_f1130w_f770w": np.log10(0.5),
        "log_f1130w_f335m": 1.0,
        "log_co": 1.0,
        "co_width": 12.5,
    }
    for name, value in expected.items():
        assert f[name].iloc[0] == pytest.approx(value, abs=1e-6), name
    assert (f.dtypes == np.float32).all()


def test_balmer_decrement_dust_correction():
    # Ha/Hb = 3.0: E(B-V) = 2.5 / (3.61 - 2.53) * log10(3.0 / 2.86)
    #                     = 2.3148148 * 0.0207544 = 0.0480445 mag
    # A_V = 3.1 * 0.0480445 = 0.1489379;  A(Ha) = 2.53 * 0.0480445 = 0.1215526
    # log Ha_corr = log10(300) + 0.4 * 0.1215526 = 2.4771213 + 0.0486210
    # Ha/Hb = 5.72 = 2 x 2.86: E(B-V) = 2.3148148 * log10(2) = 0.6968287
    t = _table(halpha=[300.0, 572.0], hbeta=[100.0, 100.0])
    f = F.derive(t, features="dust")
    assert f["ebv"].tolist() == pytest.approx([0.0480445, 0.6968287], abs=1e-6)
    assert f["a_v"].tolist() == pytest.approx([0.1489379, 2.1601690], abs=1e-6)
    assert f["log_ha_corr"].iloc[0] == pytest.approx(2.5257423, abs=1e-6)
    assert f["log_ha_corr"].iloc[1] == pytest.approx(3.4625867, abs=1e-6)
    assert f.attrs["balmer_clipped"] == 0


def test_unphysical_decrements_are_clipped_and_counted():
    t = _table(halpha=[200.0, 250.0, 286.0, 400.0], hbeta=[100.0] * 4)
    f = F.derive(t, features=["log_ha_hb", "a_v", "log_ha_corr"])
    assert f.attrs["balmer_clipped"] == 2  # 2.0 and 2.5 are below 2.86
    assert f["a_v"].tolist()[:3] == [0.0, 0.0, 0.0]
    assert f["log_ha_corr"].iloc[0] == pytest.approx(np.log10(200.0))
    assert f["log_ha_hb"].iloc[0] == pytest.approx(np.log10(2.0))  # not clipped
    assert F.derive(t, features="log_ha_hb").attrs["balmer_clipped"] is None  # no dust


def test_no_dust_feature_no_clip_count():
    f = F.derive(_table(halpha=[1.0], nii6583=[1.0]), features="log_nii_ha")
    assert f.attrs["balmer_clipped"] is None


# --- missing-data policies --------------------------------------------------

TWO = ["log_nii_ha", "log_sii_ha"]


def test_drop_counts_rows_per_reason(messy):
    f = F.derive(messy, features=TWO)
    assert list(f.index) == [10, 15]  # rows keep their identity
    assert f.index.name == "pixel"
    report = F.missing_report(f)
    assert report["rows"].to_dict() == {
        "rows in": 6,
        "outside footprint": 1,
        "non detection": 2,
        "non positive": 1,
        "rows out": 2,
    }
    assert set(report["action"].iloc[1:4]) == {"dropped"}
    by_band = F.missing_report(f, by="band")
    assert by_band.loc["nii6583"].to_dict() == {
        "outside_footprint": 0, "non_detection": 1, "non_positive": 1,
    }  # fmt: skip
    assert by_band.loc["halpha", "outside_footprint"] == 1
    by_feature = F.missing_report(f, by="feature")
    assert by_feature.loc["log_sii_ha", "non_detection"] == 1


def test_flag_keeps_limits_with_censoring_direction(messy):
    f = F.derive(messy, features=TWO, policy="flag")
    assert list(f.index) == [10, 12, 14, 15]  # outside and negative rows dropped
    assert f.loc[12, "log_nii_ha"] == pytest.approx(np.log10(30 / 100))  # 3 x 10
    assert f.loc[14, "log_sii_ha"] == pytest.approx(np.log10(12 / 100))  # 3 x 4
    assert f["log_nii_ha_censored"].tolist() == ["none", "upper", "none", "none"]
    assert f["log_sii_ha_censored"].tolist() == ["none", "none", "upper", "none"]
    report = F.missing_report(f)
    assert report["rows"].to_dict() == {
        "rows in": 6,
        "outside footprint": 1,
        "non positive": 1,
        "non detection": 2,
        "rows out": 4,
    }
    assert "upper limit" in report.loc["non detection", "action"]
    assert F.missing_report(f, by="feature").loc["log_nii_ha", "censored"] == 1
    X = F.to_matrix(f)  # flag columns stay out of the matrix
    assert X.columns.tolist() == TWO and X.shape == (4, 2)
    assert X.index.equals(f.index)


def test_flag_directions_lower_and_unconstrained():
    t = _table(
        oiii5007=[100.0, 1.0, 1.0, 100.0], hbeta=[50.0, 50.0, 1.0, 1.0],
        oiii5007_err=[1.0] * 4, hbeta_err=[2.0] * 4,
    )  # fmt: skip
    t["oiii5007_ul"] = [False, True, True, False]
    t["hbeta_ul"] = [False, False, True, True]
    f = F.derive(t, features="log_oiii_hb", policy="flag", detection_snr=5.0)
    assert f["log_oiii_hb_censored"].tolist() == [
        "none", "upper", "unconstrained", "lower",
    ]  # fmt: skip
    assert f["log_oiii_hb"].iloc[3] == pytest.approx(np.log10(100 / 10))  # 5 x 2


def test_flag_needs_error_columns():
    t = _table(halpha=[100.0], nii6583=[1.0])
    t["nii6583_ul"] = True
    with pytest.raises(ValueError, match=r"no 'nii6583_err' column"):
        F.derive(t, features="log_nii_ha", policy="flag")


def test_impute_median_with_flags(messy):
    f = F.derive(messy, features=TWO, policy="impute")
    assert list(f.index) == [10, 12, 13, 14, 15]  # row 11 measures nothing
    # measured [NII]/Ha: 0.5, 0.1, 0.3 -> median 0.3 fills rows 12 and 13
    assert f.loc[[12, 13], "log_nii_ha"].tolist() == pytest.approx([np.log10(0.3)] * 2)
    # measured [SII]/Ha: 0.4, 0.4, 0.4, 0.2 -> median 0.4 fills row 14
    assert f.loc[14, "log_sii_ha"] == pytest.approx(np.log10(0.4))
    assert f["log_nii_ha_imputed"].tolist() == [False, True, True, False, False]
    assert f["log_sii_ha_imputed"].tolist() == [False, False, False, True, False]
    report = F.missing_report(f)
    assert report["rows"].to_dict() == {
        "rows in": 6,
        "outside footprint": 0,
        "non detection": 2,
        "non positive": 1,
        "nothing measured": 1,
        "rows out": 5,
    }
    assert "median-imputed" in report.loc["non detection", "action"]


def test_impute_knn_uses_neighbours(rng):
    n = 200
    ha = np.full(n, 100.0)
    nii = 10 ** rng.uniform(0, 2, n)
    sii = nii * 0.8  # [SII] follows [NII]: the neighbours know the answer
    t = _table(halpha=ha, nii6583=nii, sii6716_31=sii)
    t.loc[:9, "sii6716_31"] = np.nan
    f = F.derive(t, features=TWO, policy="impute", impute="knn")
    assert f["log_sii_ha_imputed"].sum() == 10
    truth = np.log10(nii[:10] * 0.8 / 100)
    assert np.abs(f["log_sii_ha"].iloc[:10] - truth).max() < 0.15
    median = F.derive(t, features=TWO, policy="impute")["log_sii_ha"].iloc[:10]
    assert (
        np.abs(median - truth).mean()
        > 3 * np.abs(f["log_sii_ha"].iloc[:10] - truth).mean()
    )


def test_impute_needs_one_measured_row():
    t = _table(halpha=[100.0, 100.0], nii6583=[10.0, 20.0], oi6300=[np.nan, np.nan])
    with pytest.raises(ValueError, match=r"cannot fill features \['log_oi_ha'\]"):
        F.derive(t, features=["log_nii_ha", "log_oi_ha"], policy="impute")


def test_bad_policy_and_imputer(messy):
    with pytest.raises(ValueError, match=r"policy='keep' is not a policy"):
        F.derive(messy, features=TWO, policy="keep")
    with pytest.raises(ValueError, match=r"impute='mean' is not an imputer"):
        F.derive(messy, features=TWO, policy="impute", impute="mean")


def test_missing_report_errors(messy):
    with pytest.raises(ValueError, match=r"carries no attrs\['missing_report'\]"):
        F.missing_report(pd.DataFrame({"a": [1.0]}))
    with pytest.raises(ValueError, match=r"by='row' must be one of"):
        F.missing_report(F.derive(messy, features=TWO), by="row")


def test_demo_table_default_policy():
    from astrokit.data import load_demo

    table = load_demo("tiny")
    f = F.derive(table)
    assert list(f.columns) == F.FEATURE_SETS["baron2024"]
    assert f.index.isin(table.index).all() and f.index.is_unique
    assert not table.loc[f.index, "co21_ul"].any()  # CO non-detections discarded
    rep = f.attrs["missing_report"]
    assert rep["rows_in"] - sum(rep["rows"].values()) == rep["rows_out"] == len(f)
    assert np.isfinite(f.to_numpy()).all()
    labels = f.attrs["definitions"]["log_oiii_hb"]
    assert labels["bands"] == ["oiii5007", "hbeta"]


# --- the matrix ---------------------------------------------------------------


def test_to_matrix_is_a_frame_on_the_rows_index():
    t = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0, 10.0], "b": [0, 1, 0, 1]}, index=[7, 3, 9, 4]
    )
    X = F.to_matrix(t)
    assert isinstance(X, pd.DataFrame) and X.columns.tolist() == ["a", "b"]
    assert X.index.tolist() == [7, 3, 9, 4]
    values = X.to_numpy()
    assert values.dtype == np.float32
    assert values.mean(axis=0) == pytest.approx([0, 0], abs=1e-6)
    assert values.std(axis=0) == pytest.approx([1, 1], abs=1e-6)
    R = F.to_matrix(t, scale="robust", columns=["a"])
    assert R.columns.tolist() == ["a"] and R["a"].median() == pytest.approx(0.0)
    raw = F.to_matrix(t, scale=None)
    assert raw["a"].tolist() == [1, 2, 3, 10]


def test_standardizations_are_not_the_display_scales():
    import astrokit.inspect

    assert F.STANDARDIZATIONS == ("standard", "robust", None)
    assert not set(F.STANDARDIZATIONS) & set(astrokit.inspect.SCALES)


@pytest.mark.parametrize("lose", [
    lambda f: f.join(pd.Series(0, index=f.index, name="extra")),
    lambda f: f.merge(pd.DataFrame({"e": 0}, index=f.index), left_index=True,
                      right_index=True),
])  # fmt: skip
def test_missing_report_without_attrs(messy, lose):
    f = F.derive(messy, features=TWO)
    report = f.attrs["missing_report"]
    lost = lose(f)
    assert lost.attrs == {}  # what pandas does; the report must not depend on it
    with pytest.raises(ValueError, match=r"missing_report\(report\)"):
        F.missing_report(lost)
    assert F.missing_report(report).equals(F.missing_report(f))
    assert F.missing_report(report, by="band").equals(F.missing_report(f, by="band"))


@pytest.mark.parametrize(
    ("frame", "kwargs", "match"),
    [
        (pd.DataFrame({"a": [1.0, 2.0], "env": ["x", "y"]}), {},
         r"features has non-numeric columns \['env'\]"),
        (pd.DataFrame({"a": [1.0, 2.0], "b": [np.nan, np.nan]}), {},
         r"columns \['b'\] that are NaN \(or infinite\) in every row"),
        (pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [1.0, 2.0, 3.0]}), {},
         r"NaN or infinite values in 1 of 2 feature columns: 'a' \(1 row\)"),
        (pd.DataFrame({"a": [1.0, 2.0], "c": [5.0, 5.0]}), {},
         r"constant columns \['c'\]"),
        (pd.DataFrame({"a": [1.0, 2.0]}), {"scale": "minmax"},
         r"scale='minmax' is not a standardisation; use one of"),
        (pd.DataFrame({"a": [1.0, 2.0]}), {"columns": ["a", "z"]},
         r"unknown feature name\(s\) \['z'\]; features has"),
        (pd.DataFrame({"a": []}, dtype=float), {}, r"has no rows; .*missing_report"),
    ],
)  # fmt: skip
def test_to_matrix_refuses(frame, kwargs, match):
    with pytest.raises(ValueError, match=match):
        F.to_matrix(frame, **kwargs)


# --- ranking tools on planted structure ---------------------------------------


@pytest.fixture
def planted(rng):
    """``a`` and ``b`` share a two-cluster structure; ``d`` is bimodal but
    independent of everything; ``noise`` is plain independent noise;
    ``twin`` is a monotonic function of ``a``."""
    n = 600
    z = rng.integers(0, 2, n)
    a = 3.0 * z + rng.normal(0, 0.4, n)
    return pd.DataFrame(
        {
            "a": a,
            "noise": rng.normal(0, 1, n),
            "b": -3.0 * z + rng.normal(0, 0.4, n),
            "d": 3.0 * rng.integers(0, 2, n) + rng.normal(0, 0.4, n),
            "twin": np.exp(a),
        }
    )


def test_correlation_orders_redundant_features_together(planted):
    corr = F.correlation(planted)
    order = corr.attrs["order"]
    assert abs(order.index("a") - order.index("twin")) == 1
    assert corr.loc["a", "twin"] == pytest.approx(1.0)  # Spearman: monotonic
    assert F.correlation(planted, method="pearson").loc["a", "twin"] < 0.95
    assert list(corr.index) == order == list(corr.columns)
    assert np.asarray(corr.attrs["linkage"]).shape == (4, 4)
    with pytest.raises(ValueError, match=r"method='kendall' must be"):
        F.correlation(planted, method="kendall")


def test_mutual_information_between_features_and_with_target(planted):
    mi = F.mutual_information(planted, random_state=1, n_jobs=1)
    assert np.isnan(np.diag(mi)).all() and np.allclose(mi, mi.T, equal_nan=True)
    assert mi.loc["a", "twin"] > mi.loc["a", "b"] > 5 * mi.loc["a", "noise"]
    label = pd.Series(np.where(planted["b"] < -1.5, "low", "high"))
    with_target = F.mutual_information(planted, label)
    assert set(with_target.index[:3]) == {"a", "b", "twin"}
    assert with_target.index[-1] in {"noise", "d"}


def test_forest_importance_finds_the_informative_feature(planted):
    label = pd.Series(np.where(planted["b"] < -1.5, "low", "high"), index=planted.index)
    imp = F.forest_importance(
        planted, label, columns=["noise", "b", "d"], n_estimators=30
    )
    assert imp.index[0] == "b" and imp["importance"].sum() == pytest.approx(1.0)
    assert imp.attrs["oob_score"] > 0.9
    reg = F.forest_importance(planted, planted["noise"] * 0 + planted["d"] ** 2,
                              columns=["a", "noise", "d"], n_estimators=30)  # fmt: skip
    assert reg.index[0] == "d"


def test_unsupervised_importance_sees_joint_structure_only(planted):
    cols = ["a", "b", "d", "noise"]
    imp = F.unsupervised_importance(
        planted, columns=cols, n_estimators=60, random_state=3
    )
    w = imp["importance"]
    assert set(imp.index[:2]) == {"a", "b"}  # the shared two-cluster structure
    assert min(w["a"], w["b"]) > 1.3 * max(w["d"], w["noise"])
    # bimodal on its own but independent: no better than noise (the shuffle
    # keeps every marginal, only relations between features tell real rows)
    assert abs(w["d"] - w["noise"]) < 0.05
    assert imp.attrs["oob_score"] > 0.6  # at best 0.75: half the shuffles look real
    again = F.unsupervised_importance(
        planted, columns=cols, n_estimators=60, random_state=3
    )
    pd.testing.assert_frame_equal(imp, again)


def test_unsupervised_importance_without_structure(rng):
    t = pd.DataFrame(rng.normal(size=(400, 3)), columns=list("xyz"))
    imp = F.unsupervised_importance(t, n_estimators=40)
    assert imp.attrs["oob_score"] < 0.6  # shuffled looks like real


@pytest.mark.parametrize(
    ("target", "match"),
    [
        (np.zeros(3), r"target has shape \(3,\) but the feature table has 600 rows"),
        (pd.Series([1.0], index=[999]), r"target lacks 600 of the 600 rows"),
        (pd.Series(np.r_[np.nan, np.ones(599)]), r"target has 1 missing values"),
    ],
)
def test_target_errors(planted, target, match):
    with pytest.raises(ValueError, match=match):
        F.forest_importance(planted, target, n_estimators=2)


def test_max_rows_subsamples_and_is_checked(planted):
    mi = F.mutual_information(planted, planted["a"] > 1.5, max_rows=100)
    assert mi.index[0] in {"a", "b", "twin"}
    with pytest.raises(
        ValueError, match=r"max_rows=1 must be an integer of at least 2"
    ):
        F.unsupervised_importance(planted, max_rows=1)


def test_bpt_line():
    assert F.bpt_line("kewley01", 0.0) == pytest.approx(0.61 / -0.47 + 1.19)
    assert np.isnan(F.bpt_line("kewley01", 0.5))
    with pytest.raises(ValueError, match=r"name='kewley06' is not a BPT line"):
        F.bpt_line("kewley06", 0.0)


# --- figures ------------------------------------------------------------------


def test_plots_draw_what_they_say(planted):
    corr = F.correlation(planted)
    ax = F.plot_correlation(corr)
    assert ax.images[0].get_clim() == (-1, 1)
    assert [t.get_text() for t in ax.get_yticklabels()] == corr.attrs["order"]
    imp = F.unsupervised_importance(planted, n_estimators=30)
    ax = F.plot_importances(imp)
    assert len(ax.patches) == 5
    assert ax.get_yticklabels()[-1].get_text() == imp.index[0]  # largest on top
    plt.close("all")


def test_plot_bpt_draws_demarcation_curves():
    rng = np.random.default_rng(1)
    f = pd.DataFrame({
        "log_nii_ha": rng.uniform(-1, 0.3, 50), "log_sii_ha": rng.uniform(-1, 0.2, 50),
        "log_oiii_hb": rng.uniform(-1, 1, 50),
    })  # fmt: skip
    ax = F.plot_bpt(f, labels=pd.Series(np.repeat(["x", "y"], 25)))
    assert len(ax.lines) == 3 and "Kauffmann" in ax.lines[0].get_label()
    assert "Seyfert above" in ax.lines[2].get_label()  # Schawinski et al. 2007
    legends = [c for c in ax.get_children() if isinstance(c, Legend)]
    assert len(legends) == 2  # the curves' and the categories'
    assert len(F.plot_bpt(f, x="log_sii_ha").lines) == 2  # Kewley 2001, 2006
    with pytest.raises(ValueError, match=r"Columns \['log_oi_ha'\] are not in"):
        F.plot_bpt(f, x="log_oi_ha")
    ax = F.plot_pair(f, "log_nii_ha", "log_sii_ha", values=f["log_oiii_hb"])
    assert not ax.lines and ax.get_xlabel() == "log_nii_ha"
    plt.close("all")


def test_plot_kept_maps_the_surviving_pixels(messy):
    messy = messy.assign(galaxy="g", x=[0, 1, 2, 0, 1, 2], y=[0, 0, 0, 1, 1, 1])
    messy.attrs["shape"] = {"g": (3, 3)}
    f = F.derive(messy, features=TWO)
    ax = F.plot_kept(messy, f)
    image = ax.images[0].get_array()
    assert image[0, 0] == 2 and image[0, 1] == 1 and image[1, 2] == 2  # kept/dropped
    assert np.ma.is_masked(image[2, 2]) or np.isnan(image[2, 2])  # no row
    assert "2 of 6 pixels kept" in ax.get_title()
    plt.close("all")


def test_derive_features_by_position_warns_and_works(messy):
    with pytest.warns(FutureWarning, match=r"derive\(table, features=\['log_nii_ha'"):
        old = F.derive(messy, TWO)
    assert old.equals(F.derive(messy, features=TWO))


# --- nothing silent: an empty result, infinities ------------------------------


def test_derive_warns_naming_the_band_that_removed_every_row(messy, caplog):
    gone = messy.assign(nii6583=np.nan)
    with caplog.at_level("WARNING", logger="astrokit.features"):
        out = F.derive(gone, features=TWO)
    assert out.empty
    [record] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert record.name == "astrokit.features"
    assert "no rows: band(s) ['nii6583'] have no usable value in any of the 6 rows" in (
        record.getMessage()
    )
    assert "6 outside footprint" in record.getMessage()


def test_derive_warns_on_an_empty_table_and_when_the_policy_removes_all(caplog):
    with caplog.at_level("WARNING", logger="astrokit.features"):
        assert F.derive(_table(halpha=[], nii6583=[]), features="log_nii_ha").empty
    assert "derive returned no rows: the table has no rows" in caplog.text
    caplog.clear()
    # each band is usable somewhere, never both in the same row
    t = _table(halpha=[1.0, np.nan], nii6583=[np.nan, 2.0])
    with caplog.at_level("WARNING", logger="astrokit.features"):
        assert F.derive(t, features="log_nii_ha").empty
    assert "policy='drop' removed all 2 rows" in caplog.text
    assert "2 outside footprint" in caplog.text


def test_derive_keeps_quiet_when_rows_survive(messy, caplog):
    with caplog.at_level("WARNING", logger="astrokit.features"):
        assert len(F.derive(messy, features=TWO)) == 2
    assert not [r for r in caplog.records if r.levelname == "WARNING"]


def test_derive_names_infinite_bands(messy, caplog):
    messy.loc[10, "halpha"] = np.inf
    with caplog.at_level("WARNING", logger="astrokit.features"):
        out = F.derive(messy, features=TWO)
    assert np.isinf(out.loc[10, "log_nii_ha"])  # kept, and said so
    assert "infinite values {'halpha': 1}" in caplog.text
