"""Dates on the command line are checked before a command runs: a wrong one is a usage error
(exit code 2, one line saying what is expected), never a traceback or a half-done command."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from cli import main
from data_access import demo, schema
from data_access.engine import get_engine


@pytest.mark.parametrize("argv, expected", [
    (["digest", "monthly", "--month", "2026-13"], "--month: expected a month as YYYY-MM, got '2026-13'"),
    (["digest", "monthly", "--month", "October"], "--month: expected a month as YYYY-MM, got 'October'"),
    (["digest", "weekly", "--week-ending", "2026-02-30"],
     "--week-ending: expected a date as YYYY-MM-DD, got '2026-02-30'"),
    (["generate", "--end", "tomorrow"], "--end: expected a date as YYYY-MM-DD, got 'tomorrow'"),
])
def test_a_wrong_date_is_a_usage_error(argv, expected, capsys):
    with pytest.raises(SystemExit) as stop:
        main([*argv, "--url", "sqlite:///:memory:"])
    assert stop.value.code == 2
    assert expected in capsys.readouterr().err


def test_generate_with_a_wrong_end_leaves_the_database_as_it_was(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    demo.generate(get_engine(url), responses=300, seed=7, end=dt.date(2026, 11, 20))
    with get_engine(url).connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(schema.responses)).scalar_one()
    with pytest.raises(SystemExit):
        main(["generate", "--url", url, "--replace", "--end", "2026-11-31"])
    with get_engine(url).connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.responses)).scalar_one() == before > 0
