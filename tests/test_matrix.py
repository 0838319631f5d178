"""Tests for astrokit._shared.matrix: the one feature-matrix check every stage uses."""

import numpy as np
import pandas as pd
import pytest

from astrokit._shared.matrix import (
    check_constant,
    check_finite,
    check_rows,
    feature_matrix,
    names_list,
)


@pytest.fixture
def frame(rng):
    return pd.DataFrame(
        {
            "a": rng.normal(size=6),
            "n": pd.array([1, 2, None, 4, 5, 6], dtype="Int64"),
            "b": [True, False, True, True, False, False],
            "f": rng.normal(size=6).astype(np.float32),
        },
        index=pd.Index([10, 11, 12, 13, 14, 15], name="pixel"),
    )


# ----------------------------------------------------------------- happy paths
def test_dataframe_keeps_index_and_names(frame):
    frame = frame.fillna({"n": 3})
    values, names, index = feature_matrix(frame)
    assert names == ["a", "n", "b", "f"]
    assert index.equals(frame.index) and index.name == "pixel"
    assert values.dtype == np.float64 and values.flags.c_contiguous
    assert values.shape == (6, 4)
    np.testing.assert_array_equal(values[:, 1], [1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(values[:, 2], [1, 0, 1, 1, 0, 0])
    np.testing.assert_allclose(values[:, 3], frame["f"].to_numpy())


def test_nullable_missing_becomes_nan_when_allowed(frame):
    values, _, _ = feature_matrix(frame, allow_nan=True)
    assert np.isnan(values[2, 1]) and np.isfinite(np.delete(values, 2, 0)).all()


def test_array_gets_range_index_and_column_names(rng):
    array = np.asfortranarray(rng.integers(0, 9, size=(5, 3)).astype(np.int16))
    values, names, index = feature_matrix(array, allow_constant=True)
    assert names == ["column 0", "column 1", "column 2"]
    assert isinstance(index, pd.RangeIndex) and len(index) == 5
    assert values.dtype == np.float64 and values.flags.c_contiguous
    np.testing.assert_array_equal(values, array)


def test_columns_selects_in_order(frame):
    values, names, _ = feature_matrix(frame, columns=["f", "a"])
    assert names == ["f", "a"]
    np.testing.assert_array_equal(values[:, 1], frame["a"].to_numpy())
    assert feature_matrix(frame, columns="a")[1] == ["a"]


def test_allowances(rng):
    X = np.column_stack([rng.normal(size=4), np.ones(4)])
    X[0, 0] = np.nan
    values, _, _ = feature_matrix(X, allow_nan=True, allow_constant=True)
    assert np.isnan(values[0, 0])


def test_names_list_is_capped():
    assert names_list(["a"]) == "['a']"
    assert names_list(range(10)) == (
        "['0', '1', '2', '3', '4', '5', '6', '7' and 2 more]"
    )


# ---------------------------------------------------------------------- errors
def test_unknown_columns_are_named(frame):
    with pytest.raises(
        ValueError, match=r"columns: unknown feature name\(s\) \['z'\]; features has"
    ):
        feature_matrix(frame, name="features", columns=["a", "z"])


def test_columns_needs_a_dataframe():
    with pytest.raises(ValueError, match="columns= selects DataFrame columns; pass X"):
        feature_matrix(np.ones((3, 2)), name="X", columns=["a"])


def test_non_numeric_columns_are_named(frame):
    bad = frame.assign(galaxy="NGC0628", env=pd.Categorical(["arm"] * 6))
    with pytest.raises(
        ValueError,
        match=r"^X has non-numeric columns \['galaxy', 'env'\]; pass only the feature",
    ):
        feature_matrix(bad, name="X")


def test_complex_columns_are_refused():
    with pytest.raises(ValueError, match=r"non-numeric columns \['c'\]"):
        feature_matrix(pd.DataFrame({"c": [1 + 1j, 2.0]}))


def test_array_must_be_2d():
    with pytest.raises(
        ValueError, match=r"^X must be 2-D .*got shape \(5,\)\. .*X\.reshape\(-1, 1\)"
    ):
        feature_matrix(np.arange(5.0), name="X")


def test_array_must_be_numeric():
    with pytest.raises(ValueError, match="data must be numeric; got an array of dtype"):
        feature_matrix(np.array([["a", "b"], ["c", "d"]]))


@pytest.mark.parametrize("data", [np.ones((4, 0)), pd.DataFrame(index=range(4))])
def test_no_columns(data):
    with pytest.raises(ValueError, match="^data has no feature columns; pass at least"):
        feature_matrix(data)


@pytest.mark.parametrize(
    ("n", "match"),
    [
        (0, r"^data has no rows; clustering needs at least 2 rows\. Did a missing"),
        (1, r"^data has 1 row; clustering needs at least 2 rows\.$"),
    ],
)
def test_too_few_rows(rng, n, match):
    with pytest.raises(ValueError, match=match):
        feature_matrix(rng.normal(size=(n, 2)), min_rows=2, purpose="clustering")
    with pytest.raises(ValueError, match=match):
        check_rows(n, min_rows=2, purpose="clustering")


def test_empty_column_is_named(frame):
    with pytest.raises(
        ValueError,
        match=r"^X has columns \['f'\] that are NaN \(or infinite\) in every",
    ):
        feature_matrix(frame.fillna({"n": 3}).assign(f=np.nan), name="X")


def test_nan_and_inf_are_counted_per_column(frame):
    frame = frame.astype({"f": np.float64})
    frame.loc[[13, 14], "f"] = np.inf
    with pytest.raises(
        ValueError,
        match=r"^data has NaN or infinite values in 2 of 4 feature columns: "
        r"'n' \(1 row\), 'f' \(2 rows\); an embedding needs a value in every "
        r"cell\. Choose a missing-data policy first \(astrokit\.features",
    ):
        feature_matrix(frame, purpose="an embedding")


def test_many_nan_columns_are_capped(rng):
    X = rng.normal(size=(3, 10))
    X[0] = np.nan
    with pytest.raises(ValueError, match=r"'column 7' \(1 row\) and 2 more;"):
        check_finite(X, [f"column {i}" for i in range(10)])


def test_constant_columns_are_named(frame):
    with pytest.raises(
        ValueError,
        match=r"^data has constant columns \['a', 'f'\] \(one value in every row\); "
        r"they carry no information for clustering: drop them\.$",
    ):
        feature_matrix(frame.fillna({"n": 3}).assign(a=1.0, f=2), purpose="clustering")


def test_constant_reason_can_be_given():
    with pytest.raises(ValueError, match=r"^X has constant .*; cannot divide: drop"):
        check_constant(np.ones((3, 1)), ["a"], name="X", why="cannot divide")
