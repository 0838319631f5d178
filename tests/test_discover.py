"""The whole loop in one call: ``astrokit.discover``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import astrokit as ak


@pytest.fixture(scope="module")
def stars():
    """Two groups in a 3-column star table, on a shuffled non-default index."""
    rng = np.random.default_rng(3)
    values = np.vstack([rng.normal(0, 1, (240, 3)), rng.normal(5, 0.4, (80, 3))])
    table = pd.DataFrame(values, columns=["pmra", "pmdec", "parallax"])
    table["truth_member"] = np.r_[np.zeros(240, bool), np.ones(80, bool)]
    table.index = pd.Index(rng.permutation(np.arange(1000, 1320)), name="source")
    return table


@pytest.fixture(scope="module")
def found(stars):
    return ak.discover(stars, n_neighbors=10, outliers=False)


@pytest.mark.slow
def test_keeps_the_index_and_finds_the_groups(stars, found):
    assert found.labels.index.equals(stars.index)
    assert found.embedding.index.equals(stars.index)
    assert found.n_clusters == 2
    agreement = ak.cluster.agreement(found.labels, stars["truth_member"])
    assert agreement["ari"] > 0.9


@pytest.mark.slow
def test_never_reads_the_truth(stars, found):
    assert "truth_member" not in found.features
    scrambled = stars.assign(truth_member=~stars["truth_member"])
    again = ak.discover(scrambled, n_neighbors=10, outliers=False)
    pd.testing.assert_series_equal(again.labels, found.labels)


@pytest.mark.slow
def test_records_every_choice(found):
    steps = found.choices["step"].tolist()
    assert steps[:5] == ["features", "scaling", "distance", "embedding", "clusters"]
    assert found.choices["reason"].str.len().gt(10).all()
    assert "groups" in repr(found)


@pytest.mark.slow
def test_a_progress_bar_follows_the_steps(stars, capsys):
    ak.discover(stars, n_neighbors=10, outliers=False, progress=True)
    assert "discover" in capsys.readouterr().err  # tqdm's bar, on stderr


@pytest.mark.slow
def test_withdrawn_rows_are_noise_and_in_the_table(found):
    noise = found.labels.index[found.labels < 0]
    assert found.withdrawn.index.isin(noise).all()
    rows = found.table()
    assert "withdrawn_group" in rows and rows.index.equals(found.labels.index)
    assert rows["withdrawn_group"].notna().sum() == len(found.withdrawn)


@pytest.mark.slow
def test_the_split_step_keeps_labels_and_stability_in_step(found):
    assert "split" in found.choices["step"].tolist()
    counts = found.labels[found.labels >= 0].value_counts().sort_index()
    assert found.stability.index.tolist() == counts.index.tolist()
    assert found.stability["size"].tolist() == counts.tolist()
    assert found.stability["split_bound"].isna().all()  # two round groups
    assert found.stability["split_stability"].isna().all()  # none rerun


def test_refuses_truth_columns_as_features(stars):
    with pytest.raises(ValueError, match="are truth columns: discover never uses"):
        ak.discover(stars, columns=["pmra", "truth_member"])


def test_refuses_a_table_without_numbers():
    with pytest.raises(ValueError, match="no numeric columns"):
        ak.discover(pd.DataFrame({"name": ["a", "b"]}))


@pytest.mark.slow
def test_rows_with_missing_values_are_left_out_by_index(stars, caplog):
    holes = stars.copy()
    holes.iloc[:5, 0] = np.nan
    with caplog.at_level("WARNING", logger="astrokit.discover"):
        found = ak.discover(holes, n_neighbors=10, outliers=False)
    assert found.dropped.equals(holes.index[:5])
    assert found.labels.index.equals(holes.index[5:])
    assert "5 of 320 rows" in caplog.text


@pytest.mark.slow
def test_pixel_table_uses_the_phangs_features():
    table = ak.data.load_demo("tiny")
    found = ak.discover(table, progress=False)
    assert found.choices.loc[0, "choice"].startswith("the 11 features")
    assert set(found.labels.index) <= set(table.index)
    assert {"combined"} <= set(found.outliers.columns)
    assert found.outliers.index.equals(found.labels.index)


def test_columns_that_carry_nothing_are_left_out_and_said(stars, caplog):
    table = stars.assign(
        empty=np.nan,
        constant=1.0,
        sparse=np.where(np.arange(len(stars)) < 9, 1.0, np.nan),
    )
    table.loc[table.index[:5], "sparse"] = 2.0
    with caplog.at_level("WARNING", logger="astrokit.discover"):
        found = ak.discover(table, n_neighbors=10, outliers=False)
    assert list(found.features.columns) == ["pmra", "pmdec", "parallax"]
    assert len(found.dropped) == 0  # no row lost to the sparse column
    for name, why in [
        ("empty", "no finite value"),
        ("constant", "one value only"),
        ("sparse", "missing in 97% of the rows"),
    ]:
        assert f"'{name}': {why}" in caplog.text
    assert "left out" in found.choices.set_index("step").at["features", "reason"]


def test_positions_and_bookkeeping_are_not_features_unless_named(stars, caplog):
    rng = np.random.default_rng(1)
    table = stars.assign(
        ra=rng.uniform(0, 360, len(stars)),
        dec=rng.uniform(-5, 5, len(stars)),
        mjd=rng.integers(51000, 58000, len(stars)),
        B=rng.normal(15, 1, len(stars)),  # a magnitude, not a latitude
        b=rng.normal(2, 0.1, len(stars)),  # an axis: no l beside it
    )
    with caplog.at_level("WARNING", logger="astrokit.discover"):
        found = ak.discover(table, n_neighbors=10, outliers=False)
    assert list(found.features.columns) == ["pmra", "pmdec", "parallax", "B", "b"]
    assert "'ra': a position on the sky, by its name" in caplog.text
    assert "'mjd': survey bookkeeping, by its name" in caplog.text
    galactic = ak.discover(table.assign(l=table["ra"]), n_neighbors=10, outliers=False)
    assert list(galactic.features.columns) == ["pmra", "pmdec", "parallax", "B"]
    named = ak.discover(table, columns=["ra", "dec"], n_neighbors=10, outliers=False)
    assert list(named.features.columns) == ["ra", "dec"]


@pytest.mark.parametrize(
    ("columns", "match"),
    [
        (["pmra", "nope"], r"unknown feature name\(s\) \['nope'\]; the table has"),
        (["pmra", "name"], r"columns \['name'\] are not numeric"),
        (["pmra", "empty"], r"columns \['empty'\] have no finite value"),
        ([], "columns= is empty"),
    ],
)
def test_named_columns_that_cannot_be_features_are_refused(stars, columns, match):
    table = stars.assign(name="x", empty=np.nan)
    with pytest.raises(ValueError, match=match):
        ak.discover(table, columns=columns, outliers=False)


@pytest.mark.slow
def test_one_blob_gives_one_group_and_no_effects(caplog):
    rng = np.random.default_rng(0)
    blob = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    with caplog.at_level("WARNING", logger="astrokit.discover"):
        found = ak.discover(blob, n_neighbors=10)
    assert found.n_clusters == 1
    assert found.outliers["combined"].notna().all()  # the outliers still ranked
    assert found.effects.empty and found.summary.empty
    assert "no separate groups at this scale" in caplog.text


@pytest.mark.slow
def test_one_feature_is_clustered_on_itself():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.lognormal(0, 1, 600), rng.lognormal(3, 0.3, 300)])
    found = ak.discover(pd.DataFrame({"flux": np.log10(values)}), outliers=False)
    assert (
        "HDBSCAN on the feature"
        in found.choices.set_index("step").at["clusters", "choice"]
    )
    assert found.n_clusters == 2
    truth = np.repeat([0, 1], [600, 300])
    assert ak.cluster.agreement(found.labels, truth)["ari"] > 0.8
    assert list(found.embedding.columns) == ["umap_x", "umap_y"]  # still a map


def test_refuses_an_unknown_metric(stars):
    with pytest.raises(ValueError, match="metric='urff' is not in the registry"):
        ak.discover(stars, metric="urff")


@pytest.mark.slow
def test_the_forest_route_is_one_option_away(stars, found):
    forest = ak.discover(stars, n_neighbors=10, metric="urf", outliers=False)
    assert forest.choices.set_index("step").loc["distance", "choice"].startswith("urf")
    assert (
        found.choices.set_index("step")
        .loc["distance", "choice"]
        .startswith("euclidean")
    )
    assert forest.labels.index.equals(stars.index)


def _stable(values):
    """A stability table of groups 0..n-1 with these mean Jaccards."""
    return pd.DataFrame(
        {"size": [2] * len(values), "stability": values},
        index=pd.Index(range(len(values)), name="cluster"),
    )


def test_a_dissolved_group_is_withdrawn_as_noise_and_the_rest_renumbered():
    from astrokit._discover._firm import withdraw_dissolved

    labels = pd.Series([0, 0, 1, 1, 2, 2, -1], index=list("abcdefg"), name="cluster")
    confidence = pd.Series([1, 1, 0.4, 0.4, 0.9, 0.9, np.nan], index=labels.index)
    choices = []
    kept, conf, stable = withdraw_dissolved(
        labels, confidence, _stable([0.95, 0.3, 0.8]), choices
    )
    assert kept.tolist() == [0, 0, -1, -1, 1, 1, -1]
    assert kept.index.equals(labels.index) and kept.name == "cluster"
    assert conf.isna().tolist() == [False, False, True, True, False, False, True]
    assert stable.index.tolist() == [0, 1]
    assert stable["stability"].tolist() == [0.95, 0.8]
    assert choices[0][0] == "stable groups"
    assert "1 group(s) withdrawn" in choices[0][1] and "0.30" in choices[0][1]


def test_withdrawn_rows_keep_the_group_they_formed():
    from astrokit._discover._firm import (
        withdraw_dissolved,
        withdraw_unembedded,
        withdrawn_rows,
    )

    labels = pd.Series([0, 0, 1, 1, 2, 2, -1], index=list("abcdefg"), name="cluster")
    confidence = pd.Series([1, 1, 0.4, 0.4, 0.9, 0.9, np.nan], index=labels.index)
    record = []
    kept, conf, stable = withdraw_dissolved(
        labels, confidence, _stable([0.95, 0.3, 0.8]), [], record
    )
    kept, _, _ = withdraw_unembedded(kept, conf, stable, [0.9, 0.2], [], record)
    gone = withdrawn_rows(record, labels.index)
    assert kept.tolist() == [0, 0, -1, -1, -1, -1, -1]
    assert gone.index.tolist() == list("cdef")  # noise "g" was in no group
    assert gone["withdrawn_group"].tolist() == [0, 0, 1, 1]
    assert gone["step"].tolist() == ["stable groups"] * 2 + ["new embeddings"] * 2
    assert gone["jaccard"].tolist() == [0.3, 0.3, 0.2, 0.2]
    assert gone["group_size"].tolist() == [2, 2, 2, 2]
    assert withdrawn_rows([], labels.index).empty


def test_groups_that_all_dissolve_are_kept_with_a_warning(caplog):
    from astrokit._discover._firm import withdraw_dissolved

    labels = pd.Series([0, 0, 1, 1], name="cluster")
    with caplog.at_level("WARNING", logger="astrokit.discover"):
        kept, _, stable = withdraw_dissolved(
            labels, pd.Series([0.5] * 4), _stable([0.2, 0.5]), []
        )
    assert kept.tolist() == [0, 0, 1, 1] and len(stable) == 2
    assert "every group dissolves" in caplog.text


def test_a_split_whose_part_dissolves_in_its_reruns_is_undone(rng, monkeypatch):
    from astrokit import cluster
    from astrokit._discover import _firm

    X = np.vstack([rng.normal(0, 1, (300, 2)), rng.normal(8, 1, (100, 2))])
    X = np.vstack([X, X + 30])  # groups 0 and 1, each hiding two Gaussians
    labels = np.repeat([0, 1], 400)
    split, made, again, undone = _firm._firm_splits(X, labels, 50, 0)
    assert undone == [] and len(made) == 4 and (again > 0.9).all()
    real = cluster.split_stability

    def dissolving(X, before, after, **kw):  # group 1's parts dissolve
        found = real(X, before, after, **kw)
        parents = pd.Series(np.asarray(before)).groupby(np.asarray(after)).first()
        return found.mask(parents.reindex(found.index).to_numpy() == 1, 0.3)

    monkeypatch.setattr(cluster, "split_stability", dissolving)
    split, made, again, undone = _firm._firm_splits(X, labels, 50, 0)
    assert undone == [1]
    assert made.loc[made["from"] == 1, "bound"].isna().all()  # kept whole
    assert made.loc[made["from"] == 0, "bound"].notna().sum() == 2
    assert (split[labels == 1] == split[labels == 1].iloc[0]).all()


def test_groups_the_whole_method_does_not_find_again_are_withdrawn():
    from astrokit._discover._firm import withdraw_unembedded

    labels = pd.Series([0, 0, 1, 1, 2, -1], index=list("abcdef"), name="cluster")
    confidence = pd.Series([1, 1, 0.9, 0.9, 0.8, np.nan], index=labels.index)
    choices = []
    kept, conf, stable = withdraw_unembedded(
        labels, confidence, _stable([0.9, 0.9, 0.9]), [0.95, 0.4, 0.7], choices
    )
    assert kept.tolist() == [0, 0, -1, -1, 1, -1]
    assert conf.isna().tolist() == [False, False, True, True, False, True]
    assert stable["embedding_stability"].tolist() == [0.95, 0.7]
    assert choices[0][0] == "new embeddings" and "0.40" in choices[0][1]


def test_when_no_group_is_found_again_the_rows_are_one_group(caplog):
    from astrokit._discover._firm import withdraw_unembedded

    labels = pd.Series([0, 0, 1, 1, -1], name="cluster")
    with caplog.at_level("WARNING", logger="astrokit.discover"):
        kept, conf, stable = withdraw_unembedded(
            labels, pd.Series([1.0] * 4 + [np.nan]), _stable([0.9, 0.8]), [0.2, 0.5], []
        )
    assert (kept == 0).all() and conf.isna().all()
    assert stable["size"].tolist() == [5]
    record = [pd.DataFrame({"withdrawn_group": [0]}, index=[4])]  # an earlier one
    withdraw_unembedded(
        labels, pd.Series([1.0] * 5), _stable([0.9, 0.8]), [0.2, 0.5], [], record
    )
    assert record == []  # its row is in the one group now
    assert "one population" in caplog.text


@pytest.mark.slow
def test_a_gaussian_torn_by_umap_is_one_group_and_real_groups_stay(caplog):
    rng = np.random.default_rng(0)
    gaussian = pd.DataFrame(rng.normal(size=(3000, 4)), columns=list("pqrs"))
    with caplog.at_level("WARNING", logger="astrokit.discover"):
        found = ak.discover(gaussian, outliers=False)
    assert found.n_clusters == 1 and (found.labels == 0).all()
    assert found.withdrawn.empty  # every row is in the one group
    assert "UMAP's tears" in caplog.text
    blobs = pd.DataFrame(
        np.vstack([rng.normal(0, 1, (600, 4)), rng.normal(8, 1, (400, 4))]),
        columns=list("pqrs"),
    )
    found = ak.discover(blobs, outliers=False)
    assert found.n_clusters == 2
    assert (found.stability["embedding_stability"] > 0.9).all()


def test_a_group_torn_into_pieces_within_it_is_found_again():
    from astrokit._discover._reruns import found_again

    ref = np.r_[np.zeros(10, int), np.ones(10, int), [-1, -1]]
    torn = np.r_[np.zeros(5, int), np.ones(5, int), np.full(10, 2), [-1, 2]]
    assert found_again(ref, torn, 2).round(2).tolist() == [1.0, 0.91]
    across = np.r_[np.zeros(5, int), np.ones(10, int), np.full(5, 2), [-1, -1]]
    assert found_again(ref, across, 2).round(2).tolist() == [0.5, 0.5]


def test_a_group_new_embeddings_find_only_with_another_joins_it():
    from astrokit._discover._reruns import join_reunited

    ref = np.repeat([0, 1, 2], [60, 40, 50])
    together = np.repeat([0, 1], [100, 50])  # groups 0 and 1 come back as one
    runs = [(np.arange(150), together)] * 3
    joined, found = join_reunited(ref, runs, 0.5)
    assert joined == {1: 0}
    assert found[0] == 1.0 and np.isnan(found[1]) and found[2] == 1.0
    scattered = together.copy()
    scattered[60:80], scattered[90:100] = -1, 1  # group 1 torn: half noise,
    joined, found = join_reunited(ref, [(np.arange(150), scattered)] * 3, 0.5)
    assert joined == {}  # a quarter with each: no union is found again better
    assert found[1] <= 0.5


def test_joined_groups_are_renumbered_by_size_and_said():
    from astrokit._discover._firm import join_reunited_groups

    labels = pd.Series(np.repeat([0, 1, 2], [50, 40, 30]), name="cluster")
    stable = _stable([0.9, 0.8, 0.9])
    choices = []
    new, conf, stable, found = join_reunited_groups(
        labels, pd.Series(1.0, index=labels.index), stable, {2: 1},
        np.array([0.9, 0.95, np.nan]), choices,
    )  # fmt: skip
    assert new.tolist() == [1] * 50 + [0] * 70  # 1 + 2 is the largest now
    assert stable["size"].tolist() == [70, 50] and found.tolist() == [0.95, 0.9]
    assert choices[0][0] == "reunited groups" and "30 rows of group 2" in choices[0][1]
