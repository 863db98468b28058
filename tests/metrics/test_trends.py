"""Now versus before: Happiness change between periods and rolling 90-day windows."""

from datetime import date

import pytest

from metrics.trends import period_change, rolling_windows


def test_period_change() -> None:
    # now: 5 happy, 2 unhappy of 10 → 30 ± 48.408
    # before: 6 happy, 4 unhappy of 20 → 10 ± 196·sqrt((0.5 − 0.01)/20) = 30.679
    # change +20, margin sqrt(48.408² + 30.679²) = 57.311 → not clear of noise
    result = period_change({"happy": 5, "unhappy": 2, "n": 10}, {"happy": 6, "unhappy": 4, "n": 20})
    assert (result.current, result.previous) == (30.0, 10.0)
    assert result.change == pytest.approx(20.0)
    assert result.change_margin == pytest.approx(57.31115, abs=1e-5)
    assert (result.current_n, result.previous_n) == (10, 20)
    assert not result.is_clear


def test_period_change_clear_improvement() -> None:
    # all 100 happy now (100 ± 0) vs all 100 unhappy before (−100 ± 0) → +200, margin 0
    now, before = {"happy": 100, "unhappy": 0, "n": 100}, {"happy": 0, "unhappy": 100, "n": 100}
    result = period_change(now, before)
    assert (result.change, result.change_margin, result.is_clear) == (200.0, 0.0, True)


def test_period_change_without_previous_responses() -> None:
    result = period_change({"happy": 5, "unhappy": 2, "n": 10}, {"happy": 0, "unhappy": 0, "n": 0})
    assert result.previous is None and result.change is None and result.change_margin is None
    assert not result.is_clear


def test_rolling_windows() -> None:
    # current: 2 Apr … 30 Jun 2025 = 29 + 31 + 30 = 90 days including today
    # previous: 2 Jan … 1 Apr 2025 = 30 + 28 + 31 + 1 = 90 days
    assert rolling_windows(date(2025, 6, 30)) == (
        date(2025, 4, 2),
        date(2025, 6, 30),
        date(2025, 1, 2),
        date(2025, 4, 1),
    )


def test_rolling_windows_custom_length() -> None:
    windows = rolling_windows(date(2024, 3, 1), days=7)
    # leap year: 24 Feb … 1 Mar, then 17 Feb … 23 Feb
    assert windows.current_start == date(2024, 2, 24)
    assert windows.previous_start == date(2024, 2, 17)
    assert windows.previous_end == date(2024, 2, 23)
