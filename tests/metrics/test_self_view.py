"""Pure helpers of the analyst's self-view: spread, trend band, self-rating ranks (no ids anywhere)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from metrics import self_view


def test_team_spread_quartiles_and_own_percentile():
    values = pl.DataFrame({"is_own": [False, True, False, False, False],
                           "value": [10.0, 30.0, 20.0, None, 40.0]})
    spread = self_view.team_spread(values, min_colleagues=3)
    assert spread.analysts == 4
    # The band is over the colleagues 10, 20, 40 (not the analyst's 30), Harrell–Davis: for three
    # values the Beta weights are exact thirds of 27 — (19, 7, 1), (7, 13, 7), (1, 7, 19) — so
    # 370/27, 610/27, 910/27 = 13.7, 22.6, 33.7 in whole points.
    assert (spread.p25, spread.median, spread.p75) == (14.0, 23.0, 34.0)
    assert spread.own_percentile == pytest.approx(100 * 2 / 3)     # third of four
    assert self_view.team_spread(values, min_colleagues=4) is None  # three colleagues qualify: suppressed
    assert self_view.team_spread(values.slice(2, 3), min_colleagues=3) is None  # two colleagues qualify


def test_trend_band_needs_enough_members_and_own_needs_enough_responses():
    month = dt.date(2026, 10, 1)
    rows = pl.DataFrame({"is_own": [True, False, False], "month": [month] * 3,
                         "n": [4, 10, 10], "happy": [4, 10, 0], "unhappy": [0, 0, 10]})
    trend = self_view.trend_with_band(rows, min_responses=5, min_colleagues=2)
    assert trend["own_n"][0] == 4 and trend["own_happiness"][0] is None
    assert (trend["band_low"][0], trend["band_high"][0]) == (-50.0, 50.0)  # two colleagues: −100, 100
    trend = self_view.trend_with_band(rows, min_responses=4, min_colleagues=2)
    assert trend["own_happiness"][0] == pytest.approx(100.0)
    assert trend["band_mid"][0] == 0.0                             # colleagues at 100, −100 (not the own 100)
    assert trend["band_low"][0] == -50.0                           # two values: linear, never shown (minimum 5)
    trend = self_view.trend_with_band(rows, min_responses=4, min_colleagues=3)
    assert trend["band_low"][0] is None                            # the analyst is not a colleague
    assert set(trend.columns) == {"month", "own_n", "own_happiness", "own_margin", "own_happiness_low",
                                  "own_happiness_high", "band_low", "band_mid", "band_high"}


def test_self_rank_percentiles_are_suppressed_below_three_colleagues():
    latest = pl.DataFrame({"is_own": [True, False, False, True, False],
                           "dimension": ["communication"] * 3 + ["application"] * 2,
                           "rating": [5, 3, 4, 2, 4]})
    ranks = dict(self_view.self_rank_percentiles(latest, min_colleagues=2)
                 .select("dimension", "self_percentile").iter_rows())
    assert ranks["communication"] == pytest.approx(100.0) and ranks["application"] is None


def test_levels_and_words_are_kind():
    assert all(len(levels) == 5 for levels in self_view.LEVELS.values())
    assert set(self_view.LEVELS) == set(self_view.SELF_DIMENSIONS)
    text = " ".join(" ".join(pair) for pair in self_view.GAP_EXPLANATIONS.values()).lower()
    for word in ("overrate", "dunning", "incompetent"):
        assert word not in text


def test_the_band_is_a_smoothed_mean_of_every_colleague_never_one_value():
    """An attack review: with exactly five colleagues the band over them and the analyst, next to
    the analyst's own value and percentile, gave three colleagues' Happiness back (the median of six
    is two values' mean, one of them the analyst's). Now the band is over colleagues only and each
    quantile weighs every colleague (Harrell–Davis), checked against its definition written out."""
    from tests.harrell_davis import harrell_davis, whole

    colleagues = [-20.0, 20.0, 60.0, 80.0, 100.0]
    assert self_view.band(colleagues) == tuple(whole(harrell_davis(colleagues, q)) for q in (0.25, 0.5, 0.75))
    assert self_view.band(colleagues) == (10.0, 52.0, 84.0)  # not 20, 60, 80: no colleague's own figure
    # Changing any one colleague moves every quantile: none of them is one person's value.
    for i in range(5):
        moved = [v + (10.0 if j == i else 0.0) for j, v in enumerate(colleagues)]
        lows, mids, highs = (harrell_davis(moved, q) - harrell_davis(colleagues, q) for q in (0.25, 0.5, 0.75))
        assert min(lows, mids, highs) > 0
    values = pl.DataFrame({"is_own": [True, *[False] * 5], "value": [40.0, *colleagues]})
    spread = self_view.team_spread(values, min_colleagues=5)
    assert (spread.p25, spread.median, spread.p75) == (10.0, 52.0, 84.0)  # the own 40 is not in it
