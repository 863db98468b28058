"""The floor of a page: the time of the SQL it runs, replayed directly on the same database.

During a cold render a SQLAlchemy cursor listener records every statement the page sends (with
its parameters) and the time it spent in the database. On PostgreSQL the large reads travel by
COPY on the driver's own cursor (`data_access.query.bulk_frame`), which no SQLAlchemy listener sees:
the recorder wraps that read too, so the floor holds them (their time in the render includes
parsing the CSV). The floor is the time of replaying exactly those statements on a plain connection
and fetching their rows (a COPY's blocks read to the end); a page cannot be faster than that.
"""

from __future__ import annotations

import threading
import time
from typing import NamedTuple

import sqlalchemy as sa

from data_access import query
from data_access.engine import get_engine


class CopyRead(NamedTuple):
    """A read sent as COPY … TO STDOUT on the driver's cursor (PostgreSQL's bulk reads)."""

    sql: str
    params: object


class StatementRecorder:
    """Records statements executed on one engine while active (thread-safe, AppTest runs a thread)."""

    def __init__(self, url: str) -> None:
        self.engine = get_engine(url)
        self.captured: list[tuple[str, object]] = []
        self._keep = False
        self._active = False
        self._sql_seconds = 0.0
        self._lock = threading.Lock()
        self._started: dict[int, float] = {}
        sa.event.listen(self.engine, "before_cursor_execute", self._before)
        sa.event.listen(self.engine, "after_cursor_execute", self._after)
        self._copy_frame = query._copy_frame
        query._copy_frame = self._copy_read

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._before)
        sa.event.remove(self.engine, "after_cursor_execute", self._after)
        query._copy_frame = self._copy_frame

    def _copy_read(self, conn, stmt, schema):
        """`query._copy_frame`, recorded and timed like the statements the listener sees."""
        if not self._active or conn.engine.url != self.engine.url:
            return self._copy_frame(conn, stmt, schema)
        if self._keep:
            with self._lock:
                self.captured.append(CopyRead(*query.copy_statement(conn.dialect, stmt, schema)))
        started = time.perf_counter()
        try:
            return self._copy_frame(conn, stmt, schema)
        finally:
            with self._lock:
                self._sql_seconds += time.perf_counter() - started

    def start(self, keep: bool = False) -> None:
        """Begin timing SQL; with `keep`, also (re)capture the statements of this render."""
        with self._lock:
            self._active, self._keep, self._sql_seconds = True, keep, 0.0
            if keep:
                self.captured = []

    def stop(self) -> float:
        """Stop and return the seconds spent executing SQL since start()."""
        with self._lock:
            self._active = False
            return self._sql_seconds

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not self._active:
            return
        self._started[id(cursor)] = time.perf_counter()
        if self._keep and not executemany:
            with self._lock:
                self.captured.append((statement, parameters))

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        started = self._started.pop(id(cursor), None)
        if started is not None and self._active:
            with self._lock:
                self._sql_seconds += time.perf_counter() - started


def replay(url: str, statements: list[tuple[str, object]]) -> tuple[float, float]:
    """(wall, process CPU) seconds to run `statements` (and `CopyRead`s) one after another on one
    connection, fetching every row."""
    engine = get_engine(url)
    with engine.connect() as conn:
        cursor = conn.connection.cursor()  # the DBAPI cursor: no SQLAlchemy result processing
        started, cpu = time.perf_counter(), time.process_time()
        for item in statements:
            if isinstance(item, CopyRead):
                with cursor.copy(item.sql, item.params) as copy:
                    for _ in copy:
                        pass
                continue
            statement, parameters = item
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        cursor.close()
        conn.rollback()
    return elapsed, cpu


def measure_floor(url: str, statements: list[tuple[str, object]], runs: int) -> list[tuple[float, float]]:
    """`runs` timed replays, (wall, CPU) each, after one untimed replay (same warm buffers)."""
    if not statements:
        return []
    replay(url, statements)
    return [replay(url, statements) for _ in range(runs)]
