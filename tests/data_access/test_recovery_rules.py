"""The recovery rules of data_access/recovery.py: the vectorised and SQL forms agree with `due_at`."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from data_access import recovery

# Every 37 minutes over three weeks: every weekday, weekend and time of day is hit.
START = dt.datetime(2026, 11, 2, 0, 0)  # a Monday
MOMENTS = [START + dt.timedelta(minutes=37 * i) for i in range(3 * 7 * 24 * 60 // 37)]


def test_due_at_hand_computed():
    friday_evening = dt.datetime(2026, 11, 20, 18, 0)
    assert recovery.due_at(friday_evening, 24) == dt.datetime(2026, 11, 23, 18, 0)  # Sat → Mon, same time
    assert recovery.due_at(friday_evening, 8) == dt.datetime(2026, 11, 23, 2, 0)   # Sat 02:00 → Mon 02:00
    assert recovery.due_at(dt.datetime(2026, 11, 21, 1, 0), 24) == dt.datetime(2026, 11, 23, 1, 0)  # Sun → Mon
    assert recovery.due_at(dt.datetime(2026, 11, 18, 9, 30), 24) == dt.datetime(2026, 11, 19, 9, 30)


@pytest.mark.parametrize("hours", [1, 8, 24, 60])
def test_due_at_expr_matches_due_at(hours):
    frame = pl.DataFrame({"submitted_at": MOMENTS}, schema={"submitted_at": pl.Datetime("us")})
    got = frame.select(recovery.due_at_expr(pl.col("submitted_at"), hours).alias("due"))["due"].to_list()
    assert got == [recovery.due_at(m, hours) for m in MOMENTS]


@pytest.mark.parametrize("hours", [8, 24])
@pytest.mark.parametrize("now", [dt.datetime(2026, 11, 21, 13, 5),   # Saturday
                                 dt.datetime(2026, 11, 22, 23, 59),  # Sunday night
                                 dt.datetime(2026, 11, 23, 0, 0),    # Monday midnight
                                 dt.datetime(2026, 11, 23, 10, 0),   # Monday morning
                                 dt.datetime(2026, 11, 24, 7, 0),    # Tuesday
                                 dt.datetime(2026, 11, 19, 12, 0)])  # Thursday
def test_overdue_condition_matches_due_at(hours, now):
    """The SQL condition selects exactly the answers whose due time has passed at `now`."""
    engine = sa.create_engine("sqlite://")
    meta = sa.MetaData()
    table = sa.Table("r", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("submitted_at", sa.DateTime))
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"id": i, "submitted_at": m} for i, m in enumerate(MOMENTS)])
        got = {r[0] for r in conn.execute(sa.select(table.c.id).where(
            recovery.overdue_condition(table.c.submitted_at, now, hours)))}
    expected = {i for i, m in enumerate(MOMENTS) if recovery.due_at(m, hours) < now}
    assert got == expected and expected


def test_wording():
    now = dt.datetime(2026, 11, 23, 12, 0)
    due = dt.datetime(2026, 11, 23, 9, 30)
    assert recovery.lead_status_text(due_at=due, first_contact_at=None, resolved_at=None, outcome=None,
                                     now=now) == "OVERDUE since Mon 23 Nov 09:30"
    assert recovery.lead_status_text(due_at=due, first_contact_at=None, resolved_at=None, outcome=None,
                                     now=due) == "call back by Mon 23 Nov 09:30"
    assert recovery.lead_status_text(due_at=due, first_contact_at=now, resolved_at=now, outcome="recovered",
                                     now=now) == "recovery closed: recovered"
    frame = pl.DataFrame({"due_at": [due, due, dt.datetime(2026, 11, 24)], "first_contact_at": [now, None, None]})
    assert frame.select(recovery.analyst_status_expr(now))["literal"].to_list() == [
        "contacted, not closed yet", "waiting for first contact (past due)", "waiting for first contact"]


@pytest.mark.parametrize("hours", [8, 24])
def test_demo_generator_uses_the_same_due_rule(hours):
    """The demo keeps a vectorised copy for speed; it must agree with `recovery.due_at` exactly."""
    from data_access.demo import due_times
    import numpy as np

    stamps = np.array(MOMENTS, dtype="datetime64[s]")
    got = [dt.datetime.fromisoformat(str(v)) for v in due_times(stamps, hours)]
    assert got == [recovery.due_at(m, hours) for m in MOMENTS]
