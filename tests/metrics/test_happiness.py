"""Happiness and its margin, checked against hand-computed values."""

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from metrics.happiness import happiness, happiness_margin, with_happiness


def test_happiness_mixed_responses() -> None:
    # 10 responses: 5 happy, 2 unhappy, 3 passive → 100 * (5 - 2) / 10 = 30.0
    assert happiness(5, 2, 10) == 30.0


def test_margin_mixed_responses() -> None:
    # p = 0.5, d = 0.2: 1.96 * 100 * sqrt((0.5 + 0.2 - 0.3²) / 10) = 196 * sqrt(0.061) = 48.408…
    assert happiness_margin(5, 2, 10) == pytest.approx(48.40843, abs=1e-5)


def test_passives_count_in_denominator_only() -> None:
    # 4 responses: 1 happy, 1 unhappy, 2 passive → Happiness 0; margin 196 * sqrt(0.5 / 4) = 69.296…
    assert happiness(1, 1, 4) == 0.0
    assert happiness_margin(1, 1, 4) == pytest.approx(69.29646, abs=1e-5)


def test_no_responses_gives_none() -> None:
    assert happiness(0, 0, 0) is None
    assert happiness_margin(0, 0, 0) is None


def test_all_happy() -> None:
    # 12 of 12 scored 9–10 → 100; p + d − (p − d)² = 1 − 1 = 0 → margin 0
    assert happiness(12, 0, 12) == 100.0
    assert happiness_margin(12, 0, 12) == 0.0


def test_all_unhappy() -> None:
    # 7 of 7 scored 0–6 → −100, margin 0
    assert happiness(0, 7, 7) == -100.0
    assert happiness_margin(0, 7, 7) == 0.0


def test_all_passive() -> None:
    # 3 responses all 7–8 → Happiness 0, p = d = 0 → margin 0
    assert happiness(0, 0, 3) == 0.0
    assert happiness_margin(0, 0, 3) == 0.0


def test_single_response() -> None:
    # one 10 → Happiness 100 with margin 0 (the margin formula says nothing about n = 1 luck)
    assert happiness(1, 0, 1) == 100.0
    assert happiness_margin(1, 0, 1) == 0.0


def test_inconsistent_counts_rejected() -> None:
    with pytest.raises(ValueError):
        happiness(3, 3, 5)
    with pytest.raises(ValueError):
        happiness_margin(-1, 0, 5)


def test_with_happiness_columns() -> None:
    df = pl.DataFrame({"happy": [5, 12, 0, 0], "unhappy": [2, 0, 7, 0], "n": [10, 12, 7, 0]})
    result = with_happiness(df)
    expected = df.with_columns(
        # row 1: 30 ± 48.408 → 30 − 48.408 = −18.408, 30 + 48.408 = 78.408
        # row 2: all happy → 100 ± 0; row 3: all unhappy → −100 ± 0; row 4: n = 0 → nulls
        pl.Series("happiness", [30.0, 100.0, -100.0, None]),
        pl.Series("margin", [48.40843, 0.0, 0.0, None]),
        pl.Series("happiness_low", [-18.40843, 100.0, -100.0, None]),
        pl.Series("happiness_high", [78.40843, 100.0, -100.0, None]),
        # pct_happy 5/10, 12/12, 0/7; pct_unhappy 2/10, 0/12, 7/7
        pl.Series("pct_happy", [50.0, 100.0, 0.0, None]),
        pl.Series("pct_unhappy", [20.0, 0.0, 100.0, None]),
    )
    assert_frame_equal(result, expected, abs_tol=1e-5)


def test_with_happiness_clips_interval() -> None:
    # 2 responses: 1 happy, 1 passive → 50; margin 196 * sqrt((0.5 − 0.25) / 2) = 69.296…
    # 50 + 69.3 = 119.3 → clipped to 100; 50 − 69.3 = −19.296…
    result = with_happiness(pl.DataFrame({"happy": [1], "unhappy": [0], "n": [2]}))
    assert result["happiness_high"][0] == 100.0
    assert result["happiness_low"][0] == pytest.approx(-19.29646, abs=1e-5)


def test_with_happiness_prefix_reads_and_writes_prefixed_columns() -> None:
    df = pl.DataFrame({"previous_happy": [5], "previous_unhappy": [2], "previous_n": [10]})
    result = with_happiness(df, prefix="previous_")
    assert result["previous_happiness"][0] == 30.0
    assert "happiness" not in result.columns


@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500))
def test_happiness_stays_in_range(happy: int, unhappy: int, passive: int) -> None:
    n = happy + unhappy + passive
    score = happiness(happy, unhappy, n)
    margin = happiness_margin(happy, unhappy, n)
    if n == 0:
        assert score is None and margin is None
    else:
        assert score is not None and margin is not None
        assert -100.0 <= score <= 100.0
        assert margin >= 0.0


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50)), max_size=20))
def test_frame_interval_contains_value(rows: list[tuple[int, int, int]]) -> None:
    df = pl.DataFrame(
        {
            "happy": [h for h, _, _ in rows],
            "unhappy": [u for _, u, _ in rows],
            "n": [h + u + p for h, u, p in rows],
        },
        schema={"happy": pl.Int64, "unhappy": pl.Int64, "n": pl.Int64},
    )
    result = with_happiness(df).drop_nulls("happiness")
    assert (result["happiness_low"] <= result["happiness"] + 1e-9).all()
    assert (result["happiness"] <= result["happiness_high"] + 1e-9).all()
    assert (result["happiness_low"] >= -100.0).all()
    assert (result["happiness_high"] <= 100.0).all()
