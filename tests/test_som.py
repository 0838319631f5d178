"""The self-organising map: nodes per row, the average object per node."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from astrokit.cluster import SelfOrganizingMap, node_average


@pytest.fixture
def gradient(rng):
    """Rows along a 1-D physical gradient t, seen through 4 features."""
    t = rng.uniform(0, 1, 400)
    values = np.c_[t, t**2, np.sin(2 * t), -t] + rng.normal(0, 0.02, (400, 4))
    frame = pd.DataFrame(values, columns=["a", "b", "c", "d"])
    frame.index = pd.Index([f"px{i}" for i in range(400)])
    return frame, t


def test_nodes_keep_the_index_and_neighbours(gradient):
    frame, t = gradient
    som = SelfOrganizingMap(shape=(6, 6)).fit(frame)
    nodes = som.predict(frame)
    assert nodes.index.equals(frame.index)
    assert nodes["som_row"].between(0, 5).all() and nodes["som_col"].between(0, 5).all()
    assert som.codebook_.shape == (6, 6, 4)
    assert som.topographic_error_ < 0.2
    # rows on the same node are alike: their spread in t is far below t's
    spread = pd.Series(t, index=frame.index).groupby([nodes.som_row, nodes.som_col])
    assert spread.std().median() < 0.1 * t.std()


def test_fit_is_reproducible_and_seeded(gradient):
    frame, _ = gradient
    a = SelfOrganizingMap(shape=(5, 5)).fit_predict(frame)
    b = SelfOrganizingMap(shape=(5, 5)).fit_predict(frame)
    pd.testing.assert_frame_equal(a, b)
    c = SelfOrganizingMap(shape=(5, 5), random_state=3).fit(frame)
    assert not np.allclose(
        c.codebook_, SelfOrganizingMap(shape=(5, 5)).fit(frame).codebook_
    )


def test_auto_shape_grows_with_rows(gradient):
    frame, _ = gradient
    assert SelfOrganizingMap(n_iterations=100).fit(frame).shape_ == (10, 10)
    assert SelfOrganizingMap(n_iterations=100).fit(frame.iloc[:20]).shape_ == (5, 5)


def test_node_average_is_the_mean_per_node(gradient):
    frame, _ = gradient
    nodes = SelfOrganizingMap(shape=(4, 4)).fit_predict(frame)
    average = node_average(frame.assign(label="x"), nodes)
    assert list(average.columns) == ["count", "a", "b", "c", "d"]
    assert average["count"].sum() == len(frame)
    first = average.index[0]
    members = (nodes["som_row"] == first[0]) & (nodes["som_col"] == first[1])
    assert average.loc[first, "a"] == pytest.approx(frame.loc[members, "a"].mean())
    assert average["a"].unstack().shape[0] <= 4


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"shape": (1, 1)}, "gives one node"),
        ({"shape": (3,)}, r"shape=\(3,\) must be 'auto' or two integers"),
        ({"sigma": 0}, "sigma=0 must be a number > 0"),
        ({"learning_rate": np.nan}, "learning_rate=nan must be"),
    ],
)
def test_bad_options_are_refused(gradient, options, match):
    frame, _ = gradient
    with pytest.raises(ValueError, match=match):
        SelfOrganizingMap(**options).fit(frame)


def test_bad_input_is_refused(gradient):
    frame, _ = gradient
    with pytest.raises(ValueError, match="NaN or infinite"):
        SelfOrganizingMap().fit(frame.mask(frame > 0.99))
    with pytest.raises(ValueError, match="needs at least 2 rows"):
        SelfOrganizingMap().fit(frame.iloc[:1])
    som = SelfOrganizingMap(shape=(3, 3), n_iterations=100).fit(frame)
    with pytest.raises(ValueError, match="the map was fitted on 4"):
        som.predict(frame.iloc[:, :3])
    with pytest.raises(ValueError, match="nodes must be a DataFrame with columns"):
        node_average(frame, frame)
    with pytest.raises(ValueError, match=r"no node for 1 row\(s\)"):
        node_average(frame, som.predict(frame.iloc[1:]))
