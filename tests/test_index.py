"""A repeated index label is refused by every entry point, with how to fix it.

Results carry the input's index so they join back to the table (and the sky)
with ``table.loc[result.index]``; a repeated label would silently multiply
rows there (546 labels became 1,092 rows), so the kit refuses it up front.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import astrokit as ak
from astrokit._shared.matrix import check_unique_index, feature_matrix

MATCH = r"non-unique index: .*reset_index\(drop=True\).*index\.is_unique"


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASTROKIT_CACHE", str(tmp_path_factory.mktemp("cache")))
        return ak.data.load_demo("tiny")


@pytest.fixture(scope="module")
def features(table):
    derived = ak.features.derive(table)
    return derived[derived.attrs["features"]]


def doubled(frame: pd.DataFrame) -> pd.DataFrame:
    """The reproducer of issue 13: every label used by two rows."""
    frame = frame.copy()
    frame.index = np.arange(len(frame)) // 2
    return frame


def _labels(frame):
    return pd.Series(np.arange(len(frame)) % 3, index=frame.index)


def _with_embedding(frame):
    rng = np.random.default_rng(0)
    return frame.assign(umap_x=rng.normal(size=len(frame)), umap_y=0.5)


# name, builds the call from (table, features) with the doubled index
ON_TABLE = {
    "inspect.coverage_report": lambda t: ak.inspect.coverage_report(t),
    "features.derive": lambda t: ak.features.derive(t),
    "explorer.explore": lambda t: ak.explorer.explore(_with_embedding(t)),
    "data.sky_map": lambda t: ak.data.sky_map(t, _labels(t), galaxy="NGC0628"),
    "interpret.plot_sky": lambda t: ak.interpret.plot_sky(t, labels=_labels(t)),
}
ON_FEATURES = {
    "features.to_matrix": lambda f: ak.features.to_matrix(f),
    "features.correlation": lambda f: ak.features.correlation(f),
    "distances.knn_graph": lambda f: ak.distances.knn_graph(f, n_neighbors=5),
    "distances.UnsupervisedRandomForest": lambda f: (
        ak.distances.UnsupervisedRandomForest(n_estimators=5).fit(f)
    ),
    "embedding.embed": lambda f: ak.embedding.embed(f, cache=False),
    "cluster.cluster": lambda f: ak.cluster.cluster(f, n_clusters=3),
    "cluster.Clusterer": lambda f: ak.cluster.Clusterer(n_clusters=3).fit(f),
    "interpret.effect_sizes": lambda f: ak.interpret.effect_sizes(f, _labels(f)),
    "interpret.average_object": lambda f: ak.interpret.average_object(
        _with_embedding(f)[["umap_x", "umap_y"]], f
    ),
    "interpret.plot_violins": lambda f: ak.interpret.plot_violins(f, _labels(f)),
    "features.mutual_information": lambda f: ak.features.mutual_information(f),
    "embedding.scan": lambda f: ak.embedding.scan(
        f, n_neighbors=[5], min_dist=[0.0], cache=False, progress=False
    ),
    "embedding.quality": lambda f: ak.embedding.quality(
        f, _with_embedding(f)[["umap_x", "umap_y"]]
    ),
    "cluster.stability": lambda f: ak.cluster.stability(f, n_clusters=3, n_runs=2),
    "outliers.explain": lambda f: ak.outliers.explain(f, 0),
    "outliers.score": lambda f: ak.outliers.score(f, methods="lof", progress=False),
    "outliers.OutlierScorer": lambda f: ak.outliers.OutlierScorer(methods="lof").fit(f),
}


@pytest.mark.parametrize("entry", ON_TABLE)
def test_table_entry_points_refuse_a_repeated_index(table, entry):
    with pytest.raises(ValueError, match=MATCH):
        ON_TABLE[entry](doubled(table))


@pytest.mark.parametrize("entry", ON_FEATURES)
def test_feature_entry_points_refuse_a_repeated_index(features, entry):
    with pytest.raises(ValueError, match=MATCH):
        ON_FEATURES[entry](doubled(features))


@pytest.mark.parametrize(
    "call",
    [
        lambda f, lab: ak.interpret.effect_sizes(f, lab),
        lambda f, lab: ak.data.sky_map(f, lab, galaxy="NGC0628"),
    ],
    ids=["effect_sizes", "sky_map"],
)
def test_labels_with_a_repeated_index_are_refused(table, call):
    labels = _labels(table).iloc[:100]
    labels.index = np.arange(100) // 2
    with pytest.raises(ValueError, match=r"^labels has a non-unique index"):
        call(table, labels)


def test_the_fix_the_message_gives_works(features):
    fixed = doubled(features).reset_index(drop=True)
    labels = ak.cluster.cluster(fixed, n_clusters=3)
    assert len(fixed.loc[labels.index]) == len(fixed) == 546


def test_message_names_the_parameter_and_counts_labels():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0]}, index=[7, 7, 8, 8])
    with pytest.raises(ValueError, match=r"^X has a non-unique index: 2 labels are"):
        check_unique_index(frame, "X")
    with pytest.raises(ValueError, match=r"e\.g\. \['7', '8'\]"):
        feature_matrix(frame, name="X")


def test_unique_index_and_arrays_pass(rng):
    frame = pd.DataFrame({"a": rng.normal(size=3)}, index=["p", "q", "r"])
    check_unique_index(frame)
    check_unique_index(rng.normal(size=(3, 2)))
    assert feature_matrix(frame)[2].tolist() == ["p", "q", "r"]
