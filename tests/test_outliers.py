"""astrokit.outliers: scores find planted anomalies, explain, precision, figures."""

from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection

from astrokit import outliers
from astrokit.outliers import _scorer
from astrokit.outliers._combine import combine_percentiles
from astrokit.outliers._methods import glosh

FAST = ("lof", "isolation", "glosh", "knn")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def planted(rng):
    """Two correlated clusters of 300 rows, and 6 rows far from both."""
    n = 300
    a = rng.normal(size=(n, 4))
    a[:, 1] = a[:, 0] + 0.2 * rng.normal(size=n)
    b = rng.normal(size=(n, 4)) + [6.0, 6.0, 0.0, 0.0]
    odd = rng.normal(size=(6, 4)) * 0.5 + [3.0, -6.0, 6.0, -6.0]
    values = np.vstack([a, b, odd])
    index = pd.Index(np.arange(len(values)) * 10 + 7, name="pixel")  # not 0..N-1
    frame = pd.DataFrame(values, index=index, columns=["f0", "f1", "f2", "f3"])
    truth = pd.Series(False, index=index)
    truth.iloc[-6:] = True
    frame["flag_imputed"] = False  # a flag column: not a feature
    frame.attrs["features"] = ["f0", "f1", "f2", "f3"]
    return frame, truth


@pytest.fixture
def scores(planted):
    frame, _ = planted
    return outliers.score(frame, methods=FAST, n_neighbors=10)


# ------------------------------------------------------------------ scoring
def test_score_columns_index_and_ranges(planted, scores):
    frame, _ = planted
    assert list(scores.columns) == [
        *FAST,
        *(f"{m}_pct" for m in FAST),
        "combined",
    ]
    assert scores.index.equals(frame.index)
    pct = scores[[f"{m}_pct" for m in FAST]]
    assert (pct > 0).all().all() and (pct <= 1).all().all()
    assert scores["combined"].between(0, 1).all()
    assert scores.attrs["methods"] == list(FAST)
    assert set(scores.attrs["seconds"]) == set(FAST)
    assert scores["glosh"].between(0, 1).all()


@pytest.mark.parametrize("method", [*FAST, "combined"])
def test_each_method_finds_planted_outliers(planted, scores, method):
    _, truth = planted
    assert outliers.precision_at_k(scores[method], truth) == 1.0


def test_forest_weirdness_finds_rows_breaking_a_correlation(rng):
    # The forest's outliers are rows that break the correlations it learned.
    n = 400
    x = rng.normal(size=n)
    X = pd.DataFrame(
        {"a": x, "b": x + 0.05 * rng.normal(size=n), "c": rng.normal(size=n)}
    )
    X.loc[[3, 50], ["a", "b"]] = [[1.5, -1.5], [-1.5, 1.5]]  # inside each range
    s = outliers.score(X, methods="forest", progress=False, random_state=0)
    assert set(s["forest"].nlargest(10).index) >= {3, 50}


def test_combined_is_the_rule_of_chosen_percentiles(planted):
    frame, _ = planted
    s = outliers.score(
        frame,
        methods=["knn", "lof", "isolation"],
        combine=["knn", "lof"],
        rule="median",
        n_neighbors=10,
    )
    expected = s[["knn_pct", "lof_pct"]].median(axis=1)
    np.testing.assert_allclose(s["combined"], expected)
    assert s.attrs["combine"] == ["knn", "lof"] and s.attrs["rule"] == "median"
    fisher = outliers.score(frame, methods=["knn", "lof"], n_neighbors=10)
    tail = 1 - fisher[["knn_pct", "lof_pct"]] + 1 / len(frame)
    np.testing.assert_allclose(fisher["combined"], 1 - np.sqrt(tail.prod(axis=1)))
    assert fisher.attrs["rule"] == outliers.DEFAULT_RULE == "fisher"


def test_combination_rules_on_hand_made_percentiles():
    # n = 100 fitted rows; tail fraction t = 1 - pct + 1/n, floored at 1/n.
    pct = pd.DataFrame({"a": [1.0, 0.5, 0.99, 0.0], "b": [0.01, 0.5, 0.99, 0.0]})
    fisher = combine_percentiles(pct, "fisher", 100)
    tails = np.array([[0.01, 1.0], [0.51, 0.51], [0.02, 0.02], [1.0, 1.0]])
    np.testing.assert_allclose(fisher, 1 - np.sqrt(tails.prod(axis=1)))
    assert fisher.iloc[0] == pytest.approx(0.9)  # one confident method: 0.9
    assert fisher.iloc[3] == 0.0  # below every fitted row: a tail of 1, not more
    np.testing.assert_allclose(combine_percentiles(pct, "median", 100),
                               [0.505, 0.5, 0.99, 0.0])  # fmt: skip
    np.testing.assert_allclose(combine_percentiles(pct, "max", 100),
                               [1.0, 0.5, 0.99, 0.0])  # fmt: skip
    assert list(outliers.RULES) == ["fisher", "median", "mean", "max"]


def _hand_made(rng, n=2000, m=5):
    """Independent percentile ranks of ``m`` methods for ``n`` rows."""
    pct = np.column_stack([rng.permutation(n) + 1 for _ in range(m)]) / n
    return pd.DataFrame(pct, columns=[f"m{i}_pct" for i in range(m)])


def test_one_confident_method_keeps_a_row_in_the_top(rng):
    # Row 0: first for one method, ordinary (median) for the four others.
    pct = _hand_made(rng)
    pct.iloc[0] = [1.0, 0.5, 0.5, 0.5, 0.5]
    rank = {
        rule: combine_percentiles(pct, rule, len(pct)).rank(ascending=False)[0]
        for rule in ("fisher", "median", "mean")
    }
    assert rank["fisher"] <= 0.03 * len(pct)  # in the top 3%
    assert rank["median"] > 0.3 * len(pct) and rank["mean"] > 0.1 * len(pct)


def test_blind_methods_do_not_drag_a_row_down(rng):
    # Row 1: in the top 0.5% of three methods, near the bottom of two (blind).
    pct = _hand_made(rng)
    pct.iloc[1] = [0.995, 0.996, 0.997, 0.02, 0.03]
    fisher = combine_percentiles(pct, "fisher", len(pct)).rank(ascending=False)
    mean = combine_percentiles(pct, "mean", len(pct)).rank(ascending=False)
    assert fisher[1] <= 5 and mean[1] > 50


def test_kinds_forest_sees_broken_correlations_isolation_extremes(rng):
    # Two kinds of planted rows in one table of a tight correlation (a, b):
    # 10 that break it inside the ranges, 10 far out along it.
    n = 600
    x = rng.normal(size=n)
    X = pd.DataFrame({"a": x, "b": x + 0.05 * rng.normal(size=n),
                      "c": rng.normal(size=n)})  # fmt: skip
    u = rng.uniform(0.8, 1.6, size=10)
    X.iloc[:10, :2] = np.column_stack([u, -u])  # breaking: a = -b
    far = rng.uniform(4.0, 6.0, size=10) * rng.choice([-1, 1], size=10)
    X.iloc[10:20, :2] = far[:, None]  # far out along a = b, at both ends
    breaking = pd.Series(np.arange(n) < 10)
    along = pd.Series((np.arange(n) >= 10) & (np.arange(n) < 20))
    s = outliers.score(X, methods=["forest", "isolation"], progress=False)
    p = {(m, kind): outliers.precision_at_k(s[m], truth)
         for m in ("forest", "isolation")
         for kind, truth in (("breaking", breaking), ("along", along))}  # fmt: skip
    assert p["forest", "breaking"] >= 0.8 and p["isolation", "breaking"] <= 0.2
    assert p["isolation", "along"] >= 0.8 and p["forest", "along"] <= 0.2
    assert set(outliers.KINDS) == set(outliers.METHODS)


def test_unknown_rule_is_named(planted):
    frame, _ = planted
    with pytest.raises(ValueError, match=r"rule='vote' is not a combination rule"):
        outliers.score(frame, methods="knn", rule="vote")


def test_lof_takes_the_group_scale(rng):
    # A group of 30 similar rows: LOF with 10 neighbours misses it, LOF at
    # min_cluster_size=60 (its neighbours) finds it; capped by LOF_MAX_PAIRS // N.
    bulk = rng.normal(size=(500, 2))
    group = rng.normal(size=(30, 2)) * 0.1 + [8.0, 8.0]
    X = np.vstack([bulk, group])
    truth = np.r_[np.zeros(500, bool), np.ones(30, bool)]
    small = outliers.score(X, methods="lof", n_neighbors=10, min_cluster_size=10)
    large = outliers.score(X, methods="lof", n_neighbors=10, min_cluster_size=60)
    assert small.attrs["lof_neighbors"] == 10 and large.attrs["lof_neighbors"] == 60
    assert outliers.precision_at_k(small["lof"], truth) < 0.2
    assert outliers.precision_at_k(large["lof"], truth) == 1.0
    knn = outliers.score(X, methods="knn", n_neighbors=10, min_cluster_size=60)
    small_knn = outliers.score(X, methods="knn", n_neighbors=10)
    pd.testing.assert_series_equal(knn["knn"], small_knn["knn"])


def test_lof_neighbours_are_capped_by_memory(rng, monkeypatch, caplog):
    monkeypatch.setattr(_scorer, "LOF_MAX_PAIRS", 300 * 40)
    X = rng.normal(size=(300, 2))
    s = outliers.score(X, methods="lof", n_neighbors=10, min_cluster_size=100)
    assert s.attrs["lof_neighbors"] == 40
    assert "lof compares each of 300 rows with 40 neighbours, fewer than " in (
        caplog.text
    )
    monkeypatch.setattr(_scorer, "LOF_MAX_PAIRS", 300)  # never below n_neighbors
    assert outliers.score(X, methods="lof", n_neighbors=10).attrs["lof_neighbors"] == 10


def test_top_says_which_methods_flag_each_row():
    s = pd.DataFrame(
        {
            "knn_pct": [0.2, 1.0, 0.995, 0.5],
            "lof_pct": [0.3, 0.5, 1.0, 0.98],
            "forest_pct": [0.1, 0.2, 0.999, 0.97],
        },
        index=[10, 11, 12, 13],
    )
    s["combined"] = [0.1, 0.9, 0.95, 0.5]
    out = outliers.top(s, n=3)
    assert out.index.tolist() == [12, 11, 13]
    assert out["flagged_by"].tolist() == ["lof, forest, knn", "knn", ""]
    assert out["n_flagged"].tolist() == [3, 1, 0]
    loose = outliers.top(s, n=3, threshold=0.97)
    assert loose["flagged_by"].tolist() == ["lof, forest, knn", "knn", "lof, forest"]


@pytest.mark.parametrize("threshold", [0, 1.5, "high"])
def test_top_bad_threshold(scores, threshold):
    with pytest.raises(ValueError, match=r"threshold=.* must be a percentile in"):
        outliers.top(scores, threshold=threshold)


def test_white_dwarfs_among_real_stars(shared_data):
    # Gaia EDR3 around M67; white dwarfs by the CMD: M_G > 10 + 2.5 bp_rp
    # (benchmarks/bench_outlier_combination.py states the rule and its source).
    stars = pd.read_csv(shared_data / "gaia" / "m67_gaia_edr3_cone.csv")
    cols = ["pmra", "pmdec", "parallax", "phot_g_mean_mag", "bp_rp"]
    stars = stars[stars[cols].notna().all(axis=1) & (stars["parallax"] > 0)]
    abs_g = stars["phot_g_mean_mag"] + 5 * np.log10(stars["parallax"] / 100)
    X = stars[["bp_rp"]].assign(abs_g=abs_g)
    X[["pmra", "pmdec", "parallax"]] = stars[["pmra", "pmdec", "parallax"]]
    white_dwarf = abs_g > 10 + 2.5 * stars["bp_rp"]
    s = outliers.score(X, progress=False)
    chance = white_dwarf.mean()
    assert 20 <= white_dwarf.sum() <= 80
    assert outliers.precision_at_k(s["combined"], white_dwarf) >= 5 * chance


def test_score_accepts_an_array_and_columns(planted):
    frame, _ = planted
    s = outliers.score(
        frame[["f0", "f1", "f2", "f3"]].to_numpy(), methods="knn", n_neighbors=5
    )
    assert isinstance(s.index, pd.RangeIndex) and len(s) == len(frame)
    s2 = outliers.score(frame, methods="knn", columns=["f2", "f3"], n_neighbors=10)
    assert s2["knn"].idxmax() in frame.index[-6:]


def test_glosh_small_group_is_outlying_only_below_min_cluster_size(rng):
    # A tight group of 30 rows far away: an outlier group for
    # min_cluster_size=50, a cluster of its own for min_cluster_size=10.
    bulk = rng.normal(size=(500, 2))
    group = rng.normal(size=(30, 2)) * 0.1 + [8.0, 8.0]
    Z = np.vstack([bulk, group])
    big = glosh(Z, min_samples=5, min_cluster_size=50)
    small = glosh(Z, min_samples=5, min_cluster_size=10)
    assert big[-30:].min() > np.quantile(big[:500], 0.95)
    assert small[-30:].mean() < np.quantile(small[:500], 0.9)


def test_lof_misses_a_group_larger_than_n_neighbors(rng):
    bulk = rng.normal(size=(500, 2))
    group = rng.normal(size=(30, 2)) * 0.1 + [8.0, 8.0]
    X = np.vstack([bulk, group])
    truth = np.r_[np.zeros(500, bool), np.ones(30, bool)]
    small_k = outliers.score(X, methods="lof", n_neighbors=10)["lof"]
    large_k = outliers.score(X, methods="lof", n_neighbors=60)["lof"]
    assert outliers.precision_at_k(small_k, truth) < 0.2
    assert outliers.precision_at_k(large_k, truth) == 1.0


# ------------------------------------------------------------- bad inputs
@pytest.fixture(params=["score", "explain"])
def scorer(request):
    """score(frame, methods="knn") or explain(frame, first row): same checks."""
    if request.param == "score":
        return lambda frame: outliers.score(frame, methods="knn")
    return lambda frame: outliers.explain(frame, frame.index[0])


def test_single_row_is_refused(scorer):
    one = pd.DataFrame({"a": [1.0], "b": [2.0]})
    with pytest.raises(ValueError, match=r"features has 1 row; .* at least n_neigh"):
        scorer(one)


def test_fewer_rows_than_n_neighbors(planted, scorer):
    frame, _ = planted
    with pytest.raises(
        ValueError, match=r"n_neighbors=25 must be smaller .* \(8\): a row is never"
    ):
        scorer(frame.iloc[:8])


def test_constant_feature_is_named(planted, scorer):
    frame, _ = planted
    with pytest.raises(ValueError, match=r"features has constant columns \['f2'\]"):
        scorer(frame.assign(f2=1.0))


def test_unknown_feature_name_is_named(planted):
    frame, _ = planted
    with pytest.raises(ValueError, match=r"unknown feature name\(s\) \['f9'\]"):
        outliers.score(frame, methods="knn", columns=["f0", "f9"])
    with pytest.raises(ValueError, match=r"unknown feature name\(s\) \['f9'\]"):
        outliers.explain(frame, frame.index[0], columns=["f9"])


def test_nan_features_are_refused_with_advice(planted):
    frame, _ = planted
    frame = frame.copy()
    frame.iloc[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"NaN .* 'f1' \(1 row\).*missing-data policy"):
        outliers.score(frame, methods="knn")


@pytest.mark.parametrize("methods", ["weirdest", ["knn", "umap"], []])
def test_unknown_method(planted, methods):
    frame, _ = planted
    with pytest.raises(ValueError, match=r"unknown method\(s\).*choose from"):
        outliers.score(frame, methods=methods)


def test_combine_outside_methods(planted):
    frame, _ = planted
    with pytest.raises(ValueError, match=r"combine=.*\['lof'\], which are not in"):
        outliers.score(frame, methods="knn", combine=["lof"])


def test_columns_need_a_dataframe(planted):
    frame, _ = planted
    with pytest.raises(ValueError, match="columns= selects DataFrame columns"):
        outliers.score(frame[["f0", "f1"]].to_numpy(), methods="knn", columns=["f0"])


def test_bad_min_cluster_size(planted):
    frame, _ = planted
    with pytest.raises(
        ValueError, match=r"min_cluster_size=1 must be an integer of at least 2"
    ):
        outliers.score(frame, methods="glosh", min_cluster_size=1)


# ----------------------------------------------------------------- explain
def test_explain_names_the_deviating_feature(planted):
    frame, _ = planted
    frame = frame.copy()
    row = frame.index[100]
    frame.loc[row, "f3"] += 6.0  # a cluster-A row with one odd feature
    out = outliers.explain(frame, row, n_neighbors=15, top=2)
    assert out.index[0] == "f3"
    assert list(out.columns) == [
        "value",
        "neighbours_median",
        "neighbours_z",
        "table_median",
        "table_z",
    ]
    assert out.loc["f3", "neighbours_z"] > 3
    assert len(outliers.explain(frame, row, n_neighbors=15, top=None)) == 4


def test_explain_group_member_against_neighbours_or_table(rng):
    # A group of 30 rows high in "a" (shared) and spread in "b": against its
    # neighbours (the group) "a" is ordinary; against the table it stands out.
    bulk = pd.DataFrame({"a": rng.normal(size=500), "b": rng.normal(size=500)})
    group = pd.DataFrame(
        {"a": 10 + 0.1 * rng.normal(size=30), "b": rng.normal(size=30)}
    )
    X = pd.concat([bulk, group], ignore_index=True)
    X.loc[510, "b"] = 3.0
    near = outliers.explain(X, 510, n_neighbors=20)
    table = outliers.explain(X, 510, n_neighbors=20, against="table")
    assert near.index[0] == "b"
    assert table.index[0] == "a" and table.loc["a", "table_z"] > 5
    with pytest.raises(ValueError, match=r"against='bulk' must be one of"):
        outliers.explain(X, 510, against="bulk")


def test_explain_unknown_row(planted):
    frame, _ = planted
    with pytest.raises(ValueError, match=r"row=3 is not in the features' index"):
        outliers.explain(frame, 3)


def test_explain_identical_neighbours_give_finite_z(rng):
    X = pd.DataFrame({"a": np.r_[np.zeros(30), 1.0], "b": rng.normal(size=31)})
    out = outliers.explain(X, 30, n_neighbors=10)
    assert np.isfinite(out[["neighbours_z", "table_z"]]).all().all()
    assert out.index[0] == "a"


# --------------------------------------------------------- top, precision
def test_top_orders_and_ranks(scores):
    best = outliers.top(scores, n=6, column="knn")
    assert best["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    assert best["knn"].is_monotonic_decreasing
    assert best.index.isin(scores.index[-6:]).all()


def test_top_bad_arguments(scores):
    with pytest.raises(ValueError, match=r"column='umap' is not a column of scores"):
        outliers.top(scores, column="umap")
    with pytest.raises(ValueError, match=r"n=0 must be an integer of at least 1"):
        outliers.top(scores, n=0)


def test_precision_aligns_series_on_index():
    s = pd.Series([0.1, 0.9, 0.5], index=[5, 6, 7])
    truth = pd.Series([True, False, True, True], index=[7, 5, 9, 6])  # extra row 9
    assert outliers.precision_at_k(s, truth) == 1.0  # rows 6 and 7
    assert outliers.precision_at_k(s, truth, k=3) == pytest.approx(2 / 3)


def test_precision_of_every_method(planted, scores):
    _, truth = planted
    out = outliers.precision_at_k(scores, truth)
    assert list(out.index) == [*FAST, "combined"]
    assert (out == 1.0).all()


PRECISION_ERRORS = {
    "truth lacks rows": (
        (pd.Series([1.0, 2.0]), pd.Series([True], index=[0])),
        {},
        r"truth lacks 1 of the scored rows",
    ),
    "lengths": (([1.0, 2.0], [True]), {}, r"must be 1-D of the same length"),
    "no anomaly": (([1.0, 2.0], [False, False]), {}, r"truth marks no anomaly"),
    "k too large": (
        ([1.0, 2.0], [True, False]),
        {"k": 5},
        r"k=5 must be at most the number of scored rows \(2\)",
    ),
    "k=0": (
        ([1.0, 2.0], [True, False]),
        {"k": 0},
        r"k=0 must be an integer of at least 1 \(top rows\)",
    ),
}


@pytest.mark.parametrize("case", PRECISION_ERRORS)
def test_precision_errors(case):
    args, kwargs, match = PRECISION_ERRORS[case]
    with pytest.raises(ValueError, match=match):
        outliers.precision_at_k(*args, **kwargs)


# ----------------------------------------------------------------- figures
@pytest.fixture
def tiny_table(planted):
    """A two-galaxy pixel table for the planted rows."""
    frame, _ = planted
    n = len(frame)
    half = n // 2
    table = pd.DataFrame(
        {
            "galaxy": ["A"] * half + ["B"] * (n - half),
            "x": np.r_[np.arange(half) % 20, np.arange(n - half) % 20],
            "y": np.r_[np.arange(half) // 20, np.arange(n - half) // 20],
        },
        index=frame.index,
    )
    table.attrs["shape"] = {"A": (20, 20), "B": (20, 20)}
    return table


def test_plot_top_circles_the_top_rows(planted, scores):
    frame, _ = planted
    emb = frame[["f0", "f2"]].set_axis(["umap_x", "umap_y"], axis=1)
    ax = outliers.plot_top(emb, scores, n=6, column="knn")
    ring = ax.collections[-1]
    assert isinstance(ring, PathCollection)
    np.testing.assert_allclose(
        np.sort(ring.get_offsets()[:, 0]), np.sort(emb["umap_x"].iloc[-6:])
    )
    assert ax.get_title() == "top 6 by knn"


def test_plot_top_sky_circles_per_galaxy(tiny_table, scores):
    axs = outliers.plot_top_sky(tiny_table, scores, n=6, column="knn")
    assert len(axs) == 2
    circled = sum(len(ax.collections[-1].get_offsets()) for ax in axs)
    assert circled == 6


def test_plot_precision_and_agreement(planted, scores):
    _, truth = planted
    ax = outliers.plot_precision(scores, truth)
    assert [line.get_label() for line in ax.lines][:5] == [*FAST, "combined"]
    assert ax.lines[0].get_ydata()[5] == 1.0  # knn's top 6 are all planted
    ax = outliers.plot_agreement(scores)
    corr = ax.images[-1].get_array()
    assert corr.shape == (5, 5) and np.allclose(np.diag(corr), 1.0)
    with pytest.raises(ValueError, match=r"methods \['umap'\] are not columns"):
        outliers.plot_agreement(scores, methods=["umap"])


def test_default_methods_leave_glosh_out_of_large_tables(monkeypatch, caplog):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    monkeypatch.setattr(_scorer, "GLOSH_MAX_ROWS", 100)
    scores = outliers.score(X, n_neighbors=10, progress=False)
    assert "glosh" not in scores.columns
    assert scores.attrs["skipped"] == ["glosh"]
    assert "glosh left out on 200 rows" in caplog.text
    forced = outliers.score(X, methods=["glosh", "knn"], n_neighbors=10)
    assert "glosh" in forced.columns
    assert forced.attrs["skipped"] == []


# ------------------------------------------------- LOF and GLOSH, pinned
def test_lof_equals_scikit_learn(planted):
    from sklearn.neighbors import LocalOutlierFactor

    frame, _ = planted
    s = outliers.score(frame, methods="lof", n_neighbors=10)
    z = frame[frame.attrs["features"]]
    z = (z - z.mean()) / z.std(ddof=0)
    ref = LocalOutlierFactor(n_neighbors=10).fit(z.to_numpy())
    np.testing.assert_allclose(s["lof"], -ref.negative_outlier_factor_, rtol=1e-9)
    assert (s["lof"].rank().to_numpy() == (-ref.negative_outlier_factor_).argsort()
            .argsort() + 1).all()  # fmt: skip


def test_knn_leaves_the_row_itself_out():
    # 1-D rows 0, 1, 3: with n_neighbors=1 each row's nearest *other* row.
    s = outliers.score(np.array([[0.0], [1.0], [3.0]]), methods="knn", n_neighbors=1)
    spread = np.std([0.0, 1.0, 3.0])  # scores are on standardised features
    np.testing.assert_allclose(s["knn"] * spread, [1.0, 1.0, 2.0])


def test_glosh_matches_a_hand_worked_condensed_tree():
    # 1-D rows; min_samples=1 makes mutual reachability the plain distance,
    # so the condensed tree (min_cluster_size=3) follows the gaps, lambda = 1/gap:
    #   root {all 11}: row 30 leaves at lambda 1/15.5 = 2/31 (gap 14.5 -> 30)
    #   at 1/5 (gap 5 -> 10) root splits: C1 {0, 1, 2, 5}, C2 {10 .. 14.5}
    #   C1: row 5 leaves at 1/3; rows 0, 1, 2 at 1 (gaps of 1: pieces < 3)
    #   C2 at 1/3 (gap 11 -> 14) splits: C3 {10, 10.5, 11}, C4 {14, 14.25, 14.5}
    #   C3: its rows leave at 2 (gaps 0.5); C4: at 4 (gaps 0.25)
    # lambda_max over each cluster and all its sub-clusters (Campello et al.):
    #   C1 = 1, C3 = 2, C4 = 4, C2 = max(C3, C4) = 4, root = max(2/31, C1, C2) = 4
    # scores 1 - lambda_i / lambda_max: row 30: 1 - (2/31)/4 = 61/62; row 5:
    # 1 - (1/3)/1 = 2/3; every other row leaves at its cluster's lambda_max: 0.
    # (The hdbscan package propagates root first, so its root keeps C2's own
    # 0 and gets lambda_max = 1: row 30 would score 1 - 2/31 = 29/31.)
    x = np.array([0, 1, 2, 5, 10, 10.5, 11, 14, 14.25, 14.5, 30.0])[:, None]
    expected = np.zeros(11)
    expected[3], expected[10] = 2 / 3, 61 / 62
    got = glosh(x, min_samples=1, min_cluster_size=3)
    np.testing.assert_allclose(got, expected, atol=1e-7)


def test_glosh_private_scikit_learn_pieces_exist():
    from sklearn.cluster import HDBSCAN

    try:
        from sklearn.cluster._hdbscan._tree import _condense_tree
    except ImportError:  # pragma: no cover - only on a scikit-learn that moved it
        pytest.fail(
            "astrokit.outliers' glosh reads sklearn.cluster._hdbscan._tree."
            "_condense_tree, which this scikit-learn no longer has: update "
            "astrokit/outliers/_methods.py:glosh to the new location."
        )
    model = HDBSCAN(min_cluster_size=3, copy=True).fit(np.arange(10.0)[:, None])
    assert hasattr(model, "_single_linkage_tree_"), (
        "scikit-learn's HDBSCAN no longer keeps _single_linkage_tree_, which "
        "astrokit/outliers/_methods.py:glosh reads: update it."
    )
    assert callable(_condense_tree)


def test_glosh_says_when_scikit_learn_lacks_its_private_tree(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.cluster._hdbscan._tree", None)
    with pytest.raises(ImportError, match=r"leave 'glosh' out of methods"):
        glosh(np.arange(10.0)[:, None], min_samples=1, min_cluster_size=3)


# ------------------------------------------------------------ OutlierScorer
def test_scorer_reproduces_score(planted, scores):
    frame, _ = planted
    model = outliers.OutlierScorer(FAST, n_neighbors=10).fit(frame)
    pd.testing.assert_frame_equal(model.score_samples(), scores)
    attrs = model.score_samples().attrs
    assert {**attrs, "seconds": 0} == {**scores.attrs, "seconds": 0}
    assert model.methods_ == list(FAST) and model.n_neighbors_ == 10


def test_scorer_ranks_a_planted_new_row_first(planted):
    frame, _ = planted
    methods = ["forest", "lof", "isolation", "knn"]
    model = outliers.OutlierScorer(methods, n_neighbors=10, progress=False)
    model.fit(frame.iloc[:600])  # the two clusters, without the planted rows
    new = frame.iloc[[0, 350, -1]]  # a row of each cluster, one planted row
    s = model.score_samples(new)
    assert list(s.columns) == [*methods, *(f"{m}_pct" for m in methods), "combined"]
    assert s.index.equals(new.index)
    assert s["combined"].idxmax() == new.index[-1]
    assert (s.loc[new.index[-1], [f"{m}_pct" for m in methods]] == 1.0).all()
    assert s["combined"].iloc[:2].max() < 0.9


def test_new_rows_scored_through_the_approximate_index_as_exactly(planted, monkeypatch):
    """Above EXACT_SAMPLE_ROWS fitted rows, knn and lof of new rows use pynndescent."""
    from astrokit.embedding import _place

    frame, _ = planted
    new = frame.iloc[::7] + 0.01
    exact = outliers.OutlierScorer(["knn", "lof"], n_neighbors=10).fit(frame)
    monkeypatch.setattr(_place, "EXACT_SAMPLE_ROWS", 100)
    approx = outliers.OutlierScorer(["knn", "lof"], n_neighbors=10).fit(frame)
    lazy = approx._models["neighbours"][0]
    assert lazy.index is None  # built only once new rows come
    a = approx.score_samples(new)[["knn", "lof"]].to_numpy()
    assert type(lazy.index.index).__name__ == "NNDescent"
    b = exact.score_samples(new)[["knn", "lof"]].to_numpy()
    relative = np.abs(a - b) / b
    assert (relative < 1e-4).all(axis=1).mean() >= 0.95  # approximate: most exact
    assert relative.max() < 0.05


def test_scorer_percentiles_are_relative_to_the_fitted_rows(planted):
    frame, _ = planted
    model = outliers.OutlierScorer("knn", n_neighbors=10).fit(frame)
    fitted = model.scores_["knn"]
    new = frame.iloc[:50] + 0.01
    s = model.score_samples(new)
    expected = [(fitted <= v).mean() for v in s["knn"]]
    np.testing.assert_allclose(s["knn_pct"], expected)


def test_scorer_refuses_to_score_new_rows_with_glosh(planted):
    frame, _ = planted
    model = outliers.OutlierScorer(["glosh", "knn"], n_neighbors=10).fit(frame)
    with pytest.raises(ValueError, match=r"'glosh' cannot score new rows.*\['knn'\]"):
        model.score_samples(frame.iloc[:5])


def test_scorer_needs_the_fitted_columns(planted):
    frame, _ = planted
    model = outliers.OutlierScorer("knn", n_neighbors=10).fit(frame)
    with pytest.raises(ValueError, match=r"unknown feature name\(s\) \['f3'\]"):
        model.score_samples(frame.drop(columns="f3"))
    arrays = outliers.OutlierScorer("knn", n_neighbors=10).fit(frame.iloc[:, :4].values)
    with pytest.raises(ValueError, match=r"features has 3 columns .* fitted on 4"):
        arrays.score_samples(frame.iloc[:, :3].to_numpy())


def test_max_rows_fits_a_subsample_and_scores_every_row(planted, caplog):
    frame, truth = planted
    methods = ["lof", "isolation", "knn"]
    s = outliers.score(frame, methods=methods, n_neighbors=10, max_rows=300)
    assert len(s) == len(frame) and s.notna().all().all()
    assert outliers.precision_at_k(s["knn"], truth) == 1.0
    model = outliers.OutlierScorer(n_neighbors=10, max_rows=300, progress=False)
    default = model.fit(frame).scores_
    assert len(model.fit_rows_) == 300
    assert default.attrs["skipped"] == ["glosh"] and "glosh" not in default
    assert "glosh left out on 606 rows (fitted on a subsample, max_rows=300)" in (
        caplog.text
    )
    with pytest.raises(ValueError, match=r"max_rows=300 fits on a subsample, but"):
        outliers.score(frame, methods=["glosh"], max_rows=300)


def test_max_rows_below_two_is_refused(planted):
    frame, _ = planted
    with pytest.raises(ValueError, match=r"max_rows=1 must be an integer of at least"):
        outliers.score(frame, methods="knn", max_rows=1)


# ------------------------------------------------------ one vocabulary
def test_default_methods_and_registry():
    assert isinstance(outliers.METHODS, dict)
    assert all(isinstance(v, str) for v in outliers.METHODS.values())
    assert set(outliers.DEFAULT_METHODS) == set(outliers.METHODS)


def test_positional_options_warn_and_still_work(planted, scores):
    frame, truth = planted
    with pytest.warns(FutureWarning, match=r"score\(features, methods="):
        s = outliers.score(frame, FAST, n_neighbors=10)
    pd.testing.assert_frame_equal(s, scores)
    with pytest.warns(FutureWarning, match=r"top\(scores, n=3\)"):
        assert len(outliers.top(scores, 3)) == 3
    with pytest.warns(FutureWarning, match=r"precision_at_k\(scores, truth, k=6\)"):
        assert outliers.precision_at_k(scores["knn"], truth, 6) == 1.0
