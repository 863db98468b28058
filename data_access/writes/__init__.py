"""The app's own writes (self-assessments, coaching notes, recovery actions, kudos, users).

Every write runs in one transaction; updates of shared rows use a version column so that two
people acting on the same item never overwrite each other silently.
"""

from __future__ import annotations

import contextlib
import time
from typing import Iterator

import sqlalchemy as sa

from data_access.engine import RETRIED_KINDS, failure_kind


class WriteConflict(RuntimeError):
    """Someone else changed the item first; reload and try again."""


class InvalidInput(ValueError):
    """Input that cannot be saved; the message is meant for the person who typed it."""


@contextlib.contextmanager
def transaction(engine: sa.Engine, *, retries: int = 5) -> Iterator[sa.Connection]:
    """A transaction on `engine`; the caller's block runs once (retry is the caller's choice)."""
    del retries  # kept for signature stability; see run_with_retry
    with engine.begin() as conn:
        yield conn


def run_with_retry(engine: sa.Engine, work, *, attempts: int = 6):
    """Run `work(conn)` in a transaction, retrying when the database reports a write-write conflict."""
    for attempt in range(attempts):
        try:
            with engine.begin() as conn:
                return work(conn)
        except sa.exc.OperationalError as exc:  # SQLite 'database is locked', PG serialization
            if attempt == attempts - 1 or not _is_conflict(exc):
                raise
        except sa.exc.DBAPIError as exc:  # DuckDB reports conflicts as TransactionException
            if attempt == attempts - 1 or not _is_conflict(exc):
                raise
        time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _is_conflict(exc: Exception) -> bool:
    """A write-write conflict or any failure the one retry policy calls transient."""
    text = str(exc).lower()
    return failure_kind(exc) in RETRIED_KINDS or any(word in text for word in ("locked", "conflict", "serializ",
                                                                          "deadlock"))
