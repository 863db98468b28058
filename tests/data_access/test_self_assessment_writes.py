"""Self-assessment writes and the lead-side shared read: validation, idempotency, sharing, scope."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
import streamlit as st

from data_access import schema
from data_access.engine import get_engine
from data_access.scope import Scope, ScopeError
from data_access.self_assessments import shared_self_assessment
from data_access.writes import InvalidInput
from data_access.writes.self_assessment import (
    NOTE_MAX_CHARS,
    SelfAssessmentInvalid,
    set_sharing,
    submit_self_assessment,
)


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


# --- writes -----------------------------------------------------------------------------------------

FULL = {d: 3 for d in schema.ASSESSMENT_DIMENSIONS}


def _own(analyst_id: int = 2, team_id: int = 1) -> Scope:
    return Scope("analyst", analyst_id=analyst_id, team_ids=(team_id,))


@pytest.fixture
def warehouse(empty_url) -> str:
    """A private warehouse with team 1 (analysts 1–3; 1 leads) and team 2 (analyst 9)."""
    with get_engine(empty_url).begin() as conn:
        conn.execute(schema.teams.insert(), [dict(team_id=1, name="North"), dict(team_id=2, name="South")])
        conn.execute(schema.analysts.insert(), [dict(analyst_id=a, name=f"A{a}", team_id=t)
                                                for a, t in ((1, 1), (2, 1), (3, 1), (9, 2))])
    return empty_url


def _count(url: str, analyst_id: int) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(schema.self_assessments)
                            .where(schema.self_assessments.c.analyst_id == analyst_id)).scalar_one()


@pytest.mark.parametrize("bad, message", [
    ({k: v for k, v in FULL.items() if k != "teamwork"}, "Please answer every item — still open: Teamwork."),
    (dict(FULL, resolution=None), "still open: Resolution"),
    (dict(FULL, resolution=0), "Resolution: please choose a whole number from 1 to 5."),
    (dict(FULL, resolution=6), "Resolution: please choose a whole number from 1 to 5."),
    (dict(FULL, resolution=2.5), "Resolution: please choose a whole number from 1 to 5."),
    (dict(FULL, resolution="3"), "Resolution: please choose a whole number from 1 to 5."),
    (dict(FULL, resolution=True), "Resolution: please choose a whole number from 1 to 5."),
    (dict(FULL, charm=5), "Unknown item(s): charm."),
])
def test_invalid_ratings_are_refused_with_clear_messages(warehouse, bad, message):
    with pytest.raises(SelfAssessmentInvalid) as caught:
        submit_self_assessment(scope=_own(), ratings=bad, note=None, submission_token="tok", url=warehouse)
    assert any(message in p for p in caught.value.problems)
    assert isinstance(caught.value, InvalidInput)
    assert _count(warehouse, 2) == 0


def test_note_length_limit(warehouse):
    with pytest.raises(SelfAssessmentInvalid) as caught:
        submit_self_assessment(scope=_own(), ratings=FULL, note="x" * (NOTE_MAX_CHARS + 1),
                               submission_token="long", url=warehouse)
    assert "keep it to 1,000" in str(caught.value)
    # Exactly at the limit is fine, surrounding spaces do not count, a blank note is stored as none.
    first = submit_self_assessment(scope=_own(), ratings=FULL, note="  " + "y" * NOTE_MAX_CHARS + " ",
                                   submission_token="exact", url=warehouse)
    second = submit_self_assessment(scope=_own(), ratings=FULL, note="   ", submission_token="blank",
                                    url=warehouse)
    with get_engine(warehouse).connect() as conn:
        notes = dict(conn.execute(sa.select(schema.self_assessments.c.assessment_id,
                                            schema.self_assessments.c.note)).all())
    assert notes[first] == "y" * NOTE_MAX_CHARS and notes[second] is None


def test_double_submit_with_the_same_token_creates_one_record(warehouse):
    first = submit_self_assessment(scope=_own(), ratings=FULL, note="n", submission_token="same", url=warehouse)
    again = submit_self_assessment(scope=_own(), ratings=FULL, note="n", submission_token="same", url=warehouse)
    assert first == again and _count(warehouse, 2) == 1
    other = submit_self_assessment(scope=_own(), ratings=dict(FULL, teamwork=5), note=None,
                                   submission_token="next", url=warehouse)
    assert other != first and _count(warehouse, 2) == 2
    with get_engine(warehouse).connect() as conn:
        ratings = conn.execute(sa.select(sa.func.count()).select_from(schema.self_assessment_ratings)).scalar_one()
    assert ratings == 20


def test_concurrent_double_submit_lands_once(warehouse):
    ids, errors = [], []

    def submit():
        try:
            ids.append(submit_self_assessment(scope=_own(), ratings=FULL, note=None,
                                              submission_token="race", url=warehouse))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(ids)) == 1 and _count(warehouse, 2) == 1


def test_a_token_of_another_analyst_is_not_theirs(warehouse):
    submit_self_assessment(scope=_own(2), ratings=FULL, note=None, submission_token="mine", url=warehouse)
    with pytest.raises(InvalidInput):
        submit_self_assessment(scope=_own(3), ratings=FULL, note=None, submission_token="mine", url=warehouse)
    assert _count(warehouse, 3) == 0


@pytest.mark.parametrize("scope", [Scope("lead", team_ids=(1,)), Scope("cio"), Scope("admin")])
def test_writes_refuse_other_roles(warehouse, scope):
    with pytest.raises(ScopeError):
        submit_self_assessment(scope=scope, ratings=FULL, note=None, submission_token="x", url=warehouse)
    with pytest.raises(ScopeError):
        set_sharing(scope=scope, shared=True, url=warehouse)


def test_sharing_on_and_off_is_what_the_lead_sees(warehouse):
    lead, other_lead = Scope("lead", team_ids=(1,)), Scope("lead", team_ids=(2,))
    assert set_sharing(scope=_own(), shared=True, url=warehouse) is None      # nothing to share yet
    older = submit_self_assessment(scope=_own(), ratings=FULL, note="old", submission_token="a", url=warehouse)
    assert shared_self_assessment(scope=lead, analyst_id=2, url=warehouse) is None   # private by default
    assert set_sharing(scope=_own(), shared=True, url=warehouse) == older
    seen = shared_self_assessment(scope=lead, analyst_id=2, url=warehouse)
    assert seen.assessment_id == older and seen.note == "old" and seen.ratings == FULL
    assert shared_self_assessment(scope=other_lead, analyst_id=2, url=warehouse) is None
    # A newer assessment keeps the sharing choice: the lead now sees the newer one, not a blank.
    newer = submit_self_assessment(scope=_own(), ratings=dict(FULL, teamwork=4), note="new",
                                   submission_token="b", url=warehouse)
    assert shared_self_assessment(scope=lead, analyst_id=2, url=warehouse).assessment_id == newer
    assert shared_self_assessment(scope=lead, analyst_id=2, url=warehouse).ratings["teamwork"] == 4
    assert set_sharing(scope=_own(), shared=True, url=warehouse) == newer
    # Private stays private: after switching off, the next submission is private too.
    set_sharing(scope=_own(), shared=False, url=warehouse)
    newest = submit_self_assessment(scope=_own(), ratings=FULL, note=None, submission_token="b2", url=warehouse)
    assert shared_self_assessment(scope=lead, analyst_id=2, url=warehouse) is None
    assert set_sharing(scope=_own(), shared=True, url=warehouse) == newest
    # Stopping withdraws everything, and only the analyst's own rows are touched.
    submit_self_assessment(scope=_own(3), ratings=FULL, note=None, submission_token="c", url=warehouse)
    set_sharing(scope=_own(3), shared=True, url=warehouse)
    set_sharing(scope=_own(), shared=False, url=warehouse)
    assert shared_self_assessment(scope=lead, analyst_id=2, url=warehouse) is None
    with get_engine(warehouse).connect() as conn:
        shared = dict(conn.execute(sa.select(schema.self_assessments.c.analyst_id,
                                             schema.self_assessments.c.shared_with_lead)
                                   .where(schema.self_assessments.c.shared_with_lead.is_(True))).all())
    assert shared == {3: True}
