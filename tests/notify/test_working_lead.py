"""A lead who also works tickets in a team they lead never coaches themself (docs/PRIVACY.md).

Team 1 of the demo is led by its first analyst, who works tickets like everyone else. Here a
second lead (a co-lead) leads it too. The first lead must not see themself on Coaching (roster,
one analyst's figures, verbatims, notes a co-lead wrote about them, their kudos, their recovery
items), nor act on their own feedback (notes, kudos, recovery actions), nor be sent it by alert
or digest; the co-lead does all of that for them. Team figures still count their answers.
Written as an insider would try it: forged ids, a note id guessed from the co-lead's, the deep
link to themself, the alert run.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from cli import main
from components.viewer import Viewer
from data_access import coaching, coaching_analyst, notify_reads, schema, stats
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope, ScopeError
from data_access.scoping import SELF_COACHING
from data_access.self_assessments import shared_self_assessment
from data_access.writes import users as user_writes
from data_access.writes.coaching import add_note, edit_note, give_kudos, record_recovery_action, share_note
from data_access.writes.self_assessment import set_sharing, submit_self_assessment
from notify.config import notify_settings
from notify.digest import lead_weekly_digest
from tests.notify.conftest import TODAY, add_response, lead_of_team
from tests.notify.test_who_sees_whom import NOW, _sql
from tests.pages.test_coaching import PAGE

TEAM = 1
WEEK = Filters(dt.date(2026, 11, 14), TODAY + dt.timedelta(days=1))


@pytest.fixture
def team(notify_db):
    """Team 1 with its working lead, a co-lead (no analyst record) and one unhappy and one happy
    answer about the working lead this week."""
    url = notify_db
    lead = lead_of_team(url, TEAM)
    co_user = user_writes.add_user(scope=Scope("admin"), username="co.lead", display_name="Cora Colead",
                                   password="a-long-test-password-1", roles=("lead",), team_ids=(TEAM,),
                                   email="cora@example.com", url=url)
    own = lead["analyst_id"]
    bad_key, bad_id = add_response(url, analyst_id=own, happiness=1, comment="The lead's own unhappy customer",
                                   submitted_at=dt.datetime(2026, 11, 20, 9, 30))
    good_key, good_id = add_response(url, analyst_id=own, happiness=10, comment="The lead's own fan",
                                     submitted_at=dt.datetime(2026, 11, 20, 9, 0))
    (other,), = _sql(url, "SELECT analyst_id FROM analysts WHERE team_id = :t AND active AND analyst_id <> :a "
                          "ORDER BY analyst_id LIMIT 1", t=TEAM, a=own)
    st.cache_data.clear()
    return dict(url=url, lead=lead, own=own, other=other, co_user=co_user,
                me=Scope("lead", analyst_id=own, team_ids=(TEAM,)), co=Scope("lead", team_ids=(TEAM,)),
                bad_key=bad_key, bad_id=bad_id, good_key=good_key, good_id=good_id)


def _queue(url, scope) -> list[int]:
    frame, _, _ = coaching.recovery_queue(scope=scope, threshold=6, since=None, now=NOW, target_hours=24,
                                          page_size=1000, url=url)
    return frame["ticket_key"].to_list()


def test_the_viewer_and_the_mail_recipient_carry_the_leads_own_record(team):
    lead = team["lead"]
    viewer = Viewer(user_id=lead["user_id"], username=lead["username"], display_name=lead["display_name"],
                    roles=("analyst", "lead"), analyst_id=team["own"], lead_team_ids=(TEAM,), own_team_id=TEAM)
    assert viewer.scope("lead") == team["me"]
    by_user = {r.user_id: r for r in notify_reads.recipients("lead", url=team["url"])}
    assert by_user[lead["user_id"]].scope("lead") == team["me"]
    assert by_user[team["co_user"]].scope("lead") == team["co"]


def test_named_reads_leave_the_lead_out_and_the_co_lead_in(team):
    url, me, co, own = team["url"], team["me"], team["co"], team["own"]
    assert own not in coaching.team_roster(scope=me, url=url)["analyst_id"].to_list()
    assert team["other"] in coaching.team_roster(scope=me, url=url)["analyst_id"].to_list()
    assert own in coaching.team_roster(scope=co, url=url)["analyst_id"].to_list()
    with pytest.raises(ScopeError, match="This is about you"):
        coaching.check_analyst(me, own, url)
    assert coaching.check_analyst(co, own, url)["analyst_id"] == own
    # Forged: every named reader refuses the lead's own id before any SQL (`coaching.named_read`),
    # and its SQL leaves the lead out as well.
    forged = [lambda: coaching_analyst.verbatims(scope=me, analyst_id=own, filters=WEEK, url=url),
              lambda: coaching_analyst.factor_evidence(scope=me, analyst_id=own, filters=WEEK, url=url),
              lambda: coaching_analyst.unhappy_context(scope=me, analyst_id=own, filters=WEEK, url=url),
              lambda: coaching_analyst.factor_counts(scope=me, analyst_id=own, team_id=TEAM, filters=WEEK, url=url),
              lambda: coaching.coaching_notes(scope=me, analyst_id=own, url=url),
              lambda: coaching.kudos_received(scope=me, analyst_id=own, url=url)]
    for read in forged:
        with pytest.raises(ScopeError, match="This is about you"):
            read()
    query = coaching_analyst.verbatims_query(scope=me, analyst_id=own, filters=WEEK,
                                             vf=coaching_analyst.VerbatimFilter(), limit=50, offset=0)
    with get_engine(url).connect() as conn:
        assert conn.execute(query).all() == []
    rows, total = coaching_analyst.verbatims(scope=co, analyst_id=own, filters=WEEK, url=url)
    assert total == 2 and set(rows["ticket_id"].to_list()) == {team["bad_id"], team["good_id"]}


def test_team_figures_still_count_the_leads_answers(team):
    url = team["url"]
    mine = stats.response_stats(scope=team["me"], filters=WEEK, url=url)
    theirs = stats.response_stats(scope=team["co"], filters=WEEK, url=url)
    assert mine.row(0, named=True) == theirs.row(0, named=True)
    assert mine["n"][0] >= 2


def test_notes_about_the_lead_stay_with_the_co_lead(team):
    url, me, co, own = team["url"], team["me"], team["co"], team["own"]
    note = add_note(url=url, scope=co, user_id=team["co_user"], analyst_id=own, body="Private: talk about tone")
    assert coaching.coaching_notes(scope=co, analyst_id=own, url=url)["note_id"].to_list()[0] == note
    activity = coaching.team_activity(scope=me, since=dt.datetime(2026, 11, 1), now=NOW, target_hours=24,
                                      threshold=6, url=url)
    for part in ("notes", "kudos", "recovery", "scores"):
        assert own not in activity[part]["analyst_id"].to_list(), part
    # The note's id is guessable (the co-lead's next one): editing or sharing it is refused, with
    # the message any note outside the lead's teams gets (no word about whom it is about).
    for attempt in (lambda: edit_note(url=url, scope=me, note_id=note, body="gone", follow_up_on=None,
                                      expected_version=1),
                    lambda: share_note(url=url, scope=me, note_id=note, shared=True, expected_version=1)):
        with pytest.raises(ScopeError, match="not about an analyst in your teams"):
            attempt()
    with pytest.raises(ScopeError, match="This is about you"):
        add_note(url=url, scope=me, user_id=team["lead"]["user_id"], analyst_id=own, body="Note to self")
    (count,), = _sql(url, "SELECT count(*) FROM coaching_notes WHERE analyst_id = :a AND body = :b",
                     a=own, b="Private: talk about tone")
    assert count == 1
    # Once the co-lead shares it, the lead reads it as any analyst does: on My feedback.
    share_note(url=url, scope=co, note_id=note, shared=True, expected_version=1)
    with get_engine(url).connect() as conn:
        assert conn.execute(coaching.notes_query(scope=me, analyst_id=own)).all() == []


def test_no_kudos_or_recovery_on_the_leads_own_feedback(team):
    url, me, co = team["url"], team["me"], team["co"]
    user = team["lead"]["user_id"]
    with pytest.raises(ScopeError, match="This is about you"):
        give_kudos(url=url, scope=me, user_id=user, ticket_key=team["good_key"])
    with pytest.raises(ScopeError, match="This is about you"):
        record_recovery_action(url=url, scope=me, user_id=user, ticket_key=team["bad_key"], kind="resolved",
                               outcome="recovered", expected_version=0)
    assert _sql(url, "SELECT count(*) FROM kudos WHERE ticket_key = :k", k=team["good_key"]) == [(0,)]
    assert _sql(url, "SELECT count(*) FROM recovery_items WHERE ticket_key = :k AND resolved_at IS NOT NULL",
                k=team["bad_key"]) == [(0,)]
    assert team["bad_key"] not in _queue(url, me)
    assert team["bad_key"] in _queue(url, co)
    assert give_kudos(url=url, scope=co, user_id=team["co_user"], ticket_key=team["good_key"])
    record_recovery_action(url=url, scope=co, user_id=team["co_user"], ticket_key=team["bad_key"],
                           kind="contacted", expected_version=0)
    assert coaching.recovery_history(scope=me, ticket_key=team["bad_key"], url=url).is_empty()
    assert coaching.recovery_history(scope=co, ticket_key=team["bad_key"], url=url)["kind"].to_list() == ["contacted"]
    with get_engine(url).connect() as conn:
        assert conn.execute(coaching.kudos_query(scope=me, analyst_id=team["own"])).all() == []


def test_a_shared_self_assessment_goes_to_the_co_lead_only(team):
    url, own = team["url"], team["own"]
    as_analyst = Scope("analyst", analyst_id=own, team_ids=(TEAM,))
    ratings = {dim: 4 for dim in schema.ASSESSMENT_DIMENSIONS}
    submit_self_assessment(scope=as_analyst, ratings=ratings, note="How I see my quarter",
                           submission_token="working-lead-1", url=url)
    set_sharing(scope=as_analyst, shared=True, url=url)
    assert shared_self_assessment(scope=team["me"], analyst_id=own, url=url) is None
    assert shared_self_assessment(scope=team["co"], analyst_id=own, url=url).note == "How I see my quarter"


def test_the_alert_and_the_digest_about_the_lead_go_to_the_co_lead(team, smtp_env):
    url = team["url"]
    assert main(["alerts", "send", "--url", url]) == 0
    to = {rcpt for rcpts, msg in smtp_env.messages() if team["bad_id"] in msg["Subject"] for rcpt in rcpts}
    assert "cora@example.com" in to
    assert team["lead"]["email"] not in to
    settings = notify_settings()
    mine = lead_weekly_digest(recipient=team["lead"]["email"], scope=team["me"], week_ending=TODAY, now=NOW,
                              settings=settings, url=url)
    theirs = lead_weekly_digest(recipient="cora@example.com", scope=team["co"], week_ending=TODAY, now=NOW,
                                settings=settings, url=url)
    name = team["lead"]["display_name"]
    assert name not in [line.name for line in mine.analysts]
    assert name in [line.name for line in theirs.analysts]
    for digest, expected in ((mine, False), (theirs, True)):
        tickets = {v.ticket_id for v in digest.unhappy + digest.praise}
        assert (team["bad_id"] in tickets, team["good_id"] in tickets) == (expected, expected)
    (own_open,), = _sql(url, "SELECT count(*) FROM recovery_items WHERE analyst_id = :a AND resolved_at IS NULL",
                        a=team["own"])
    assert own_open >= 1  # the alert run opened the item of this week's unhappy answer
    assert theirs.queue[0].open - mine.queue[0].open == own_open


def _coaching_as(team, monkeypatch, tab, query=None) -> AppTest:
    lead = team["lead"]
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", team["url"])
    st.cache_data.clear()
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["viewer"] = Viewer(user_id=lead["user_id"], username=lead["username"],
                                        display_name=lead["display_name"], roles=("analyst", "lead"),
                                        analyst_id=team["own"], lead_team_ids=(TEAM,), own_team_id=TEAM)
    at.session_state["coaching_tab"] = tab
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_coaching_page_never_offers_the_lead_themself(team, monkeypatch):
    """The deep link of the co-lead's digest (?analyst=<the lead>), opened by the lead."""
    for tab in ("Analyst", "Notes"):
        at = _coaching_as(team, monkeypatch, tab, query={"analyst": str(team["own"])})
        picker = next(s for s in at.selectbox if s.label == "Analyst")
        assert picker.options and team["lead"]["display_name"] not in picker.options
        assert picker.value != team["own"]
        shown = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
        assert "The lead's own" not in shown
    # This week's only open item in team 1 is the lead's own: their queue is empty (the co-lead's holds it).
    at = _coaching_as(team, monkeypatch, "Recovery queue")
    assert [i.value for i in at.info] == [
        "Nothing to follow up here — every unhappy response in this window has been handled."]
    assert all(team["bad_id"] not in frame.value.to_string() for frame in at.dataframe)


def test_a_lead_linked_to_their_analyst_record_without_the_analyst_role_is_still_left_out(team):
    """The lead role alone (no My feedback) with the analyst record linked: still themself."""
    from components.auth import viewer_for
    from data_access.users import find_user

    url, lead = team["url"], team["lead"]
    user_writes.set_links(scope=Scope("admin"), username=lead["username"], roles=("lead",),
                          analyst_id=team["own"], team_ids=(TEAM,), url=url)
    viewer = viewer_for(find_user(lead["username"], url=url))
    assert viewer.roles == ("lead",)
    assert viewer.scope("lead") == team["me"]
    with pytest.raises(PermissionError):
        viewer.scope("analyst")
    assert team["own"] not in coaching.team_roster(scope=viewer.scope("lead"), url=url)["analyst_id"].to_list()
