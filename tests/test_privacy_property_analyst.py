"""Property-based privacy suite for the analyst's My feedback page (issue 12, the analyst role):
random small teams × random monthly volumes, including tickets assigned to another team, on
SQLite and PostgreSQL.

What the page sends to the browser is read from AppTest (every chart's data) and checked against
the generated rows, worked out here in plain Python:

- the trend's team band for a month exists only when at least `min_colleagues` colleagues of the
  analyst's HOME team had `min_responses` answers that month, and it is whole points;
- no chart data carries a row per colleague, an analyst id or a name;
- the period spread (quartile bar) and the team's CARE means never appear when fewer than
  `min_colleagues` colleagues have enough answers in the whole warehouse.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
import streamlit as st
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

from components.viewer import Viewer
from data_access import catalogue, schema
from data_access.engine import get_engine

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "my_feedback.py")
TODAY = dt.date(2026, 11, 20)
MONTHS = (dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1))
ME = 1                       # the analyst looking, home team 1
MIN_RESPONSES, MIN_COLLEAGUES = 5, 5
BAND = ("band_low", "band_mid", "band_high")
FORBIDDEN_COLUMNS = {"analyst_id", "analyst", "colleague", "colleagues", "band_analysts"}


@hs.composite
def teams_strategy(draw) -> dict:
    """A seed drives a plain generator: 2–8 colleagues in team 1, 0–4 analysts in team 2, each
    with 0–9 answers per month; some tickets of team 1's people are assigned to team 2 and back."""
    rnd = random.Random(draw(hs.integers(0, 2 ** 32)))
    colleagues = rnd.randint(2, 8)
    others = rnd.randint(0, 4)
    people = {ME: 1} | {ME + i: 1 for i in range(1, colleagues + 1)} \
        | {100 + i: 2 for i in range(others)}
    volumes = {(a, m): rnd.choice((0, 2, 4, 5, 6, 9)) for a in people for m in range(len(MONTHS))}
    cross = rnd.random() < 0.5
    return {"people": people, "volumes": volumes, "cross": cross, "seed": rnd.randint(0, 10 ** 6)}


def _fill(url: str, world: dict) -> None:
    rnd = random.Random(world["seed"])
    engine = get_engine(url)
    with engine.begin() as conn:
        for table in (schema.response_factors, schema.responses, schema.tickets, schema.analysts,
                      schema.teams, schema.services):
            conn.execute(table.delete())
        if conn.execute(schema.factors.select().limit(1)).first() is None:
            catalogue.seed_catalogue(conn)
        conn.execute(schema.teams.insert(), [dict(team_id=1, name="North"), dict(team_id=2, name="South")])
        conn.execute(schema.services.insert(), [dict(service_id=1, name="Email")])
        conn.execute(schema.analysts.insert(), [dict(analyst_id=a, name=f"Person {a}", team_id=t)
                                                for a, t in world["people"].items()])
        tickets, responses, key = [], [], 0
        for (analyst, month), count in sorted(world["volumes"].items()):
            for i in range(count):
                key += 1
                when = dt.datetime.combine(MONTHS[month] + dt.timedelta(days=i), dt.time(10))
                home = world["people"][analyst]
                # Assignment groups do not decide who is whose colleague: flip some of them.
                team = (3 - home) if world["cross"] and key % 3 == 0 else home
                tickets.append(dict(ticket_key=key, ticket_id=f"T{key}", ticket_type="incident", channel="email",
                                    service_id=1, priority=3, opened_at=when - dt.timedelta(hours=2),
                                    resolved_at=when, analyst_id=analyst, team_id=team, sla_met=True))
                responses.append(dict(ticket_key=key, happiness=rnd.randint(0, 10),
                                      submitted_at=when + dt.timedelta(hours=1)))
        if tickets:
            conn.execute(schema.tickets.insert(), tickets)
            conn.execute(schema.responses.insert(), responses)


def _qualified_colleagues(world: dict, month: int | None) -> int:
    """Colleagues of my home team (not me) with enough answers in `month` (None: all data)."""
    counts: Counter = Counter()
    for (analyst, m), count in world["volumes"].items():
        if analyst != ME and world["people"][analyst] == 1 and (month is None or m == month):
            counts[analyst] += count
    return sum(1 for c in counts.values() if c >= MIN_RESPONSES)


def _charts(url: str, monkeypatch) -> list[pa.Table]:
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY.isoformat())
    monkeypatch.setenv("SERVICE_PULSE_ROLLUPS", "off")  # rows are written directly, without upkeep
    st.cache_data.clear()
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["viewer"] = Viewer(user_id=7, username="me", display_name="Me", roles=("analyst",),
                                        analyst_id=ME, own_team_id=1, team_name="North")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return [pa.ipc.open_stream(e.proto.data.data).read_all() for e in at.get("vega_lite_chart")
            if e.proto.data.data]


def _check(world: dict, charts: list[pa.Table]) -> None:
    people = {f"Person {a}" for a in world["people"]}
    for data in charts:
        assert not FORBIDDEN_COLUMNS & set(data.column_names), data.column_names
        cells = {v for column in data.columns for v in column.to_pylist() if isinstance(v, str)}
        assert not cells & people  # no colleague (nor the analyst) is named in chart data
    trend = next((d for d in charts if "own_happiness" in d.column_names), None)
    if trend is not None:
        assert trend.num_rows <= 13  # one row per month, never one per colleague
        for row in trend.to_pylist():
            month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
            index = MONTHS.index(month) if month in MONTHS else None
            enough = index is not None and _qualified_colleagues(world, index) >= MIN_COLLEAGUES
            values = [row[c] for c in BAND]
            if enough:
                assert all(v is not None and float(v).is_integer() for v in values), row
            else:
                assert values == [None, None, None], row
    if _qualified_colleagues(world, None) < MIN_COLLEAGUES:
        assert not [d for d in charts if "p25" in d.column_names]
        for data in charts:
            if "team_mean" in data.column_names:  # the CARE profile's grey tick
                assert data.column("team_mean").null_count == data.num_rows


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=teams_strategy())
def test_my_feedback_never_shows_colleagues_below_the_minimum(backend, world, request, monkeypatch):
    url = request.getfixturevalue(f"empty_{backend}_url")
    _fill(url, world)
    _check(world, _charts(url, monkeypatch))
