"""Label transfer: held-out scores, intervals, importances, NaN handling, errors."""

from __future__ import annotations

import logging
import sys

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import astrokit as ak
from astrokit.transfer import LabelTransfer, scores, sky_blocks, transfer_labels

matplotlib.use("Agg")

FAST = {"max_iter": 40}


@pytest.fixture
def table(rng):
    """600 rows indexed 1000.., labels from features a (strong) and b (weak)."""
    n = 600
    t = pd.DataFrame(
        {"a": rng.uniform(0, 2, n), "b": rng.normal(size=n), "c": rng.normal(size=n)},
        index=pd.RangeIndex(1000, 1000 + n),
    )
    t["y"] = 2.0 * t["a"] + 0.2 * t["b"] + 0.05 * rng.normal(size=n)
    t["z"] = 0.5 * t["a"] + 0.02 * rng.normal(size=n)
    t.loc[t.index[450:], ["y", "z"]] = np.nan  # not measured: to be predicted
    return t


def _fit(table, labels=("y",), **kw):
    kw.setdefault("params", FAST)
    kw.setdefault("progress", False)
    model = LabelTransfer(**kw)
    return model.fit(table[["a", "b", "c"]], table[list(labels)])


def test_learns_the_label_and_scores_it_on_held_out_rows(table):
    model = _fit(table)
    s = model.scores_.loc["y"]
    assert (s["n_labelled"], s["n_unlabelled"], s["n_train"], s["n_test"]) == (
        450,
        150,
        337,
        113,
    )
    assert s["nmad"] < 0.2 * s["baseline_nmad"]
    assert abs(s["bias"]) < 0.05
    assert s["outlier_fraction"] < 0.05
    assert model.importances_["y"].idxmax() == "a"
    assert model.importances_.loc["a", "y"] > model.importances_.loc["c", "y"]


def test_index_is_kept_and_unlabelled_rows_are_predicted(table):
    model = _fit(table)
    pred = model.predict(table[["a", "b", "c"]])
    assert pred.index.equals(table.index) and list(pred.columns) == ["y"]
    out = model.predictions_
    assert out.index.equals(table.index)
    roles = out["y_split"].value_counts()
    assert (roles["train"], roles["test"], roles["unlabelled"]) == (337, 113, 150)
    unlabelled = out["y_split"] == "unlabelled"
    truth = 2.0 * table["a"] + 0.2 * table["b"]
    err = (out.loc[unlabelled, "y_pred"] - truth[unlabelled]).abs()
    assert err.median() < 0.15


def test_nan_labels_are_counted_and_logged(table, caplog):
    table.loc[table.index[:100], "z"] = np.nan
    with caplog.at_level(logging.INFO, logger="astrokit.transfer"):
        model = _fit(table, labels=("y", "z"))
    assert model.scores_.loc["z", "n_labelled"] == 350
    assert model.scores_.loc["z", "n_unlabelled"] == 250
    assert "transfer z: 350 labelled rows, 250 without a label" in caplog.text


def test_too_few_labelled_rows_is_an_error(table):
    table.loc[table.index[20:], "y"] = np.nan
    with pytest.raises(ValueError, match=r"label 'y' has 20 labelled rows of 600"):
        _fit(table)
    model = _fit(table, min_labelled=10)  # allowed when asked for
    assert model.scores_.loc["y", "n_test"] == 5


def test_all_nan_labels_and_features_without_values(table):
    table["y"] = np.nan
    with pytest.raises(ValueError, match="has 0 labelled rows"):
        _fit(table)


def test_rows_without_any_feature_are_unused_and_get_nan(table):
    table.loc[table.index[:30], ["a", "b", "c"]] = np.nan
    model = _fit(table)
    assert model.scores_.loc["y", "n_unused"] == 30
    assert (model.split_["y"].iloc[:30] == "unused").all()
    assert model.predictions_["y_pred"].iloc[:30].isna().all()


def test_nan_features_are_handled_natively(rng):
    """Where ``a`` is missing the label is high: the trees learn that branch."""
    n = 800
    a = rng.uniform(0, 1, n)
    y = a + 0.01 * rng.normal(size=n)
    missing = rng.random(n) < 0.3
    y[missing] = 5.0
    a[missing] = np.nan
    X = pd.DataFrame({"a": a, "b": rng.normal(size=n)})
    model = LabelTransfer(params=FAST, progress=False).fit(X, pd.Series(y, name="y"))
    pred = model.predict(X)["y"]
    assert np.abs(pred[missing] - 5.0).max() < 0.1
    assert model.scores_.loc["y", "outlier_fraction"] < 0.02


def test_interval_brackets_and_covers(rng):
    n = 2000
    X = pd.DataFrame({"a": rng.uniform(0, 1, n)})
    y = pd.Series(X["a"] + 0.2 * rng.normal(size=n), name="y")
    model = LabelTransfer(progress=False).fit(X, y)
    band = model.predict_interval(X)
    assert (band["y_lo"] <= band["y_hi"]).all()
    width = (band["y_hi"] - band["y_lo"]).median()
    assert 0.25 < width < 0.55  # 2 sigma = 0.4
    assert 0.55 < model.scores_.loc["y", "coverage"] < 0.8  # nominal 0.68


def test_no_interval(table):
    model = _fit(table, interval=None)
    assert "y_lo" not in model.predictions_
    assert np.isnan(model.scores_.loc["y", "coverage"])
    with pytest.raises(ValueError, match="interval=None"):
        model.predict_interval(table[["a", "b", "c"]])


def test_grouped_split_holds_out_whole_groups(table):
    groups = pd.Series(np.arange(len(table)) // 20, index=table.index)
    model = LabelTransfer(params=FAST, progress=False).fit(
        table[["a", "b", "c"]], table["y"], groups=groups
    )
    role = model.split_["y"]
    train = set(groups[role == "train"])
    test = set(groups[role == "test"])
    assert test and not train & test


def test_extrapolated_rows_are_flagged(table):
    model = _fit(table)
    new = pd.DataFrame({"a": [1.0, 5.0, 1.0], "b": [0.0, 0.0, 0.0], "c": [0, 0, 9]})
    assert model.extrapolated(new).tolist() == [False, True, True]


def test_progress_bar_over_several_labels(table, capsys):
    _fit(table, labels=("y", "z"), progress=True)
    assert "labels" in capsys.readouterr().err


def test_transfer_labels_in_one_call(table):
    out = transfer_labels(
        table, features=["a", "b", "c"], labels=["y", "z"], params=FAST,
        progress=False, redshift="z",
    )  # fmt: skip
    assert out.index.equals(table.index)
    assert {"y_pred", "y_lo", "y_hi", "y_split", "z_pred", "extrapolated"} <= set(
        out.columns
    )
    assert out.attrs["scores"]["z"]["outlier_threshold"] == 0.15
    assert out.attrs["scores"]["y"]["outlier_threshold"] == pytest.approx(
        3 * out.attrs["scores"]["y"]["baseline_nmad"]
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"features": ["a", "bb"], "labels": "y"}, r"features: unknown column.*'bb'"),
        ({"features": ["a"], "labels": ["y", "w"]}, r"labels: unknown column.*'w'"),
        ({"features": ["a", "y"], "labels": "y"}, "both features and labels"),
        ({"features": [], "labels": "y"}, r"features=\[\] names no column"),
        ({"features": ["a"], "labels": "y", "groups": "g"}, "groups: unknown"),
    ],
)
def test_transfer_labels_refuses_bad_columns(table, kwargs, match):
    with pytest.raises(ValueError, match=match):
        transfer_labels(table, **kwargs, progress=False)


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"backend": "lgbm"}, ValueError, r"backend='lgbm'.*Did you mean 'lightgbm'"),
        ({"interval": (0.84, 0.16)}, ValueError, r"interval=\(0.84, 0.16\) must be"),
        ({"test_size": 1.5}, ValueError, r"test_size=1.5 must be a fraction"),
        ({"min_labelled": 2}, ValueError, r"min_labelled=2 must be an integer of at"),
        ({"redshift": "zz"}, ValueError, r"name \['zz'\], which are not labels"),
        ({"outlier_threshold": -1.0}, ValueError, "outlier_threshold=-1.0 must be"),
        ({"params": [1]}, TypeError, r"params=\[1\] must be a dict"),
        ({"n_jobs": 0}, ValueError, r"n_jobs=0 must be an integer"),
    ],
)
def test_bad_options(table, options, error, match):
    with pytest.raises(error, match=match):
        _fit(table, **options)


def test_bad_features_and_labels(table):
    X = table[["a", "b", "c"]].copy()
    X.iloc[3, 1] = np.inf
    with pytest.raises(ValueError, match=r"X has infinite values in columns \['b'\]"):
        LabelTransfer().fit(X, table["y"])
    y = table["y"].copy()
    y.iloc[2] = -np.inf
    with pytest.raises(ValueError, match=r"labels has infinite values in \['y'\]"):
        LabelTransfer().fit(table[["a"]], y)
    with pytest.raises(ValueError, match="labels has non-numeric columns"):
        LabelTransfer().fit(table[["a"]], table["y"].astype(str))
    with pytest.raises(ValueError, match="labels has 10 rows but the features have"):
        LabelTransfer().fit(table[["a"]], table["y"].to_numpy()[:10])
    with pytest.raises(ValueError, match="different indexes"):
        LabelTransfer().fit(table[["a"]], table["y"].reset_index(drop=True))
    with pytest.raises(ValueError, match="X has non-numeric columns"):
        LabelTransfer().fit(table[["a"]].assign(g="x"), table["y"])


def test_predict_checks_the_columns(table):
    model = _fit(table)
    with pytest.raises(ValueError, match=r"X lacks the feature columns \['c'\]"):
        model.predict(table[["a", "b"]])
    with pytest.raises(ValueError, match="X has 2 columns; the model was fitted on 3"):
        model.predict(table[["a", "b"]].to_numpy())


def test_estimator_parameters_clone():
    model = LabelTransfer(backend="lightgbm", interval=None, random_state=3)
    copy = clone(model)
    assert copy.get_params() == model.get_params()


def test_missing_backend_names_the_install(table, monkeypatch):
    monkeypatch.setitem(sys.modules, "xgboost", None)
    with pytest.raises(ImportError, match="pip install xgboost"):
        _fit(table, backend="xgboost", params={})


def test_lightgbm_backend(table):
    pytest.importorskip("lightgbm")
    model = _fit(table, backend="lightgbm", params={"n_estimators": 60})
    s = model.scores_.loc["y"]
    assert s["nmad"] < 0.3 * s["baseline_nmad"]


def test_scores_redshift_and_generic():
    z = np.array([0.0, 1.0, 2.0, 3.0])
    s = scores(z, z + np.array([0.01, 0.02, 0.03, 1.0]), redshift=True)
    assert s["bias"] == pytest.approx(0.01)  # every dz/(1+z) is 0.01 but the last
    assert s["outlier_fraction"] == 0.25  # 1.0 / 4 > 0.15
    g = scores([1.0, 2.0, 3.0, np.nan], [1.1, 2.1, 2.9, 5.0], outlier_threshold=0.05)
    assert g["n"] == 3 and g["outlier_fraction"] == 1.0
    c = scores([0.0, 1.0], [0.0, 1.0], lower=[-1, 1.5], upper=[1, 2])
    assert c["coverage"] == 0.5
    with pytest.raises(ValueError, match="measured has 2 values but predicted has 3"):
        scores([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="no row where both are finite"):
        scores([np.nan], [1.0])
    with pytest.raises(ValueError, match="outlier_threshold=0 must be a positive"):
        scores([1.0], [1.0], outlier_threshold=0)


def test_sky_blocks():
    t = pd.DataFrame({"galaxy": ["A", "A", "B"], "x": [0, 12, 0], "y": [3, 3, 3]})
    assert sky_blocks(t, size=10).tolist() == ["A:0:0", "A:1:0", "B:0:0"]
    with pytest.raises(ValueError, match="size=0 must be an integer"):
        sky_blocks(t, size=0)
    with pytest.raises(ValueError, match=r"columns \['galaxy'\]"):
        sky_blocks(t.drop(columns="galaxy"))


@pytest.fixture
def pixels(rng):
    """A one-galaxy pixel table: a label measured on the left half only."""
    y, x = np.mgrid[0:30, 0:30]
    t = pd.DataFrame({"galaxy": "G", "x": x.ravel(), "y": y.ravel()})
    t.attrs["shape"] = {"G": (30, 30)}
    t["f"] = np.sin(t["x"] / 5.0) + 0.05 * rng.normal(size=len(t))
    t["ratio"] = np.where(t["x"] < 15, 2 * t["f"], np.nan)
    return t


def test_plots(pixels):
    model = LabelTransfer(params=FAST, min_labelled=20, progress=False)
    model.fit(pixels[["f"]], pixels["ratio"], groups=sky_blocks(pixels, size=5))
    out = model.predictions_
    ax = ak.transfer.plot_predicted(pixels, out, "ratio")
    assert ax.get_xlabel() == "measured ratio" and ax.lines
    axs = ak.transfer.plot_maps(pixels, out, "ratio")
    assert len(axs) == 4
    beyond = axs[3].images[-1].get_array()
    assert beyond[:, 15:].count() == 15 * 30 and beyond[:, :15].count() == 0
    assert axs[0].get_xlim() == axs[3].get_xlim()
    bars = ak.transfer.plot_importances(model)
    assert len(bars.patches) == 1
    with pytest.raises(ValueError, match=r"label='nope' is not in predictions"):
        ak.transfer.plot_maps(pixels, out, "nope")
    with pytest.raises(ValueError, match="split='train' isn't|no rows"):
        ak.transfer.plot_predicted(pixels, out.assign(ratio_split="test"), "ratio",
                                   split="train")  # fmt: skip


@pytest.mark.realdata
def test_sdss_photometric_redshifts(shared_data):
    """Galaxies' redshifts from four colours: few catastrophic outliers."""
    d = pd.read_csv(shared_data / "sdss" / "skyserver_dr14_10k.csv")
    d = d[d["class"] == "GALAXY"].iloc[:2000]
    colours = pd.DataFrame(
        {"u_g": d.u - d.g, "g_r": d.g - d.r, "r_i": d.r - d.i, "i_z": d.i - d.z}
    )
    model = LabelTransfer(redshift="redshift", interval=None, n_repeats=0,
                          progress=False)  # fmt: skip
    model.fit(colours.assign(r=d.r), d["redshift"])
    s = model.scores_.loc["redshift"]
    assert s["outlier_fraction"] < 0.05
    assert s["nmad"] < 0.6 * s["baseline_nmad"]
