"""astrokit.features.colours: colour indices and their errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from astrokit.features import colours


@pytest.fixture
def photometry(rng):
    n = 50
    g = rng.uniform(16, 20, n)
    table = pd.DataFrame(
        {"u": g + 1.2, "g": g, "r": g - 0.5, "i": g - 0.7,
         "u_err": 0.05, "g_err": 0.02, "r_err": 0.02, "i_err": 0.03},
        index=pd.RangeIndex(100, 100 + n),
    )  # fmt: skip
    return table


def test_adjacent_colours_and_quadrature_errors(photometry):
    out = colours(photometry, ["u", "g", "r", "i"])
    assert out.attrs["colours"] == ["u_g", "g_r", "r_i"]
    assert out.index.equals(photometry.index)
    np.testing.assert_allclose(out["u_g"], 1.2)
    np.testing.assert_allclose(out["g_r_err"], np.hypot(0.02, 0.02))
    np.testing.assert_allclose(out["r_i_err"], np.hypot(0.02, 0.03))


def test_all_pairs_and_given_pairs(photometry):
    assert (
        len(colours(photometry, ["u", "g", "r", "i"], pairs="all").attrs["colours"])
        == 6
    )
    out = colours(photometry, ["u", "g", "r"], pairs=[("u", "r")], errors=None)
    assert list(out) == ["u_r"]
    np.testing.assert_allclose(out["u_r"], 1.7)


def test_sdss_error_names_found_and_sentinels_become_nan():
    t = pd.DataFrame({"g": [18.0, -9999.0, 19.0], "r": [17.0, 17.0, np.inf],
                      "err_g": [0.1, 0.1, 0.1], "err_r": [0.1, 0.1, 0.1]})  # fmt: skip
    out = colours(t, ["g", "r"])
    assert out.attrs["errors"] == {"g": "err_g", "r": "err_r"}
    assert out["g_r"].isna().tolist() == [False, True, True]
    assert out["g_r_err"].isna().tolist() == [False, True, True]
    assert out.attrs["missing"] == 2


def test_no_error_columns_means_no_errors(photometry):
    out = colours(photometry[["g", "r"]], ["g", "r"])
    assert list(out) == ["g_r"] and out.attrs["errors"] is None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"bands": ["g"]}, r"bands=\['g'\]: a colour needs at least two"),
        ({"bands": ["g", "y"]}, r"no column\(s\) \['y'\]"),
        ({"bands": ["g", "r"], "pairs": "neighbours"}, r"pairs='neighbours' must be"),
        ({"bands": ["g", "r"], "pairs": [("g", "g")]}, "two different bands"),
        (
            {"bands": ["g", "r"], "pairs": [("g", "z")]},
            r"band\(s\) \['z'\] that are not",
        ),
        (
            {"bands": ["g", "r"], "errors": "sigma_{band}"},
            r"no column\(s\) \['sigma_g'",
        ),
        ({"bands": ["g", "r"], "errors": "err"}, r"errors='err' must be 'auto'"),
        ({"bands": ["g", "name"]}, r"column 'name' holds .* not magnitudes"),
    ],
)
def test_bad_input_is_named(photometry, kwargs, match):
    table = photometry.assign(name="star")
    with pytest.raises(ValueError, match=match):
        colours(table, **kwargs)
