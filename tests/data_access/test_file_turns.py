"""The app and a command-line run take turns on the embedded DuckDB file instead of locking out."""

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from data_access import schema
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
