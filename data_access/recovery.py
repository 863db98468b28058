"""The recovery rules, written once: who enters the queue, when first contact is due, which
answers are too old to recover, which items the recovery figures count, and how an item's
state is worded.

Every reader and writer (Coaching, My feedback, alerts, digests, the importer, the demo
generator) takes these from here, so a change of `recovery_target_hours` by an admin moves
the due time everywhere at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from data_access import schema

DEFAULT_THRESHOLD = 6
DEFAULT_TARGET_HOURS = 24
DEFAULT_WINDOW_DAYS = 14
TRACKING_KEY = "recovery_tracking_since"  # written by the first import of answers (see tracking_start)
SETTING_KEYS = ("recovery_threshold", "recovery_target_hours", "recovery_window_days", TRACKING_KEY)


@dataclass(frozen=True)
class RecoverySettings:
    """Scores at or below `threshold` open an item if submitted within `window_days` of now;
    first contact is due `target_hours` after the answer (moved past a weekend). The recovery
    figures count items opened from `tracking_since` on (None: every item)."""

    threshold: int = DEFAULT_THRESHOLD
    target_hours: int = DEFAULT_TARGET_HOURS
    window_days: int = DEFAULT_WINDOW_DAYS
    tracking_since: dt.datetime | None = None


def _int(values: dict, key: str, default: int, low: int, high: int) -> int:
    try:
        value = int(values.get(key, default))
    except (TypeError, ValueError):
        return default
    return value if low <= value <= high else default


def settings_from(values: dict) -> RecoverySettings:
    """Settings from the settings table's key → value pairs (defaults for missing or bad values)."""
    return RecoverySettings(
        threshold=_int(values, "recovery_threshold", DEFAULT_THRESHOLD, 0, 10),
        target_hours=_int(values, "recovery_target_hours", DEFAULT_TARGET_HOURS, 1, 24 * 14),
        window_days=_int(values, "recovery_window_days", DEFAULT_WINDOW_DAYS, 1, 366),
        tracking_since=_moment(values.get(TRACKING_KEY)),
    )


def _moment(value) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def read_settings(conn: sa.Connection) -> RecoverySettings:
    """The recovery settings as stored in the warehouse's settings table."""
    S = schema.settings
    rows = conn.execute(sa.select(S.c.key, S.c.value).where(S.c.key.in_(SETTING_KEYS))).all()
    return settings_from(dict(rows))


def tracking_start(now: dt.datetime) -> dt.datetime:
    """When recovery tracking begins for a warehouse filled by importing: the moment of its first
    import of answers. Every answer that came with it is history for the recovery figures, even
    one recent enough to sit in the lead's queue: its item was opened at the import, often after
    its due time, so nobody could have contacted that customer in time."""
    return now.replace(microsecond=0)


def counted(created_at: sa.ColumnElement, tracking_since: dt.datetime | None) -> list[sa.ColumnElement]:
    """The one rule for every recovery figure (the CIO's tile, the digests' rates): only items
    opened since recovery tracking began count. No start recorded (the demo, a warehouse fed by
    the app's own surveys): every item counts."""
    return [] if tracking_since is None else [created_at >= tracking_since]


def due_at(submitted_at: dt.datetime, target_hours: int) -> dt.datetime:
    """When first contact is due: `target_hours` after the answer, moved to Monday when that
    lands on a weekend."""
    due = submitted_at + dt.timedelta(hours=target_hours)
    if due.weekday() >= 5:
        due += dt.timedelta(days=7 - due.weekday())
    return due


def opens_item(score: int, submitted_at: dt.datetime, now: dt.datetime, settings: RecoverySettings) -> bool:
    """Whether an answer opens a recovery item: unhappy enough, and recent enough to still act on."""
    return score <= settings.threshold and submitted_at >= now - dt.timedelta(days=settings.window_days)


def due_at_expr(submitted: pl.Expr, target_hours: int) -> pl.Expr:
    """`due_at` as a polars expression, for frames of items with no stored due time yet (no Python
    callback per row: those deadlock polars' thread pool against the GIL under several sessions)."""
    due = submitted + pl.duration(hours=target_hours)
    weekday = due.dt.weekday()  # 1 = Monday … 7 = Sunday
    return due + pl.duration(days=pl.when(weekday >= 6).then(8 - weekday).otherwise(0))


def _weekend_exclusions(now: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """Moments x before `now` whose due time (x moved past a weekend) is still not before `now`:
    Saturday moments within 2 days of `now`, Sunday moments within 1 day (half-open ranges)."""
    day = now.date()
    saturday = dt.datetime.combine(day - dt.timedelta(days=(day.weekday() - 5) % 7), dt.time())
    sunday, monday = saturday + dt.timedelta(days=1), saturday + dt.timedelta(days=2)
    ranges = [(max(saturday, now - dt.timedelta(days=2)), min(sunday, now)),
              (max(sunday, now - dt.timedelta(days=1)), min(monday, now))]
    return [(lo, hi) for lo, hi in ranges if lo < hi]


def overdue_condition(submitted: sa.ColumnElement, now: dt.datetime, target_hours: int) -> sa.ColumnElement:
    """SQL for `due_at(submitted, target_hours) < now`, for unhappy responses with no recovery item
    yet (an item carries its own due time). Exact for every dialect: no weekday function needed,
    only the weekend just before `now` can hold a not-yet-due answer."""
    shift = dt.timedelta(hours=target_hours)
    conds = [submitted < now - shift]
    conds += [sa.not_(sa.and_(submitted >= lo - shift, submitted < hi - shift))
              for lo, hi in _weekend_exclusions(now)]
    return sa.and_(*conds)


def not_due_since(now: dt.datetime, target_hours: int) -> dt.datetime:
    """The earliest submission whose due time may not have passed at `now` (an answer submitted
    before it is overdue by `overdue_condition`): a bound that lets a read skip older answers."""
    shift = dt.timedelta(hours=target_hours)
    return min([now - shift] + [lo - shift for lo, _ in _weekend_exclusions(now)])


# How an open or closed item is worded: for the analyst (My feedback) and for the lead (digest).
ANALYST_WORDS = {"contacted": "contacted, not closed yet",
                 "overdue": "waiting for first contact (past due)",
                 "waiting": "waiting for first contact"}


def item_state(*, due_at: dt.datetime | None, first_contact_at: dt.datetime | None,
               resolved_at: dt.datetime | None, now: dt.datetime) -> str:
    """closed, contacted, overdue (no contact and past due) or waiting."""
    if resolved_at is not None:
        return "closed"
    if first_contact_at is not None:
        return "contacted"
    return "overdue" if due_at is not None and due_at < now else "waiting"


def analyst_status_expr(now: dt.datetime) -> pl.Expr:
    """The analyst's wording of an open item's state (`item_state`), over due_at/first_contact_at."""
    return (pl.when(pl.col("first_contact_at").is_not_null()).then(pl.lit(ANALYST_WORDS["contacted"]))
            .when(pl.col("due_at") < now).then(pl.lit(ANALYST_WORDS["overdue"]))
            .otherwise(pl.lit(ANALYST_WORDS["waiting"])))


def lead_status_text(*, due_at: dt.datetime, first_contact_at: dt.datetime | None,
                     resolved_at: dt.datetime | None, outcome: str | None, now: dt.datetime) -> str:
    """The lead's wording of an item's state, with its due time (digest lines)."""
    state = item_state(due_at=due_at, first_contact_at=first_contact_at, resolved_at=resolved_at, now=now)
    if state == "closed":
        return f"recovery closed: {outcome or 'done'}"
    if state == "contacted":
        return "customer contacted, item open"
    if state == "overdue":
        return f"OVERDUE since {due_at:%a %d %b %H:%M}"
    return f"call back by {due_at:%a %d %b %H:%M}"
