"""A team lead's writes: recovery actions, kudos and coaching notes, one transaction each.

Shared items (recovery items, notes) carry a version: an update names the version the lead saw
and lands only if nobody changed the item since (`WriteConflict` otherwise), so two leads or two
browser tabs never overwrite each other silently. Kudos are unique per response: a second click
is a no-op. Bad input raises `InvalidInput` with a sentence meant for the form.
"""

from __future__ import annotations

import datetime as dt
import functools

import sqlalchemy as sa

from data_access import clock, recovery, rollups
# The same short table names as the Coaching reads (one list, kept there).
from data_access.coaching import A, K, N, R, RA, RI, T
from data_access.engine import get_engine
from data_access.scope import Scope, ScopeError
from data_access.scoping import SELF_COACHING, lead_coaches
from data_access.writes import InvalidInput, WriteConflict, run_with_retry
from metrics.happiness import HAPPY_MIN

MAX_TEXT = 2_000
RECOVERY_KINDS = ("contacted", "resolved", "reopened", "note")
OUTCOMES = ("recovered", "partly recovered", "not recovered", "no answer")
CONFLICT_MESSAGE = ("Someone else updated this {what} a moment ago. Reload to see their change, "
                    "then record yours again.")


def _keeping_rollups(ticket_key: int, work):
    """`work` with the summary tables following its change to this ticket's item or kudos."""
    def kept(conn: sa.Connection):
        with rollups.maintained(conn, [ticket_key]):
            return work(conn)
    return kept


def _lead(scope: Scope) -> None:
    if scope.role != "lead":
        raise ScopeError("only a team lead can do this")


def _clean_text(text: str | None, *, what: str, required: bool) -> str | None:
    value = (text or "").strip()
    if not value:
        if required:
            raise InvalidInput(f"Please write the {what} before saving.")
        return None
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"The {what} is {len(value):,} characters long; please keep it under "
                           f"{MAX_TEXT:,} characters.")
    return value


def _check_follow_up(follow_up_on: dt.date | None) -> None:
    if follow_up_on is not None and follow_up_on < clock.today():
        raise InvalidInput(f"The follow-up date {follow_up_on:%d %b %Y} is in the past; "
                           "pick today or a later date.")


def _not_yours(scope: Scope, conn: sa.Connection, ticket_key: int) -> str:
    """Why a lead may not act on this response (the lead's own ticket gets its own message)."""
    if scope.analyst_id is not None and conn.execute(
            sa.select(T.c.analyst_id).where(T.c.ticket_key == ticket_key)).scalar_one_or_none() == scope.analyst_id:
        return SELF_COACHING
    return "this response is not about an analyst of your teams"


def _response_in_scope(conn: sa.Connection, scope: Scope, ticket_key: int):
    """The response, its analyst and the analyst's HOME team (`scoping.lead_coaches`): the lead of
    the analyst acts on it, whatever team the ticket was assigned to; never on their own."""
    row = conn.execute(sa.select(A.c.team_id, T.c.analyst_id, R.c.happiness, R.c.submitted_at)
                       .select_from(R.join(T, T.c.ticket_key == R.c.ticket_key)
                                    .join(A, A.c.analyst_id == T.c.analyst_id))
                       .where(R.c.ticket_key == ticket_key, lead_coaches(scope, T.c.analyst_id))).one_or_none()
    if row is None:
        raise ScopeError(_not_yours(scope, conn, ticket_key))
    return row


# ---------------------------------------------------------------- recovery

@functools.lru_cache(maxsize=8)
def _recovery_writable(url: str) -> None:
    """DuckDB files made before schema.py skipped ix_recovery_team_open there cannot update an item
    that has actions (see the note in schema.py); dropping that index once makes them writable."""
    engine = get_engine(url)
    if engine.dialect.name == "duckdb":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP INDEX IF EXISTS ix_recovery_team_open"))


def _create_item(conn: sa.Connection, response, ticket_key: int, expected_version: int,
                 threshold: int | None) -> None:
    """Open the recovery item of a response that had none yet, due as `recovery.due_at` says."""
    settings = recovery.read_settings(conn)
    if response.happiness > (settings.threshold if threshold is None else threshold):
        raise InvalidInput("This response is above the recovery threshold; it needs no follow-up.")
    if expected_version != 0:
        raise WriteConflict(CONFLICT_MESSAGE.format(what="item"))
    conn.execute(RI.insert().values(
        ticket_key=ticket_key, team_id=response.team_id, analyst_id=response.analyst_id,
        created_at=response.submitted_at, due_at=recovery.due_at(response.submitted_at, settings.target_hours),
        version=0))


def _action_values(kind: str, outcome: str | None, now: dt.datetime, first_contact: dt.datetime | None,
                   resolved: dt.datetime | None) -> dict:
    """The item's new columns after the action `kind` (its version goes up by one)."""
    values: dict = {"version": RI.c.version + 1}
    if kind == "contacted":
        values["first_contact_at"] = first_contact or now
    elif kind == "resolved":
        if resolved is not None:
            raise InvalidInput("This item is already closed; reopen it first to change the outcome.")
        values.update(resolved_at=now, outcome=outcome, first_contact_at=first_contact or now)
    elif kind == "reopened":
        if resolved is None:
            raise InvalidInput("This item is still open.")
        values.update(resolved_at=None, outcome=None)
    return values


def record_recovery_action(*, url: str, scope: Scope, user_id: int, ticket_key: int, kind: str,
                           expected_version: int, outcome: str | None = None, note: str | None = None,
                           threshold: int | None = None) -> int:
    """Record a contact, a resolution (with outcome), a reopening or a note; returns the new version.

    `expected_version` is the version the lead saw (0 when the response had no recovery item
    yet); if the item changed since, nothing is written and WriteConflict is raised. An item
    created here follows the stored recovery settings (`threshold` None = the admin's threshold).
    """
    _lead(scope)
    if kind not in RECOVERY_KINDS:
        raise InvalidInput(f"Unknown recovery action {kind!r}.")
    note = _clean_text(note, what="note", required=kind == "note")
    if kind == "resolved" and outcome not in OUTCOMES:
        raise InvalidInput("Please choose the outcome of the follow-up before closing the item.")
    if kind != "resolved":
        outcome = None
    now = clock.now()
    _recovery_writable(url)

    def work(conn: sa.Connection) -> int:
        response = _response_in_scope(conn, scope, ticket_key)
        item = conn.execute(sa.select(RI.c.version, RI.c.first_contact_at, RI.c.resolved_at)
                            .where(RI.c.ticket_key == ticket_key)).one_or_none()
        if item is None:
            _create_item(conn, response, ticket_key, expected_version, threshold)
        values = _action_values(kind, outcome, now, item.first_contact_at if item else None,
                                item.resolved_at if item else None)
        done = conn.execute(RI.update().where(RI.c.ticket_key == ticket_key,
                                              RI.c.version == (expected_version if item is not None else 0))
                            .values(**values))
        if done.rowcount != 1:
            raise WriteConflict(CONFLICT_MESSAGE.format(what="item"))
        conn.execute(RA.insert().values(ticket_key=ticket_key, kind=kind, outcome=outcome, note=note,
                                        acted_by=user_id, acted_at=now))
        return conn.execute(sa.select(RI.c.version).where(RI.c.ticket_key == ticket_key)).scalar_one()

    try:
        return run_with_retry(get_engine(url), _keeping_rollups(ticket_key, work))
    except sa.exc.IntegrityError as exc:  # another lead created the item at the same moment
        raise WriteConflict(CONFLICT_MESSAGE.format(what="item")) from exc


# ---------------------------------------------------------------- kudos

def give_kudos(*, url: str, scope: Scope, user_id: int, ticket_key: int, note: str | None = None) -> bool:
    """Send kudos for a positive (9–10) response to its analyst. False when kudos were already given."""
    _lead(scope)
    note = _clean_text(note, what="kudos note", required=False)
    now = clock.now()

    def work(conn: sa.Connection) -> bool:
        response = _response_in_scope(conn, scope, ticket_key)
        if response.happiness < HAPPY_MIN:
            raise InvalidInput("Kudos are for positive responses (scores of 9 or 10).")
        before = conn.execute(sa.select(sa.func.count()).select_from(K)
                              .where(K.c.ticket_key == ticket_key)).scalar_one()
        if before:
            return False
        # The unique key on kudos.ticket_key settles a race between two clicks (IntegrityError below).
        conn.execute(K.insert().values(ticket_key=ticket_key, analyst_id=response.analyst_id,
                                       team_id=response.team_id, given_by=user_id, given_at=now, note=note))
        return True

    try:
        return run_with_retry(get_engine(url), _keeping_rollups(ticket_key, work))
    except sa.exc.IntegrityError:  # a concurrent click won the race: same outcome, no error
        return False


# ---------------------------------------------------------------- coaching notes

def _note_in_scope(conn: sa.Connection, scope: Scope, note_id: int):
    row = conn.execute(sa.select(N.c.version, N.c.follow_up_on, N.c.body, N.c.shared_with_analyst)
                       .where(N.c.note_id == note_id, lead_coaches(scope, N.c.analyst_id))).one_or_none()
    if row is None:
        raise ScopeError("this note is not about an analyst in your teams")
    return row


def add_note(*, url: str, scope: Scope, user_id: int, analyst_id: int, body: str,
             follow_up_on: dt.date | None = None, shared: bool = False) -> int:
    """Save a dated coaching note about an analyst of the lead's teams; returns its id."""
    _lead(scope)
    body = _clean_text(body, what="note", required=True)
    _check_follow_up(follow_up_on)
    now = clock.now()

    if analyst_id == scope.analyst_id:
        raise ScopeError(SELF_COACHING)

    def work(conn: sa.Connection) -> int:
        seen = conn.execute(sa.select(A.c.analyst_id).where(A.c.analyst_id == analyst_id,
                                                            lead_coaches(scope, A.c.analyst_id))).scalar_one_or_none()
        if seen is None:
            raise ScopeError("this analyst is not in one of your teams")
        result = conn.execute(N.insert().values(analyst_id=analyst_id, author_user_id=user_id, created_at=now,
                                                body=body, follow_up_on=follow_up_on,
                                                shared_with_analyst=bool(shared), version=1)
                              .returning(N.c.note_id))
        return int(result.scalar_one())

    return run_with_retry(get_engine(url), work)


def edit_note(*, url: str, scope: Scope, note_id: int, body: str, follow_up_on: dt.date | None,
              expected_version: int) -> int:
    """Change a note's text and follow-up date; returns the new version (WriteConflict if stale)."""
    _lead(scope)
    body = _clean_text(body, what="note", required=True)

    def work(conn: sa.Connection) -> int:
        current = _note_in_scope(conn, scope, note_id)
        if follow_up_on != current.follow_up_on:  # an old, unchanged date may stay
            _check_follow_up(follow_up_on)
        return _versioned_update(conn, note_id, expected_version, body=body, follow_up_on=follow_up_on)

    return run_with_retry(get_engine(url), work)


def share_note(*, url: str, scope: Scope, note_id: int, shared: bool, expected_version: int) -> int:
    """Mark a note shared with (or private from) the analyst; returns the new version."""
    _lead(scope)

    def work(conn: sa.Connection) -> int:
        _note_in_scope(conn, scope, note_id)
        return _versioned_update(conn, note_id, expected_version, shared_with_analyst=bool(shared))

    return run_with_retry(get_engine(url), work)


def _versioned_update(conn: sa.Connection, note_id: int, expected_version: int, **values) -> int:
    done = conn.execute(N.update().where(N.c.note_id == note_id, N.c.version == expected_version)
                        .values(version=N.c.version + 1, **values))
    if done.rowcount != 1:
        raise WriteConflict(CONFLICT_MESSAGE.format(what="note"))
    return expected_version + 1
