"""Culture roll-ups against values worked out by hand."""

import datetime as dt
import math

import polars as pl
import pytest

from metrics.culture import (calibration_counts, factor_changes, happiness_mix, headline, lost_by,
                             monthly_happiness, rate, rollup, team_table, totals, trend_arrow, watermelon_trend)
from metrics.trends import PeriodChange

JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)


def _stats(rows):
    cols = ["month", "team_id", "sla_met", "n", "happy", "unhappy", "lost_n", "lost_sum", "sla_met_n",
            "sla_met_unhappy"]
    return pl.DataFrame(rows, schema=cols, orient="row")


STATS = _stats([
    (JAN, 1, True, 6, 3, 1, 4, 100.0, 6, 1),
    (JAN, 1, False, 4, 0, 3, 2, 200.0, 0, 0),
    (FEB, 2, True, 3, 3, 0, 0, 0.0, 3, 0),
])


def test_rollup_and_totals_sum_counts():
    by_month = rollup(STATS, ["month"])
    assert by_month["n"].to_list() == [10, 3] and by_month["happy"].to_list() == [3, 3]
    assert totals(STATS)["unhappy"] == 4 and totals(STATS.head(0)) == {c: 0 for c in STATS.columns[3:]}


def test_headline_from_totals():
    h = headline({"n": 10, "happy": 5, "unhappy": 2, "lost_n": 4, "lost_sum": 160.0},
                 {"n": 5, "happy": 2, "unhappy": 3}, tickets=30)
    assert h.happiness == pytest.approx(30.0)
    assert h.margin == pytest.approx(196 * math.sqrt(0.61 / 10))
    assert h.change.change == pytest.approx(50.0)
    assert h.lost.mean_minutes == 40.0 and h.lost.total_hours == pytest.approx(40 * 30 / 60)
    assert h.response_rate.share == pytest.approx(1 / 3) and h.unhappy.k == 2


def test_rate_clips_and_handles_zero():
    assert rate(0, 0).share is None
    assert rate(12, 10).share == 1.0  # responses can outnumber closed tickets across period edges


def test_monthly_happiness_drops_small_months():
    out = monthly_happiness(STATS, min_group=5)
    assert out["month"].to_list() == [JAN]
    assert out["happiness"][0] == pytest.approx(100 * (3 - 4) / 10)


def test_happiness_mix_shares():
    mix = happiness_mix(STATS, "sla_met")
    met = {r["mood"]: r for r in mix.filter(pl.col("sla_met")).iter_rows(named=True)}
    assert met["happy"]["count"] == 6 and met["happy"]["share"] == pytest.approx(6 / 9)
    assert met["neutral"]["count"] == 2 and met["unhappy"]["share"] == pytest.approx(1 / 9)


def test_watermelon_trend_filters_small_months():
    out = watermelon_trend(STATS, min_group=5)
    assert out["month"].to_list() == [JAN] and out["watermelon_rate"][0] == pytest.approx(1 / 6)


def test_factor_changes_in_points():
    counts = pl.DataFrame({"factor_id": [1, 12], "label": ["Speed", "Slow"], "polarity": ["positive", "negative"],
                           "current": [3, 2], "previous": [1, 3]})
    out = factor_changes(counts, current_n=10, previous_n=5)
    speed = out.filter(pl.col("factor_id") == 1).row(0, named=True)
    assert speed["share"] == pytest.approx(0.3) and speed["change_pp"] == pytest.approx(10.0)
    assert out["polarity"].to_list() == ["positive", "negative"]


def test_lost_by_extrapolates_to_tickets_and_suppresses_small_groups():
    tickets = pl.DataFrame({"team_id": [1, 2], "tickets": [20, 7]})
    out = lost_by(STATS, tickets, "team_id", min_group=5)
    one = out.filter(pl.col("team_id") == 1).row(0, named=True)
    assert one["mean_minutes"] == pytest.approx(50.0) and one["total_hours"] == pytest.approx(50 * 20 / 60)
    assert out.filter(pl.col("team_id") == 2)["total_hours"][0] is None


def test_team_table_suppresses_and_marks_trend():
    previous = _stats([(JAN, 1, True, 10, 0, 8, 0, 0.0, 10, 8)])
    tickets = pl.DataFrame({"team_id": [1, 2], "tickets": [40, 9]})
    table = team_table(STATS, previous, tickets, min_group=5)
    one = table.filter(pl.col("team_id") == 1).row(0, named=True)
    assert one["happiness"] == pytest.approx(-10.0) and one["trend"] == "↑"  # from -80, far beyond noise
    assert one["watermelon"] == pytest.approx(1 / 6)
    two = table.filter(pl.col("team_id") == 2).row(0, named=True)
    assert two["suppressed"] and two["happiness"] is None and two["n"] == 3


def test_trend_arrow_words():
    assert trend_arrow(PeriodChange(10, 0, 10, 3, 50, 50)) == "↑"
    assert trend_arrow(PeriodChange(0, 10, -10, 3, 50, 50)) == "↓"
    assert trend_arrow(PeriodChange(1, 0, 1, 3, 50, 50)) == "→"
    assert trend_arrow(PeriodChange(1, None, None, None, 50, 0)) is None


def _analyst(team, dim, ratings, self_rating):
    return (team, dim, len(ratings), float(sum(ratings)), float(sum(r * r for r in ratings)), self_rating)


def test_calibration_counts_labels_and_suppresses():
    rows = pl.DataFrame([
        # Same ratings for everyone in the team: shrinkage leaves the mean (2.0) unchanged.
        _analyst(1, "communication", [2, 2, 2, 2, 2], 4.0),   # gap +2 → blind spot
        _analyst(1, "communication", [2, 2, 2, 2, 2], 2.0),   # aligned
        _analyst(1, "communication", [2, 2, 2, 2, 2], None),  # no self-assessment: not counted
        _analyst(1, "communication", [2, 2, 2, 2, 2], 1.0),   # gap -1 → aligned
        _analyst(1, "communication", [2, 2], 5.0),            # too few ratings: not counted
        _analyst(1, "resolution", [5, 5, 5, 5, 5], 3.0),      # alone on the dimension: suppressed
    ], schema=["team_id", "dimension", "n", "sum", "sumsq", "self_rating"], orient="row")
    out = calibration_counts(rows, min_responses=5, min_analysts=3)
    comm = out.filter(pl.col("dimension") == "communication").row(0, named=True)
    assert (comm["analysts"], comm["blind spot"], comm["aligned"], comm["hidden strength"]) == (3, 1, 2, 0)
    assert comm["blind spot share"] == pytest.approx(1 / 3)
    res = out.filter(pl.col("dimension") == "resolution").row(0, named=True)
    assert res["suppressed"] and res["analysts"] is None and res["aligned"] is None


def test_calibration_counts_empty():
    assert calibration_counts(pl.DataFrame()).is_empty()


def test_hotspot_cells_blank_every_figure_of_a_small_cell():
    from metrics.culture import hotspot_cells
    from metrics.hotspots import hotspot_impact

    cells = pl.DataFrame({"service_id": [1, 2], "channel": ["phone", "email"],
                          "happy": [6, 3], "unhappy": [2, 1], "n": [10, 4]})
    out = hotspot_cells(hotspot_impact(cells, keys=["service_id", "channel"]), min_group=5)
    small = out.filter(pl.col("n") == 4).row(0, named=True)
    figures = {k: v for k, v in small.items() if k not in ("service_id", "channel", "n")}
    assert figures and all(v is None for v in figures.values())
    big = out.filter(pl.col("n") == 10).row(0, named=True)
    # scope: 9 happy, 3 unhappy of 14 → +42.857; cell: 6 − 2 of 10 → +40.0; impact 10 × (40 − 42.857)
    assert big["happiness"] == 40.0 and abs(big["impact"] - (-28.571428)) < 1e-4
