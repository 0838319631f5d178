"""The unsupervised random forest: estimator contract, exactness, scale guards."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from astrokit.distances import _leaf_neighbours
from astrokit.distances._forest import UnsupervisedRandomForest


def _blobs(rng, n=600, n_noise=2):
    """Three correlated blobs plus pure-noise columns."""
    label = rng.integers(0, 3, n)
    centre = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 5.0]])[label]
    a = centre + rng.normal(scale=0.5, size=(n, 2))
    b = a @ np.array([[1.0, 0.5], [-0.3, 1.0]]) + rng.normal(scale=0.2, size=(n, 2))
    return np.hstack([a, b, rng.uniform(size=(n, n_noise))])


@pytest.fixture
def X(rng):
    return _blobs(rng)


def _urf(**kw):
    kw = {"n_estimators": 40, "random_state": 0, "progress": False, **kw}
    return UnsupervisedRandomForest(**kw)


@parametrize_with_checks([_urf(n_estimators=10)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_fit_stores_the_trees_and_every_row(X):
    urf = _urf(max_samples=200).fit(X)
    assert len(urf.estimators_) == 40
    # each tree saw 200 real and 200 synthetic rows
    assert all(t.tree_.n_node_samples[0] == 400 for t in urf.estimators_)
    assert urf.leaves_.shape == (len(X), 40)
    assert urf.leaves_.dtype == np.uint16
    assert 0.5 < urf.separability_ <= 1.0
    assert urf.feature_importances_.shape == (X.shape[1],)
    assert urf.feature_importances_.sum() == pytest.approx(1.0)
    # the forest finds the structure in the first four columns, not the noise
    assert urf.feature_importances_[:4].min() > urf.feature_importances_[4:].max()


def test_each_tree_has_its_own_sample(X):
    urf = _urf(max_samples=0.25).fit(X)
    roots = {t.tree_.n_node_samples[0] for t in urf.estimators_}
    assert roots == {2 * (len(X) // 4)}
    thresholds = {float(t.tree_.threshold[0]) for t in urf.estimators_}
    assert len(thresholds) > 1
    every = _urf(max_samples=None).fit(X)  # bootstrap of all rows
    assert {t.tree_.n_node_samples[0] for t in every.estimators_} == {2 * len(X)}
    assert np.isfinite(every.separability_)


def test_leaf_rule(X):
    real = _urf(leaves="real").fit(X)
    every = _urf(leaves="all").fit(X)
    assert (real.leaves_ == real.sentinel_).any()  # rows in synthetic leaves
    assert not (every.leaves_ == every.sentinel_).any()


def test_same_seed_same_result_any_thread_count(X):
    a = _urf(algorithm="approximate", n_jobs=1).fit(X)
    b = _urf(algorithm="approximate", n_jobs=2).fit(X)
    np.testing.assert_array_equal(a.leaves_, b.leaves_)
    da, ia = a.kneighbors()
    db, ib = b.kneighbors()
    np.testing.assert_array_equal(ia, ib)
    np.testing.assert_array_equal(da, db)
    c = _urf(random_state=1).fit(X)
    assert not np.array_equal(a.leaves_, c.leaves_)


def test_exact_neighbours_match_the_dense_matrix(X):
    urf = _urf(algorithm="exact").fit(X)
    dist, ind = urf.kneighbors(n_neighbors=10)
    dense = urf.dense_distances()
    assert dense.shape == (len(X), len(X))
    np.testing.assert_allclose(dense, dense.T)
    np.testing.assert_array_equal(np.diag(dense), 0)
    np.testing.assert_allclose(dist, np.take_along_axis(dense, ind, axis=1))
    off = dense + np.diag(np.full(len(X), np.inf, np.float32))
    kth = np.sort(off, axis=1)[:, 9]
    np.testing.assert_allclose(dist[:, -1], kth)
    assert (np.diff(dist, axis=1) >= 0).all()
    assert not (ind == np.arange(len(X))[:, None]).any()


def test_approximate_recall_against_exact(rng):
    X = _blobs(rng, n=1500)
    urf = _urf(n_estimators=100, algorithm="approximate").fit(X)
    approx, _ = urf.kneighbors()
    exact, _ = _urf(n_estimators=100, algorithm="exact").fit(X).kneighbors()
    # ties: a neighbour is right when no farther than the exact k-th one
    recall = (approx <= exact[:, -1:] + 1e-6).mean()
    assert recall >= 0.9


def test_ties_are_broken_reproducibly(rng):
    X = np.repeat(rng.normal(size=(20, 3)), 10, axis=0)  # 10 copies of each row
    urf = _urf(algorithm="exact").fit(X)
    dist, ind = urf.kneighbors(n_neighbors=9)
    np.testing.assert_array_equal(dist, 0)  # at least its 9 copies at distance 0
    dense = urf.dense_distances()
    np.testing.assert_array_equal(np.take_along_axis(dense, ind, axis=1), 0)
    again = _urf(algorithm="exact").fit(X).kneighbors(n_neighbors=9)[1]
    np.testing.assert_array_equal(ind, again)
    approx = _urf(algorithm="approximate").fit(X).kneighbors(n_neighbors=9)
    np.testing.assert_array_equal(approx[0], 0)


def test_new_rows_are_searched_among_the_fitted_ones(X):
    urf = _urf().fit(X[:500])
    dist, ind = urf.kneighbors(X[500:], n_neighbors=5)
    dense = urf.dense_distances(X[500:])
    assert dense.shape == (100, 500)
    np.testing.assert_allclose(dist, np.take_along_axis(dense, ind, axis=1))
    np.testing.assert_allclose(dist[:, -1], np.sort(dense, axis=1)[:, 4])


def test_weirdness_equals_the_dense_original(X):
    urf = _urf().fit(X)
    dense = urf.dense_distances()
    expected = dense.sum(axis=1, dtype=np.float64) / (len(X) - 1)
    np.testing.assert_allclose(urf.weirdness(), expected)
    new = urf.weirdness(X[:50] + 10.0)
    expected = urf.dense_distances(X[:50] + 10.0).mean(axis=1, dtype=np.float64)
    np.testing.assert_allclose(new, expected)
    assert new.min() > np.median(urf.weirdness())  # far from the data: weird


def test_planted_outliers_rank_highest(rng):
    X = _blobs(rng, n=800)
    X[:8, :4] = rng.uniform(-6, 10, size=(8, 4))  # break the correlations
    weird = _urf(n_estimators=100).fit(X).weirdness()
    top = np.argsort(-weird)[:8]
    assert np.isin(top, np.arange(8)).mean() >= 0.75


def test_planted_anomalies_of_the_demo_data():
    from astrokit.data import make_galaxies
    from astrokit.features import derive

    table = make_galaxies(tier="tiny", random_state=0)
    features = derive(table)
    truth = table.loc[features.index, "truth_anomaly"].to_numpy()
    urf = _urf(n_estimators=100).fit(features[features.attrs["features"]])
    rank = np.argsort(np.argsort(-urf.weirdness()))
    k = int(truth.sum())
    assert k >= 5
    # measured: 2 of the 6 planted anomalies in the top 6 (chance: 0.07 of
    # one), half of them in the top 3.5 per cent
    assert (rank[truth] < k).mean() >= 0.3
    assert np.median(rank[truth]) < 0.1 * len(rank)


def test_kneighbors_graph_is_sorted_sparse_and_fits_dbscan(X):
    from sklearn.cluster import DBSCAN

    urf = _urf().fit(X)
    graph = urf.kneighbors_graph(n_neighbors=8)
    assert graph.shape == (len(X), len(X))
    assert graph.nnz == 8 * len(X)
    rows = graph.data.reshape(len(X), 8)
    assert (np.diff(rows, axis=1) >= 0).all()
    ones = urf.kneighbors_graph(n_neighbors=8, mode="connectivity")
    np.testing.assert_array_equal(ones.data, 1)
    labels = DBSCAN(eps=0.9, min_samples=5, metric="precomputed").fit_predict(graph)
    assert labels.shape == (len(X),)
    assert len(set(labels) - {-1}) >= 1


def test_dataframe_names_are_kept_and_checked(X):
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    urf = _urf().fit(frame)
    assert list(urf.feature_names_in_) == list(frame.columns)
    with pytest.raises(ValueError, match="feature names"):
        urf.kneighbors(frame.rename(columns={"f0": "other"}))


def test_memory_guard_states_the_memory_needed(X):
    urf = _urf().fit(X[:100])
    msg = r"needs 100 x 100 x 4 bytes = 40\.0 kB.*kneighbors_graph"
    with pytest.raises(MemoryError, match=msg):
        urf.dense_distances(max_bytes=10_000)


def test_memory_guard_at_a_million_rows():
    urf = _urf()
    urf.leaves_ = np.zeros((1_000_000, 1), np.uint16)  # as if fitted on 1e6 rows
    with pytest.raises(MemoryError, match=r"= 4\.0 TB"):
        urf.dense_distances()


@pytest.mark.parametrize(
    ("column", "match"),
    [
        (["a", "b", "c"], r"non-numeric columns \['label'\]"),
        ([np.nan] * 3, r"columns \['label'\] that are NaN .* in every row"),
        ([1.0, np.nan, 2.0], r"NaN or infinite values in 1 of 2 .*'label' \(1 row\)"),
    ],
)
def test_bad_columns_are_named(column, match):
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "label": column})
    with pytest.raises(ValueError, match=match):
        _urf().fit(frame)


def test_nan_in_an_array_names_the_column():
    X = np.ones((5, 3))
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"'column 1' \(1 row\)"):
        _urf().fit(X)


def test_too_few_rows_for_the_neighbours(rng):
    urf = _urf().fit(rng.normal(size=(25, 3)))
    msg = (
        r"n_neighbors=25 must be smaller than the number of rows \(25\): a row "
        "is never its own neighbour"
    )
    with pytest.raises(ValueError, match=msg):
        urf.kneighbors(n_neighbors=25)
    with pytest.raises(ValueError, match=msg):
        urf.kneighbors_graph(n_neighbors=25)
    assert urf.kneighbors(n_neighbors=24)[1].shape == (25, 24)  # all the others
    with pytest.raises(ValueError, match=r"at most the number of fitted rows \(25\)"):
        urf.kneighbors(rng.normal(size=(3, 3)), n_neighbors=26)
    # a new row is not a fitted row: every fitted row can be its neighbour
    assert urf.kneighbors(rng.normal(size=(3, 3)), n_neighbors=25)[1].shape == (3, 25)


def test_default_seed_is_fixed(X):
    first = UnsupervisedRandomForest(n_estimators=20, progress=False).fit(X)
    again = UnsupervisedRandomForest(n_estimators=20, progress=False).fit(X)
    assert first.random_state == 0
    np.testing.assert_array_equal(first.leaves_, again.leaves_)
    a, b = first.kneighbors_graph(n_neighbors=5), again.kneighbors_graph(n_neighbors=5)
    assert (a != b).nnz == 0
    np.testing.assert_array_equal(a.indices, b.indices)


def test_neighbours_never_include_the_row_itself(X):
    ind = _urf().fit(X).kneighbors(n_neighbors=10, return_distance=False)
    assert ind.shape == (len(X), 10)
    assert not (ind == np.arange(len(X))[:, None]).any()
    graph = _urf().fit(X).kneighbors_graph(n_neighbors=10)
    assert graph.diagonal().sum() == 0 and (graph.getnnz(axis=1) == 10).all()


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"n_estimators": 0}, r"n_estimators=0 must be an integer of at least 1"),
        (
            {"min_samples_leaf": 0},
            r"min_samples_leaf=0 must be an integer of at least 1 \(rows\)",
        ),
        ({"n_neighbors": 0}, r"n_neighbors=0 must be an integer of at least 1"),
        (
            {"leaves": "synthetic"},
            r"leaves='synthetic' must be one of \('real', 'all'\)",
        ),
        ({"algorithm": "fast"}, r"algorithm='fast' must be one of"),
        ({"max_samples": 0}, r"max_samples=0 must be an integer of at least 2"),
        ({"max_samples": 1.5}, r"max_samples=1.5 must be"),
    ],
)
def test_bad_parameters(X, params, match):
    with pytest.raises(ValueError, match=match):
        _urf(**params).fit(X)


def test_bad_mode(X):
    with pytest.raises(ValueError, match=r"mode='weights' must be"):
        _urf().fit(X).kneighbors_graph(mode="weights")


def test_progress_bars_can_be_silenced(X, capsys):
    _urf(progress=False).fit(X).kneighbors()
    assert capsys.readouterr().err == ""


def test_leaf_kernels_on_a_hand_made_example():
    # three rows, four trees; 9 marks a leaf that does not count
    codes = np.array([[0, 1, 2, 9], [0, 1, 3, 9], [1, 1, 2, 0]], dtype=np.uint16)
    shared = _leaf_neighbours.dense(codes, codes, 9)
    assert shared.tolist() == [[3, 2, 2], [2, 3, 1], [2, 1, 4]]
    ind, misses = _leaf_neighbours.exact_knn(codes, codes, 9, 2, self_ids=np.arange(3))
    assert set(ind[0]) == {1, 2}
    assert misses.tolist() == [[2, 2], [2, 3], [2, 3]]
    mean = _leaf_neighbours.mean_similarity(codes, codes, 9, exclude_self=True)
    np.testing.assert_allclose(mean, [4 / 8, 3 / 8, 3 / 8])


def _compact(n=1500, std=1.0, d=6, seed=0):
    """Well-separated compact groups (issue 12): pure leaves of many rows."""
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(
        n_samples=n, n_features=d, centers=3, cluster_std=std, random_state=seed
    )
    return X.astype(np.float32)


def test_new_rows_approximate_search_finds_the_exact_neighbours():
    X = _compact()
    fit, new = X[:1200], X[1200:]
    exact = _urf(n_estimators=60, algorithm="exact").fit(fit)
    approx = _urf(n_estimators=60, algorithm="approximate").fit(fit)
    np.testing.assert_array_equal(exact.leaves_, approx.leaves_)  # same forest
    de, _ = exact.kneighbors(new, n_neighbors=10)
    da, ia = approx.kneighbors(new, n_neighbors=10)
    # ties: a neighbour is right when no farther than the exact k-th one
    # measured: 0.98 of the neighbours, the nearest for 0.99 of the rows
    assert (da <= de[:, -1:] + 1e-6).mean() >= 0.95
    assert (da[:, 0] == de[:, 0]).mean() >= 0.97
    dense = approx.dense_distances(new)  # the distances returned are the true ones
    np.testing.assert_allclose(da, np.take_along_axis(dense, ia, axis=1))
    assert (np.diff(da, axis=1) >= 0).all()


def test_new_rows_go_approximate_above_the_budget(monkeypatch):
    from astrokit.distances import _trees

    X = _compact(1000)
    new = np.nextafter(X, np.float32(np.inf))  # the fitted rows, one ulp away
    urf = _urf(n_estimators=60).fit(X)
    exact = urf.kneighbors(new, n_neighbors=10)  # cheap: exact
    monkeypatch.setattr(_trees, "EXACT_BUDGET", 0)
    auto = _urf(n_estimators=60).fit(X).kneighbors(new, n_neighbors=10)
    forced = _urf(n_estimators=60, algorithm="approximate").fit(X)
    forced = forced.kneighbors(new, n_neighbors=10)
    np.testing.assert_array_equal(auto[1], forced[1])
    assert (auto[0] <= exact[0][:, -1:] + 1e-6).mean() >= 0.95
    # new rows next to the fitted ones find those first
    assert (auto[1][:, 0] == np.arange(len(X))).mean() >= 0.99


def _spy_on_placement(urf):
    """Count the rows the forest places in its leaves after ``fit``."""
    placed = []
    apply = urf._apply
    urf._apply = lambda rows: placed.append(len(rows)) or apply(rows)
    return placed


@pytest.mark.parametrize("algorithm", ["exact", "approximate"])
def test_the_training_rows_passed_again_are_the_fitted_rows(X, algorithm):
    # issue 12's call, fit(X).kneighbors_graph(X): the answer of
    # kneighbors_graph(), each row without itself, not a search of new rows
    urf = _urf(algorithm=algorithm).fit(X)
    placed = _spy_on_placement(urf)
    dist, ind = urf.kneighbors(n_neighbors=10)
    frame = pd.DataFrame(X)  # no names, as at fit
    strided = np.repeat(X, 2, axis=1)[:, ::2]  # not contiguous
    for again in (X, X.copy(), np.asfortranarray(X), strided, frame):
        d, i = urf.kneighbors(again, n_neighbors=10)
        np.testing.assert_array_equal(i, ind)
        np.testing.assert_array_equal(d, dist)
    graph = urf.kneighbors_graph(X, n_neighbors=10)
    assert (graph != urf.kneighbors_graph(n_neighbors=10)).nnz == 0
    assert graph.diagonal().sum() == 0
    np.testing.assert_array_equal(urf.weirdness(X), urf.weirdness())
    np.testing.assert_array_equal(urf.dense_distances(X), urf.dense_distances())
    assert placed == []  # never placed again in the leaves
    # the one n_neighbors rule of the fitted rows applies
    with pytest.raises(ValueError, match=r"never its own neighbour"):
        urf.kneighbors(X.copy(), n_neighbors=len(X))


def test_equal_values_in_another_dtype_are_the_training_rows(X):
    X32 = X.astype(np.float32)
    X32[0, 0] = np.float32(0.0)
    urf = _urf().fit(X32)
    placed = _spy_on_placement(urf)
    minus_zero = X32.astype(np.float64)
    minus_zero[0, 0] = -0.0  # equal to 0.0
    ind = urf.kneighbors(minus_zero, n_neighbors=5, return_distance=False)
    np.testing.assert_array_equal(ind, urf.kneighbors(n_neighbors=5)[1])
    assert placed == []


@pytest.mark.parametrize(
    "change",
    [
        lambda Y: Y.__setitem__((7, 2), np.nextafter(Y[7, 2], np.inf)),  # 1 ulp
        lambda Y: Y.__setitem__((len(Y) - 1, 0), Y[-1, 0] + 1.0),  # the last row
        lambda Y: Y.__setitem__(
            slice(None), Y[::-1].copy()
        ),  # the same rows, reordered
    ],
    ids=["one ulp", "last row", "reordered"],
)
def test_a_changed_value_makes_new_rows(X, change):
    urf = _urf().fit(X)
    placed = _spy_on_placement(urf)
    Y = X.copy()
    change(Y)
    ind = urf.kneighbors(Y, n_neighbors=5, return_distance=False)
    assert placed == [len(X)]  # searched as new rows
    assert not np.array_equal(ind, urf.kneighbors(n_neighbors=5)[1])
    with pytest.raises(ValueError, match=r"at most the number of fitted rows"):
        urf.kneighbors(Y, n_neighbors=len(X) + 1)
    assert urf.kneighbors(Y, n_neighbors=len(X))[1].shape == (len(X), len(X))


def test_new_rows_results_do_not_depend_on_position_or_threads():
    X = _compact(1200)
    new = X[:300] + np.float32(0.01)
    perm = np.random.default_rng(1).permutation(len(new))
    for algorithm in ("exact", "approximate"):
        one = _urf(algorithm=algorithm, n_jobs=1).fit(X[300:])
        two = _urf(algorithm=algorithm, n_jobs=2).fit(X[300:])
        d, i = one.kneighbors(new, n_neighbors=8)
        dp, ip = two.kneighbors(new[perm], n_neighbors=8)
        np.testing.assert_array_equal(ip, i[perm])
        np.testing.assert_array_equal(dp, d[perm])
        twice = one.kneighbors(np.vstack([new[:1], new[:1]]), n_neighbors=8)[1]
        np.testing.assert_array_equal(twice[0], twice[1])  # identical rows


@pytest.mark.parametrize("algorithm", ["exact", "approximate"])
def test_tied_new_rows_do_not_make_hubs(rng, algorithm):
    # 20 distinct rows, 30 copies each: every new row near one of them ties
    # with its 30 copies. New rows that broke ties alike (as before) all
    # listed the same 5 copies.
    distinct = rng.normal(size=(20, 3))
    urf = _urf(algorithm=algorithm).fit(np.repeat(distinct, 30, axis=0))
    new = np.repeat(distinct, 40, axis=0) + rng.normal(scale=1e-5, size=(800, 3))
    dist, ind = urf.kneighbors(new, n_neighbors=5)
    exact = np.sort(urf.dense_distances(new), axis=1)[:, :30]
    np.testing.assert_array_equal(dist, exact[:, :5])  # the 30 copies tie
    np.testing.assert_array_equal(exact[:, 0], exact[:, -1])
    codes = urf._query_codes(new)
    alike = np.zeros(len(new), dtype=np.int64)
    before, _ = _leaf_neighbours.exact_knn(
        codes, urf.leaves_, urf.sentinel_, 5, ties=alike
    )
    assert np.bincount(before.ravel()).max() == 40  # 5 hubs per distinct row
    assert np.bincount(ind.ravel()).max() <= 20  # 40 x 5 over 30 copies: 6.7


def test_search_progress_counts_every_row():
    X = _compact(600)
    urf = _urf().fit(X)
    seen = []
    _leaf_neighbours.exact_knn(
        urf.leaves_, urf.leaves_, urf.sentinel_, 5, progress=seen.append
    )
    assert sum(seen) == len(X)
    from astrokit.distances import _leaf_query

    seen.clear()
    graph = urf.kneighbors(n_neighbors=5, return_distance=False)
    _leaf_query.approximate_query(
        urf.leaves_[:100], urf.leaves_, urf.sentinel_, 5, graph,
        rng=np.random.default_rng(0), progress=seen.append,
    )  # fmt: skip
    assert sum(seen) == 100


def test_approximate_new_rows_when_every_fitted_row_is_a_neighbour(rng):
    urf = _urf(algorithm="approximate").fit(rng.normal(size=(25, 3)))
    dist, ind = urf.kneighbors(rng.normal(size=(3, 3)), n_neighbors=25)
    assert (np.sort(ind, axis=1) == np.arange(25)).all()
