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
    assert (spread.p25, spread.median, spread.p75) == (18.0, 25.0, 33.0)  # 17.5, 25, 32.5 in whole points
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
    assert trend["band_mid"][0] == pytest.approx(100.0)            # members at 100, 100, −100
    assert trend["band_low"][0] == 0.0                             # linear p25 of −100, 100, 100
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
