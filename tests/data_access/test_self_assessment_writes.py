"""Self-assessment writes and the lead-side shared read: validation, idempotency, sharing, scope."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import streamlit as st

from data_access import schema
from data_access.engine import get_engine
from data_access.scope import Scope, ScopeError
from data_access.self_assessments import shared_self_assessment


@pytest.fixture(autouse=True)
def _fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def test_shared_read_is_for_leads_only(sqlite_demo_url):
    for scope in (Scope("analyst", analyst_id=2, team_ids=(1,)), Scope("cio"), Scope("admin")):
        with pytest.raises(ScopeError):
            shared_self_assessment(scope=scope, analyst_id=2, url=sqlite_demo_url)


def test_shared_read_follows_latest_assessment_and_lead_teams(demo_url):
    engine = get_engine(demo_url)
    sa_t, an = schema.self_assessments, schema.analysts
    with engine.connect() as conn:
        rows = conn.execute(sa.select(sa_t.c.analyst_id, an.c.team_id, sa_t.c.assessment_id,
                                      sa_t.c.submitted_at, sa_t.c.shared_with_lead)
                            .join(an, an.c.analyst_id == sa_t.c.analyst_id)).all()
    latest: dict[int, tuple] = {}
    for analyst_id, team_id, aid, when, shared in rows:
        if analyst_id not in latest or (when, aid) > latest[analyst_id][1:3]:
            latest[analyst_id] = (team_id, when, aid, bool(shared))
    checked = 0
    for analyst_id, (team_id, _, aid, shared) in sorted(latest.items())[:20]:
        own_lead = Scope("lead", team_ids=(team_id,))
        got = shared_self_assessment(scope=own_lead, analyst_id=analyst_id, url=demo_url)
        if shared:
            assert got is not None and got.assessment_id == aid and len(got.ratings) == 10
        else:
            assert got is None
        other_team = 1 if team_id != 1 else 2
        assert shared_self_assessment(scope=Scope("lead", team_ids=(other_team,)),
                                      analyst_id=analyst_id, url=demo_url) is None
        checked += 1
    assert checked == 20
