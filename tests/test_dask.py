"""Every stage on a Dask table equals its in-memory result, on a real cluster.

One 2-process ``LocalCluster`` (module scope) computes everything, so the
tasks really travel between processes (models, counts and positions are
pickled into them). Sizes: the features on the demo tier (about 2 x 10^5
pixels in 8 partitions); the model stages on 2 x 10^4 rows of a correlated
mixture in 8 partitions, because the in-memory reference is fitted on the
same rows in the same test and the machine running CI has 2 cores (the
reference fits cost as much as the Dask ones). A killed worker, Parquet in
and out: ``tests/test_dask_parquet.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import astrokit as ak  # noqa: E402
from astrokit._shared import dask as engine  # noqa: E402
from astrokit.distances import UnsupervisedRandomForest  # noqa: E402
from astrokit.distances import _dask as forest_dask  # noqa: E402

# the demo table (38 MB) travels once in its graph; loading it with Dask
# directly (Parquet) is the real route, tested where the storage is
pytestmark = pytest.mark.filterwarnings("ignore:Sending large graph:UserWarning")

N_ROWS = 20_000
N_PARTS = 8


@pytest.fixture(scope="module")
def client(dask_client):
    return dask_client


def _persisted(frame: pd.DataFrame, client):
    """A Dask DataFrame of ``frame`` held by the workers (not in each graph)."""
    return dd.from_pandas(frame, npartitions=N_PARTS).persist()


@pytest.fixture(scope="module")
def mixture() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    centres = rng.normal(0, 4, size=(3, 4))
    which = rng.integers(0, 3, N_ROWS)
    X = centres[which] + rng.normal(size=(N_ROWS, 4))
    X[:, 1] += 0.8 * X[:, 0]
    X[:50] += rng.normal(0, 12, size=(50, 4))  # a few outliers
    index = pd.Index(np.arange(N_ROWS) * 3 + 7, name="pixel")  # not 0..N-1
    return pd.DataFrame(X, columns=["f1", "f2", "f3", "f4"], index=index)


@pytest.fixture(scope="module")
def ddf(mixture, client):
    return _persisted(mixture, client)


def _same_partitions(result, table) -> None:
    assert result.npartitions == table.npartitions
    assert result.divisions == table.divisions


def test_client_is_the_current_one(client):
    assert engine.client() is client
    assert engine.is_dask(dd.from_pandas(pd.DataFrame({"a": [1.0]}), npartitions=1))
    assert not engine.is_dask(pd.DataFrame({"a": [1.0]}))


def test_take_gathers_rows_at_global_positions(mixture, ddf):
    positions = np.array([0, 5, 2_499, 2_500, 19_999])
    got = engine.take(ddf, positions, progress=False)
    pd.testing.assert_frame_equal(got, mixture.iloc[positions])
    assert engine.partition_lengths(ddf, progress=False).sum() == N_ROWS


@pytest.fixture(scope="module")
def pixels() -> pd.DataFrame:
    """The demo tier's band columns (values, errors, limits) the features use."""
    table = ak.data.make_galaxies("demo", random_state=0)
    bands = ak.features.registry("baron2024")["bands"].str.split(", ").explode()
    keep = [c for b in bands.unique() for c in (b, f"{b}_err", f"{b}_ul")]
    out = table[[c for c in keep if c in table]]
    out.attrs = {"detection_snr": table.attrs["detection_snr"]}
    return out


@pytest.mark.parametrize("policy", ["flag"])  # "drop": tests/test_dask_parquet.py
def test_derive_equals_in_memory(pixels, client, policy):
    assert len(pixels) > 100_000
    big = dd.from_pandas(pixels, npartitions=N_PARTS)
    lazy = ak.features.derive(big, policy=policy)
    _same_partitions(lazy, big)
    expected = ak.features.derive(pixels, policy=policy)
    _assert_same_table(lazy.compute(), expected)
    # what outliers.score reads to leave the flag columns out
    assert lazy._meta.attrs["features"] == expected.attrs["features"]


def _assert_same_table(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal values, dtypes and index (categoricals by codes: pandas compares
    them slowly, about a second per column here)."""
    assert list(got.columns) == list(expected.columns)
    assert got.dtypes.equals(expected.dtypes)
    pd.testing.assert_index_equal(got.index, expected.index)
    flags = [c for c in expected if isinstance(expected[c].dtype, pd.CategoricalDtype)]
    for c in flags:
        np.testing.assert_array_equal(got[c].cat.codes, expected[c].cat.codes)
    rest = expected.columns.difference(flags, sort=False)
    pd.testing.assert_frame_equal(got[rest], expected[rest], check_exact=True)


def test_derive_refuses_impute_on_dask(client):
    table = dd.from_pandas(ak.data.make_galaxies("tiny"), npartitions=2)
    with pytest.raises(ValueError, match="policy='impute' fills a row from the whole"):
        ak.features.derive(table, policy="impute")


def test_forest_weirdness_is_the_exact_map_reduce(mixture, ddf):
    options = dict(n_estimators=10, max_samples=2_000, progress=False)
    expected = UnsupervisedRandomForest(**options).fit(mixture).weirdness()
    forest = UnsupervisedRandomForest(**options).fit(ddf)
    lazy = forest.weirdness(ddf)
    _same_partitions(lazy, ddf)
    got = lazy.compute()
    pd.testing.assert_index_equal(got.index, mixture.index)
    np.testing.assert_array_equal(got.to_numpy(), expected)


def test_forest_on_a_sample_scores_against_every_row(mixture, ddf):
    options = dict(n_estimators=10, max_samples=2_000, progress=False)
    forest = forest_dask.fit(UnsupervisedRandomForest(**options), ddf, max_rows=4_000)
    assert len(forest.fit_rows_) == 4_000 == len(forest.leaves_)
    got = forest_dask.weirdness(forest, ddf).compute().to_numpy()
    # the same forest, every row in memory: mean distance to all other rows
    from astrokit.distances._leaf_neighbours import mean_similarity

    codes = forest._apply(mixture.to_numpy(np.float32))
    exact = 1 - mean_similarity(codes, codes, forest.sentinel_, exclude_self=True)
    np.testing.assert_allclose(got, exact, rtol=0, atol=1e-12)


def test_forest_neighbours_equal_in_memory(mixture, ddf):
    options = dict(n_estimators=10, max_samples=2_000, progress=False)
    dist, ind = (
        UnsupervisedRandomForest(**options).fit(mixture).kneighbors(n_neighbors=5)
    )
    forest = UnsupervisedRandomForest(**options).fit(ddf)
    lazy = forest.kneighbors(ddf, n_neighbors=5)
    _same_partitions(lazy, ddf)
    got = lazy.compute()
    pd.testing.assert_index_equal(got.index, mixture.index)
    names = [f"neighbour_{j}" for j in range(5)]
    np.testing.assert_array_equal(got[names].to_numpy(), mixture.index.to_numpy()[ind])
    np.testing.assert_array_equal(got[[f"distance_{j}" for j in range(5)]], dist)


def test_forest_neighbours_of_rows_outside_the_sample_are_its_nearest(mixture, ddf):
    options = dict(n_estimators=10, max_samples=2_000, progress=False)
    forest = forest_dask.fit(UnsupervisedRandomForest(**options), ddf, max_rows=4_000)
    got = forest.kneighbors(ddf, n_neighbors=3, return_distance=False).compute()
    assert list(got.columns) == ["neighbour_0", "neighbour_1", "neighbour_2"]
    sample = mixture.index[forest.fit_rows_]
    assert got.isin(sample).all().all()  # neighbours are sample rows
    inside = got.loc[sample[:50]].to_numpy()
    own = forest.kneighbors(n_neighbors=3, return_distance=False)[:50]
    np.testing.assert_array_equal(inside, sample.to_numpy()[own])
    outside = mixture.index.difference(sample)[:50]
    new = forest.kneighbors(mixture.loc[outside], n_neighbors=3, return_distance=False)
    np.testing.assert_array_equal(got.loc[outside].to_numpy(), sample.to_numpy()[new])


def test_forest_neighbours_of_dask_need_a_dask_fit(mixture, ddf):
    forest = UnsupervisedRandomForest(n_estimators=5, progress=False).fit(mixture)
    with pytest.raises(ValueError, match="fit this forest on the Dask table"):
        forest.kneighbors(ddf)


@pytest.mark.parametrize(
    ("method", "options"),
    [("gmm", {}), ("hdbscan", {"min_cluster_size": 50})],  # predict / nearest row
)
def test_cluster_equals_in_memory_on_the_same_sample(mixture, ddf, method, options):
    n = None if method == "hdbscan" else 3
    kw = dict(method=method, n_clusters=n, max_rows=3_000, random_state=0)
    expected = ak.cluster.cluster(mixture, **kw, **options)
    lazy = ak.cluster.cluster(ddf, **kw, **options)
    _same_partitions(lazy, ddf)
    pd.testing.assert_series_equal(lazy.compute(), expected, check_freq=False)


def test_clusterer_predict_on_dask(mixture, ddf):
    model = ak.cluster.Clusterer("gmm", n_clusters=3, max_rows=3_000).fit(mixture)
    got = model.predict(ddf).compute()
    np.testing.assert_array_equal(got.to_numpy(), model.predict(mixture))
    with pytest.raises(ValueError, match="this Clusterer was fitted on"):
        model.predict(ddf[["f2", "f1", "f3", "f4"]])


OUTLIER_METHODS = ["knn", "lof", "isolation"]  # the forest: tested above


def test_outlier_scores_equal_in_memory_on_the_same_sample(mixture, ddf):
    kw = dict(methods=OUTLIER_METHODS, max_rows=3_000, progress=False)
    expected = ak.outliers.score(mixture, **kw)
    lazy = ak.outliers.score(ddf, **kw)
    _same_partitions(lazy, ddf)
    got = lazy.compute()
    pd.testing.assert_frame_equal(got, expected, check_freq=False, check_exact=True)
    alone = lazy.partitions[5].compute()  # a partition computed on its own
    pd.testing.assert_frame_equal(alone, expected.loc[alone.index], check_exact=True)


def test_outliers_through_the_approximate_index_equal_in_memory(
    mixture, ddf, monkeypatch
):
    """Above EXACT_SAMPLE_ROWS knn and lof use pynndescent's index, built once."""
    from astrokit.embedding import _place
    from astrokit.outliers import _dask_scores

    monkeypatch.setattr(_place, "EXACT_SAMPLE_ROWS", 500)
    kw = dict(methods=["knn", "lof"], max_rows=3_000, progress=False)
    expected = ak.outliers.score(mixture, **kw)
    got = ak.outliers.score(ddf, **kw).compute()
    pd.testing.assert_frame_equal(got, expected, check_freq=False, check_exact=True)
    scorer = ak.outliers.OutlierScorer(["knn"]).fit(mixture.iloc[:3_000])
    assert scorer._models["neighbours"][0].index is None  # no new row yet
    _dask_scores.shipped(scorer)
    assert scorer._models["neighbours"][0].index is not None  # built to ship


def test_outliers_glosh_needs_all_pairs(ddf):
    with pytest.raises(ValueError, match="'glosh' scores only the rows it is fitted"):
        ak.outliers.score(ddf, methods=["knn", "glosh"], max_rows=3_000)


def test_score_samples_on_dask(mixture, ddf):
    scorer = ak.outliers.OutlierScorer(["knn"], max_rows=3_000).fit(mixture)
    got = scorer.score_samples(ddf).compute()
    pd.testing.assert_frame_equal(got, scorer.score_samples(mixture), check_exact=True)


def test_embedding_equals_in_memory_on_the_same_sample(mixture, ddf):
    kw = dict(max_rows=2_000, n_neighbors=10, n_epochs=30, cache=False)
    expected = ak.embedding.embed(mixture, placement="neighbours", **kw)
    lazy = ak.embedding.embed(ddf, **kw)
    _same_partitions(lazy, ddf)
    pd.testing.assert_frame_equal(lazy.compute(), expected, check_exact=True)
    alone = lazy.partitions[5].compute()
    pd.testing.assert_frame_equal(alone, expected.loc[alone.index], check_exact=True)


def test_embedding_placed_by_the_approximate_index_equals_in_memory(
    mixture, ddf, monkeypatch
):
    """Above EXACT_SAMPLE_ROWS, pynndescent's answers do not depend on the partition."""
    from astrokit.embedding import _place

    monkeypatch.setattr(_place, "EXACT_SAMPLE_ROWS", 500)  # the placer is fitted here
    kw = dict(max_rows=2_000, n_neighbors=10, n_epochs=30, cache=False)
    expected = ak.embedding.embed(mixture, placement="neighbours", **kw)
    lazy = ak.embedding.embed(ddf, **kw)
    pd.testing.assert_frame_equal(lazy.compute(), expected, check_exact=True)


def test_embedding_of_dask_is_umap_only(ddf):
    with pytest.raises(ValueError, match="method='pca' on a Dask table"):
        ak.embedding.embed(ddf, method="pca")


def test_bad_dask_input_is_named(ddf):
    with pytest.raises(TypeError, match="data is a Series; pass a dask.dataframe"):
        ak.cluster.cluster(ddf["f1"], n_clusters=2)
    with pytest.raises(ValueError, match=r"unknown feature name\(s\) \['nope'\]"):
        ak.outliers.score(ddf, columns=["f1", "nope"])
    forest = UnsupervisedRandomForest(n_estimators=2, progress=False)
    forest.fit(ddf.partitions[0].compute())
    with pytest.raises(ValueError, match="this forest was fitted on"):
        forest.weirdness(ddf[["f2", "f1", "f3", "f4"]])
