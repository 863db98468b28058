"""Attempt limits for survey links, kept in the app process, so a script cannot walk tokens.

Two sliding windows: forged tokens anywhere in the process (a burst of them closes the door
for everyone for a short while; genuine but expired links do not count), and per invitation id (one invitation cannot be
probed with many signatures, and a person clicking around stays far below the limit).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque

PROCESS_FAILURES_PER_MINUTE = 60
INVITATION_ATTEMPTS_PER_HOUR = 30


class Window:
    """At most `limit` events per `seconds` per key."""

    def __init__(self, limit: int, seconds: float):
        self.limit = limit
        self.seconds = seconds
        self._events: dict[object, deque] = {}
        self._lock = threading.Lock()

    def _trim(self, key: object, now: float) -> deque:
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.seconds:
            events.popleft()
        return events

    def blocked(self, key: object, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            events = self._trim(key, now)
            if not events and len(self._events) > 10_000:
                self._events = {k: v for k, v in self._events.items() if v}
            return len(events) >= self.limit

    def add(self, key: object, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._trim(key, now).append(now)

    def reset(self) -> None:
        with self._lock:
            self._events.clear()


failures = Window(PROCESS_FAILURES_PER_MINUTE, 60.0)        # key: "process"
per_invitation = Window(INVITATION_ATTEMPTS_PER_HOUR, 3600.0)  # key: invitation id


_local = threading.local()


@contextlib.contextmanager
def uncounted():
    """Re-checks of a link this session already opened (reruns of the survey page) are free."""
    _local.free = True
    try:
        yield
    finally:
        _local.free = False


def allowed(invitation_id: int | None) -> bool:
    """Whether a token check may run now (call before verifying)."""
    if getattr(_local, "free", False):
        return True
    if failures.blocked("process"):
        return False
    return invitation_id is None or not per_invitation.blocked(invitation_id)


def record(invitation_id: int | None, *, ok: bool) -> None:
    """Count one check: forged tokens against the process, every attempt against its invitation."""
    if getattr(_local, "free", False):
        return
    if not ok:
        failures.add("process")
    if invitation_id is not None:
        per_invitation.add(invitation_id)


def reset() -> None:
    """Forget every attempt (tests)."""
    failures.reset()
    per_invitation.reset()
