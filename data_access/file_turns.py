"""Sharing the embedded DuckDB file between the app and a command-line run, without closing it
after every page run.

DuckDB lets one process at a time hold a database file. The app used to let go of it after
every page run, so that `python -m data_access import …` could take a turn; with several people
at once that meant reopening the file constantly and sessions closing it under each other's feet
(measured with `python -m bench.sessions` at 1M responses, ten cold sessions at once: p50 3.0 s
and 3.5–3.9 CPU-s when closing after every run, 2.3–2.5 s and 2.9 CPU-s with the turns below;
no measurable difference at 100k). Now:

- the app keeps the file while any page run is in progress, and lets go once it has been idle
  for `IDLE_SECONDS`;
- a command-line run that finds the file taken leaves a turn request next to it (`<file>.turn`)
  while it waits; the app then starts no new database work until the runs in progress finish,
  lets go at once, and its next connects wait (engine's retry policy) until the CLI is done.

Nothing here imports Streamlit: app.py wraps each page run in `page_run(url)`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Iterator

from sqlalchemy.engine import make_url

from data_access import config
from data_access.engine import get_engine, release_embedded_file

IDLE_SECONDS = 2.0
STALE_REQUEST_SECONDS = 120.0  # a request left behind by a killed CLI stops counting after this
DRAIN_WAIT_SECONDS = 30.0


def embedded_file(url: str) -> Path | None:
    """The DuckDB file behind `url`, or None for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "duckdb" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def request_path(path: Path) -> Path:
    return path.with_name(path.name + ".turn")


def request_turn(url: str) -> None:
    """Say that a command-line run is waiting for the file (the app lets go as soon as it can)."""
    path = embedded_file(url)
    if path is not None:
        with contextlib.suppress(OSError):
            request_path(path).touch()


def withdraw_request(url: str) -> None:
    path = embedded_file(url)
    if path is not None:
        request_path(path).unlink(missing_ok=True)


def turn_requested(url: str) -> bool:
    path = embedded_file(url)
    if path is None:
        return False
    try:
        return time.time() - request_path(path).stat().st_mtime < STALE_REQUEST_SECONDS
    except OSError:
        return False


class _AppTurns:
    """Counts the app's page runs on one file; releases it when idle or when a CLI asks."""

    def __init__(self, url: str):
        self.url = url
        self.active = 0
        self.changed = threading.Condition()
        self.timer: threading.Timer | None = None

    def enter(self) -> None:
        with self.changed:
            if turn_requested(self.url):  # a CLI waits: let the runs in progress drain, then let go
                self.changed.wait_for(lambda: self.active == 0, timeout=DRAIN_WAIT_SECONDS)
                if self.active == 0:
                    release_embedded_file(self.url)
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            self.active += 1

    def leave(self) -> None:
        with self.changed:
            self.active -= 1
            if self.active == 0:
                if turn_requested(self.url):
                    release_embedded_file(self.url)
                else:
                    self.timer = threading.Timer(IDLE_SECONDS, self._release_if_idle)
                    self.timer.daemon = True
                    self.timer.start()
            self.changed.notify_all()

    def _release_if_idle(self) -> None:
        with self.changed:
            if self.active == 0:
                release_embedded_file(self.url)
                self.timer = None


_TURNS: dict[str, _AppTurns] = {}
_TURNS_LOCK = threading.Lock()


def _turns(url: str) -> _AppTurns:
    with _TURNS_LOCK:
        return _TURNS.setdefault(url, _AppTurns(url))


@contextlib.contextmanager
def page_run(url: str | None = None) -> Iterator[None]:
    """Around one page run of the app: the embedded file stays open while any run is in progress."""
    url = url or config.database_url()
    if embedded_file(url) is None:
        yield
        return
    get_engine(url)  # resolve the engine before counting, so a release always has one to dispose
    turns = _turns(url)
    turns.enter()
    try:
        yield
    finally:
        turns.leave()
