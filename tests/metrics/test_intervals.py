"""Wilson intervals, Student-t critical values and mean intervals."""

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from metrics.intervals import mean_interval, t_critical, wilson_interval, with_wilson


@pytest.mark.parametrize(
    ("df", "expected"),
    [
        # two-sided 95% values from a printed t table
        (1, 12.706),
        (2, 4.303),
        (3, 3.182),
        (5, 2.571),
        (10, 2.228),
        (30, 2.042),
        (100, 1.984),
        (1000, 1.962),
    ],
)
def test_t_critical_95_matches_table(df: int, expected: float) -> None:
    assert t_critical(df) == pytest.approx(expected, abs=5e-4)


@pytest.mark.parametrize(("df", "expected"), [(1, 63.657), (4, 4.604), (30, 2.750)])
def test_t_critical_99_matches_table(df: int, expected: float) -> None:
    assert t_critical(df, 0.99) == pytest.approx(expected, abs=5e-4)


def test_t_critical_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        t_critical(0)
    with pytest.raises(ValueError):
        t_critical(5, 1.0)


def test_t_critical_approaches_normal() -> None:
    # for large df the t quantile tends to the normal 1.95996…
    assert 1.95996 < t_critical(100_000) < 1.9601


def test_wilson_three_of_ten() -> None:
    # p = 0.3, z² = 3.8416: denominator 1 + 0.38416 = 1.38416
    # centre (0.3 + 0.19208) / 1.38416 = 0.355508
    # half 1.96 / 1.38416 * sqrt(0.021 + 0.009604) = 0.247719 → 0.107789 … 0.603227
    interval = wilson_interval(3, 10)
    assert interval is not None
    assert interval[0] == pytest.approx(0.107789, abs=1e-6)
    assert interval[1] == pytest.approx(0.603227, abs=1e-6)


def test_wilson_zero_successes() -> None:
    # 0/10: low exactly 0; high = (z²/n) / (1 + z²/n) = 0.38416 / 1.38416 = 0.277540
    assert wilson_interval(0, 10) == (0.0, pytest.approx(0.277540, abs=1e-6))


def test_wilson_all_successes() -> None:
    # 10/10 mirrors 0/10: low = 1 − 0.277540 = 0.722460, high exactly 1
    assert wilson_interval(10, 10) == (pytest.approx(0.722460, abs=1e-6), 1.0)


def test_wilson_empty_and_invalid() -> None:
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(4, 3)


def test_with_wilson_frame() -> None:
    df = pl.DataFrame({"late": [3, 0, 10, 0], "total": [10, 10, 10, 0]})
    expected = df.with_columns(
        pl.Series("late_rate", [0.3, 0.0, 1.0, None]),
        pl.Series("late_low", [0.107789, 0.0, 0.722460, None]),
        pl.Series("late_high", [0.603227, 0.277540, 1.0, None]),
    )
    assert_frame_equal(with_wilson(df, "late", "total", "late"), expected, abs_tol=1e-6)


@given(st.integers(0, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_bounds_contain_rate(counts: tuple[int, int]) -> None:
    successes, n = counts
    interval = wilson_interval(successes, n)
    if n == 0:
        assert interval is None
        return
    assert interval is not None
    low, high = interval
    assert 0.0 <= low <= successes / n <= high <= 1.0


@given(st.lists(st.integers(0, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))))
def test_with_wilson_bounds_contain_rate(rows: list[tuple[int, int]]) -> None:
    df = pl.DataFrame(
        {"k": [k for k, _ in rows], "n": [n for _, n in rows]},
        schema={"k": pl.Int64, "n": pl.Int64},
    )
    result = with_wilson(df, "k", "n", "x").drop_nulls("x_rate")
    assert (result["x_low"] >= 0.0).all() and (result["x_high"] <= 1.0).all()
    assert (result["x_low"] <= result["x_rate"] + 1e-12).all()
    assert (result["x_rate"] <= result["x_high"] + 1e-12).all()


def test_mean_interval_ten_ratings() -> None:
    # five 3s and five 4s: Σx = 35, Σx² = 45 + 80 = 125, mean 3.5
    # variance (125 − 35²/10) / 9 = 2.5 / 9 = 0.27778; se = sqrt(0.27778 / 10) = 0.166667
    # t(9) = 2.262157 → half width 0.377026
    result = mean_interval(10, 35.0, 125.0)
    assert result == (3.5, pytest.approx(3.122974, abs=1e-6), pytest.approx(3.877026, abs=1e-6))


def test_mean_interval_small_samples() -> None:
    assert mean_interval(0, 0.0, 0.0) is None
    # one rating of 4: a mean but no interval
    assert mean_interval(1, 4.0, 16.0) == (4.0, None, None)


def test_mean_interval_identical_values_has_zero_width() -> None:
    # three 5s: Σx = 15, Σx² = 75 → variance 0 → interval collapses on 5
    assert mean_interval(3, 15.0, 75.0) == (5.0, 5.0, 5.0)
