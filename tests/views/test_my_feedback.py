"""The My feedback read model: own scope only, figures against raw SQL, unnamed team spread, gap labels."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import polars as pl
from polars.testing import assert_frame_equal
import pytest
import sqlalchemy as sa

from data_access import my_feedback as sql, schema
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope, ScopeError
from data_access.writes.self_assessment import submit_self_assessment
from metrics import self_view
from tests.data_access.test_my_feedback import (  # noqa: F401 (_pinned, crafted_url: fixtures)
    CRAFTED_CARE,
    CRAFTED_SELF,
    LEAD_SCOPE,
    PERIOD,
    _pinned,
    analyst_scope,
    build_crafted,
    crafted_url,
)
from views import my_feedback as mf


def whole(value: float) -> float:
    """Half away from zero, as the page rounds team figures."""
    return float(np.sign(value) * np.floor(abs(value) + 0.5))


# --- scope ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("scope", [LEAD_SCOPE, Scope("cio"), Scope("admin")])
def test_every_read_refuses_other_roles(crafted_url, scope):
    calls = [
        lambda: mf.my_figures(scope=scope, filters=PERIOD, url=crafted_url),
        lambda: mf.my_trend(scope=scope, filters=PERIOD, url=crafted_url),
        lambda: mf.self_view_for(scope=scope, filters=PERIOD, url=crafted_url),
        lambda: mf.my_verbatims(scope=scope, filters=PERIOD, url=crafted_url),
        lambda: mf.my_recognition(scope=scope, url=crafted_url),
        lambda: mf.my_responses_export(scope=scope, filters=PERIOD, url=crafted_url),
        lambda: mf.my_assessments(scope=scope, url=crafted_url),
    ]
    for call in calls:
        with pytest.raises(ScopeError):
            call()


def test_results_carry_no_colleague_ids_or_names(crafted_url):
    scope = analyst_scope(2)
    submit_self_assessment(scope=analyst_scope(1), ratings=CRAFTED_SELF, note=None,
                           submission_token="t-1", url=crafted_url)
    submit_self_assessment(scope=scope, ratings=CRAFTED_SELF, note=None, submission_token="t-2",
                           url=crafted_url)
    figures = mf.my_figures(scope=scope, filters=PERIOD, url=crafted_url)
    view = mf.self_view_for(scope=scope, filters=PERIOD, figures=figures, url=crafted_url)
    trend = mf.my_trend(scope=scope, filters=PERIOD, url=crafted_url)
    frames = [figures.stats, figures.customers, view.gaps, view.ranks, view.gap_history, trend]
    for frame in frames:
        assert not {"analyst_id", "member", "name", "display_name"} & set(frame.columns)
    spread_fields = {f.name for f in dataclasses.fields(self_view.Spread)}
    assert spread_fields == {"analysts", "p25", "median", "p75", "own_percentile"}
    rows, _ = mf.my_verbatims(scope=scope, filters=PERIOD, url=crafted_url)
    assert set(rows["comment"]) == {f"comment 2-{i}" for i in range(0, 12, 2)}


def test_own_figures_only_ever_show_the_scope_analyst(crafted_url):
    export = mf.my_responses_export(scope=analyst_scope(3), filters=PERIOD, url=crafted_url)
    assert export.height == 12 and set(export["happiness"]) == {10}
    # Claiming another team in the scope does not reveal that team's analyst as "own".
    other = mf.my_figures(scope=analyst_scope(3, team_id=2), filters=PERIOD, url=crafted_url)
    assert other.n == 12 and int(other.stats["happy"][0]) == 12


# --- figures against raw SQL on the demo warehouse ---------------------------------------------

def _busy_analyst(url: str) -> tuple[int, int]:
    with get_engine(url).connect() as conn:
        return tuple(conn.execute(sa.text(
            "SELECT t.analyst_id, a.team_id FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
            "JOIN analysts a ON a.analyst_id = t.analyst_id WHERE r.submitted_at >= :s AND r.submitted_at < :e "
            "GROUP BY t.analyst_id, a.team_id ORDER BY count(*) DESC, t.analyst_id LIMIT 1"),
            {"s": dt.datetime(2025, 11, 21), "e": dt.datetime(2026, 11, 21)}).one())


def test_figures_match_raw_sql(demo_url):
    analyst_id, team_id = _busy_analyst(demo_url)
    scope = analyst_scope(analyst_id, team_id)
    figures = mf.my_figures(scope=scope, filters=PERIOD, url=demo_url)
    params = {"s": dt.datetime(2025, 11, 21), "e": dt.datetime(2026, 11, 21), "t": team_id}
    with get_engine(demo_url).connect() as conn:
        per_analyst = conn.execute(sa.text(
            "SELECT t.analyst_id, count(*), sum(CASE WHEN r.happiness >= 9 THEN 1 ELSE 0 END), "
            "sum(CASE WHEN r.happiness <= 6 THEN 1 ELSE 0 END), sum(r.communication), count(r.communication) "
            "FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
            "WHERE t.team_id = :t AND r.submitted_at >= :s AND r.submitted_at < :e GROUP BY t.analyst_id"),
            params).all()
    mine = next(r for r in per_analyst if r[0] == analyst_id)
    assert figures.n == mine[1]
    assert int(figures.stats["happy"][0]) == mine[2] and int(figures.stats["unhappy"][0]) == mine[3]
    raw_comm = float(figures.customers.filter(pl.col("dimension") == "communication")["customer_raw"][0])
    assert raw_comm == pytest.approx(mine[4] / mine[5])

    # The unnamed spread: smoothed quartiles (Harrell–Davis) of per-analyst Happiness over the
    # colleagues with ≥ 5 responses, the analyst not among them.
    from tests.harrell_davis import harrell_davis

    qualified = {a: 100.0 * (h - u) / n for a, n, h, u, *_ in per_analyst if n >= 5}
    values = np.array(sorted(qualified.values()))
    colleagues = [v for a, v in qualified.items() if a != analyst_id]
    spread = figures.happiness_spread
    assert spread.analysts == len(values)
    assert len(values) - 1 >= 5  # enough colleagues in the demo team for the spread to show
    assert spread.p25 == whole(harrell_davis(colleagues, 0.25))
    assert spread.median == whole(harrell_davis(colleagues, 0.5))
    assert spread.p75 == whole(harrell_davis(colleagues, 0.75))
    own = qualified[analyst_id]
    below = sum(v < own for v in values)
    ties = sum(v == own for v in values)
    assert spread.own_percentile == pytest.approx((below + (ties - 1) / 2) / (len(values) - 1) * 100)


# --- crafted: shrinkage, suppression, gap labels -------------------------------------------------

def test_team_spread_is_suppressed_below_three_qualified_analysts(empty_sqlite_url):
    build_crafted(empty_sqlite_url, analysts=(1, 2, 5))  # analyst 5 has only 3 responses
    figures = mf.my_figures(scope=analyst_scope(1), filters=PERIOD, url=empty_sqlite_url)
    assert figures.enough and figures.happiness_spread is None
    assert figures.customers["own_percentile"].is_null().all()


def test_crafted_spread_needs_five_colleagues(crafted_url):
    """Issue 12, class 3: with 3 qualified colleagues (1, 3, 4; 5 has too few responses) the
    quartiles would invert to their scores. The old test asserted them; now nothing is shown."""
    figures = mf.my_figures(scope=analyst_scope(2), filters=PERIOD, url=crafted_url)
    assert figures.happiness_spread is None and figures.lost_spread is None
    assert figures.customers["own_percentile"].is_null().all()
    assert figures.customers["team_mean"].is_null().all()
    assert figures.tickets == 12


def test_crafted_spread_and_percentile_with_five_colleagues(empty_sqlite_url):
    build_crafted(empty_sqlite_url, analysts=(1, 2, 3, 4, 5, 6, 7))  # 6 and 7 score 9 twelve times
    figures = mf.my_figures(scope=analyst_scope(2), filters=PERIOD, url=empty_sqlite_url)
    # Happiness per qualified analyst: 1 → 50, 2 → 0 (own), 3 → 100, 4 → 0, 6 → 100, 7 → 100.
    spread = figures.happiness_spread
    assert spread.analysts == 6
    # Colleagues 0, 50, 100, 100, 100 (not the own 0): Harrell–Davis 36.7, 81.2, 98.2 (tests/harrell_davis.py).
    assert (spread.p25, spread.median, spread.p75) == (37.0, 81.0, 98.0)
    assert spread.own_percentile == pytest.approx(100 * 0.5 / 5)  # tied lowest of six
    assert figures.customers["team_mean"].is_not_null().all()


def test_shrunk_customer_mean_matches_hand_computed_normal_normal():
    """The shrinkage itself, on one team's sums (metrics level): members 1, 3, 4, 6, 7 have mean 11/3
    with sample variance s², n = 12; the analyst (member 2) all 5s; member 5 gave no CARE answers."""
    from metrics import self_view

    s2 = float(np.var(CRAFTED_CARE["communication"], ddof=1))
    ratings = list(CRAFTED_CARE["communication"])
    members = [(12, 11 / 3, s2)] * 5 + [(12, 5.0, 0.0)]
    n = np.array([m[0] for m in members], float)
    x = np.array([m[1] for m in members])
    v = np.array([m[2] for m in members])
    sigma2 = ((n - 1) * v).sum() / (n - 1).sum()
    grand = (x * n).sum() / n.sum()
    w = n / sigma2
    centre = (w * x).sum() / w.sum()
    q = (w * (x - centre) ** 2).sum()
    tau2 = max((q - (len(x) - 1)) / (w.sum() - (w ** 2).sum() / w.sum()), 1e-6 * sigma2)
    weight = tau2 / (tau2 + sigma2 / 12)
    expected = weight * 5.0 + (1 - weight) * grand
    assert len(ratings) == 12 and sum(ratings) == 44  # mean 11/3, as above
    sums = {"n": [12] * 5 + [12, 0], "sum": [44.0] * 5 + [60.0, 0.0],
            "sumsq": [float(sum(r * r for r in ratings))] * 5 + [300.0, 0.0]}
    per_analyst = pl.DataFrame({"is_own": [False] * 5 + [True, False],
                                **{f"{d}_{k}": values for d in self_view.CARE_NAMES for k, values in sums.items()}})
    row = self_view.customer_care(per_analyst, min_responses=5, min_colleagues=5).row(0, named=True)
    assert row["customer_raw"] == pytest.approx(5.0)
    assert row["customer_mean"] == round(expected, 2) and row["customer_mean"] < 5.0  # leaves rounded
    assert row["team_mean"] == round((5 * 44 + 60) / 72, 1)


def test_with_fewer_than_the_minimum_colleagues_the_own_mean_is_not_shrunk(empty_sqlite_url):
    """Shrinking toward three colleagues (below the five the band needs) would carry their mean and
    spread: next to the analyst's own answers that gave one colleague's exact mean away when there
    was only one (an attack review). Below the minimum the page shows the analyst's own mean."""
    build_crafted(empty_sqlite_url)
    with get_engine(empty_sqlite_url).begin() as conn:
        conn.execute(schema.responses.update().where(schema.responses.c.ticket_key.in_(
            sa.select(schema.tickets.c.ticket_key).where(schema.tickets.c.analyst_id == 2)))
            .values(communication=5))
    figures = mf.my_figures(scope=analyst_scope(2), filters=PERIOD, url=empty_sqlite_url)
    row = figures.customers.filter(pl.col("dimension") == "communication").row(0, named=True)
    assert row["customer_raw"] == 5.0 and row["customer_mean"] == 5.0 and row["team_mean"] is None


def test_gap_labels_on_crafted_cases(crafted_url):
    scope = analyst_scope(2)
    submit_self_assessment(scope=scope, ratings=CRAFTED_SELF, note="crafted", submission_token="g-1",
                           url=crafted_url)
    view = mf.self_view_for(scope=scope, filters=PERIOD, url=crafted_url)
    gaps = {r["dimension"]: r for r in view.gaps.iter_rows(named=True)}
    assert gaps["communication"]["gap"] == pytest.approx(4 / 3)      # exactly at the threshold
    assert gaps["communication"]["label"] == "aligned"
    assert gaps["application"]["gap"] == pytest.approx(1.5)          # above
    assert gaps["application"]["label"] == "blind spot"
    assert gaps["resolution"]["gap"] == pytest.approx(-1.5)          # below the negative threshold
    assert gaps["resolution"]["label"] == "hidden strength"
    assert gaps["expectation"]["gap"] == pytest.approx(-4 / 3)       # exactly at the other threshold
    assert gaps["expectation"]["label"] == "aligned"
    # The gap at the time of the assessment uses the three months up to it (Sep–Nov 2026).
    history = view.gap_history.filter(pl.col("dimension") == "application")
    assert history.height == 1 and history["label"][0] == "blind spot"


def test_rank_percentiles_use_colleagues_latest_self_ratings_anonymously(crafted_url):
    # Colleagues' latest self-ratings on communication: 1 → 2 (after an older 5), 3 → 4, 4 → 3.
    for analyst_id, rating, token in ((1, 5, "r-1a"), (1, 2, "r-1b"), (3, 4, "r-3"), (4, 3, "r-4")):
        ratings = dict(CRAFTED_SELF, communication=rating)
        submit_self_assessment(scope=analyst_scope(analyst_id), ratings=ratings, note=None,
                               submission_token=token, url=crafted_url)
    submit_self_assessment(scope=analyst_scope(2), ratings=CRAFTED_SELF, note=None,
                           submission_token="r-2", url=crafted_url)  # communication 5: the highest
    view = mf.self_view_for(scope=analyst_scope(2), filters=PERIOD, url=crafted_url)
    row = view.ranks.filter(pl.col("dimension") == "communication").row(0, named=True)
    # Both ranks need 5 colleagues; this team has 3 (issue 12, class 3: the old test showed them).
    assert row["assessed"] == 4 and row["self_percentile"] is None
    assert row["customer_percentile"] is None


@pytest.mark.parametrize("period", [Filters(dt.date(2026, 8, 23), dt.date(2026, 11, 21)),   # 90 days
                                    Filters(dt.date(2026, 1, 1), dt.date(2026, 11, 21)),    # year to date
                                    PERIOD])
def test_landing_scan_gives_the_same_period_and_months_as_direct_queries(demo_url, period):
    analyst_id, team_id = _busy_analyst(demo_url)
    scope = analyst_scope(analyst_id, team_id)
    via_scan = mf._team_period(scope, period, demo_url).sort("analyst_id")
    direct = sql.team_member_stats(scope=scope, filters=period, by_month=False, url=demo_url).sort("analyst_id")
    assert_frame_equal(via_scan.select(direct.columns), direct, check_dtypes=False)
    start = dt.date(2025, 12, 1)
    months = mf._team_months(scope, period, start, demo_url).sort("analyst_id", "month")
    direct_months = sql.team_member_stats(scope=scope, filters=Filters(start, dt.date(2026, 11, 21)),
                                          by_month=True, url=demo_url).sort("analyst_id", "month")
    assert_frame_equal(months.select(direct_months.columns), direct_months, check_dtypes=False)


def test_month_ranges_merge_contiguous_months():
    months = [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 5, 1), dt.date(2024, 12, 1)]
    assert mf.month_ranges(months) == ((dt.date(2024, 12, 1), dt.date(2025, 3, 1)),
                                       (dt.date(2025, 5, 1), dt.date(2025, 6, 1)))
    history = pl.DataFrame({"submitted_at": [dt.datetime(2025, 3, 9), dt.datetime(2025, 4, 2)]})
    assert mf.gap_months(history) == [dt.date(2025, m, 1) for m in (1, 2, 3, 4)]


def test_gap_history_over_old_assessments_matches_a_full_monthly_scan(sqlite_demo_url):
    from data_access.self_assessments import self_assessment_history
    from metrics import self_view

    with get_engine(sqlite_demo_url).connect() as conn:
        analyst_id, team_id = conn.execute(sa.text(
            "SELECT s.analyst_id, a.team_id FROM self_assessments s JOIN analysts a ON a.analyst_id = s.analyst_id "
            "GROUP BY s.analyst_id, a.team_id HAVING count(*) >= 3 ORDER BY min(s.submitted_at), s.analyst_id "
            "LIMIT 1")).one()
    scope = analyst_scope(analyst_id, team_id)
    view = mf.self_view_for(scope=scope, filters=PERIOD, url=sqlite_demo_url)
    history = self_assessment_history(scope=scope, url=sqlite_demo_url)
    first = min(mf.gap_months(history))
    assert first < mf.overview_window(PERIOD).start        # the old-ranges path is exercised
    full = sql.team_member_stats(scope=scope, filters=Filters(first, PERIOD.end), by_month=True,
                                 url=sqlite_demo_url)
    expected = self_view.gap_history(history, mf._anonymous(full, analyst_id), window_months=3,
                                     min_responses=5, min_colleagues=5)
    assert_frame_equal(view.gap_history, expected)


def test_competency_evidence_on_crafted_data(crafted_url):
    evidence = mf.competency_evidence(scope=analyst_scope(2), filters=PERIOD, url=crafted_url)
    values = dict(zip(evidence["competency"], evidence["value"]))
    assert values == {
        "facilitation": "0% of responses",
        "adaptability": "0 Happiness points apart",          # one channel, one ticket type: same figure
        "teamwork": None,                                      # no reassigned tickets
        "problem_solving": "4.50 of 5",
        "client_management": "3.67 and 3.33 of 5",
        "self_management": "3.33 of 5 · 100% within SLA",
    }
    with pytest.raises(ScopeError):
        mf.competency_evidence(scope=LEAD_SCOPE, filters=PERIOD, url=crafted_url)


# --- the read model's own pieces ------------------------------------------------------------------

def test_the_peer_band_rule_is_the_analysts_and_follows_the_settings(monkeypatch):
    from views.disclosure import PeerBand

    for scope in (LEAD_SCOPE, Scope("cio"), Scope("admin")):
        with pytest.raises(ScopeError):
            PeerBand.for_scope(scope)
    assert PeerBand.for_scope(analyst_scope(2)) == PeerBand(min_responses=5, min_colleagues=5, min_analysts=3)
    monkeypatch.setenv("SERVICE_PULSE_MIN_COLLEAGUES", "7")
    monkeypatch.setenv("SERVICE_PULSE_MIN_RESPONSES", "12")
    assert PeerBand.for_scope(analyst_scope(2)) == PeerBand(min_responses=12, min_colleagues=7, min_analysts=3)


def test_own_headline_figures_on_crafted_data(crafted_url):
    figures = mf.my_figures(scope=analyst_scope(2), filters=PERIOD, url=crafted_url)
    # Analyst 2: six 9s and six 5s → Happiness 0; CARE means 11/3, 3.5, 4.5, 10/3; 20 minutes lost each.
    assert figures.headline["happiness"] == pytest.approx(0.0)
    assert (figures.headline["pct_happy"], figures.headline["pct_unhappy"]) == pytest.approx((50.0, 50.0))
    assert figures.care_average == pytest.approx((11 / 3 + 3.5 + 4.5 + 10 / 3) / 4)
    assert figures.lost_mean == pytest.approx(20.0)
    profile = mf.care_profile(figures)
    assert profile["dimension"].to_list() == ["Communication", "Application", "Resolution", "Expectation"]
    assert profile["mean"].to_list() == pytest.approx([11 / 3, 3.5, 4.5, 10 / 3])
    assert profile["n"].to_list() == [12, 12, 12, 12]
    assert profile["team_mean"].null_count() == 4  # three qualified colleagues: no team mean leaves


def test_gap_table_names_each_dimension_and_keeps_the_raw_interval(crafted_url):
    scope = analyst_scope(2)
    submit_self_assessment(scope=scope, ratings=CRAFTED_SELF, note=None, submission_token="table-1",
                           url=crafted_url)
    figures = mf.my_figures(scope=scope, filters=PERIOD, url=crafted_url)
    table = mf.gap_table(mf.self_view_for(scope=scope, filters=PERIOD, figures=figures, url=crafted_url), figures)
    row = table.filter(pl.col("dimension") == "resolution").row(0, named=True)
    values = np.array(CRAFTED_CARE["resolution"], float)
    half = float(np.std(values, ddof=1) / np.sqrt(12) * 2.200985160082949)  # t(0.975, 11)
    assert row["name"] == "Resolution" and row["self_rating"] == 3 and row["label"] == "hidden strength"
    assert (row["low"], row["high"]) == pytest.approx((4.5 - half, 4.5 + half))


def test_open_recovery_items_are_worded_for_the_analyst(crafted_url):
    # Analyst 2's 5s are tickets 19–24, answered on 7–12 Sep 2026; "now" is 20 Nov 2026, 12:00.
    items = [dict(ticket_key=19, due_at=dt.datetime(2026, 11, 19, 9)),
             dict(ticket_key=20, due_at=dt.datetime(2026, 11, 21, 9)),
             dict(ticket_key=21, due_at=dt.datetime(2026, 11, 18, 9), first_contact_at=dt.datetime(2026, 11, 18, 8)),
             dict(ticket_key=22, due_at=dt.datetime(2026, 11, 17, 9), resolved_at=dt.datetime(2026, 11, 17, 10))]
    with get_engine(crafted_url).begin() as conn:
        conn.execute(schema.recovery_items.insert(), [
            {"team_id": 1, "analyst_id": 2, "created_at": dt.datetime(2026, 11, 16, 9), "first_contact_at": None,
             "resolved_at": None, **item} for item in items])
    got = mf.my_recognition(scope=analyst_scope(2), url=crafted_url).recovery
    assert got["ticket_id"].to_list() == ["INC00021", "INC00019", "INC00020"]  # by due time; closed left out
    assert got["status"].to_list() == ["contacted, not closed yet", "waiting for first contact (past due)",
                                       "waiting for first contact"]
    assert mf.my_recognition(scope=analyst_scope(3), url=crafted_url).recovery.is_empty()
