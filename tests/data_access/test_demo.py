"""The demo generator is deterministic and carries the effects every page relies on."""

import datetime as dt

import bcrypt
import polars as pl
import pytest
import sqlalchemy as sa

from data_access import demo
from data_access.engine import get_engine

END = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> sa.Engine:
    url = f"duckdb:///{tmp_path_factory.mktemp('demo') / 'demo.duckdb'}"
    demo.generate(get_engine(url), responses=30_000, seed=11, end=END)
    return get_engine(url)


def q(engine: sa.Engine, sql: str) -> pl.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(sa.text(sql))
        return pl.DataFrame([tuple(r) for r in result], schema=list(result.keys()), orient="row",
                            infer_schema_length=None)


HAPPINESS = ("100.0 * (sum(CASE WHEN happiness >= 9 THEN 1 ELSE 0 END) - "
             "sum(CASE WHEN happiness <= 6 THEN 1 ELSE 0 END)) / count(*)")


def test_same_seed_same_data(tmp_path):
    fingerprints = []
    for i in range(2):
        engine = get_engine(f"sqlite:///{tmp_path / f'd{i}.sqlite'}")
        demo.generate(engine, responses=1_500, seed=3, end=END)
        with engine.connect() as conn:
            fingerprints.append(conn.execute(sa.text(
                "SELECT r.ticket_key, t.ticket_id, r.happiness, r.communication, r.lost_minutes, r.comment, "
                "r.submitted_at FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
                "ORDER BY r.ticket_key")).all())
    assert fingerprints[0] == fingerprints[1]
    assert len(fingerprints[0]) == 1_500


def test_organisation_shape(warehouse):
    counts = q(warehouse, "SELECT (SELECT count(*) FROM teams) teams, (SELECT count(*) FROM analysts) analysts, "
                          "(SELECT count(*) FROM services) services, (SELECT count(DISTINCT channel) FROM tickets) channels, "
                          "(SELECT count(DISTINCT ticket_type) FROM tickets) types, "
                          "(SELECT count(*) FROM responses) responses, (SELECT count(*) FROM tickets) tickets").row(0, named=True)
    assert (counts["teams"], counts["analysts"], counts["services"], counts["channels"], counts["types"]) == (8, 80, 25, 5, 2)
    assert counts["responses"] == 30_000
    assert 0.15 <= counts["responses"] / counts["tickets"] <= 0.30
    span = q(warehouse, "SELECT min(opened_at) lo, max(submitted_at) hi FROM tickets t JOIN responses r ON r.ticket_key = t.ticket_key").row(0)
    assert (span[1] - span[0]).days >= 3 * 365 - 3 and span[1].date() <= END


def test_weekly_rhythm(warehouse):
    by_dow = q(warehouse, "SELECT dayofweek(opened_at) dow, count(*) n FROM tickets GROUP BY 1")
    weekday = by_dow.filter(pl.col("dow").is_between(1, 5))["n"].mean()
    weekend = by_dow.filter(pl.col("dow").is_in([0, 6]))["n"].mean()
    assert weekend < 0.3 * weekday


def test_each_reassignment_costs_about_seven_points_and_more_lost_time(warehouse):
    by = q(warehouse, f"SELECT least(t.reassignment_count, 3) rc, {HAPPINESS} h, avg(lost_minutes) lost "
                      "FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key GROUP BY 1 ORDER BY 1")
    steps = [by["h"][i] - by["h"][i + 1] for i in range(3)]
    assert all(3 <= s <= 13 for s in steps[:2]), steps
    assert 4 <= sum(steps[:2]) / 2 <= 11
    assert steps[2] > 3  # "3+" holds 3 to 6 reassignments, so its step is larger
    assert by["lost"].is_sorted()


def test_watermelon_green_tickets_still_unhappy(warehouse):
    share = q(warehouse, "SELECT avg(CASE WHEN happiness <= 6 THEN 1.0 ELSE 0.0 END) s FROM responses r "
                         "JOIN tickets t ON t.ticket_key = r.ticket_key WHERE t.sla_met")["s"][0]
    assert share >= 0.08


def test_lost_time_is_heavy_tailed(warehouse):
    lost = q(warehouse, "SELECT lost_minutes FROM responses WHERE lost_minutes IS NOT NULL")["lost_minutes"]
    ordered = lost.sort(descending=True)
    needed = int((ordered.cum_sum() < 0.8 * ordered.sum()).sum()) + 1
    assert 0.09 <= needed / ordered.len() <= 0.18


def test_analysts_differ_and_change_over_time(warehouse):
    per = q(warehouse, "SELECT t.analyst_id, avg(r.resolution) res, count(r.resolution) n FROM responses r "
                       "JOIN tickets t ON t.ticket_key = r.ticket_key GROUP BY 1")
    # Spread between analysts far beyond what sampling noise (~0.1 on these n) would give.
    assert per["res"].std() > 0.25
    halves = q(warehouse, f"SELECT t.analyst_id, r.submitted_at >= TIMESTAMP '2025-05-20' AS late, {HAPPINESS} h "
                          "FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key GROUP BY 1, 2")
    wide = halves.pivot(on="late", index="analyst_id", values="h")
    change = wide["true"] - wide["false"]
    assert (change > 15).sum() >= 5   # clear improvers
    assert (change < -15).sum() >= 5  # clear decliners


def test_self_assessments_show_blind_spots_and_hidden_strengths(warehouse):
    gaps = q(warehouse, """
        WITH latest AS (SELECT analyst_id, max(assessment_id) aid FROM self_assessments GROUP BY 1),
             cust AS (SELECT t.analyst_id, avg(r.communication) c FROM responses r
                      JOIN tickets t ON t.ticket_key = r.ticket_key GROUP BY 1)
        SELECT l.analyst_id, s.rating - cust.c AS gap, cust.c AS customer
        FROM latest l JOIN self_assessment_ratings s ON s.assessment_id = l.aid AND s.dimension = 'communication'
        JOIN cust ON cust.analyst_id = l.analyst_id""")
    assert (gaps["gap"] > 4 / 3).sum() >= 1
    assert (gaps["gap"] < -4 / 3).sum() >= 1
    weak = gaps.filter(pl.col("customer") <= pl.col("customer").quantile(0.33))["gap"].mean()
    strong = gaps.filter(pl.col("customer") >= pl.col("customer").quantile(0.67))["gap"].mean()
    assert weak > 0.5 and strong < weak - 0.5


def test_factors_and_comments_fit_the_score(warehouse):
    polar = q(warehouse, "SELECT f.polarity, min(r.happiness) lo, max(r.happiness) hi FROM response_factors rf "
                         "JOIN factors f ON f.factor_id = rf.factor_id JOIN responses r ON r.ticket_key = rf.ticket_key "
                         "GROUP BY 1 ORDER BY 1")
    assert polar.row(0)[0] == "negative" and polar.row(0)[1] <= 3 and polar.row(0)[2] <= 8
    assert polar.row(1)[0] == "positive" and polar.row(1)[1] >= 7
    reopened = q(warehouse, "SELECT t.reopened, avg(CASE WHEN rf.factor_id IS NULL THEN 0.0 ELSE 1.0 END) s "
                            "FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
                            "LEFT JOIN response_factors rf ON rf.ticket_key = r.ticket_key AND rf.factor_id = 11 "
                            "WHERE r.happiness <= 6 GROUP BY 1 ORDER BY 1")
    assert reopened["s"][1] > 2 * reopened["s"][0]  # "not solved despite closure" follows reopening
    comments = q(warehouse, "SELECT comment FROM responses WHERE comment IS NOT NULL")["comment"]
    for needle in ("<script>", "=HYPERLINK", "\n", ",", '"', "Zoë"):
        assert comments.str.contains(needle, literal=True).any(), needle


def test_demo_users_cover_every_role(warehouse):
    users = q(warehouse, "SELECT u.username, u.password_hash, r.role FROM app_users u "
                         "JOIN user_roles r ON r.user_id = u.user_id")
    by_role = users.group_by("role").len().sort("role")
    assert dict(by_role.iter_rows()) == {"admin": 1, "analyst": 80, "cio": 1, "lead": 8}
    leads_with_team = q(warehouse, "SELECT count(DISTINCT team_id) n FROM user_teams")["n"][0]
    assert leads_with_team == 8
    sample = users.filter(pl.col("username") == "cio")["password_hash"][0]
    assert bcrypt.checkpw(demo.DEMO_PASSWORD.encode(), sample.encode())
    assert not users["password_hash"].str.contains(demo.DEMO_PASSWORD).any()



def test_kudos_are_never_given_after_the_data_ends():
    """A happy answer on the last day gets its kudos that day, not two days in the future."""
    import numpy as np

    from data_access.demo import follow_up

    end_ts = np.datetime64("2026-11-20T23:59:59")
    resp = pl.DataFrame({"ticket_key": [1, 2], "happiness": [10, 9], "comment": ["Great", "Thanks"],
                         "submitted_at": [dt.datetime(2026, 11, 20, 9), dt.datetime(2026, 11, 10, 9)]})

    class Always:  # every answer is picked
        def random(self, n):
            return np.zeros(n)

    given = follow_up.kudos(Always(), resp, np.array([1, 2]), np.array([1, 1]), {1: 7}, end_ts,
                            lead_analyst=np.array([0, 99]))["given_at"]
    assert given.to_list() == [dt.datetime(2026, 11, 20, 23, 59, 59), dt.datetime(2026, 11, 12, 9)]
