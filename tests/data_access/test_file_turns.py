"""The app and a command-line run take turns on the embedded DuckDB file instead of locking out."""

import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from data_access import file_turns, schema
from data_access.engine import get_engine, release_embedded_file

ROOT = Path(__file__).resolve().parents[2]


def _cli(url: str, wait_seconds: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SERVICE_PULSE_LOCK_WAIT_SECONDS=wait_seconds)
    return subprocess.run([sys.executable, "-m", "data_access", "summary", "--url", url], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def test_cli_works_once_the_app_lets_go_and_explains_when_it_cannot(tmp_path):
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    engine = get_engine(url)
    schema.create_schema(engine)
    with engine.connect() as conn:  # the app has served a page: its pool holds the file
        conn.execute(sa.text("SELECT 1"))

    held = _cli(url, wait_seconds="1")
    assert held.returncode == 3
    assert "in use by another program" in held.stderr and "Traceback" not in held.stderr

    release_embedded_file(url)  # what app.py does after every page run
    free = _cli(url, wait_seconds="5")
    assert free.returncode == 0, free.stderr
    assert "teams" in free.stdout

    with engine.connect() as conn:  # and the app opens it again on its next run
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.teams)).scalar_one() == 0


# ---------------------------------------------------------------- the app keeps the file while it works

def _held_connections(url: str) -> int:
    return get_engine(url).pool.checkedin()


def _app_read(url: str) -> None:
    with get_engine(url).connect() as conn:
        conn.execute(sa.text("SELECT 1"))


def test_the_app_keeps_the_file_while_any_run_is_in_progress_and_lets_go_when_idle(tmp_path, monkeypatch):
    monkeypatch.setattr(file_turns, "IDLE_SECONDS", 0.2)
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    schema.create_schema(get_engine(url))
    release_embedded_file(url)
    first, second = file_turns.page_run(url), file_turns.page_run(url)
    first.__enter__()
    second.__enter__()
    _app_read(url)
    first.__exit__(None, None, None)      # one session finished, the other still runs
    time.sleep(0.6)
    assert _held_connections(url) == 1    # not closed under the running session's feet
    second.__exit__(None, None, None)
    assert _held_connections(url) == 1    # a quick rerun would still find it open…
    time.sleep(0.6)
    assert _held_connections(url) == 0    # …but an idle app lets go


def test_a_waiting_import_gets_its_turn_when_the_running_pages_finish(tmp_path, monkeypatch):
    monkeypatch.setattr(file_turns, "IDLE_SECONDS", 60.0)  # only the turn request can free it here
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    schema.create_schema(get_engine(url))
    running = file_turns.page_run(url)
    running.__enter__()
    _app_read(url)
    env = dict(os.environ, SERVICE_PULSE_LOCK_WAIT_SECONDS="30")
    cli = subprocess.Popen([sys.executable, "-m", "data_access", "summary", "--url", url], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    marker = file_turns.request_path(file_turns.embedded_file(url))
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists()                 # the CLI asked for its turn…
    assert cli.poll() is None              # …and waits while the page runs
    running.__exit__(None, None, None)     # the page run ends: the app lets go at once
    out, err = cli.communicate(timeout=60)
    assert cli.returncode == 0, err
    assert "teams" in out and not marker.exists()
    _app_read(url)                         # and the app opens it again afterwards


def test_other_databases_are_not_counted(sqlite_demo_url):
    assert file_turns.embedded_file(sqlite_demo_url) is None
    with file_turns.page_run(sqlite_demo_url):
        _app_read(sqlite_demo_url)
    assert file_turns.embedded_file("duckdb:///:memory:") is None
