"""Perception-gap labels and percentile ranks."""

import polars as pl
import pytest
from polars.testing import assert_frame_equal, assert_series_equal

from metrics.gaps import (
    ALIGNED,
    BLIND_SPOT,
    HIDDEN_STRENGTH,
    gap_label,
    perception_gaps,
    percentile_ranks,
)


@pytest.mark.parametrize(
    ("self_rating", "customer", "expected"),
    [
        # threshold on 1–5 is (5 − 1) / 3 = 4/3
        (5.0, 11 / 3, ALIGNED),  # gap exactly +4/3 (5 − 3.666…; rounds to 1.3333333333333335)
        (3.0, 13 / 3, ALIGNED),  # gap exactly −4/3
        (5.0, 3.6, BLIND_SPOT),  # gap 1.4, just above 4/3
        (5.0, 3.7, ALIGNED),  # gap 1.3, just below
        (2.6, 4.0, HIDDEN_STRENGTH),  # gap −1.4
        (2.7, 4.0, ALIGNED),  # gap −1.3
        (4.0, 4.0, ALIGNED),
    ],
)
def test_gap_label_on_one_to_five(self_rating: float, customer: float, expected: str) -> None:
    assert gap_label(self_rating, customer) == expected


def test_gap_label_other_scale() -> None:
    # on 0–10 the threshold is 10/3 = 3.333…: gap 3.4 → blind spot, gap 3.3 → aligned
    assert gap_label(9.4, 6.0, scale_min=0, scale_max=10) == BLIND_SPOT
    assert gap_label(9.3, 6.0, scale_min=0, scale_max=10) == ALIGNED


def test_perception_gaps_frame() -> None:
    df = pl.DataFrame(
        {
            "dimension": ["communication", "application", "resolution", "expectation"],
            "self_rating": [5.0, 2.0, 4.0, 3.0],
            "customer_mean": [3.5, 3.5, 4.0, None],
        }
    )
    expected = df.with_columns(
        # 5 − 3.5 = 1.5 > 4/3; 2 − 3.5 = −1.5 < −4/3; 0 aligned; no customer mean → null
        pl.Series("gap", [1.5, -1.5, 0.0, None]),
        pl.Series("label", [BLIND_SPOT, HIDDEN_STRENGTH, ALIGNED, None]),
    )
    assert_frame_equal(perception_gaps(df), expected)


def test_perception_gaps_boundary_is_aligned() -> None:
    df = pl.DataFrame({"dimension": ["c"], "self_rating": [5.0], "customer_mean": [11 / 3]})
    assert perception_gaps(df)["label"].to_list() == [ALIGNED]


def test_percentile_ranks_distinct() -> None:
    # ranks 3, 1, 2 of 3 → (rank − 1) / 2 · 100 = 100, 0, 50
    result = percentile_ranks(pl.Series("self", [3.0, 1.0, 2.0]))
    assert_series_equal(result, pl.Series("self", [100.0, 0.0, 50.0]))


def test_percentile_ranks_ties_use_average_rank() -> None:
    # [1, 1, 2, 4] → ranks 1.5, 1.5, 3, 4 → (0.5/3, 0.5/3, 2/3, 3/3) · 100
    result = percentile_ranks(pl.Series("x", [1, 1, 2, 4]))
    assert result.to_list() == pytest.approx([16.666667, 16.666667, 66.666667, 100.0])


def test_percentile_ranks_single_all_tied_and_nulls() -> None:
    assert percentile_ranks(pl.Series("x", [4.2])).to_list() == [50.0]
    # three equal values share rank 2 → (2 − 1) / 2 · 100 = 50
    assert percentile_ranks(pl.Series("x", [3, 3, 3])).to_list() == [50.0, 50.0, 50.0]
    # the null is left out of the ranking: [2, 1] → 100, 0
    assert percentile_ranks(pl.Series("x", [2.0, None, 1.0])).to_list() == [100.0, None, 0.0]
