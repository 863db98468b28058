"""The survey writes on PostgreSQL and on embedded DuckDB (SQLite is covered by the page tests)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data_access import demo, schema
from data_access.engine import get_engine
from data_access.surveys import answers, invitations
from data_access.surveys.settings import SurveySettings
from tests.surveys.helpers import NOW, SECRET, new_ticket

MONDAY_NOON = dt.datetime(2026, 11, 23, 12, 0)


@pytest.fixture(params=["postgres", "duckdb"])
def writable_url(request, tmp_path):
    if request.param == "postgres":
        return request.getfixturevalue("notify_pg_db")
    url = f"duckdb:///{tmp_path / 'survey.duckdb'}"
    demo.generate(get_engine(url), responses=1500, seed=7, end=NOW.date())
    return url


def test_invite_send_answer_follow_up_and_unsubscribe(writable_url):
    url = writable_url
    engine = get_engine(url)
    with engine.begin() as conn:
        conn.execute(schema.tickets.update().values(requester_email=None))
    key = new_ticket(url, analyst_id=4, email="Dana.Kim@example.com")
    settings = SurveySettings(secret=SECRET)
    assert invitations.create_pending(engine, now=NOW, settings=settings) == 1
    [item] = invitations.pending(engine, now=NOW, settings=settings)
    assert (item.email, item.attempts) == ("dana.kim@example.com", 0)
    assert invitations.claim(engine, item.invitation_id, 0, now=NOW)
    assert not invitations.claim(engine, item.invitation_id, 0, now=NOW)  # read before the claim: stale
    # Another run reading it now sees one attempt, but the claim holds for 10 minutes: hands off.
    assert not invitations.claim(engine, item.invitation_id, 1, now=NOW + dt.timedelta(minutes=9, seconds=59))
    # A run that died mid-send lets go when its claim runs out; the next run takes it over.
    assert invitations.claim(engine, item.invitation_id, 1, now=NOW + dt.timedelta(minutes=10))
    with engine.connect() as conn:
        held = conn.execute(sa.select(schema.survey_invitations.c.attempts, schema.survey_invitations.c.claimed_until)
                            .where(schema.survey_invitations.c.invitation_id == item.invitation_id)).one()
    assert tuple(held) == (2, NOW + dt.timedelta(minutes=20))
    invitations.mark_sent(engine, item.invitation_id, now=NOW, expires_at=NOW + dt.timedelta(days=14))
    assert invitations.pending(engine, now=NOW, settings=settings) == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(schema.survey_invitations.c.claimed_until).where(
            schema.survey_invitations.c.invitation_id == item.invitation_id)).scalar_one() is None

    assert answers.record_score(engine, item.invitation_id, 3, now=NOW) == "recorded"
    assert answers.record_score(engine, item.invitation_id, 3, now=NOW) == "same"
    later = NOW + dt.timedelta(minutes=3)
    assert answers.record_score(engine, item.invitation_id, 5, now=later) == "changed"
    assert answers.save_followup(engine, item.invitation_id, care={"resolution": 2}, lost_minutes=15,
                                 comment="  still broken  ", factor_ids=[11, 12])
    assert answers.save_followup(engine, item.invitation_id, care={"resolution": 3}, lost_minutes=None,
                                 comment="", factor_ids=[12])
    with engine.connect() as conn:
        answer = answers.current_answer(conn, key)
        item_row = conn.execute(sa.select(schema.recovery_items.c.due_at, schema.recovery_items.c.analyst_id)
                                .where(schema.recovery_items.c.ticket_key == key)).one()
    assert (answer["happiness"], answer["submitted_at"], answer["resolution"], answer["lost_minutes"],
            answer["comment"], answer["factor_ids"]) == (5, later, 3, None, None, [12])
    assert tuple(item_row) == (MONDAY_NOON, 4)
    assert answers.unsubscribe(engine, item.invitation_id, now=NOW)
    assert answers.unsubscribe(engine, item.invitation_id, now=NOW)  # twice is fine
    with engine.connect() as conn:
        assert conn.execute(sa.select(schema.survey_unsubscribes.c.email)).scalars().all() == ["dana.kim@example.com"]


def test_simultaneous_clicks_leave_one_answer_and_no_error(notify_db):
    import threading

    from tests.surveys.helpers import sent_invitation

    engine = get_engine(notify_db)
    key = new_ticket(notify_db, email="many@example.com")
    inv, _ = sent_invitation(notify_db, key)
    outcomes, errors = [], []
    start = threading.Barrier(6)

    def click(score: int) -> None:
        start.wait()
        try:
            outcomes.append(answers.record_score(engine, inv, score, now=NOW))
        except Exception as exc:  # noqa: BLE001 - any error is the failure under test
            errors.append(exc)

    threads = [threading.Thread(target=click, args=(s,)) for s in (1, 2, 3, 4, 5, 6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and outcomes.count("recorded") == 1
    with engine.connect() as conn:
        rows = conn.execute(sa.select(schema.responses.c.happiness).where(schema.responses.c.ticket_key == key)).all()
        items = conn.execute(sa.select(sa.func.count()).select_from(schema.recovery_items)
                             .where(schema.recovery_items.c.ticket_key == key)).scalar_one()
    assert len(rows) == 1 and rows[0].happiness in {1, 2, 3, 4, 5, 6} and items == 1


def test_a_survey_answer_keeps_the_summary_tables_exact(notify_db):
    """The demo keeps rollups with every write: after a click and a follow-up they equal a rebuild."""
    from data_access import rollups
    from data_access.rollups.sources import ROLLUPS
    from tests.surveys.helpers import sent_invitation

    engine = get_engine(notify_db)
    with engine.connect() as conn:
        assert rollups.maintained_here(conn)
    key = new_ticket(notify_db, analyst_id=2, email="roll@example.com")
    inv, _ = sent_invitation(notify_db, key)
    answers.record_score(engine, inv, 3, now=NOW)
    answers.record_score(engine, inv, 9, now=NOW + dt.timedelta(minutes=1))
    answers.save_followup(engine, inv, care={"communication": 4}, lost_minutes=10, comment=None, factor_ids=[1, 2])
    tables = [t for r in ROLLUPS for t in (r.table, r.monthly) if t is not None]

    def contents() -> dict[str, list]:
        with engine.connect() as conn:
            return {t.name: sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr) for t in tables}

    kept = contents()
    with engine.begin() as conn:
        rollups.rebuild(conn)
    assert contents() == kept
