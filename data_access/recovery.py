"""The recovery rules, written once: who enters the queue, when first contact is due, which
answers are too old to recover, and how an item's state is worded.

Every reader and writer (Coaching, My feedback, alerts, digests, the importer, the demo
generator) takes these from here, so a change of `recovery_target_hours` by an admin moves
the due time everywhere at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from data_access import schema

DEFAULT_THRESHOLD = 6
DEFAULT_TARGET_HOURS = 24
DEFAULT_WINDOW_DAYS = 14
SETTING_KEYS = ("recovery_threshold", "recovery_target_hours", "recovery_window_days")


@dataclass(frozen=True)
class RecoverySettings:
    """Scores at or below `threshold` open an item if submitted within `window_days` of now;
    first contact is due `target_hours` after the answer (moved past a weekend)."""

    threshold: int = DEFAULT_THRESHOLD
    target_hours: int = DEFAULT_TARGET_HOURS
    window_days: int = DEFAULT_WINDOW_DAYS


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
    )


def read_settings(conn: sa.Connection) -> RecoverySettings:
    """The recovery settings as stored in the warehouse's settings table."""
    S = schema.settings
    rows = conn.execute(sa.select(S.c.key, S.c.value).where(S.c.key.in_(SETTING_KEYS))).all()
    return settings_from(dict(rows))


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
