"""Who is invited and what was sent: the send side of surveys.

A run first turns eligible closed tickets into `pending` invitations (one per ticket, at most
one per requester per run, none within the cool-down of an earlier survey to that address,
none for unsubscribed addresses or tickets older than the age limit), then sends every pending
one. An invitation becomes `sent` only after the SMTP server accepted it, so a failed send is
retried by the next run. A run claims each invitation before sending it (`claimed_until`), so
runs that overlap (cron starting one while the last still sends) never send one twice.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa

from data_access import rollups, schema
from data_access.dialect import upsert
from data_access.surveys.settings import SurveySettings
from data_access.writes import run_with_retry

SI, T, R, U = schema.survey_invitations, schema.tickets, schema.responses, schema.survey_unsubscribes
# Plain ASCII addresses only: anything else is skipped rather than risked in a mail header.
ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class Outgoing:
    """One invitation to send, with what its email shows (text is raw; the mail renderer escapes)."""

    invitation_id: int
    attempts: int
    email: str
    requester: str | None
    ticket_id: str
    about: str
    analyst_first_name: str


def candidates_query(now: dt.datetime, cooldown_days: int = 7, max_age_days: int = 14) -> sa.Select:
    """Closed tickets that may be invited now, newest first (before the one-per-requester pick):
    an address, resolved within `max_age_days`, no invitation or answer yet, the address not
    unsubscribed and not surveyed (or waiting to be) within `cooldown_days`."""
    email = sa.func.lower(sa.func.trim(T.c.requester_email))
    earlier = sa.exists().where(
        SI.c.requester_email == email,
        sa.or_(sa.and_(SI.c.sent_at.is_(None), SI.c.created_at >= now - dt.timedelta(days=max_age_days)),
              SI.c.sent_at >= now - dt.timedelta(days=cooldown_days)))
    return (sa.select(T.c.ticket_key, email.label("email"))
            .where(T.c.requester_email.is_not(None), T.c.requester_email != "",
                   T.c.resolved_at >= now - dt.timedelta(days=max_age_days), T.c.resolved_at <= now,
                   ~sa.exists().where(SI.c.ticket_key == T.c.ticket_key),
                   ~sa.exists().where(R.c.ticket_key == T.c.ticket_key),
                   ~sa.exists().where(U.c.email == email),
                   ~earlier)
            .order_by(T.c.resolved_at.desc(), T.c.ticket_key.desc()))


def _candidates(now: dt.datetime, settings: SurveySettings) -> sa.Select:
    return candidates_query(now, settings.cooldown_days, settings.max_age_days)


def _one_per_requester(rows) -> list[tuple[int, str]]:
    picked: dict[str, int] = {}
    for key, email in rows:
        if email and ADDRESS.fullmatch(email) and email not in picked:
            picked[email] = int(key)
    return [(k, e) for e, k in picked.items()]


def create_pending(engine: sa.Engine, *, now: dt.datetime, settings: SurveySettings) -> int:
    """Record a pending invitation for each eligible ticket; returns how many were added."""

    def work(conn: sa.Connection) -> int:
        chosen = _one_per_requester(conn.execute(_candidates(now, settings)).all())
        rows = [dict(ticket_key=k, requester_email=e, created_at=now, state="pending", attempts=0)
                for k, e in chosen]
        before = conn.execute(sa.select(sa.func.count()).select_from(SI)).scalar_one()
        upsert(conn, SI, rows, key=["ticket_key"], update=[])
        return conn.execute(sa.select(sa.func.count()).select_from(SI)).scalar_one() - before

    return run_with_retry(engine, work)


def _outgoing_query() -> sa.Select:
    A, S = schema.analysts, schema.services
    return (sa.select(SI.c.invitation_id, SI.c.attempts, SI.c.requester_email, T.c.requester, T.c.ticket_id,
                      sa.func.coalesce(T.c.short_description, S.c.name).label("about"), A.c.name.label("analyst"))
            .select_from(SI.join(T, T.c.ticket_key == SI.c.ticket_key)
                         .join(S, S.c.service_id == T.c.service_id).join(A, A.c.analyst_id == T.c.analyst_id))
            .where(SI.c.sent_at.is_(None), ~sa.exists().where(U.c.email == SI.c.requester_email),
                   ~sa.exists().where(R.c.ticket_key == SI.c.ticket_key))
            .order_by(SI.c.invitation_id))


def pending(engine: sa.Engine, *, now: dt.datetime, settings: SurveySettings) -> list[Outgoing]:
    """Unsent invitations whose ticket is still young enough and unanswered."""
    stmt = _outgoing_query().where(T.c.resolved_at >= now - dt.timedelta(days=settings.max_age_days))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [Outgoing(int(r.invitation_id), int(r.attempts), str(r.requester_email), r.requester,
                     str(r.ticket_id), str(r.about), (str(r.analyst).split() or [""])[0]) for r in rows]


def preview(engine: sa.Engine, *, now: dt.datetime, settings: SurveySettings) -> list[Outgoing]:
    """What a run would send, without writing anything (dry run): pending ones, then the tickets
    that would be invited, numbered after the highest invitation id."""
    out = pending(engine, now=now, settings=settings)
    A, S = schema.analysts, schema.services
    with engine.connect() as conn:
        chosen = _one_per_requester(conn.execute(_candidates(now, settings)).all())
        top = conn.execute(sa.select(sa.func.coalesce(sa.func.max(SI.c.invitation_id), 0))).scalar_one()
        if not chosen:
            return out
        stmt = (sa.select(T.c.ticket_key, T.c.requester, T.c.ticket_id,
                          sa.func.coalesce(T.c.short_description, S.c.name).label("about"), A.c.name)
                .join(S, S.c.service_id == T.c.service_id).join(A, A.c.analyst_id == T.c.analyst_id)
                .where(T.c.ticket_key.in_([k for k, _ in chosen])))
        info = {int(r[0]): r for r in conn.execute(stmt).all()}
    for n, (key, email) in enumerate(chosen, start=1):
        r = info[key]
        out.append(Outgoing(int(top) + n, 0, email, r[1], str(r[2]), str(r[3]), (str(r[4]).split() or [""])[0]))
    return out


CLAIM_HOLDS = dt.timedelta(minutes=10)  # far longer than one SMTP hand-over (its timeout is seconds)


def claim(engine: sa.Engine, invitation_id: int, attempts: int, *, now: dt.datetime) -> bool:
    """Claim the invitation for this run's send and count one more attempt; False when another
    run sent it, or claimed it and still holds the claim, since it was read."""
    stmt = (SI.update().where(SI.c.invitation_id == invitation_id, SI.c.attempts == attempts,
                              SI.c.sent_at.is_(None),
                              sa.or_(SI.c.claimed_until.is_(None), SI.c.claimed_until <= now))
            .values(attempts=SI.c.attempts + 1, claimed_until=now + CLAIM_HOLDS))
    return run_with_retry(engine, lambda conn: conn.execute(stmt).rowcount) == 1


def mark_sent(engine: sa.Engine, invitation_id: int, *, now: dt.datetime, expires_at: dt.datetime) -> None:
    """Record the send; the ticket's invited count in the summary tables follows, same transaction."""
    stmt = (SI.update().where(SI.c.invitation_id == invitation_id, SI.c.sent_at.is_(None))
            .values(sent_at=now, expires_at=expires_at, state="sent", last_error=None, claimed_until=None))

    def work(conn: sa.Connection) -> None:
        key = conn.execute(sa.select(SI.c.ticket_key).where(SI.c.invitation_id == invitation_id)).scalar()
        with rollups.maintained(conn, [] if key is None else [int(key)]):
            conn.execute(stmt)

    run_with_retry(engine, work)


def mark_failed(engine: sa.Engine, invitation_id: int, *, error: str) -> None:
    stmt = (SI.update().where(SI.c.invitation_id == invitation_id, SI.c.sent_at.is_(None))
            .values(last_error=error[:2000], claimed_until=None))
    run_with_retry(engine, lambda conn: conn.execute(stmt))
