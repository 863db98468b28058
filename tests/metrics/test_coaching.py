"""Coaching metrics: fair overview (shrinkage, thresholds, alphabetical), signals, talking points, gaps."""

import datetime as dt

import polars as pl
import pytest

from metrics.coaching import (
    attention_signal,
    care_gaps,
    ordered_by_shrunk,
    talking_points,
    team_overview,
    unhappy_runs,
)

CARE = ["communication", "application", "resolution", "expectation"]


def _stats(rows):
    """rows: (analyst_id, n, happy, unhappy) → a response_stats-like frame (CARE all 4s, lost 10 min)."""
    out = []
    for aid, n, happy, unhappy in rows:
        row = {"analyst_id": aid, "n": n, "happy": happy, "unhappy": unhappy, "lost_n": n, "lost_sum": 10.0 * n}
        for d in CARE:
            row |= {f"{d}_n": n, f"{d}_sum": 4.0 * n, f"{d}_sumsq": 16.0 * n + (n > 1)}
        out.append(row)
    return pl.DataFrame(out)


ROSTER = pl.DataFrame({"analyst_id": [1, 2, 3, 4], "name": ["dana", "Ann", "Cleo", "Bert"],
                       "team_id": [1, 1, 1, 1], "team_name": ["North"] * 4, "active": [True] * 4})
ACTIVITY = pl.DataFrame({"analyst_id": [3], "open_recovery": [2], "overdue_recovery": [1],
                         "last_kudos": [dt.datetime(2026, 11, 1)], "last_note": [None],
                         "recent_unhappy_run": [True]}, schema_overrides={"last_note": pl.Datetime("us")})


def test_overview_is_alphabetical_thresholded_and_shrunk():
    current = _stats([(1, 4, 4, 0), (2, 100, 60, 10), (3, 40, 8, 20), (4, 6, 6, 0)])
    previous = _stats([(2, 100, 70, 5), (3, 40, 30, 2)])
    frame = team_overview(ROSTER, current, previous, ACTIVITY, min_responses=5)
    assert frame["name"].to_list() == ["Ann", "Bert", "Cleo", "dana"]  # by name, never by score
    by = {r["name"]: r for r in frame.iter_rows(named=True)}
    assert by["dana"]["enough"] is False and by["dana"]["change"] is None  # 4 < 5 responses
    assert by["Ann"]["happiness"] == pytest.approx(50.0)
    assert by["Cleo"]["happiness"] == pytest.approx(-30.0)
    # Bert's perfect 6/6 is pulled hard toward the team; Ann's 100 responses barely move.
    assert by["Bert"]["happiness"] == pytest.approx(100.0)
    assert by["Bert"]["happiness_shrunk"] < 90
    assert abs(by["Ann"]["happiness_shrunk"] - 50.0) < abs(by["Bert"]["happiness_shrunk"] - 100.0)
    assert by["Ann"]["change"] == pytest.approx(50.0 - 65.0)
    assert by["Cleo"]["open_recovery"] == 2 and by["Ann"]["open_recovery"] == 0
    assert "Clear decline" in by["Cleo"]["signal"] and "Last 3 ratings unhappy" in by["Cleo"]["signal"]
    assert "1 overdue recovery" in by["Cleo"]["signal"]
    assert by["Ann"]["signal"] == ""  # −15 is within its margin
    assert by["Ann"]["lost_mean"] == pytest.approx(10.0)


def test_shrunk_order_differs_from_raw_order():
    roster = pl.DataFrame({"analyst_id": [1, 2, 3, 4, 5, 6], "name": ["dana", "Ann", "Cleo", "Bert", "Eve", "Finn"],
                           "team_id": [1] * 6, "team_name": ["North"] * 6, "active": [True] * 6})
    current = _stats([(1, 3, 3, 0), (2, 200, 150, 10), (3, 100, 65, 5), (4, 5, 5, 0), (5, 100, 66, 6),
                      (6, 100, 64, 4)])
    frame = team_overview(roster, current, current.clear(), ACTIVITY.clear(), min_responses=1)
    raw_order = frame.sort("happiness", descending=True)["name"].to_list()
    fair_order = ordered_by_shrunk(frame)["name"].to_list()
    assert set(raw_order[:2]) == {"dana", "Bert"}  # tiny perfect samples lead a raw ranking
    assert fair_order[0] == "Ann"  # 200 responses at +70 lead once sample size counts
    assert frame["name"].to_list() == ["Ann", "Bert", "Cleo", "dana", "Eve", "Finn"]


def test_attention_signal_words():
    assert attention_signal(-30.0, 20.0, False, 0) == "Clear decline (-30 ± 20)"
    assert attention_signal(-10.0, 20.0, False, 0) == ""
    assert attention_signal(30.0, 20.0, True, 2) == "Last 3 ratings unhappy · 2 overdue recoveries"


def test_unhappy_runs_need_three_recent_unhappy():
    scores = pl.DataFrame({"analyst_id": [1, 1, 1, 2, 2, 2, 3, 3], "happiness": [2, 6, 0, 3, 9, 1, 2, 2],
                           "rank": [1, 2, 3, 1, 2, 3, 1, 2]})
    runs = dict(unhappy_runs(scores).iter_rows())
    assert runs == {1: True, 2: False, 3: False}


def test_talking_points_pick_the_most_named_factor_with_fitting_quotes():
    counts = pl.DataFrame({"factor_id": [1, 2, 11, 12], "label": ["Speed of service", "Analyst's attitude",
                                                                  "Not solved despite closure", "Slow service"],
                           "polarity": ["positive", "positive", "negative", "negative"],
                           "analyst_count": [4, 2, 3, 1]})
    evidence = pl.DataFrame({"ticket_id": ["A", "B", "C", "D", "E", "F", "G"],
                             "happiness": [10, 9, 10, 10, 2, 3, 1],
                             "comment": ["Quick!", None, "So fast", "Fast and kind", "Still broken", "", "Closed but not fixed"],
                             "factor_id": [1, 1, 1, 1, 11, 11, 11]})
    recognition, coaching = talking_points(counts, evidence, period_label="in the last 90 days", max_quotes=2)
    assert recognition.kind == "recognition"
    assert recognition.headline == "4 customers praised speed of service in the last 90 days"
    assert recognition.quotes == ("Quick!", "So fast") and recognition.ticket_ids == ("A", "B", "C", "D")
    assert coaching.headline == "3 customers said: not solved despite closure (in the last 90 days)"
    assert coaching.quotes == ("Still broken", "Closed but not fixed")
    assert talking_points(counts, evidence.clear(), period_label="x") == []


def test_care_gaps_use_neutral_labels_and_competency_proxies():
    ratings = {"communication": 5, "resolution": 2, "application": 4, "expectation": 4,
               "client_management": 5, "teamwork": 3}
    customer = {"communication": 3.5, "resolution": 3.6, "application": 4.1, "expectation": 3.5}
    gaps = {r["dimension"]: r for r in care_gaps(ratings, customer).iter_rows(named=True)}
    assert gaps["communication"]["label"] == "blind spot"  # 1.5 > 4/3
    assert gaps["resolution"]["label"] == "hidden strength"  # −1.6
    assert gaps["application"]["label"] == "aligned"
    assert gaps["client_management"]["customer_mean"] == pytest.approx(3.5)  # mean of communication, expectation
    assert gaps["teamwork"]["gap"] is None and gaps["teamwork"]["label"] is None


def test_names_sort_with_accents_folded():
    from metrics.coaching import name_key

    names = ["Søren Núñez", "Åsa Berg", "bo Lund", "Zoë Ito", "Émile Roy"]
    assert sorted(names, key=name_key) == ["Åsa Berg", "bo Lund", "Émile Roy", "Søren Núñez", "Zoë Ito"]


def test_overview_survives_empty_statistics():
    columns = ["analyst_id", "n", "happy", "unhappy", *[f"{d}_{s}" for d in CARE for s in ("n", "sum", "sumsq")],
               "lost_n", "lost_sum"]
    empty = pl.DataFrame({c: [] for c in columns})  # what a query with no rows gives: all-null dtypes
    frame = team_overview(ROSTER, empty, empty, ACTIVITY.clear(), min_responses=5)
    assert frame["n"].to_list() == [0, 0, 0, 0] and not frame["enough"].any()


def test_customer_percentiles_use_shrunk_means_of_eligible_members():
    from metrics.coaching import customer_percentiles

    team = pl.DataFrame({"analyst_id": [1, 2, 3, 4], "n": [20, 30, 2, 40],
                         **{f"{d}_shrunk": [4.0, 3.5, 5.0, 4.5] for d in CARE}})
    assert customer_percentiles(team, 1, min_responses=5) == {d: 50.0 for d in CARE}  # middle of 3.5, 4.0, 4.5
    assert customer_percentiles(team, 4, min_responses=5)["resolution"] == 100.0
    assert customer_percentiles(team, 3, min_responses=5) == {}  # below the minimum: no rank at all


@pytest.mark.parametrize("given", [["Åsa", "Al", "Asa", "Bo"], ["Asa", "Bo", "Al", "Åsa"], ["Bo", "Åsa", "Asa", "Al"]])
def test_names_with_the_same_sort_key_keep_one_order_whatever_order_they_came_in(given):
    from metrics.coaching import sort_by_name

    assert sort_by_name(pl.DataFrame({"name": given}))["name"].to_list() == ["Al", "Asa", "Åsa", "Bo"]
