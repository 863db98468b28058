"""Writes of the notification feature: recovery items for new unhappy responses, the outbox of
sent/unsent emails (notifications), and people's notification preferences.

An email's row gets `sent_at` only after the SMTP server accepted it, so a failed run leaves
it unsent and the next run tries again; the unique `dedupe_key` makes a re-run send nothing twice.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from data_access import recovery, rollups, schema
from data_access.dialect import upsert
from data_access.scope import Scope, ScopeError
from data_access.writes import InvalidInput, run_with_retry

N = schema.notifications
RI = schema.recovery_items
R = schema.responses
T = schema.tickets

MAX_EXTRA_RECIPIENTS = 10
_ADDRESS = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")


def create_missing_recovery_items(engine: sa.Engine, *, since: dt.datetime, threshold: int,
                                  target_hours: int) -> int:
    """Open a recovery item for every response at or below `threshold` submitted since `since`
    that has none yet; returns how many were created (0 when a concurrent run got there first).

    The item is routed to the analyst's home team (their lead's queue), not the ticket's team, and
    is due as `recovery.due_at` says.
    """
    A = schema.analysts
    missing = (sa.select(R.c.ticket_key, R.c.submitted_at, A.c.team_id, T.c.analyst_id)
               .select_from(R.join(T, T.c.ticket_key == R.c.ticket_key)
                            .join(A, A.c.analyst_id == T.c.analyst_id)
                            .outerjoin(RI, RI.c.ticket_key == R.c.ticket_key))
               .where(R.c.happiness <= threshold, R.c.submitted_at >= since, RI.c.ticket_key.is_(None)))

    def work(conn: sa.Connection) -> int:
        rows = [dict(ticket_key=key, team_id=team, analyst_id=analyst, created_at=submitted,
                     due_at=recovery.due_at(submitted, target_hours), version=1)
                for key, submitted, team, analyst in conn.execute(missing).all()]
        if not rows:
            return 0
        before = conn.execute(sa.select(sa.func.count()).select_from(RI)).scalar_one()
        with rollups.maintained(conn, [row["ticket_key"] for row in rows]):  # rollup_recovery counts items
            upsert(conn, RI, rows, key=["ticket_key"], update=[])
        return conn.execute(sa.select(sa.func.count()).select_from(RI)).scalar_one() - before

    return run_with_retry(engine, work)


def ensure_notification(engine: sa.Engine, *, kind: str, dedupe_key: str, recipients: str,
                        subject: str, now: dt.datetime) -> dict:
    """The outbox row for `dedupe_key`, created unsent if missing: notification_id, attempts, sent_at."""

    def work(conn: sa.Connection) -> dict:
        upsert(conn, N, [dict(kind=kind, dedupe_key=dedupe_key, recipients=recipients,
                              subject=subject, created_at=now, attempts=0)],
               key=["dedupe_key"], update=[])
        row = conn.execute(sa.select(N.c.notification_id, N.c.attempts, N.c.sent_at)
                           .where(N.c.dedupe_key == dedupe_key)).one()
        return dict(row._mapping)

    return run_with_retry(engine, work)


def claim_notification(engine: sa.Engine, *, notification_id: int, attempts: int,
                       recipients: str, subject: str) -> bool:
    """Count one more attempt, but only if nobody sent or claimed it since we read it.

    A second run working at the same moment loses the claim and skips the email.
    """
    stmt = (N.update()
            .where(N.c.notification_id == notification_id, N.c.attempts == attempts, N.c.sent_at.is_(None))
            .values(attempts=N.c.attempts + 1, recipients=recipients, subject=subject))
    return run_with_retry(engine, lambda conn: conn.execute(stmt).rowcount) == 1


def mark_sent(engine: sa.Engine, *, notification_ids: list[int], now: dt.datetime,
              note: str | None = None) -> None:
    """Record that the SMTP server accepted these emails."""
    stmt = N.update().where(N.c.notification_id.in_(notification_ids)).values(sent_at=now, last_error=note)
    run_with_retry(engine, lambda conn: conn.execute(stmt))


def mark_failed(engine: sa.Engine, *, notification_ids: list[int], error: str) -> None:
    """Keep these emails unsent, with the reason, for the next run to retry."""
    stmt = (N.update().where(N.c.notification_id.in_(notification_ids), N.c.sent_at.is_(None))
            .values(last_error=error[:2000]))
    run_with_retry(engine, lambda conn: conn.execute(stmt))


def mark_alerted(engine: sa.Engine, *, ticket_keys: list[int], now: dt.datetime) -> None:
    """Stamp `alerted_at` on recovery items whose every alert has gone out."""
    if not ticket_keys:
        return
    stmt = RI.update().where(RI.c.ticket_key.in_(ticket_keys), RI.c.alerted_at.is_(None)).values(alerted_at=now)
    run_with_retry(engine, lambda conn: conn.execute(stmt))


# ---------------------------------------------------------------- preferences

def update_my_preferences(engine: sa.Engine, *, user_id: int, receive_digest: bool,
                          alert_threshold: int | None) -> None:
    """Save a person's own digest and alert settings."""
    if alert_threshold is not None and not 0 <= int(alert_threshold) <= 10:
        raise InvalidInput("The alert threshold is a score from 0 to 10.")
    stmt = (schema.app_users.update().where(schema.app_users.c.user_id == user_id)
            .values(receive_digest=bool(receive_digest),
                    alert_threshold=None if alert_threshold is None else int(alert_threshold)))
    if run_with_retry(engine, lambda conn: conn.execute(stmt).rowcount) != 1:
        raise InvalidInput("This user no longer exists.")


def clean_recipients(text: str | None) -> str | None:
    """Validate a list of extra addresses; returns them normalised ('a@x, b@y') or None when empty."""
    parts = [p.strip() for p in (text or "").replace(";", ",").replace("\n", ",").split(",")]
    parts = [p for p in parts if p]
    bad = [p for p in parts if not _ADDRESS.match(p)]
    if bad:
        raise InvalidInput(f"Not an email address: {', '.join(bad[:3])}")
    if len(parts) > MAX_EXTRA_RECIPIENTS:
        raise InvalidInput(f"At most {MAX_EXTRA_RECIPIENTS} extra recipients.")
    unique = list(dict.fromkeys(p.lower() for p in parts))
    return ", ".join(unique) or None


def set_extra_recipients(engine: sa.Engine, *, scope: Scope, user_id: int, text: str | None) -> str | None:
    """An admin sets who else receives a person's unhappy-customer alerts; returns the saved list."""
    if scope.role != "admin":
        raise ScopeError("only an admin sets extra recipients")
    value = clean_recipients(text)
    stmt = schema.app_users.update().where(schema.app_users.c.user_id == user_id).values(extra_recipients=value)
    if run_with_retry(engine, lambda conn: conn.execute(stmt).rowcount) != 1:
        raise InvalidInput("This user no longer exists.")
    return value
