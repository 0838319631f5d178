"""Tests for astrokit.explorer on bad inputs: every one gets a message."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from astrokit import explorer


@pytest.fixture
def table(rng):
    n = 120
    return pd.DataFrame(
        {
            "galaxy": np.where(np.arange(n) < 60, "A", "B"),
            "x": rng.integers(0, 10, n),
            "y": rng.integers(0, 10, n),
            "umap_x": rng.normal(size=n),
            "umap_y": rng.normal(size=n),
            "flux": rng.random(n),
            "empty": np.nan,
        }
    )


def test_an_empty_table_is_refused(table):
    with pytest.raises(ValueError, match=r"table has no rows \(columns: \['galaxy'"):
        explorer.explore(table.iloc[:0])


def test_a_table_that_is_not_a_dataframe_is_refused():
    with pytest.raises(TypeError, match="table must be a pandas DataFrame; got list"):
        explorer.explore([[0, 1], [1, 2]])


def test_an_all_nan_colour_column_is_said_and_logged(table, caplog):
    with caplog.at_level(logging.WARNING, logger="astrokit.explorer"):
        ex = explorer.explore(table, color="empty")
    expected = "Colour column 'empty' has no finite value (all 120 rows NaN"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and expected in warnings[0].getMessage()
    ex.layout  # noqa: B018 (build the widget)
    assert expected in ex._layout.status_pane.object  # the first status line says it
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="astrokit.explorer"):
        ex.set_color("flux")
        assert not caplog.records  # a usable column: no warning
        ex.set_color("empty")  # chosen later, from the widget
    status = ex._layout.status_pane
    assert expected in status.object and status.alert_type == "warning"


def test_infinite_colour_values_are_counted_and_not_drawn(table, caplog):
    table.loc[[0, 1, 2], "flux"] = np.inf
    with caplog.at_level(logging.WARNING, logger="astrokit.explorer"):
        ex = explorer.explore(table, color="flux")
    assert "Colour column 'flux': 3 infinite value(s) shown as missing." in caplog.text
    assert np.isnan(ex._values[:3]).all() and np.isfinite(ex._values[3:]).all()
    assert np.isinf(table["flux"].iloc[0])  # the table itself is untouched
