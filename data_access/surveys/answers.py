"""What the survey page reads and writes: the invitation behind a token, the one-click score,
the optional follow-up, and unsubscribing. Every write is one transaction and touches only the
ticket of the invitation the signed token names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from data_access import query, recovery, rollups, schema
from data_access.writes import InvalidInput, run_with_retry

SI, T, R, RF, RI = (schema.survey_invitations, schema.tickets, schema.responses,
                    schema.response_factors, schema.recovery_items)
MAX_COMMENT = 2000
MAX_LOST_MINUTES = 60 * 24 * 30


@dataclass(frozen=True)
class Invitation:
    """The invitation a token names, with what the survey page may show about its ticket."""

    invitation_id: int
    ticket_key: int
    ticket_id: str
    about: str  # the short description, or the service when there is none
    analyst_first_name: str
    state: str
    sent: bool
    requester_email: str


def invitation(conn: sa.Connection, invitation_id: int) -> Invitation | None:
    """The invitation and its (still existing) ticket; None when either is gone."""
    stmt = (sa.select(SI.c.invitation_id, SI.c.ticket_key, T.c.ticket_id, T.c.short_description,
                      schema.services.c.name.label("service"), schema.analysts.c.name.label("analyst"),
                      SI.c.state, SI.c.sent_at, SI.c.requester_email)
            .select_from(SI.join(T, T.c.ticket_key == SI.c.ticket_key)
                         .join(schema.services, schema.services.c.service_id == T.c.service_id)
                         .join(schema.analysts, schema.analysts.c.analyst_id == T.c.analyst_id))
            .where(SI.c.invitation_id == invitation_id))
    row = conn.execute(stmt).first()
    if row is None:
        return None
    first = (str(row.analyst).split() or [""])[0]
    return Invitation(int(row.invitation_id), int(row.ticket_key), str(row.ticket_id),
                      str(row.short_description or row.service), first, str(row.state),
                      row.sent_at is not None, str(row.requester_email))


def factor_options(conn: sa.Connection) -> list[tuple[int, str, str]]:
    """(factor_id, label, polarity) of the factor catalogue, in its order."""
    F = schema.factors
    stmt = sa.select(F.c.factor_id, F.c.label, F.c.polarity).order_by(F.c.sort_order, F.c.factor_id)
    return [(int(i), str(label), str(p)) for i, label, p in conn.execute(stmt).all()]


def current_answer(conn: sa.Connection, ticket_key: int) -> dict | None:
    """The stored response of a ticket (score, CARE, lost minutes, comment, factor ids)."""
    row = conn.execute(sa.select(R).where(R.c.ticket_key == ticket_key)).first()
    if row is None:
        return None
    answer = dict(row._mapping)
    answer["factor_ids"] = sorted(int(f) for f in conn.execute(
        sa.select(RF.c.factor_id).where(RF.c.ticket_key == ticket_key)).scalars())
    return answer


def followup_state(engine: sa.Engine, ticket_key: int) -> tuple[list[tuple[int, str, str]], dict | None]:
    """What the follow-up form needs: the factor catalogue and the answer saved so far."""
    return query.read(lambda conn: (factor_options(conn), current_answer(conn, ticket_key)), engine=engine)


def record_score(engine: sa.Engine, invitation_id: int, score: int, *, now: dt.datetime) -> str:
    """Write the one-click score: 'recorded' (first answer), 'changed', 'same' or 'gone'.

    An answer at or below the recovery threshold opens a recovery item (due per the recovery
    rules) when the ticket has none; the alert job then tells the lead on its next run.
    """
    if not 0 <= int(score) <= 10:
        raise InvalidInput("A score is a whole number from 0 to 10.")

    def work(conn: sa.Connection) -> str:
        inv = invitation(conn, invitation_id)
        if inv is None or not inv.sent:
            return "gone"
        before = conn.execute(sa.select(R.c.happiness).where(R.c.ticket_key == inv.ticket_key)).first()
        if before is not None and int(before.happiness) == int(score):
            return "same"
        # Like every write of an answer, this one keeps the summary tables (rollups) in step:
        # the response, the invitation's state and a recovery item it may open.
        with rollups.maintained(conn, [inv.ticket_key]):
            if before is None:
                conn.execute(R.insert().values(ticket_key=inv.ticket_key, happiness=int(score), submitted_at=now))
            else:
                conn.execute(R.update().where(R.c.ticket_key == inv.ticket_key)
                             .values(happiness=int(score), submitted_at=now))
            conn.execute(SI.update().where(SI.c.invitation_id == inv.invitation_id)
                         .values(state="answered", answered_at=sa.func.coalesce(SI.c.answered_at, now)))
            _open_recovery_item(conn, inv.ticket_key, int(score), now)
        return "recorded" if before is None else "changed"

    return _once_more_on_collision(engine, work)


def _once_more_on_collision(engine: sa.Engine, work):
    """Run `work` in a transaction; when a simultaneous click inserted the same row first (a key
    collision), run it again: the second pass sees that row and updates it instead."""
    try:
        return run_with_retry(engine, work)
    except sa.exc.IntegrityError:
        return run_with_retry(engine, work)


def _open_recovery_item(conn: sa.Connection, ticket_key: int, score: int, now: dt.datetime) -> None:
    rules = recovery.read_settings(conn)
    if not recovery.opens_item(score, now, now, rules):
        return
    if conn.execute(sa.select(RI.c.ticket_key).where(RI.c.ticket_key == ticket_key)).first():
        return
    # The item goes to the analyst's home team (who sees whom), not the ticket's team.
    A = schema.analysts
    team_id, analyst_id = conn.execute(sa.select(A.c.team_id, T.c.analyst_id)
                                       .join(A, A.c.analyst_id == T.c.analyst_id)
                                       .where(T.c.ticket_key == ticket_key)).one()
    conn.execute(RI.insert().values(ticket_key=ticket_key, team_id=team_id, analyst_id=analyst_id,
                                    created_at=now, due_at=recovery.due_at(now, rules.target_hours),
                                    version=1))


def _clean_followup(care: dict[str, int | None], lost_minutes: float | None, comment: str | None,
                    factor_ids: list[int], known: set[int]) -> dict:
    values: dict = {}
    for dim in schema.CARE_DIMENSIONS:
        rating = care.get(dim)
        if rating is not None and not 1 <= int(rating) <= 5:
            raise InvalidInput("Each statement is rated from 1 to 5.")
        values[dim] = None if rating is None else int(rating)
    if lost_minutes is not None and not 0 <= float(lost_minutes) <= MAX_LOST_MINUTES:
        raise InvalidInput("Lost work time is a number of minutes from 0 up to 30 days.")
    values["lost_minutes"] = None if lost_minutes is None else float(lost_minutes)
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise InvalidInput(f"The comment can be at most {MAX_COMMENT} characters.")
    values["comment"] = text or None
    if not set(factor_ids) <= known:
        raise InvalidInput("Pick reasons from the list.")
    return values


def save_followup(engine: sa.Engine, invitation_id: int, *, care: dict[str, int | None],
                  lost_minutes: float | None, comment: str | None, factor_ids: list[int]) -> bool:
    """Add the optional answers to the invitation's response (replacing earlier follow-up
    answers); False when the invitation, its ticket or its score is gone."""

    def work(conn: sa.Connection) -> bool:
        inv = invitation(conn, invitation_id)
        if inv is None or not inv.sent:
            return False
        known = {f for f, _, _ in factor_options(conn)}
        values = _clean_followup(care, lost_minutes, comment, sorted(set(factor_ids)), known)
        with rollups.maintained(conn, [inv.ticket_key]):
            if conn.execute(R.update().where(R.c.ticket_key == inv.ticket_key).values(**values)).rowcount != 1:
                return False
            conn.execute(RF.delete().where(RF.c.ticket_key == inv.ticket_key))
            rows = [dict(ticket_key=inv.ticket_key, factor_id=f) for f in sorted(set(factor_ids))]
            if rows:
                conn.execute(RF.insert(), rows)
        return True

    return _once_more_on_collision(engine, work)


def unsubscribe(engine: sa.Engine, invitation_id: int, *, now: dt.datetime) -> bool:
    """Stop all further survey emails to the invitation's address; False when it is unknown."""
    from data_access.dialect import upsert

    def work(conn: sa.Connection) -> bool:
        email = conn.execute(sa.select(SI.c.requester_email)
                             .where(SI.c.invitation_id == invitation_id)).scalar_one_or_none()
        if not email:
            return False
        upsert(conn, schema.survey_unsubscribes, [dict(email=email.lower(), unsubscribed_at=now)],
               key=["email"], update=[])
        return True

    return run_with_retry(engine, work)
