"""Issue 12, class 4 and issue 14's recovery single source, through public interfaces.

A ticket assigned to team A but worked by an analyst of team B: B's lead sees the name, the
comment and the recovery item (and can act on it) on Coaching, in the alert and in the digest;
A's lead sees nothing of it and cannot write to it, forged ids included. An analyst who moves
teams goes with their history to the new lead. The due time of one item is the same on Coaching,
in the alert, in the digest and in the importer, with `recovery_target_hours` at 24 and at 8.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from data_access import coaching, coaching_analyst, notify_reads
from cli import main
from data_access.engine import get_engine
from data_access.scope import Scope, ScopeError
from data_access.writes.coaching import add_note, give_kudos, record_recovery_action
from notify.config import notify_settings
from notify.digest import lead_weekly_digest
from tests.notify.conftest import TODAY, add_response, lead_of_team, team_member
from tests.pages.test_coaching import PAGE, _lead
from views import coaching as coaching_view

NOW = dt.datetime(2026, 11, 20, 12, 0)  # clock.now() with SERVICE_PULSE_TODAY = TODAY
TEAM_A, TEAM_B, TEAM_C = 1, 2, 3
COMMENT = "Worked by someone from another team, and still broken"
A, B, C = (Scope("lead", team_ids=(t,)) for t in (TEAM_A, TEAM_B, TEAM_C))


def _sql(url, sql, **params):
    with get_engine(url).begin() as conn:
        return conn.execute(sa.text(sql), params).all() if sql.lstrip().upper().startswith("SELECT") \
            else conn.execute(sa.text(sql), params)


def _cross_team(url) -> dict:
    """An analyst of team B with an unhappy and a happy response on tickets assigned to team A."""
    (analyst, name), = _sql(url, "SELECT analyst_id, name FROM analysts WHERE team_id = :t AND active "
                                 "ORDER BY analyst_id DESC LIMIT 1", t=TEAM_B)
    bad_key, bad_id = add_response(url, analyst_id=analyst, happiness=2, comment=COMMENT,
                                   submitted_at=dt.datetime(2026, 11, 20, 9, 30))
    good_key, good_id = add_response(url, analyst_id=analyst, happiness=10, comment="Brilliant help",
                                     submitted_at=dt.datetime(2026, 11, 20, 9, 0))
    _sql(url, "UPDATE tickets SET team_id = :a WHERE ticket_key IN (:k1, :k2)", a=TEAM_A, k1=bad_key, k2=good_key)
    st.cache_data.clear()
    return dict(analyst=analyst, name=name, bad_key=bad_key, bad_id=bad_id, good_key=good_key, good_id=good_id)


def _queue_keys(url, scope, **kw) -> list[int]:
    frame, _, _ = coaching.recovery_queue(scope=scope, threshold=6, since=None, now=NOW, target_hours=24,
                                          page_size=500, url=url, **kw)
    return frame["ticket_key"].to_list()


def _digest(url, team):
    lead = lead_of_team(url, team)
    return lead_weekly_digest(recipient=lead["email"], scope=Scope("lead", team_ids=(team,)), week_ending=TODAY,
                              now=NOW, settings=notify_settings(), url=url)


def _page(url, monkeypatch, team, tab, query=None, **state) -> AppTest:
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    st.cache_data.clear()
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["viewer"] = _lead(url, team)
    at.session_state["coaching_tab"] = tab
    for key, value in state.items():
        at.session_state[key] = value
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _page_text(at: AppTest) -> str:
    parts = [str(e.value) for kind in ("markdown", "caption", "info", "text", "error", "warning", "subheader")
             for e in getattr(at, kind)]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [str(sb.options) for sb in at.selectbox]
    return "\n".join(parts)


@pytest.fixture(params=["notify_db", "notify_pg_db"])
def both_db(request) -> str:
    """A private writable demo warehouse, on SQLite and on PostgreSQL."""
    return request.getfixturevalue(request.param)


# ---------------------------------------------------------------- class 4

def test_alert_and_item_go_to_the_analysts_lead(notify_db, smtp_env):
    url = notify_db
    x = _cross_team(url)
    lead_a, lead_b = lead_of_team(url, TEAM_A), lead_of_team(url, TEAM_B)
    assert main(["alerts", "send", "--url", url]) == 0
    (team_id, due), = _sql(url, "SELECT team_id, due_at FROM recovery_items WHERE ticket_key = :k", k=x["bad_key"])
    assert team_id == TEAM_B  # routed to the analyst's home team, not the ticket's
    received = smtp_env.messages()
    about = [(rcpt, msg) for rcpt, msg in received if x["bad_id"] in msg["Subject"]]
    assert [rcpt for rcpt, _ in about] == [[lead_b["email"]]]
    assert COMMENT in about[0][1].get_body(("plain",)).get_content()
    assert x["name"] in about[0][1].get_body(("plain",)).get_content()
    assert not [m for rcpt, m in received if lead_a["email"] in rcpt]
    # The digest's queue line of team B counts the item (its analysts' open items, not the queue's).
    (open_b,), = _sql(url, "SELECT count(*) FROM recovery_items ri JOIN analysts an ON an.analyst_id = ri.analyst_id "
                           "WHERE an.team_id = :t AND ri.resolved_at IS NULL", t=TEAM_B)
    (open_a,), = _sql(url, "SELECT count(*) FROM recovery_items ri JOIN analysts an ON an.analyst_id = ri.analyst_id "
                           "WHERE an.team_id = :t AND ri.resolved_at IS NULL", t=TEAM_A)
    assert _digest(url, TEAM_B).queue[0].open == open_b and _digest(url, TEAM_A).queue[0].open == open_a


def test_reads_and_writes_follow_the_home_team(both_db):
    url = both_db
    x = _cross_team(url)
    # B's lead: the name, the comment, the item; can act on it, give kudos, write a note.
    assert x["bad_key"] in _queue_keys(url, B)
    rows, total = coaching_analyst.verbatims(scope=B, analyst_id=x["analyst"], filters=_week(), url=url)
    assert {x["bad_key"], x["good_key"]} <= set(rows["ticket_key"].to_list()) and COMMENT in rows["comment"].to_list()
    assert record_recovery_action(url=url, scope=B, user_id=lead_of_team(url, TEAM_B)["user_id"],
                                  ticket_key=x["bad_key"], kind="contacted", expected_version=0) == 1
    assert give_kudos(url=url, scope=B, user_id=1, ticket_key=x["good_key"]) is True
    assert _sql(url, "SELECT team_id FROM kudos WHERE ticket_key = :k", k=x["good_key"]) == [(TEAM_B,)]
    assert add_note(url=url, scope=B, user_id=1, analyst_id=x["analyst"], body="Good save") > 0
    st.cache_data.clear()
    assert coaching.recovery_history(scope=B, ticket_key=x["bad_key"], url=url).height == 1
    # A's lead, whose queue the ticket sat in: nothing, and no write lands (forged ids included).
    assert x["bad_key"] not in _queue_keys(url, A)
    assert x["analyst"] not in coaching.team_roster(scope=A, url=url)["analyst_id"].to_list()
    assert coaching.recovery_history(scope=A, ticket_key=x["bad_key"], url=url).is_empty()
    # Reads: the Coaching read model refuses the analyst (its one check per render), and the
    # readers under it find nothing, as their SQL carries the same rule.
    assert coaching_analyst.verbatims(scope=A, analyst_id=x["analyst"], filters=_week(), url=url)[1] == 0
    assert coaching.kudos_received(scope=A, analyst_id=x["analyst"], url=url).is_empty()
    assert coaching.coaching_notes(scope=A, analyst_id=x["analyst"], url=url).is_empty()
    for forged in (lambda: coaching_view.analyst_detail(scope=A, analyst_id=x["analyst"], filters=_week(),
                                                        phrase="this week", url=url),
                   lambda: coaching_view.analyst_notes(scope=A, analyst_id=x["analyst"], url=url),
                   lambda: record_recovery_action(url=url, scope=A, user_id=1, ticket_key=x["bad_key"],
                                                  kind="note", note="forged", expected_version=1),
                   lambda: give_kudos(url=url, scope=A, user_id=1, ticket_key=x["good_key"]),
                   lambda: add_note(url=url, scope=A, user_id=1, analyst_id=x["analyst"], body="forged")):
        with pytest.raises(ScopeError):
            forged()
    assert _sql(url, "SELECT count(*) FROM recovery_actions WHERE ticket_key = :k", k=x["bad_key"]) == [(1,)]
    week = _week()
    for read in (notify_reads.unhappy_responses, notify_reads.praise):
        assert set(read(scope=A, filters=week, url=url)["ticket_key"].to_list()).isdisjoint(
            {x["bad_key"], x["good_key"]})


def test_digests_follow_the_home_team(notify_db):
    url = notify_db
    x = _cross_team(url)
    b, a = _digest(url, TEAM_B), _digest(url, TEAM_A)
    mine = [v for v in b.unhappy if v.ticket_id == x["bad_id"]]
    assert len(mine) == 1 and mine[0].analyst == x["name"] and mine[0].comment == COMMENT
    assert mine[0].state == "call back by Mon 23 Nov 09:30"
    assert x["name"] in [line.name for line in b.analysts]
    assert not [v for v in a.unhappy + a.praise if v.ticket_id in (x["bad_id"], x["good_id"])]
    assert x["name"] not in [line.name for line in a.analysts]
    # The team line of B counts the cross-team answers: the week's n equals B's analysts' responses.
    (n_b,), = _sql(url, "SELECT count(*) FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
                        "JOIN analysts an ON an.analyst_id = t.analyst_id WHERE an.team_id = :t "
                        "AND r.submitted_at >= :s AND r.submitted_at < :e", t=TEAM_B,
                   s=dt.datetime.combine(b.start, dt.time()), e=dt.datetime.combine(b.end, dt.time()))
    assert b.teams[0].figure.n == n_b


def test_coaching_page_for_both_leads_and_forged_ids(notify_db, monkeypatch):
    url = notify_db
    x = _cross_team(url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY.isoformat())
    at = _page(url, monkeypatch, TEAM_B, "Recovery queue")
    queue = at.dataframe[0].value
    row = queue[queue["Ticket"] == x["bad_id"]]
    assert len(row) == 1 and row.iloc[0]["Analyst"] == x["name"] and row.iloc[0]["Comment"] == COMMENT
    for team_a_view in (
        _page(url, monkeypatch, TEAM_A, "Recovery queue"),
        _page(url, monkeypatch, TEAM_A, "Analyst", coaching_analyst=x["analyst"]),  # forged session state
        _page(url, monkeypatch, TEAM_A, "Overview", query={"tab": "analyst", "analyst": str(x["analyst"])}),
        _page(url, monkeypatch, TEAM_A, "Notes", coaching_analyst=x["analyst"]),
    ):
        text = _page_text(team_a_view)
        assert x["name"] not in text and COMMENT not in text and x["bad_id"] not in text


# ---------------------------------------------------------------- an analyst moves teams

def test_analyst_who_moves_goes_with_their_history(both_db):
    url = both_db
    x = _cross_team(url)
    assert give_kudos(url=url, scope=B, user_id=1, ticket_key=x["good_key"]) is True
    add_note(url=url, scope=B, user_id=1, analyst_id=x["analyst"], body="Before the move")
    (all_responses,), = _sql(url, "SELECT count(*) FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
                                  "WHERE t.analyst_id = :a", a=x["analyst"])
    _sql(url, "UPDATE analysts SET team_id = :c WHERE analyst_id = :a", c=TEAM_C, a=x["analyst"])
    st.cache_data.clear()
    # The new lead: the analyst, their whole history, their kudos and notes, their recovery item.
    assert x["analyst"] in coaching.team_roster(scope=C, url=url)["analyst_id"].to_list()
    everything = _week(dt.date(2020, 1, 1))
    _, total = coaching_analyst.verbatims(scope=C, analyst_id=x["analyst"], filters=everything,
                                          vf=coaching_analyst.VerbatimFilter(with_comment=False), url=url)
    assert total == all_responses
    assert coaching.kudos_received(scope=C, analyst_id=x["analyst"], url=url)["ticket_id"].to_list()[0] == x["good_id"]
    assert "Before the move" in coaching.coaching_notes(scope=C, analyst_id=x["analyst"], url=url)["body"].to_list()
    assert x["bad_key"] in _queue_keys(url, C)
    assert record_recovery_action(url=url, scope=C, user_id=1, ticket_key=x["bad_key"], kind="contacted",
                                  expected_version=0) == 1
    assert x["name"] in [line.name for line in _digest(url, TEAM_C).analysts]
    # The old lead: nothing any more.
    assert x["analyst"] not in coaching.team_roster(scope=B, url=url)["analyst_id"].to_list()
    assert x["bad_key"] not in _queue_keys(url, B)
    with pytest.raises(ScopeError):
        coaching_view.analyst_detail(scope=B, analyst_id=x["analyst"], filters=everything, phrase="ever", url=url)
    assert coaching_analyst.verbatims(scope=B, analyst_id=x["analyst"], filters=everything, url=url)[1] == 0
    with pytest.raises(ScopeError):
        record_recovery_action(url=url, scope=B, user_id=1, ticket_key=x["bad_key"], kind="note", note="late",
                               expected_version=1)
    assert x["name"] not in [line.name for line in _digest(url, TEAM_B).analysts]


def _week(start: dt.date = dt.date(2026, 11, 14)):
    from data_access.filters import Filters

    return Filters(start, TODAY + dt.timedelta(days=1))


# ---------------------------------------------------------------- one due time everywhere

@pytest.mark.parametrize("hours, expected", [(24, dt.datetime(2026, 11, 23, 9, 30)),   # Sat → Monday
                                             (8, dt.datetime(2026, 11, 20, 17, 30))])  # same Friday
def test_due_time_is_the_same_on_coaching_alert_and_digest(notify_db, smtp_env, monkeypatch, hours, expected):
    url = notify_db
    _sql(url, "UPDATE settings SET value = :v WHERE key = 'recovery_target_hours'", v=str(hours))
    analyst = team_member(url, TEAM_A)
    key, ticket_id = add_response(url, analyst_id=analyst, happiness=1, comment="Nobody called",
                                  submitted_at=dt.datetime(2026, 11, 20, 9, 30))
    shown = f"{expected:%d %b, %H:%M}"
    words = f"{expected:%a %d %b %H:%M}"

    def coaching_target() -> str:
        at = _page(url, monkeypatch, TEAM_A, "Recovery queue")
        queue = at.dataframe[0].value
        return queue[queue["Ticket"] == ticket_id].iloc[0]["Target"]

    # Before the alert run opened an item: computed by the same rule on Coaching and in the digest.
    assert coaching_target() == shown
    state = next(v.state for v in _digest(url, TEAM_A).unhappy if v.ticket_id == ticket_id)
    assert state == (f"call back by {words}" if expected > NOW else f"OVERDUE since {words}")
    # The alert opens the item with that due time and says it in the subject.
    assert main(["alerts", "send", "--url", url]) == 0
    (due,), = _sql(url, "SELECT due_at FROM recovery_items WHERE ticket_key = :k", k=key)
    assert due == expected or str(due).startswith(expected.isoformat(sep=" "))
    subject = next(m["Subject"] for _, m in smtp_env.messages() if ticket_id in m["Subject"])
    assert subject.endswith(f"call back by {words}")
    # After: Coaching and the digest read the stored item, still the same.
    assert coaching_target() == shown
    assert next(v.state for v in _digest(url, TEAM_A).unhappy if v.ticket_id == ticket_id) == state


@pytest.mark.parametrize("hours, expected", [(24, dt.datetime(2026, 11, 23, 9, 30)),   # Sat → Monday
                                             (8, dt.datetime(2026, 11, 20, 17, 30))])  # same Friday
def test_due_time_of_an_imported_answer_is_the_same_everywhere(notify_db, smtp_env, monkeypatch, tmp_path,
                                                               hours, expected):
    """The fourth place: an unhappy answer that arrives through the importer. The importer opens
    the item; Coaching's queue, the digest and the alert then show that same due time."""
    from tests.importer.helpers import do_import

    url = notify_db
    _sql(url, "UPDATE settings SET value = :v WHERE key = 'recovery_target_hours'", v=str(hours))
    analyst = team_member(url, TEAM_A)
    # A closed ticket answered happily first; the import brings a later, unhappy answer for it.
    key, ticket_id = add_response(url, analyst_id=analyst, happiness=10,
                                  submitted_at=dt.datetime(2026, 11, 20, 8, 0))
    answers = tmp_path / "answers.csv"
    answers.write_text(f"ticket_id,happiness,comment,submitted_at\n{ticket_id},1,Nobody called,2026-11-20 09:30\n",
                       encoding="utf-8")
    result = do_import(url, "responses", answers)
    assert (result.inserted + result.updated, result.rejected) == (1, 0)
    st.cache_data.clear()
    (due,), = _sql(url, "SELECT due_at FROM recovery_items WHERE ticket_key = :k", k=key)
    assert due == expected or str(due).startswith(expected.isoformat(sep=" "))       # the importer
    words = f"{expected:%a %d %b %H:%M}"
    queue = _page(url, monkeypatch, TEAM_A, "Recovery queue").dataframe[0].value
    assert queue[queue["Ticket"] == ticket_id].iloc[0]["Target"] == f"{expected:%d %b, %H:%M}"   # Coaching
    state = next(v.state for v in _digest(url, TEAM_A).unhappy if v.ticket_id == ticket_id)
    assert state == (f"call back by {words}" if expected > NOW else f"OVERDUE since {words}")  # the digest
    assert main(["alerts", "send", "--url", url]) == 0
    subject = next(m["Subject"] for _, m in smtp_env.messages() if ticket_id in m["Subject"])
    assert subject.endswith(f"call back by {words}")                                   # the alert


def test_alert_run_opens_items_only_inside_the_recovery_window(notify_db, smtp_env):
    """`recovery.opens_item`: an unhappy answer older than `recovery_window_days` is history."""
    url = notify_db
    _sql(url, "DELETE FROM settings WHERE key = 'recovery_window_days'")
    _sql(url, "INSERT INTO settings (key, value) VALUES ('recovery_window_days', '3')")
    analyst = team_member(url, TEAM_A)
    old_key, _ = add_response(url, analyst_id=analyst, happiness=0, submitted_at=NOW - dt.timedelta(days=4))
    new_key, _ = add_response(url, analyst_id=analyst, happiness=0, submitted_at=NOW - dt.timedelta(days=2))
    assert main(["alerts", "send", "--url", url]) == 0
    keys = {k for (k,) in _sql(url, "SELECT ticket_key FROM recovery_items WHERE ticket_key IN (:a, :b)",
                                a=old_key, b=new_key)}
    assert keys == {new_key}
