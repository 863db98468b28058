"""Answered / invited per channel next to responses / closed tickets, hand-computed."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import polars as pl
import pytest

from data_access import schema
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope, ScopeError
from data_access.surveys.rates import channel_rates, channel_rates_query
from metrics.survey_rates import channel_rate_table
from tests.surveys.helpers import NOW, new_ticket, sent_invitation

PERIOD = Filters(dt.date(2026, 11, 1), dt.date(2026, 11, 21))


def _ticket(url, channel, *, invited=False, answered=False, response=False, team_analyst=1):
    key = new_ticket(url, analyst_id=team_analyst)
    with get_engine(url).begin() as conn:
        conn.execute(schema.tickets.update().where(schema.tickets.c.ticket_key == key).values(channel=channel))
        if response or answered:
            conn.execute(schema.responses.insert().values(ticket_key=key, happiness=8, submitted_at=NOW))
    if invited or answered:
        inv, _ = sent_invitation(url, key)
        if answered:
            with get_engine(url).begin() as conn:
                conn.execute(schema.survey_invitations.update()
                             .where(schema.survey_invitations.c.invitation_id == inv).values(state="answered"))
    return key


def test_channel_counts_and_rates(empty_sqlite_url):
    from data_access import catalogue

    url = empty_sqlite_url
    with get_engine(url).begin() as conn:
        catalogue.seed_catalogue(conn)
        conn.execute(schema.teams.insert().values(team_id=1, name="Desk"))
        conn.execute(schema.services.insert().values(service_id=1, name="Printing"))
        conn.execute(schema.analysts.insert().values(analyst_id=1, name="Ann Lee", team_id=1))
    for _ in range(6):
        _ticket(url, "email", invited=True)
    for _ in range(4):
        _ticket(url, "email", answered=True)
    _ticket(url, "email", response=True)          # an imported answer, never invited
    for _ in range(3):
        _ticket(url, "phone", answered=True)
    counts = channel_rates(scope=Scope("cio"), filters=PERIOD, url=url)
    assert counts.rows() == [("email", 11, 5, 10, 4, 1), ("phone", 3, 3, 3, 3, 1)]
    table = channel_rate_table(counts.drop("analysts"), min_n=5)
    email, phone, total = table.iter_rows(named=True)
    assert email["survey_rate"] == pytest.approx(0.4) and email["response_rate"] == pytest.approx(5 / 11)
    assert 0.16 < email["survey_low"] < 0.17 and 0.68 < email["survey_high"] < 0.69  # Wilson 4 of 10
    assert phone["survey_rate"] is None and phone["response_rate"] is None  # 3 < min_n
    assert (total["channel"], total["invited"], total["answered"]) == ("All channels", 13, 7)
    assert total["survey_rate"] == pytest.approx(7 / 13)
    # What the page gets: one analyst behind every ticket, so no channel's figures leave.
    from views.survey_rates import channel_rate_report

    report = channel_rate_report(scope=Scope("cio"), filters=PERIOD, url=url)
    assert [(r["channel"], r["closed"], r["invited"], r["survey_rate"]) for r in report.iter_rows(named=True)][:2] == [
        ("email", 11, None, None), ("phone", 3, None, None)]
    assert "analysts" not in report.columns


def test_a_channel_a_neighbouring_link_would_split_is_withheld(empty_sqlite_url):
    """Team 2 adds two email tickets of one analyst: the email row of the link filtered to team 1
    minus the unfiltered one would be those two tickets, so the filtered link withholds it."""
    from data_access import catalogue
    from views.survey_rates import channel_rate_report

    url = empty_sqlite_url
    with get_engine(url).begin() as conn:
        catalogue.seed_catalogue(conn)
        conn.execute(schema.teams.insert(), [dict(team_id=1, name="Desk"), dict(team_id=2, name="Field")])
        conn.execute(schema.services.insert().values(service_id=1, name="Printing"))
        conn.execute(schema.analysts.insert(), [dict(analyst_id=a, name=f"A{a}", team_id=1 if a <= 3 else 2)
                                                for a in range(1, 7)])
    for i in range(6):
        for channel in ("email", "phone", "portal"):
            _ticket(url, channel, answered=i % 2 == 0, invited=True, team_analyst=1 + i % 3)
    for i in range(2):
        _ticket(url, "email", answered=True, team_analyst=4)
    for i in range(5):
        _ticket(url, "phone", invited=True, team_analyst=4 + i % 3)
    everyone = channel_rate_report(scope=Scope("cio"), filters=PERIOD, url=url)
    assert [(r["channel"], r["closed"], r["invited"], r["answered"]) for r in everyone.iter_rows(named=True)] == [
        ("email", 8, 8, 5), ("phone", 11, 11, 3), ("portal", 6, 6, 3), ("All channels", 25, 25, 11)]
    team_one = channel_rate_report(scope=Scope("cio"), filters=replace(PERIOD, team_ids=(1,)), url=url)
    # Email is split (2 tickets of one analyst); phone, the first of the smallest shown rows, goes
    # with it (complementary: the total shows 9 answered of 18).
    assert [(r["channel"], r["closed"], r["invited"], r["answered"]) for r in team_one.iter_rows(named=True)] == [
        ("email", 6, None, None), ("phone", 6, None, None), ("portal", 6, 6, 3), ("All channels", 18, 18, 9)]


def test_scope_is_enforced_in_sql():
    with pytest.raises(ScopeError):
        channel_rates_query(scope=Scope("analyst", analyst_id=1, team_ids=(1,)), filters=PERIOD)
    sql = str(channel_rates_query(scope=Scope("lead", team_ids=(2,)), filters=PERIOD)
              .compile(compile_kwargs={"literal_binds": True}))
    assert "analysts.team_id IN (2)" in sql  # a lead sees the analysts whose home team they lead


def test_empty_counts_give_only_an_empty_total():
    empty = pl.DataFrame(schema={"channel": pl.String, "closed": pl.Int64, "responses": pl.Int64,
                                 "invited": pl.Int64, "answered": pl.Int64})
    table = channel_rate_table(empty, min_n=5)
    assert table.rows() == [("All channels", 0, 0, 0, 0, None, None, None, None, None, None)]


def test_the_cio_page_shows_the_survey_rate_table_on_the_demo(notify_db, monkeypatch):
    from pathlib import Path

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from components.viewer import Viewer

    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", notify_db)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-20")
    st.cache_data.clear()
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "pages" / "culture_trends.py"),
                           default_timeout=90)
    at.session_state["viewer"] = Viewer(user_id=1, username="cio", display_name="CIO", roles=("cio",))
    at.run()
    assert not at.exception
    assert "Survey response rate" in [s.value for s in at.subheader]
    from components.survey_rates import _count
    from views.survey_rates import channel_rate_report

    expected = channel_rate_report(scope=Scope("cio"), filters=_page_filters(), url=notify_db)
    # Walk-in tickets come 3 to 8 a week: a link one week shorter would split a few of them off, so
    # walk-in keeps only its closed tickets, and chat (the next smallest) goes with it (complementary).
    withheld = expected.filter(pl.col("invited").is_null())["channel"].to_list()
    assert withheld == ["chat", "walk_in"]
    shown = next(d.value for d in at.dataframe if "Answered / invited" in d.value.columns)
    assert list(shown.columns) == ["Channel", "Invited", "Answered", "Answered / invited", "Closed tickets",
                                   "Responses", "Responses / closed"]  # the new rate next to the old
    assert list(shown["Channel"])[-1] == "All channels"
    assert list(shown["Invited"]) == [_count(v) for v in expected["invited"].to_list()]
    assert list(shown["Answered"]) == [_count(v) for v in expected["answered"].to_list()]
    total = expected.row(-1, named=True)
    assert list(shown["Answered / invited"])[-1].startswith(f"{100 * total['survey_rate']:.0f}% (")


def _page_filters() -> Filters:
    # The page's default preset: the last 12 months in whole weeks, up to the last full one
    # (Monday 2025-12-01 .. Sunday 2026-11-15 inclusive; 2026-11-20 is in the open week).
    return Filters(dt.date(2025, 12, 1), dt.date(2026, 11, 16))


def test_counts_match_the_raw_rows_on_postgresql(notify_pg_db):
    import sqlalchemy as sa

    T, R, SI = schema.tickets, schema.responses, schema.survey_invitations
    period = Filters(dt.date(2026, 9, 1), dt.date(2026, 11, 21))
    with get_engine(notify_pg_db).connect() as conn:
        rows = conn.execute(sa.select(T.c.channel, R.c.ticket_key, SI.c.sent_at, SI.c.state)
                            .select_from(T.outerjoin(R, R.c.ticket_key == T.c.ticket_key)
                                         .outerjoin(SI, SI.c.ticket_key == T.c.ticket_key))
                            .where(T.c.resolved_at >= dt.datetime(2026, 9, 1),
                                   T.c.resolved_at < dt.datetime(2026, 11, 21))).all()
    expected: dict[str, list[int]] = {}
    for channel, answer, sent, state in rows:
        c = expected.setdefault(channel, [0, 0, 0, 0])
        c[0] += 1
        c[1] += answer is not None
        c[2] += sent is not None
        c[3] += sent is not None and state == "answered"
    counts = channel_rates(scope=Scope("cio"), filters=period, url=notify_pg_db)
    assert {r[0]: list(r[1:5]) for r in counts.rows()} == expected
    assert sum(v[2] for v in expected.values()) > 100  # the demo invited plenty in this period


def test_a_channel_link_holding_part_of_the_hidden_rows_is_withheld(empty_sqlite_url):
    """Chat has 2 tickets of one analyst: the unfiltered table hides it and portal (6 tickets, the
    smallest other row) with it. A link on portal alone would show portal's 6 invited / 3 answered,
    and the unfiltered total minus email, phone and portal gives chat away: its whole table is
    withheld. A link on chat and portal holds the whole hidden pair and hides both rows itself (its
    total too: without chat it would be the portal link, two tickets less). Email holds none of it."""
    from data_access import catalogue
    from views.survey_rates import channel_rate_report

    url = empty_sqlite_url
    with get_engine(url).begin() as conn:
        catalogue.seed_catalogue(conn)
        conn.execute(schema.teams.insert().values(team_id=1, name="Desk"))
        conn.execute(schema.services.insert().values(service_id=1, name="Printing"))
        conn.execute(schema.analysts.insert(), [dict(analyst_id=a, name=f"A{a}", team_id=1) for a in (1, 2, 3)])
    for i in range(6):
        for channel in ("email", "phone", "portal"):
            _ticket(url, channel, answered=i % 2 == 0, invited=True, team_analyst=1 + i % 3)
    _ticket(url, "email", invited=True, team_analyst=1)
    _ticket(url, "phone", invited=True, team_analyst=2)
    for _ in range(2):
        _ticket(url, "chat", answered=True, team_analyst=1)
    rows = lambda report: [(r["channel"], r["closed"], r["invited"], r["answered"])  # noqa: E731
                           for r in report.iter_rows(named=True)]
    everyone = channel_rate_report(scope=Scope("cio"), filters=PERIOD, url=url)
    assert rows(everyone) == [("chat", 2, None, None), ("email", 7, 7, 3), ("phone", 7, 7, 3),
                              ("portal", 6, None, None), ("All channels", 22, 22, 11)]
    portal = channel_rate_report(scope=Scope("cio"), filters=replace(PERIOD, channels=("portal",)), url=url)
    assert rows(portal) == [("portal", 6, None, None), ("All channels", 6, None, None)]
    both = channel_rate_report(scope=Scope("cio"), filters=replace(PERIOD, channels=("chat", "portal")), url=url)
    assert rows(both) == [("chat", 2, None, None), ("portal", 6, None, None), ("All channels", 8, None, None)]
    email = channel_rate_report(scope=Scope("cio"), filters=replace(PERIOD, channels=("email",)), url=url)
    assert rows(email) == [("email", 7, 7, 3), ("All channels", 7, 7, 3)]
