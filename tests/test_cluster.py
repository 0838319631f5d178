"""astrokit.cluster: methods, choice of the number, stability, truth comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from astrokit.cluster import (
    METHODS,
    Clusterer,
    agreement,
    choose_n_clusters,
    cluster,
    contingency,
    split_groups,
    split_stability,
    stability,
)
from astrokit.cluster._stability import match_labels

CENTRES = [(0.0, 0.0), (6.0, 0.0), (0.0, 6.0)]
SIZES = [150, 100, 60]


@pytest.fixture
def blobs(rng):
    """Three well-separated blobs of different sizes, on a shuffled index."""
    parts = [
        rng.normal(c, 0.5, size=(n, 2)) for c, n in zip(CENTRES, SIZES, strict=True)
    ]
    truth = np.repeat([0, 1, 2], SIZES)
    index = pd.Index(rng.permutation(10_000)[: sum(SIZES)] + 1000, name="pixel")
    frame = pd.DataFrame(np.vstack(parts), columns=["umap_x", "umap_y"], index=index)
    return frame, pd.Series(truth, index=index)


@pytest.fixture
def blob(rng):
    """One round Gaussian blob: any split of it is arbitrary."""
    return pd.DataFrame(rng.normal(size=(450, 2)), columns=["umap_x", "umap_y"])


@pytest.mark.parametrize("method", METHODS)
def test_every_method_recovers_separated_blobs(blobs, method):
    data, truth = blobs
    kw = {"n_clusters": 3} if method in ("gmm", "kmeans", "agglomerative") else {}
    labels = cluster(data, method=method, **kw)
    assert labels.name == "cluster"
    assert labels.index.equals(data.index)
    assert labels.dtype == np.int64
    assert agreement(labels, truth, ignore_noise=True)["ari"] == pytest.approx(1.0)
    # numbered by size: 0 is the largest blob
    assert labels[labels >= 0].value_counts().index.tolist() == [0, 1, 2]


def test_array_input_gets_a_range_index(blobs):
    data, _ = blobs
    labels = cluster(data.to_numpy(), method="kmeans", n_clusters=3)
    assert labels.index.equals(pd.RangeIndex(len(data)))


@pytest.mark.parametrize("method", ["gmm", "kmeans", "agglomerative"])
def test_default_number_of_clusters_is_chosen(blobs, method):
    data, truth = blobs
    labels = cluster(data, method=method)
    assert labels.nunique() == 3
    assert agreement(labels, truth)["ari"] == pytest.approx(1.0)


def test_choose_n_clusters_tables(blobs):
    data, _ = blobs
    table, best = choose_n_clusters(data, n_clusters=range(1, 7))
    assert best == 3
    assert table["n_clusters"].tolist() == [1, 2, 3, 4, 5, 6]
    assert table.loc[table["best"], "n_clusters"].item() == 3
    assert table["bic"].idxmin() == 2
    table, best = choose_n_clusters(data, method="kmeans", n_clusters=[1, 2, 3, 4])
    assert best == 3
    assert table["n_clusters"].tolist() == [2, 3, 4]  # silhouette needs 2
    assert table["silhouette"].between(-1, 1).all()


def test_icl_counts_groups_where_the_bic_counts_gaussians():
    """Two separate groups, each skewed: two overlapping Gaussians."""
    rng = np.random.default_rng(1)

    def skewed(centre):
        wide = rng.normal(centre, 1.0, (1000, 2))
        return np.vstack([wide, rng.normal(np.add(centre, [1.2, 0]), 0.5, (600, 2))])

    data = np.vstack([skewed([0, 0]), skewed([12, 0])])
    table, best = choose_n_clusters(data, n_clusters=range(1, 9))
    assert best == 2
    _, by_bic = choose_n_clusters(data, n_clusters=range(1, 9), criterion="bic")
    assert by_bic > 2
    assert table.loc[table["best"], "n_clusters"].item() == 2


def test_choose_n_clusters_refuses_a_criterion_for_kmeans(blobs):
    with pytest.raises(ValueError, match="criterion='bic' with method='kmeans'"):
        choose_n_clusters(blobs[0], method="kmeans", criterion="bic")


def test_choose_n_clusters_subsamples(blobs):
    data, _ = blobs
    table, best = choose_n_clusters(data, n_clusters=range(2, 5), max_rows=90)
    assert best == 3 and len(table) == 3


def test_agglomerative_on_a_subsample_labels_every_row(blobs):
    data, truth = blobs
    labels = cluster(data, method="agglomerative", n_clusters=3, max_rows=50)
    assert labels.notna().all() and len(labels) == len(data)
    assert agreement(labels, truth)["ari"] == pytest.approx(1.0)


def test_options_reach_the_estimator(blobs):
    data, _ = blobs
    labels = cluster(data, method="dbscan", eps=1e-6, min_samples=5)
    assert (labels == -1).all()  # nothing is that dense: all noise
    with pytest.raises(TypeError, match="bogus"):
        cluster(data, method="kmeans", n_clusters=2, bogus=1)


def test_seed_makes_gmm_reproducible(blob):
    a = cluster(blob, method="gmm", n_clusters=4, random_state=3)
    b = cluster(blob, method="gmm", n_clusters=4, random_state=3)
    assert a.equals(b)


def test_stability_of_separated_blobs(blobs):
    data, _ = blobs
    rows, clusters = stability(data, method="kmeans", n_clusters=3, n_runs=8)
    assert rows.index.equals(data.index)
    assert rows.columns.tolist() == ["cluster", "consensus", "confidence", "n_runs"]
    assert clusters.columns.tolist() == [
        "size",
        "stability",
        "stability_std",
        "dissolved",
        "confidence",
    ]
    assert clusters["size"].tolist() == SIZES
    assert (clusters["stability"] > 0.99).all()
    assert (clusters["dissolved"] == 0).all()
    assert rows["confidence"].min() > 0.99
    assert (rows["consensus"] == rows["cluster"]).all()
    assert rows["n_runs"].between(1, 8).all()


@pytest.mark.parametrize("method", ["hdbscan", "agglomerative"])
def test_stability_of_deterministic_methods_uses_subsamples(blobs, method):
    data, _ = blobs
    kw = {"n_clusters": 3} if method == "agglomerative" else {}
    _, clusters = stability(data, method=method, n_runs=5, **kw)
    assert len(clusters) == 3 and (clusters["stability"] > 0.95).all()


def test_splitting_one_blob_is_less_stable(blobs, blob):
    separated, _ = stability(blobs[0], method="gmm", n_clusters=3, n_runs=10)
    rows, clusters = stability(blob, method="gmm", n_clusters=2, n_runs=10)
    assert (clusters["stability"] < 0.8).all()
    assert rows["confidence"].mean() < 0.95
    assert separated["confidence"].min() > 0.99
    # rows near the arbitrary boundary are the least certain
    assert (rows["confidence"] < 0.7).sum() > 20


def test_stability_over_seeds(blob):
    rows, clusters = stability(
        blob, method="gmm", n_clusters=2, n_runs=6, resample="seed"
    )
    assert (rows["n_runs"] == 6).all()
    assert clusters["stability"].between(0, 1).all()


def test_stability_noise_rows_have_no_confidence(blobs):
    data, _ = blobs
    outlier = pd.DataFrame({"umap_x": [30.0], "umap_y": [30.0]}, index=[-5])
    rows, clusters = stability(pd.concat([data, outlier]), method="hdbscan", n_runs=4)
    assert rows.loc[-5, "cluster"] == -1 and np.isnan(rows.loc[-5, "confidence"])
    assert -1 not in clusters.index


def test_match_undoes_a_permutation():
    ref = np.array([0, 0, 1, 1, 2, 2, -1])
    run = np.array([2, 2, 0, 0, 1, 1, 1])
    assert match_labels(ref, run, 3).tolist() == [0, 0, 1, 1, 2, 2, 2]
    # an extra run cluster without a partner becomes -2; noise stays -1
    run = np.array([0, 0, 1, 1, 2, 3, -1])
    assert match_labels(ref, run, 3).tolist() == [0, 0, 1, 1, 2, -2, -1]


def test_agreement_and_contingency():
    labels = pd.Series([1, 1, 0, 0, -1], index=[10, 11, 12, 13, 14])
    truth = pd.Series(["b", "a", "a", "b", "a", "b"], index=[14, 13, 12, 11, 10, 99])
    scores = agreement(labels, truth)
    assert set(scores.index) >= {"ari", "ami", "homogeneity", "completeness"}
    assert scores["n_rows"] == 5 and scores["n_clusters"] == 2
    same = agreement(pd.Series([5, 5, 7]), pd.Series(["x", "x", "y"]))
    assert same["ari"] == pytest.approx(1.0)
    assert agreement(labels, truth, ignore_noise=True)["n_rows"] == 4
    table = contingency(labels, truth)
    assert table.loc[0, "a"] == 2 and table.loc[1, "b"] == 1  # aligned by index
    assert table.index.name == "cluster" and table.columns.name == "truth"
    frac = contingency(labels, truth, normalize="cluster")
    assert np.allclose(frac.sum(axis=1), 1.0)
    frac = contingency(labels, truth, normalize="truth")
    assert np.allclose(frac.sum(axis=0), 1.0)


BAD_CLUSTER_CALLS = {
    "unknown method": (
        lambda d: cluster(d, method="spectral"),
        r"method='spectral' is not a clustering .*'gmm'",
    ),
    "too many clusters": (
        lambda d: cluster(d, method="kmeans", n_clusters=400),
        "n_clusters=400 needs at least 400 rows; data has 310",
    ),
    "one row": (
        lambda d: cluster(d.iloc[:1], method="kmeans", n_clusters=1),
        "data has 1 row.*needs at least 2",
    ),
    "constant column": (
        lambda d: cluster(d.assign(flat=1.0), method="kmeans", n_clusters=2),
        r"constant columns \['flat'\]",
    ),
    "NaN": (
        lambda d: cluster(d.mask(d == d.iloc[0, 0]), method="gmm", n_clusters=2),
        r"NaN or infinite values .*'umap_x' \(1 row\)",
    ),
    "text column": (
        lambda d: cluster(d.assign(galaxy="NGC0628"), method="gmm", n_clusters=2),
        r"non-numeric columns \['galaxy'\]",
    ),
    "n_clusters to hdbscan": (
        lambda d: cluster(d, method="hdbscan", n_clusters=3),
        "n_clusters=3 does not apply to method='hdbscan'",
    ),
    "n_clusters=0": (
        lambda d: cluster(d, method="gmm", n_clusters=0),
        "n_clusters=0 must be an integer of at least 1",
    ),
    "1-D array": (
        lambda d: cluster(np.zeros(5), method="gmm"),
        r"data must be 2-D .*got shape \(5,\)",
    ),
    "no columns": (
        lambda d: cluster(d[[]], method="gmm"),
        "data has no feature columns",
    ),
    "max_rows=1": (
        lambda d: cluster(d, method="gmm", n_clusters=2, max_rows=1),
        r"max_rows=1 must be an integer of at least 2 \(rows, or None\)",
    ),
    "choose with dbscan": (
        lambda d: choose_n_clusters(d, method="dbscan"),
        "method='dbscan': choose_n_clusters applies",
    ),
    "choose with an unknown method": (
        lambda d: choose_n_clusters(d, method="spectral"),
        "method='spectral' is not a clustering method",
    ),
    "no candidate": (
        lambda d: choose_n_clusters(d.iloc[:10], n_clusters=[50]),
        r"n_clusters=\[50\] holds no candidate",
    ),
    "resample": (
        lambda d: stability(d, method="kmeans", n_clusters=3, resample="bootstrap"),
        "resample='bootstrap' must be",
    ),
    "fraction": (
        lambda d: stability(d, method="kmeans", n_clusters=3, fraction=0),
        r"fraction=0 must be in \(0, 1\]",
    ),
    "n_runs": (
        lambda d: stability(d, method="kmeans", n_clusters=3, n_runs=0),
        "n_runs=0 must be an integer of at least 1",
    ),
    "labels and truth lengths": (
        lambda d: agreement([0, 1, 1], ["a", "b"]),
        r"labels \(3,\) and truth \(2,\)",
    ),
    "normalize": (
        lambda d: contingency([0, 1], ["a", "b"], normalize="rows"),
        "normalize='rows' must be one of",
    ),
}


@pytest.mark.parametrize("call", BAD_CLUSTER_CALLS)
def test_bad_inputs(blobs, call):
    func, match = BAD_CLUSTER_CALLS[call]
    with pytest.raises(ValueError, match=match):
        func(blobs[0])


def test_max_rows_must_be_a_number(blobs):
    with pytest.raises(TypeError, match=r"max_rows='all' must be an integer"):
        cluster(blobs[0], method="gmm", n_clusters=2, max_rows="all")


def test_truth_must_cover_the_labels(blobs):
    data, truth = blobs
    labels = cluster(data, method="kmeans", n_clusters=3)
    with pytest.raises(ValueError, match="truth lacks 310 of the labels' index values"):
        agreement(labels, truth.reset_index(drop=True))


# ------------------------------------------------------------- registry, API
def test_methods_registry_describes_each_method():
    assert isinstance(METHODS, dict) and len(METHODS) == 5
    assert all(isinstance(v, str) and v for v in METHODS.values())


def test_positional_options_warn_and_still_work(blobs):
    data, _ = blobs
    expected = cluster(data, method="kmeans", n_clusters=3)
    with pytest.warns(FutureWarning, match=r"cluster\(data, method='kmeans'\)"):
        labels = cluster(data, "kmeans", n_clusters=3)
    assert labels.equals(expected)
    with pytest.warns(FutureWarning, match=r"stability\(data, method='kmeans'\)"):
        _, clusters = stability(data, "kmeans", n_clusters=3, n_runs=2)
    assert len(clusters) == 3


# ----------------------------------------------------------------- Clusterer
@pytest.mark.parametrize("method", ["gmm", "kmeans"])
def test_clusterer_predict_equals_cluster(blob, method):
    model = Clusterer(method, n_clusters=4).fit(blob)
    expected = cluster(blob, method=method, n_clusters=4)
    np.testing.assert_array_equal(model.predict(blob), expected.to_numpy())
    np.testing.assert_array_equal(model.labels_, expected.to_numpy())
    np.testing.assert_array_equal(model.fit_predict(blob), expected.to_numpy())
    assert model.n_clusters_ == 4 and model.n_features_in_ == 2


@pytest.mark.parametrize("method", list(METHODS))
def test_clusterer_labels_new_rows_by_their_blob(blobs, method):
    data, _ = blobs
    kw = {"n_clusters": 3} if method in ("gmm", "kmeans", "agglomerative") else {}
    model = Clusterer(method, **kw).fit(data)
    labels = pd.Series(model.labels_, index=data.index)
    new = pd.DataFrame(np.array(CENTRES) + 0.1, columns=["umap_x", "umap_y"])
    nearest = [((data - np.array(c)) ** 2).sum(axis=1).idxmin() for c in CENTRES]
    expected = labels[nearest].tolist()
    assert model.predict(new).tolist() == expected
    assert sorted(expected) == [0, 1, 2]


def test_clusterer_fits_a_subsample_and_labels_every_row(blobs):
    data, truth = blobs
    model = Clusterer("gmm", n_clusters=3, max_rows=100).fit(data)
    assert len(model.fit_rows_) == 100 and len(model.labels_) == len(data)
    assert agreement(pd.Series(model.labels_, index=data.index), truth)[
        "ari"
    ] == pytest.approx(1.0)


def test_clusterer_is_a_scikit_learn_estimator(blobs):
    from sklearn.base import clone

    model = Clusterer("hdbscan", options={"min_cluster_size": 20})
    copy = clone(model)
    assert copy.get_params()["options"] == {"min_cluster_size": 20}
    assert copy.fit(blobs[0]).n_clusters_ == 3


def test_clusterer_predict_needs_the_fitted_columns(blobs):
    data, _ = blobs
    model = Clusterer("kmeans", n_clusters=3).fit(data)
    with pytest.raises(ValueError, match=r"X has columns \['umap_y', 'umap_x'\]"):
        model.predict(data[["umap_y", "umap_x"]])
    with pytest.raises(ValueError, match=r"this Clusterer was fitted on \['umap_x'"):
        model.predict(data.assign(extra=1.0))


# --- how the number of clusters is chosen, and said ---------------------------


def test_choice_at_the_edge_of_the_range_warns(rng, caplog):
    X = np.vstack([rng.normal(10 * c, 0.5, (40, 2)) for c in range(12)])
    with caplog.at_level("WARNING", logger="astrokit.cluster"):
        labels = cluster(X)
    assert labels.nunique() == 10
    assert "top of the range searched (1..10)" in caplog.text
    assert labels.attrs["choice"]["rule"] == (
        "lowest ICL (BIC + 2 x membership entropy) over n_clusters=1..10"
    )


def test_chosen_number_is_recorded_with_its_scores(blobs, caplog):
    data, _ = blobs
    with caplog.at_level("WARNING", logger="astrokit.cluster"):
        model = Clusterer("gmm").fit(data)
    assert model.choice_["n_clusters"] == 3
    assert model.choice_["scores"]["best"].sum() == 1
    assert caplog.text == ""  # a choice inside the range is no warning


def test_hdbscan_finding_nothing_refits_with_a_single_cluster(rng, caplog):
    X = rng.normal(size=(3, 2))
    with caplog.at_level("WARNING", logger="astrokit.cluster"):
        labels = cluster(X, method="hdbscan")
    assert labels.tolist() == [0, 0, 0]
    assert "Refitted with allow_single_cluster=True" in caplog.text
    assert "refit" in labels.attrs["choice"]


def test_hdbscan_on_a_large_table_gives_scikit_learns_clusters(rng):
    # fast_hdbscan from FAST_HDBSCAN_ROWS rows: the same clusters as
    # sklearn.cluster.HDBSCAN (min_samples counting the row itself), faster
    from sklearn.cluster import HDBSCAN

    from astrokit.cluster._methods import FAST_HDBSCAN_ROWS, fit_method

    centres = rng.uniform(-10, 10, (4, 2))
    X = np.vstack(
        [rng.normal(c, 1.5, (FAST_HDBSCAN_ROWS // 4 + 50, 2)) for c in centres]
    )
    options = {"min_cluster_size": 60, "min_samples": 60}
    model, fast = fit_method("hdbscan", X, None, 0, options)
    assert type(model).__module__.startswith("fast_hdbscan")
    reference = HDBSCAN(min_cluster_size=60, min_samples=60, copy=True).fit(X).labels_
    assert agreement(fast, reference)["ari"] > 0.99
    assert np.mean((fast < 0) == (reference < 0)) > 0.99
    model, _ = fit_method("hdbscan", X, None, 0, {**options, "metric": "manhattan"})
    assert type(model).__module__.startswith("sklearn")  # an option it lacks
    model, _ = fit_method("hdbscan", X[:500], None, 0, options)
    assert type(model).__module__.startswith("sklearn")  # a small table


def test_hdbscan_on_an_embedding_asks_for_groups_at_its_scale(rng):
    from astrokit.embedding import embed

    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=list("abcd"))
    emb = embed(X, n_neighbors=15, cache=False)  # one Gaussian: one group
    assert emb.attrs["n_neighbors"] == 15
    labels = cluster(emb, method="hdbscan")
    assert "min_cluster_size=30" in labels.attrs["choice"]["rule"]
    assert labels[labels >= 0].nunique() <= 2
    bare = cluster(emb.to_numpy(), method="hdbscan")  # no attrs: the 1% floor
    assert "min_cluster_size=10" in bare.attrs["choice"]["rule"]
    given = cluster(emb, method="hdbscan", min_cluster_size=12)
    assert "min_cluster_size=12" in given.attrs["choice"]["rule"]
    _, groups = stability(emb, method="hdbscan", n_runs=2)
    assert groups["size"].sum() == (labels >= 0).sum()  # the same reference


def test_all_noise_is_a_warning(blobs, caplog):
    data, _ = blobs
    with caplog.at_level("WARNING", logger="astrokit.cluster"):
        labels = cluster(data, method="dbscan", eps=1e-6, min_samples=5)
    assert (labels == -1).all()
    assert f"labelled all {len(data)} rows noise" in caplog.text


def test_one_dominant_cluster_is_a_warning(rng, caplog):
    X = np.vstack([rng.normal(0, 1, (950, 2)), rng.normal(8, 0.3, (50, 2))])
    with caplog.at_level("WARNING", logger="astrokit.cluster"):
        labels = cluster(X, method="hdbscan")
    assert labels.value_counts().tolist() == [950, 50]
    assert "one cluster holds 95% of the rows" in caplog.text


def test_columns_selects_what_is_clustered(blobs):
    data, truth = blobs
    table = data.assign(flux=np.arange(len(data)) % 7)
    labels = cluster(table, method="kmeans", n_clusters=3, columns=["umap_x", "umap_y"])
    assert agreement(labels, truth)["ari"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"unknown feature name\(s\) \['nope'\]"):
        cluster(table, method="kmeans", n_clusters=3, columns=["nope"])


def test_split_groups_separates_a_gaussian_hidden_in_a_group(rng):
    X = np.vstack([rng.normal(0, 1, (400, 3)), rng.normal(6, 0.5, (150, 3))])
    index = pd.Index(rng.permutation(550) + 7, name="pixel")
    labels = pd.Series(np.r_[np.zeros(400, int), np.full(150, 1)], index=index)
    labels.iloc[400:] = 0  # the second Gaussian glued into the first group
    labels.iloc[:5] = -1
    frame = pd.DataFrame(X, index=index)
    new, groups = split_groups(frame, labels, min_size=50)
    assert new.index.equals(index)
    assert (new.iloc[:5] == -1).all()  # noise stays noise
    assert groups["size"].tolist() == [395, 150]
    assert (groups["from"] == 0).all() and (groups["bound"] < 0.1).all()
    assert (new.iloc[400:] == 1).all()


def test_split_groups_is_not_misled_by_a_sparse_halo(rng):
    # Untrimmed, the second Gaussian takes the 60 halo rows and the pair is
    # never split (10 seeds of 10); its 5% least likely rows trimmed, it is.
    pair = np.vstack([rng.normal((x, 0), (0.6, 1), (500, 2)) for x in (-1.5, 1.5)])
    X = np.vstack([pair, rng.uniform(-12, 12, (60, 2))])
    new, groups = split_groups(X, np.zeros(len(X), int), min_size=50)
    assert len(groups) == 2
    assert agreement(new[:1000], np.repeat([0, 1], 500))["ari"] > 0.9


def test_split_groups_keeps_whole_the_groups_asked(rng):
    X = np.vstack([rng.normal(0, 1, (300, 2)), rng.normal(8, 1, (100, 2))])
    new, groups = split_groups(X, np.zeros(400, int), min_size=50, keep_whole=[0])
    assert (new == 0).all() and groups["bound"].isna().all()


def test_split_groups_leaves_one_gaussian_and_small_parts_whole(rng):
    one = rng.normal(size=(2000, 4))
    new, groups = split_groups(one, np.zeros(2000, int), min_size=20)
    assert groups["size"].tolist() == [2000] and groups["bound"].isna().all()
    tail = np.vstack([rng.normal(0, 1, (500, 2)), rng.normal(9, 0.3, (30, 2))])
    new, _ = split_groups(tail, np.zeros(530, int), min_size=50)
    assert (new == 0).all()  # 30 rows apart, but fewer than min_size


def test_split_groups_does_not_overfit_few_rows_in_many_dimensions(rng):
    X = rng.normal(size=(300, 50))  # two Gaussians fit it only by overfitting
    new, groups = split_groups(X, np.zeros(300, int), min_size=50)
    assert groups["size"].tolist() == [300]


def test_split_groups_tests_the_parts_again(rng):
    centres = [(0, 0), (10, 0), (0, 10)]
    X = np.vstack([rng.normal(c, 1, (200, 2)) for c in centres])
    new, groups = split_groups(X, np.zeros(600, int), min_size=50)
    assert sorted(groups["size"]) == [200, 200, 200]
    assert agreement(new, np.repeat([0, 1, 2], 200))["ari"] == pytest.approx(1.0)


def test_split_groups_of_all_noise_is_all_noise(rng):
    new, groups = split_groups(rng.normal(size=(40, 2)), np.full(40, -1), min_size=5)
    assert (new == -1).all() and groups.empty


def test_split_stability_reruns_only_the_splits(rng):
    hidden = np.vstack([rng.normal(0, 1, (300, 2)), rng.normal(8, 1, (100, 2))])
    whole = rng.normal(20, 1, (200, 2))  # a group of its own, never split
    X = np.vstack([hidden, whole])
    before = np.r_[np.zeros(400, int), np.ones(200, int)]
    after, made = split_groups(X, before, min_size=50)
    again = split_stability(X, before, after, min_size=50)
    split = made.index[made["bound"].notna()]
    assert sorted(again.index) == sorted(split)  # the unsplit group is not rerun
    assert (again > 0.9).all()
    none = split_stability(X, before, before, min_size=50)
    assert none.empty
