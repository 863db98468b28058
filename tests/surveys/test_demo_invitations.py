"""The demo's survey invitations: one behind every answer of its last 180 days, realistic
non-response per channel, and the last day's unanswered tickets left for a first `surveys send`."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from data_access import schema
from data_access.engine import get_engine
from data_access.surveys.demo import DAYS, VALID_DAYS

END = dt.datetime(2026, 11, 20)  # the notify demo ends on this day
SINCE = END - dt.timedelta(days=DAYS)
T, R, SI = schema.tickets, schema.responses, schema.survey_invitations


def _rows(url: str, stmt) -> list[tuple]:
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(stmt).all()]


def test_every_recent_answer_has_its_invitation_and_only_those_are_answered(notify_db):
    answered_recent = sa.select(R.c.ticket_key, R.c.submitted_at).join(T, T.c.ticket_key == R.c.ticket_key) \
        .where(T.c.resolved_at >= SINCE).order_by(R.c.ticket_key)
    answered_invitations = sa.select(SI.c.ticket_key, SI.c.answered_at).where(SI.c.state == "answered") \
        .order_by(SI.c.ticket_key)
    recent = _rows(notify_db, answered_recent)
    assert len(recent) > 500 and _rows(notify_db, answered_invitations) == recent
    # An invitation still "sent" has no answer; every invitation has an address and its ticket one.
    unanswered_with_response = sa.select(sa.func.count()).select_from(SI.join(R, R.c.ticket_key == SI.c.ticket_key)) \
        .where(SI.c.state != "answered")
    assert _rows(notify_db, unanswered_with_response) == [(0,)]
    states = sa.select(SI.c.state, sa.func.count()).group_by(SI.c.state).order_by(SI.c.state)
    assert [s for s, _ in _rows(notify_db, states)] == ["answered", "sent"]
    mismatched = sa.select(sa.func.count()).select_from(SI.join(T, T.c.ticket_key == SI.c.ticket_key)) \
        .where(sa.or_(T.c.requester_email.is_(None), SI.c.requester_email != T.c.requester_email))
    assert _rows(notify_db, mismatched) == [(0,)]


def test_sent_after_closing_valid_for_fourteen_days_and_last_day_left_to_send(notify_db):
    with get_engine(notify_db).connect() as conn:
        rows = conn.execute(sa.select(T.c.resolved_at, SI.c.sent_at, SI.c.expires_at, SI.c.created_at)
                            .join(T, T.c.ticket_key == SI.c.ticket_key)).all()
        not_invited = conn.execute(sa.select(T.c.resolved_at).where(
            T.c.requester_email.is_not(None), T.c.resolved_at >= SINCE,
            ~sa.exists().where(SI.c.ticket_key == T.c.ticket_key))).scalars().all()
    assert all(r.expires_at - r.sent_at == dt.timedelta(days=VALID_DAYS) and r.created_at == r.sent_at for r in rows)
    minutes = [(r.sent_at - r.resolved_at).total_seconds() / 60 for r in rows]
    assert 5 <= min(minutes) and max(minutes) <= 40
    assert min(r.resolved_at for r in rows) >= SINCE
    # Only unanswered tickets of the last day wait for the first real run.
    assert not_invited and all(when >= END for when in not_invited)


def test_non_response_is_realistic_and_differs_by_channel(notify_db):
    stmt = (sa.select(T.c.channel, sa.func.count(), sa.func.count(SI.c.answered_at))
            .join(T, T.c.ticket_key == SI.c.ticket_key).group_by(T.c.channel).order_by(T.c.channel))
    rates = {channel: answered / invited for channel, invited, answered in _rows(notify_db, stmt)}
    assert sorted(rates) == ["chat", "email", "phone", "portal", "walk_in"]
    # Most people do not answer (typical service-desk surveys get 10-35 %), portal users most often.
    assert all(0.10 <= rate <= 0.35 for rate in rates.values()), rates
    assert max(rates, key=rates.get) == "portal" and max(rates.values()) - min(rates.values()) >= 0.05
