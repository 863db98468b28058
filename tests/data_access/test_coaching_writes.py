"""A lead's writes: recovery life cycle, kudos, notes — validation, scope, and concurrent writers."""

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
import streamlit as st

from data_access import catalogue, coaching as data, schema
from data_access.engine import get_engine
from data_access.scope import Scope, ScopeError
from data_access.writes import InvalidInput, WriteConflict
from data_access.writes import coaching as writes

TODAY = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 20, 12)
LEAD = Scope("lead", team_ids=(1,))
UNHAPPY, HAPPY, NEUTRAL, OTHER_TEAM_UNHAPPY, OTHER_TEAM_HAPPY = 1, 2, 3, 4, 5


@pytest.fixture(autouse=True)
def _pinned(monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY.isoformat())
    st.cache_data.clear()


def _seed(url: str) -> str:
    """Two teams, three analysts, two leads of team 1, five answered tickets."""
    engine = get_engine(url)
    with engine.begin() as conn:
        catalogue.seed_catalogue(conn)
        conn.execute(schema.teams.insert(), [dict(team_id=1, name="North"), dict(team_id=2, name="South")])
        conn.execute(schema.services.insert(), [dict(service_id=1, name="Email")])
        conn.execute(schema.analysts.insert(), [dict(analyst_id=1, name="Åsa Lindqvist", team_id=1, tier="lead"),
                                                dict(analyst_id=2, name="Bo Berg", team_id=1, tier="L1"),
                                                dict(analyst_id=3, name="Cy Chen", team_id=2, tier="L2")])
        conn.execute(schema.app_users.insert(), [
            dict(user_id=1, username="asa", display_name="Åsa Lindqvist", password_hash="x", analyst_id=1,
                 created_at=NOW),
            dict(user_id=2, username="deputy", display_name="Deputy Lead", password_hash="x", analyst_id=None,
                 created_at=NOW)])
        tickets, responses = [], []
        for key, analyst, team, score in ((1, 2, 1, 3), (2, 2, 1, 10), (3, 2, 1, 8), (4, 3, 2, 2), (5, 3, 2, 10)):
            opened = dt.datetime(2026, 11, 16, 9)
            tickets.append(dict(ticket_key=key, ticket_id=f"INC{key:05d}", ticket_type="incident", channel="email",
                                service_id=1, priority=3, opened_at=opened, resolved_at=opened + dt.timedelta(hours=3),
                                analyst_id=analyst, team_id=team, sla_met=True))
            responses.append(dict(ticket_key=key, happiness=score, comment=f"comment {key}",
                                  submitted_at=dt.datetime(2026, 11, 17, 10)))
        conn.execute(schema.tickets.insert(), tickets)
        conn.execute(schema.responses.insert(), responses)
    return url


@pytest.fixture
def url(empty_url):
    return _seed(empty_url)


def _item(url, key):
    with get_engine(url).connect() as conn:
        return conn.execute(sa.select(schema.recovery_items).where(schema.recovery_items.c.ticket_key == key)).one_or_none()


def _count(url, table, **where):
    stmt = sa.select(sa.func.count()).select_from(table)
    for col, value in where.items():
        stmt = stmt.where(table.c[col] == value)
    with get_engine(url).connect() as conn:
        return conn.execute(stmt).scalar_one()


def _queue(url, status):
    frame, total, _ = data.recovery_queue(scope=LEAD, threshold=6, since=None, now=NOW,
                                          target_hours=24, status=status, url=url)
    return frame["ticket_key"].to_list()


# ---------------------------------------------------------------- recovery

def test_recovery_life_cycle(url):
    assert _queue(url, "open") == [UNHAPPY]
    version = writes.record_recovery_action(url=url, scope=LEAD, user_id=1, ticket_key=UNHAPPY, kind="contacted",
                                           note="Called, left a message.", expected_version=0)
    item = _item(url, UNHAPPY)
    assert version == item.version == 1
    assert item.first_contact_at == NOW and item.resolved_at is None
    assert item.due_at == dt.datetime(2026, 11, 18, 10)  # one business day after the response
    version = writes.record_recovery_action(url=url, scope=LEAD, user_id=1, ticket_key=UNHAPPY, kind="resolved",
                                           outcome="recovered", note="User happy now.", expected_version=version)
    st.cache_data.clear()
    assert _queue(url, "open") == [] and _queue(url, "resolved") == [UNHAPPY]  # left the queue, kept in history
    history = data.recovery_history(scope=LEAD, ticket_key=UNHAPPY, url=url)
    assert history["kind"].to_list() == ["contacted", "resolved"]
    assert history["outcome"].to_list() == [None, "recovered"] and history["by"].to_list()[0] == "Åsa Lindqvist"
    writes.record_recovery_action(url=url, scope=LEAD, user_id=1, ticket_key=UNHAPPY, kind="reopened",
                                  expected_version=version)
    st.cache_data.clear()
    assert _queue(url, "open") == [UNHAPPY]
    assert _item(url, UNHAPPY).outcome is None


def test_recovery_validation_and_scope(url):
    with pytest.raises(InvalidInput, match="outcome"):
        writes.record_recovery_action(url=url, scope=LEAD, user_id=1, ticket_key=UNHAPPY, kind="resolved",
                                      expected_version=0)
    with pytest.raises(InvalidInput, match="write the note"):
        writes.record_recovery_action(url=url, scope=LEAD, user_id=1, ticket_key=UNHAPPY, kind="note", note="  ",
                                      expected_version=0)
    with pytest.raises(InvalidInput, match="2,000"):
        writes.record_recovery_action(url=url, scope=LEAD, user_id=1, ticket_key=UNHAPPY, kind="note",
                                      note="x" * 2001, expected_version=0)
    with pytest.raises(InvalidInput, match="threshold"):
        writes.record_recovery_action(url=url, scope=LEAD, user_id=1, ticket_key=NEUTRAL, kind="contacted",
                                      expected_version=0)
    with pytest.raises(ScopeError):
        writes.record_recovery_action(url=url, scope=LEAD, user_id=1, ticket_key=OTHER_TEAM_UNHAPPY,
                                      kind="contacted", expected_version=0)
    with pytest.raises(ScopeError):
        writes.record_recovery_action(url=url, scope=Scope("cio"), user_id=1, ticket_key=UNHAPPY,
                                      kind="contacted", expected_version=0)
    assert _count(url, schema.recovery_actions) == 0 and _item(url, UNHAPPY) is None


def test_stale_recovery_version_is_a_conflict_not_an_overwrite(url):
    writes.record_recovery_action(url=url, scope=LEAD, user_id=1, ticket_key=UNHAPPY, kind="contacted",
                                  expected_version=0)
    with pytest.raises(WriteConflict, match="Someone else updated"):
        writes.record_recovery_action(url=url, scope=LEAD, user_id=2, ticket_key=UNHAPPY, kind="resolved",
                                      outcome="not recovered", expected_version=0)
    assert _item(url, UNHAPPY).resolved_at is None
    assert _count(url, schema.recovery_actions) == 1


def _together(count, action):
    """Run `action(i)` in `count` threads released at the same moment; returns results/exceptions."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        barrier.wait()
        try:
            results[i] = action(i)
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_concurrent_leads_on_one_recovery_item(url):
    # Everyone saw the new item (version 0): exactly one contact lands, the others are told.
    results = _together(6, lambda i: writes.record_recovery_action(
        url=url, scope=LEAD, user_id=1 + i % 2, ticket_key=UNHAPPY, kind="contacted", note=f"lead {i}",
        expected_version=0))
    wins = [r for r in results if isinstance(r, int)]
    conflicts = [r for r in results if isinstance(r, WriteConflict)]
    assert len(wins) == 1 and len(conflicts) == 5, results
    assert _item(url, UNHAPPY).version == 1 and _count(url, schema.recovery_actions) == 1

    # Writers that reload and retry on a conflict: every note lands, none is lost.
    def persistent(i):
        for _ in range(50):
            try:
                return writes.record_recovery_action(url=url, scope=LEAD, user_id=1, ticket_key=UNHAPPY, kind="note",
                                                     note=f"note {i}", expected_version=_item(url, UNHAPPY).version)
            except WriteConflict:
                continue
        raise AssertionError("never landed")

    results = _together(6, persistent)
    assert all(isinstance(r, int) for r in results), results
    assert sorted(results) == list(range(2, 8))
    assert _item(url, UNHAPPY).version == 7 and _count(url, schema.recovery_actions) == 7


# ---------------------------------------------------------------- kudos

def test_kudos_once_per_response(url):
    assert writes.give_kudos(url=url, scope=LEAD, user_id=1, ticket_key=HAPPY, note="Great work!") is True
    assert writes.give_kudos(url=url, scope=LEAD, user_id=1, ticket_key=HAPPY) is False  # second click: no-op
    kudos = data.kudos_received(scope=LEAD, analyst_id=2, url=url)
    assert kudos["ticket_id"].to_list() == ["INC00002"] and kudos["note"].to_list() == ["Great work!"]
    with pytest.raises(InvalidInput, match="positive"):
        writes.give_kudos(url=url, scope=LEAD, user_id=1, ticket_key=NEUTRAL)
    with pytest.raises(ScopeError):
        writes.give_kudos(url=url, scope=LEAD, user_id=1, ticket_key=OTHER_TEAM_HAPPY)
    with pytest.raises(InvalidInput, match="2,000"):
        writes.give_kudos(url=url, scope=LEAD, user_id=1, ticket_key=HAPPY, note="y" * 2500)


def test_concurrent_kudos_clicks_make_one_row(url):
    results = _together(6, lambda i: writes.give_kudos(url=url, scope=LEAD, user_id=1 + i % 2, ticket_key=HAPPY))
    assert sorted(map(repr, results)) == sorted(["True"] + ["False"] * 5), results
    assert _count(url, schema.kudos) == 1


# ---------------------------------------------------------------- notes

def test_note_add_edit_share(url):
    with pytest.raises(InvalidInput, match="write the note"):
        writes.add_note(url=url, scope=LEAD, user_id=1, analyst_id=2, body="   ")
    with pytest.raises(InvalidInput, match="2,000"):
        writes.add_note(url=url, scope=LEAD, user_id=1, analyst_id=2, body="z" * 2001)
    with pytest.raises(InvalidInput, match="in the past"):
        writes.add_note(url=url, scope=LEAD, user_id=1, analyst_id=2, body="ok", follow_up_on=TODAY - dt.timedelta(days=1))
    with pytest.raises(ScopeError):
        writes.add_note(url=url, scope=LEAD, user_id=1, analyst_id=3, body="not my team")
    note_id = writes.add_note(url=url, scope=LEAD, user_id=1, analyst_id=2, body="Confirm fixes before closing.",
                              follow_up_on=TODAY + dt.timedelta(days=7))
    notes = data.coaching_notes(scope=LEAD, analyst_id=2, url=url)
    assert notes.row(0, named=True)["shared_with_analyst"] is False  # private until shared
    assert notes["body"].to_list() == ["Confirm fixes before closing."]
    version = writes.edit_note(url=url, scope=LEAD, note_id=note_id, body="Confirm fixes with the user.",
                               follow_up_on=TODAY + dt.timedelta(days=7), expected_version=1)
    version = writes.share_note(url=url, scope=LEAD, note_id=note_id, shared=True, expected_version=version)
    st.cache_data.clear()
    row = data.coaching_notes(scope=LEAD, analyst_id=2, url=url).row(0, named=True)
    assert (row["body"], row["shared_with_analyst"], row["version"]) == ("Confirm fixes with the user.", True, 3)
    with pytest.raises(WriteConflict):
        writes.share_note(url=url, scope=LEAD, note_id=note_id, shared=False, expected_version=1)
    with pytest.raises(ScopeError):
        writes.share_note(url=url, scope=Scope("lead", team_ids=(2,)), note_id=note_id, shared=False,
                          expected_version=3)


def test_old_follow_up_date_may_stay_when_editing(url):
    with get_engine(url).begin() as conn:
        conn.execute(schema.coaching_notes.insert().values(note_id=50, analyst_id=2, author_user_id=1, created_at=NOW,
                                                           body="old", follow_up_on=dt.date(2026, 1, 5), version=1))
    assert writes.edit_note(url=url, scope=LEAD, note_id=50, body="old, reworded", follow_up_on=dt.date(2026, 1, 5),
                            expected_version=1) == 2
    with pytest.raises(InvalidInput, match="in the past"):
        writes.edit_note(url=url, scope=LEAD, note_id=50, body="x", follow_up_on=dt.date(2026, 2, 1), expected_version=2)


def test_concurrent_note_edits_never_lose_an_update(url):
    note_id = writes.add_note(url=url, scope=LEAD, user_id=1, analyst_id=2, body="start")
    results = _together(5, lambda i: writes.edit_note(url=url, scope=LEAD, note_id=note_id, body=f"tab {i}",
                                                      follow_up_on=None, expected_version=1))
    wins = [i for i, r in enumerate(results) if r == 2]
    assert len(wins) == 1 and all(isinstance(r, WriteConflict) for r in results if r != 2), results
    st.cache_data.clear()
    assert data.coaching_notes(scope=LEAD, analyst_id=2, url=url)["body"].to_list() == [f"tab {wins[0]}"]


def test_life_cycle_on_duckdb_including_files_made_with_the_old_index(tmp_path):
    """The embedded default is DuckDB: recovery, kudos and notes work there, also on older files."""
    url = f"duckdb:///{tmp_path / 'coach.duckdb'}"
    schema.create_schema(get_engine(url))
    _seed(url)
    with get_engine(url).begin() as conn:  # what a file created before the schema fix still has
        conn.execute(sa.text("CREATE INDEX ix_recovery_team_open ON recovery_items (team_id, resolved_at)"))
    version = writes.record_recovery_action(url=url, scope=LEAD, user_id=1, ticket_key=UNHAPPY, kind="contacted",
                                            expected_version=0)
    version = writes.record_recovery_action(url=url, scope=LEAD, user_id=1, ticket_key=UNHAPPY, kind="resolved",
                                            outcome="recovered", expected_version=version)
    assert version == 2 and _item(url, UNHAPPY).outcome == "recovered"
    with pytest.raises(WriteConflict):
        writes.record_recovery_action(url=url, scope=LEAD, user_id=1, ticket_key=UNHAPPY, kind="reopened",
                                      expected_version=1)
    assert writes.give_kudos(url=url, scope=LEAD, user_id=1, ticket_key=HAPPY) is True
    assert writes.give_kudos(url=url, scope=LEAD, user_id=1, ticket_key=HAPPY) is False
    note_id = writes.add_note(url=url, scope=LEAD, user_id=1, analyst_id=2, body="DuckDB note")
    assert writes.share_note(url=url, scope=LEAD, note_id=note_id, shared=True, expected_version=1) == 2
    get_engine(url).dispose()
