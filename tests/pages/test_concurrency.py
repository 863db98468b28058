"""Many people at once: page renders in parallel threads of one process must all finish.

Each thread is one session (AppTest) of Culture trends, Coaching or My feedback for a different
person — CIO, leads of different teams, analysts — against one shared warehouse file, DuckDB and
SQLite, with cold caches. Streamlit serves every session from threads of one process, so this is
how the app runs under load. A watchdog fails the test on a hang, with every thread's stack:

- a thread still running after LIMIT_SECONDS → the test fails with the stacks of all threads;
- a hang that holds the GIL (the polars pool waiting for it while session threads wait for the
  pool) stops Python itself, so faulthandler's own C-level thread dumps the stacks and ends the
  run after HARD_LIMIT_SECONDS instead of letting the suite hang forever.
"""

from __future__ import annotations

import datetime as dt
import faulthandler
import os
import sys
import threading
import time
import traceback
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from components import auth
from data_access import demo
from data_access.engine import get_engine
from data_access.users import find_user

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 20)
LIMIT_SECONDS = 240
HARD_LIMIT_SECONDS = 300
PAGES = {"cio": "culture_trends.py", "lead": "coaching.py", "analyst": "my_feedback.py"}


def _sessions(url: str) -> list[tuple[str, str]]:
    """(page file, username) for twelve people: the CIO, leads of four teams, seven analysts."""
    with get_engine(url).connect() as conn:
        leads = conn.execute(sa.text(
            "SELECT u.username FROM app_users u JOIN user_roles r ON r.user_id = u.user_id "
            "WHERE r.role = 'lead' ORDER BY u.user_id")).scalars().all()
        analysts = conn.execute(sa.text(
            "SELECT u.username FROM app_users u JOIN user_roles r ON r.user_id = u.user_id "
            "WHERE r.role = 'analyst' AND u.username NOT IN (SELECT u2.username FROM app_users u2 "
            "JOIN user_roles r2 ON r2.user_id = u2.user_id WHERE r2.role = 'lead') "
            "ORDER BY u.user_id")).scalars().all()
    assert len(leads) >= 4 and len(analysts) >= 7
    return ([(PAGES["cio"], "cio")] + [(PAGES["lead"], u) for u in leads[:4]]
            + [(PAGES["analyst"], u) for u in analysts[:7]])


def _render(page: str, username: str, url: str) -> tuple[str, float, list[str]]:
    """One cold session of `page` for `username`: (what it showed first, seconds, exceptions)."""
    viewer = auth.viewer_for(find_user(username, url=url))
    started = time.perf_counter()
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=LIMIT_SECONDS)
    at.session_state["viewer"] = viewer
    at.run()
    shown = at.title[0].value if at.title else ""
    problems = [e.value for e in at.exception] + [e.value for e in at.error]
    return shown, time.perf_counter() - started, problems


def _stacks() -> str:
    names = {t.ident: t.name for t in threading.enumerate()}
    return "\n".join(f"--- {names.get(ident, ident)}\n" + "".join(traceback.format_stack(frame))
                     for ident, frame in sys._current_frames().items())


def _run_all_at_once(url: str, stderr) -> dict[tuple[str, str], tuple]:
    sessions = _sessions(url)
    results: dict[tuple[str, str], tuple] = {}
    start = threading.Barrier(len(sessions))

    def session(page: str, username: str) -> None:
        start.wait()  # everyone at the same moment
        try:
            results[(page, username)] = _render(page, username, url)
        except BaseException as exc:  # noqa: BLE001 (reported below, with the session's name)
            results[(page, username)] = ("", 0.0, [f"{type(exc).__name__}: {exc}"])

    threads = [threading.Thread(target=session, args=s, name=f"{s[0]}:{s[1]}", daemon=True) for s in sessions]
    faulthandler.dump_traceback_later(HARD_LIMIT_SECONDS, exit=True, file=stderr)
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + LIMIT_SECONDS
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        hung = [t.name for t in threads if t.is_alive()]
        if hung:
            pytest.fail(f"{len(hung)} of {len(threads)} sessions hung beyond {LIMIT_SECONDS} s: {hung}\n"
                        + _stacks())
    finally:
        faulthandler.cancel_dump_traceback_later()
    return results


def _one_runtime_for_every_session(monkeypatch) -> None:
    """AppTest keeps a per-run stand-in Runtime in Streamlit's class-wide singleton and clears it
    when its run ends. With twelve AppTests in threads of one process, one session ending clears
    it under the others ("Runtime hasn't been created!"), a race of the test harness only: the
    real server has one Runtime for every session. Sessions fall back to the last one seen."""
    from streamlit.runtime.runtime import Runtime

    last: list = []

    def instance(cls):
        if cls._instance is not None:
            last[:] = [cls._instance]
            return cls._instance
        if last:
            return last[0]
        raise RuntimeError("Runtime hasn't been created!")

    monkeypatch.setattr(Runtime, "instance", classmethod(instance))
    monkeypatch.setattr(Runtime, "exists", classmethod(lambda cls: cls._instance is not None or bool(last)))


@pytest.fixture(scope="module")
def duckdb_url(tmp_path_factory) -> str:
    url = f"duckdb:///{tmp_path_factory.mktemp('concurrent') / 'demo.duckdb'}"
    demo.generate(get_engine(url), responses=4_000, seed=11, end=TODAY)
    return url


@pytest.fixture(scope="module")
def real_stderr(request):
    """The terminal's stderr, not pytest's capture file: faulthandler's dump must be seen even
    when it ends the process."""
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        stream = os.fdopen(os.dup(2), "w")
    yield stream
    stream.close()


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["duckdb", "sqlite"])
def test_twelve_sessions_render_at_once_without_hang_or_error(engine, request, monkeypatch, real_stderr):
    url = request.getfixturevalue("duckdb_url" if engine == "duckdb" else "sqlite_demo_url")
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY.isoformat())
    st.cache_data.clear()  # cold: every session computes its figures at the same time
    _one_runtime_for_every_session(monkeypatch)

    results = _run_all_at_once(url, real_stderr)

    assert len(results) == 12
    for (page, username), (shown, seconds, problems) in results.items():
        assert problems == [], f"{page} for {username}: {problems}"
        expected = {"culture_trends.py": "Culture trends", "coaching.py": "Coaching",
                    "my_feedback.py": "My feedback"}[page]
        assert shown == expected, (page, username, shown)
        assert seconds < LIMIT_SECONDS
