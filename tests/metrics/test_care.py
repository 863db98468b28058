"""CARE wording and CARE means with t-intervals from sufficient statistics."""

import polars as pl
from polars.testing import assert_frame_equal

from metrics.care import CARE_DIMENSIONS, CARE_NAMES, with_care_means


def test_care_dimensions_wording() -> None:
    assert CARE_NAMES == ("communication", "application", "resolution", "expectation")
    assert CARE_DIMENSIONS[0].statement == "I was kept clearly informed."
    assert CARE_DIMENSIONS[3].statement == (
        "I was told realistically what would happen and when, and it did."
    )


def _stats(n: list[int], total: list[float], total_sq: list[float]) -> dict[str, list]:
    columns: dict[str, list] = {}
    for dim in CARE_NAMES:
        columns |= {f"{dim}_n": n, f"{dim}_sum": total, f"{dim}_sumsq": total_sq}
    return columns


def test_with_care_means_hand_computed() -> None:
    # row 1: five 3s and five 4s → mean 3.5 ± t(9)·sqrt(0.27778/10) = 3.5 ± 0.377026
    # row 2: ratings 4, 5, 3 → Σ 12, Σx² 50, mean 4, variance (50 − 48) / 2 = 1,
    #        half width t(2)·sqrt(1/3) = 4.302653 · 0.57735 = 2.484138 → 1.515862 … 6.48 → 5 (clip)
    # row 3: a single 2 → mean 2, no interval
    # row 4: nobody answered → all null
    df = pl.DataFrame(_stats([10, 3, 1, 0], [35.0, 12.0, 2.0, 0.0], [125.0, 50.0, 4.0, 0.0]))
    result = with_care_means(df)
    for dim in CARE_NAMES:
        assert_frame_equal(
            result.select(f"{dim}_mean", f"{dim}_low", f"{dim}_high"),
            pl.DataFrame(
                {
                    f"{dim}_mean": [3.5, 4.0, 2.0, None],
                    f"{dim}_low": [3.122974, 1.515862, None, None],
                    f"{dim}_high": [3.877026, 5.0, None, None],
                }
            ),
            abs_tol=1e-6,
        )


def test_with_care_means_missing_answers_per_dimension() -> None:
    # the same response answered communication (a 5 and a 5) but skipped resolution (n = 0)
    df = pl.DataFrame(
        {
            "communication_n": [2],
            "communication_sum": [10.0],
            "communication_sumsq": [50.0],
            "resolution_n": [0],
            "resolution_sum": [None],
            "resolution_sumsq": [None],
        },
        schema_overrides={"resolution_sum": pl.Float64, "resolution_sumsq": pl.Float64},
    )
    result = with_care_means(df, dimensions=["communication", "resolution"]).row(0, named=True)
    # two 5s: mean 5, variance 0 → interval 5 … 5
    assert (result["communication_mean"], result["communication_low"]) == (5.0, 5.0)
    assert result["communication_high"] == 5.0
    assert result["resolution_mean"] is None and result["resolution_low"] is None
