"""The one who-may-see-whom rule (data_access/scoping.py): its SQL, and that lead reads use it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from data_access import schema, scoping
from data_access.scope import Scope, ScopeError

ROOT = Path(__file__).resolve().parents[2]
LEAD_MODULES = ["data_access/coaching.py", "data_access/coaching_analyst.py", "data_access/notify_reads.py", "data_access/writes/coaching.py",
                "data_access/self_assessments.py", "data_access/stats.py",
                "data_access/my_feedback.py"]


def _sql(clause) -> str:
    return str(clause.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


def test_lead_sees_is_the_analysts_home_team():
    got = _sql(scoping.lead_sees(Scope("lead", team_ids=(4, 2)), schema.tickets.c.analyst_id))
    assert got == ("tickets.analyst_id IN (SELECT analysts.analyst_id \nFROM analysts \n"
                   "WHERE analysts.team_id IN (2, 4))")


@pytest.mark.parametrize("scope", [Scope("cio"), Scope("admin"), Scope("analyst", analyst_id=3, team_ids=(1,))])
def test_lead_sees_refuses_other_roles(scope):
    with pytest.raises(ScopeError):
        scoping.lead_sees(scope, schema.tickets.c.analyst_id)


def test_ticket_scope_per_role():
    T = schema.tickets
    lead = _sql(sa.and_(*scoping.ticket_scope(Scope("lead", team_ids=(2,)))))
    assert "tickets.analyst_id IN (SELECT analysts.analyst_id" in lead and "tickets.team_id" not in lead
    colleagues = _sql(sa.and_(*scoping.ticket_scope(Scope("analyst", analyst_id=3, team_ids=(2,)), own_only=False)))
    assert "analysts.team_id IN (2)" in colleagues and "tickets.team_id" not in colleagues
    assert _sql(sa.and_(*scoping.ticket_scope(Scope("analyst", analyst_id=3, team_ids=(2,))))) == \
        "tickets.analyst_id = 3"
    # The CIO's team figures keep the ticket's assignment group (documented in scoping.py).
    assert _sql(sa.and_(*scoping.ticket_scope(Scope("cio", team_ids=(2,)), T))) == "tickets.team_id IN (2)"
    with pytest.raises(ScopeError):
        scoping.ticket_scope(Scope("admin"))


def test_within_team_only_narrows():
    lead = Scope("lead", team_ids=(1, 2))
    assert scoping.within_team(lead, 2) == Scope("lead", team_ids=(2,))
    with pytest.raises(ScopeError):
        scoping.within_team(lead, 3)
    with pytest.raises(ScopeError):
        scoping.within_team(Scope("cio"), 1)


@pytest.mark.parametrize("module", LEAD_MODULES)
def test_no_lead_read_or_write_filters_people_by_team_itself(module):
    """Every lead read and write goes through scoping (lead_sees / lead_coaches / ticket_scope /
    coached_tickets / home_team_members):
    no module compares a team column with the scope's teams on its own, which is how the
    ticket-team leak of issue 12 (class 4) crept in."""
    source = (ROOT / module).read_text()
    own_rule = re.findall(r"(?:T|A|K|N|tickets|analysts|kudos)\.c\.team_id\.in_\(scope\.team_ids\)", source)
    assert own_rule == []
    assert re.search(r"from data_access\.scoping import .*(lead_sees|lead_coaches|ticket_scope|coached_tickets|home_team_members)",
                     source)


def test_a_lead_coaches_their_teams_less_themself():
    """A lead who is also an analyst of a team they lead is in its figures, not among those they coach."""
    working_lead = Scope("lead", analyst_id=7, team_ids=(4, 2))
    assert _sql(scoping.lead_sees(working_lead, schema.tickets.c.analyst_id)) == _sql(
        scoping.lead_sees(Scope("lead", team_ids=(2, 4)), schema.tickets.c.analyst_id))
    assert _sql(scoping.lead_coaches(working_lead, schema.tickets.c.analyst_id)) == (
        "tickets.analyst_id IN (SELECT analysts.analyst_id \nFROM analysts \n"
        "WHERE analysts.team_id IN (2, 4)) AND tickets.analyst_id != 7")
    assert _sql(sa.and_(*scoping.coached_tickets(working_lead))).endswith("AND tickets.analyst_id != 7")
    assert _sql(scoping.lead_coaches(Scope("lead", team_ids=(2,)), schema.kudos.c.analyst_id)) == (
        "kudos.analyst_id IN (SELECT analysts.analyst_id \nFROM analysts \nWHERE analysts.team_id IN (2))")
    assert scoping.within_team(working_lead, 2) == Scope("lead", analyst_id=7, team_ids=(2,))
    for other in (Scope("cio"), Scope("analyst", analyst_id=7, team_ids=(2,))):
        with pytest.raises(ScopeError):
            scoping.lead_coaches(other, schema.tickets.c.analyst_id)


def test_home_team_grain_runs_on_duckdb(tmp_path):
    """The digest's per-team lines group a lead's responses by the analyst's home team."""
    import datetime as dt

    import streamlit as st

    from data_access import demo, stats
    from data_access.engine import get_engine
    from data_access.filters import Filters

    url = f"duckdb:///{tmp_path / 'scoping.duckdb'}"
    demo.generate(get_engine(url), responses=600, seed=7, end=dt.date(2026, 11, 20))
    st.cache_data.clear()
    lead = Scope("lead", team_ids=(1, 2))
    year = Filters(dt.date(2025, 11, 21), dt.date(2026, 11, 21))
    by_team = stats.response_stats(scope=lead, filters=year, by=("home_team_id",), url=url)
    total = stats.response_stats(scope=lead, filters=year, url=url)
    assert by_team["home_team_id"].to_list() == [1, 2]
    assert by_team["n"].sum() == total["n"][0] > 0
    tickets = stats.ticket_stats(scope=lead, filters=year, by=("home_team_id",), url=url)
    assert tickets["home_team_id"].to_list() == [1, 2]
    get_engine(url).dispose()
    st.cache_data.clear()
