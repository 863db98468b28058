"""Rollups by hand: exact rows after imports, a replaced answer, a moved ticket and a deletion;
freshness; the check/rebuild/sql commands."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from data_access import rollups, schema
from cli import main
from data_access.engine import get_engine
from data_access.rollups.check import check
from data_access.rollups.scheduler_sql import scheduler_script
from data_access.rollups.state import status_of
from tests.data_access.test_rollups_property import (RESPONSE_HEADER, TICKET_HEADER, _delete_responses,
                                                     _reset, _write)
from tests.importer.helpers import do_import

RR = schema.rollup_responses
NOW = dt.datetime(2026, 11, 20, 12, 0)


def _import(url, tmp_path, kind, rows, name):
    path = tmp_path / f"{name}.csv"
    _write(path, TICKET_HEADER if kind == "tickets" else RESPONSE_HEADER, rows)
    result = do_import(url, kind, path)
    assert result.rejected == 0, result.rejects
    return result


def _cells(url) -> list[tuple]:
    cols = [RR.c.day, RR.c.analyst_id, RR.c.sla_met, RR.c.reassignment_count, RR.c.n, RR.c.happy, RR.c.unhappy,
            RR.c.communication_n, RR.c.communication_sum, RR.c.communication_sumsq, RR.c.lost_n, RR.c.lost_sum,
            RR.c.lost_sumsq]
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(*cols).order_by(RR.c.day, RR.c.analyst_id, RR.c.sla_met))]


def _weekly(url) -> list[tuple]:
    RW = schema.rollup_responses_weekly
    cols = [RW.c.week, RW.c.month, RW.c.analyst_id, RW.c.sla_met, RW.c.reassignment_count, RW.c.n, RW.c.happy,
            RW.c.commented]
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(*cols).order_by(RW.c.week, RW.c.analyst_id))]


def _factor_rows(url) -> list[tuple]:
    RF = schema.rollup_factors
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(RF.c.day, RF.c.analyst_id, RF.c.factor_id, RF.c.n)
                                               .order_by(RF.c.day, RF.c.analyst_id, RF.c.factor_id))]


def test_rollup_rows_follow_imports_by_hand(empty_url, tmp_path):
    url = empty_url
    _reset(url)
    ticket = ["incident", "phone", "VPN", 3, "2026-10-05 07:00:00", "2026-10-05 09:00:00"]
    _import(url, tmp_path, "tickets", [["T-0", *ticket, "Ann Lee", "Desk", "true", 4, "false", ""],
                                       ["T-1", *ticket, "Ann Lee", "Desk", "false", 0, "false", ""]], "t1")
    _import(url, tmp_path, "responses", [
        ["T-0", 10, 5, "", "", "", 2.5, "speed", "Quick fix", "2026-10-06 08:00:00"],
        ["T-1", 3, 1, "", "", "", 45, "slow;re_explain", "", "2026-10-06 23:59:59"]], "r1")
    ann, day = 1, dt.date(2026, 10, 6)
    assert _cells(url) == [(day, ann, False, 0, 1, 0, 1, 1, 1, 1, 1, 45.0, 2025.0),
                           (day, ann, True, 3, 1, 1, 0, 1, 5, 25, 1, 2.5, 6.25)]
    assert _factor_rows(url) == [(day, ann, 1, 1), (day, ann, 12, 1), (day, ann, 13, 1)]

    # A later answer replaces T-1's: its old cell loses it, a new day gains it, factors follow.
    _import(url, tmp_path, "responses", [["T-1", 9, "", "", "", "", "", "", "  ", "2026-10-31 10:00:00"]], "r2")
    late = dt.date(2026, 10, 31)
    assert _cells(url) == [(day, ann, True, 3, 1, 1, 0, 1, 5, 25, 1, 2.5, 6.25),
                           (late, ann, False, 0, 1, 1, 0, 0, 0, 0, 0, 0.0, 0.0)]
    assert _factor_rows(url) == [(day, ann, 1, 1)]
    # The weekly twin: (week's Monday, month, analyst, SLA met, reassignments, n, happy, commented);
    # a comment of blanks is no comment.
    october = dt.date(2026, 10, 1)
    assert _weekly(url) == [(dt.date(2026, 10, 5), october, ann, True, 3, 1, 1, 1),
                            (dt.date(2026, 10, 26), october, ann, False, 0, 1, 1, 0)]

    # Re-importing T-0 with another resolver moves its answer to that analyst's cell.
    _import(url, tmp_path, "tickets", [["T-0", *ticket, "Bo Chen", "Desk", "true", 1, "false", ""]], "t2")
    bo = 2
    assert _cells(url) == [(day, bo, True, 1, 1, 1, 0, 1, 5, 25, 1, 2.5, 6.25),
                           (late, ann, False, 0, 1, 1, 0, 0, 0, 0, 0, 0.0, 0.0)]
    assert _weekly(url) == [(dt.date(2026, 10, 5), october, bo, True, 1, 1, 1, 1),
                            (dt.date(2026, 10, 26), october, ann, False, 0, 1, 1, 0)]
    assert _factor_rows(url) == [(day, bo, 1, 1)]

    _delete_responses(url, {"T-0"})
    assert _cells(url) == [(late, ann, False, 0, 1, 1, 0, 0, 0, 0, 0, 0.0, 0.0)]
    assert _factor_rows(url) == []
    T = schema.rollup_tickets
    with get_engine(url).connect() as conn:
        assert conn.execute(sa.select(T.c.analyst_id, T.c.sla_met, T.c.tickets).order_by(T.c.analyst_id)).all() \
            == [(1, False, 1), (2, True, 1)]
        assert check(conn) == []


def test_check_names_the_differing_cell_and_rebuild_repairs(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    from data_access import demo

    demo.generate(get_engine(url), responses=300, seed=3, end=dt.date(2026, 11, 20))
    with get_engine(url).begin() as conn:
        day, analyst = conn.execute(sa.select(RR.c.day, RR.c.analyst_id).order_by(RR.c.day, RR.c.analyst_id)).first()
        conn.execute(RR.update().where(RR.c.day == day, RR.c.analyst_id == analyst).values(happy=RR.c.happy + 7))
    assert main(["rollups", "check", "--url", url]) == 1
    err = capsys.readouterr().err
    assert f"rollup_responses [day={day}, team_id=" in err and f"analyst_id={analyst}," in err
    assert "happy stored" in err and "!=" in err
    assert main(["rollups", "rebuild", "--url", url]) == 0
    assert main(["rollups", "check", "--url", url]) == 0
    assert "equal their recomputation" in capsys.readouterr().out


def test_status_missing_stale_and_scheduled(empty_sqlite_url):
    S = schema.rollup_state
    with get_engine(empty_sqlite_url).begin() as conn:
        assert status_of(conn, NOW) == rollups.RollupStatus(False, "the summary tables have not been built yet")
        conn.execute(S.insert().values(name="rollups", version=schema.ROLLUP_VERSION, mode="scheduled",
                                       refreshed_at=NOW - dt.timedelta(hours=25)))
        assert status_of(conn, NOW).fresh
        conn.execute(S.update().values(refreshed_at=NOW - dt.timedelta(hours=27)))
        assert status_of(conn, NOW) == rollups.RollupStatus(
            False, "the summary tables were last refreshed at 2026-11-19 09:00")
        conn.execute(schema.settings.insert().values(key="rollup_max_age_hours", value="48"))
        assert status_of(conn, NOW).fresh
        conn.execute(S.update().values(version=schema.ROLLUP_VERSION + 1))
        assert "older version" in status_of(conn, NOW).reason
        conn.execute(S.update().values(version=schema.ROLLUP_VERSION, mode="maintained",
                                       refreshed_at=NOW - dt.timedelta(days=400)))
        assert status_of(conn, NOW).fresh  # kept with every write: age does not matter
    bare = sa.create_engine("sqlite://")  # a warehouse without rollup tables at all
    with bare.connect() as conn:
        assert status_of(conn, NOW) == rollups.RollupStatus(False, "this warehouse has no summary tables")


def test_writes_skip_maintenance_when_rollups_are_not_kept(empty_sqlite_url, tmp_path):
    ticket = ["incident", "phone", "VPN", 3, "2026-10-05 07:00:00", "2026-10-05 09:00:00", "Ann Lee", "Desk",
              "true", 0, "false", ""]
    from tests.importer.helpers import ready

    ready(empty_sqlite_url)
    _import(empty_sqlite_url, tmp_path, "tickets", [["T-0", *ticket]], "t")
    with get_engine(empty_sqlite_url).connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.rollup_tickets)).scalar_one() == 0
        assert not rollups.maintained_here(conn)


@pytest.mark.parametrize("dialect", ["postgresql", "snowflake", "bigquery", "trino"])
def test_scheduler_sql_compiles_for_each_dialect(dialect):
    script = scheduler_script(dialect)
    for table in ("rollup_responses", "rollup_tickets", "rollup_factors", "rollup_lost", "rollup_recovery",
                  "rollup_open_recovery", "rollup_state"):
        assert "CREATE TABLE IF NOT EXISTS" in script and table in script
    assert script.count("INSERT INTO") == 12 and "MERGE INTO rollup_state" in script
    plain = script.replace("`", "").replace("\"", "")
    for twin in ("rollup_responses_monthly", "rollup_responses_weekly", "rollup_tickets_weekly"):
        assert f"INSERT INTO {twin}" in plain
    assert "GROUP BY" in script and "'scheduled'" in script
    assert ("CREATE INDEX" in script) == (dialect == "postgresql")


def test_scheduler_sql_runs_on_a_read_only_style_warehouse(tmp_path):
    """The DuckDB script, run as a data team would, leaves fresh 'scheduled' rollups equal to the base."""
    import duckdb

    from data_access import demo

    path = tmp_path / "w.duckdb"
    url = f"duckdb:///{path}"
    demo.generate(get_engine(url), responses=300, seed=5, end=dt.date(2026, 11, 20))
    with get_engine(url).begin() as conn:
        for table in (RR, schema.rollup_state):
            conn.execute(table.delete())
    get_engine(url).dispose()
    raw = duckdb.connect(str(path))
    for statement in scheduler_script("duckdb").split(";\n"):
        if statement.strip() and not all(line.startswith("--") for line in statement.strip().splitlines()):
            raw.execute(statement)
    raw.close()
    with get_engine(url).connect() as conn:
        assert check(conn) == []
        assert conn.execute(sa.select(schema.rollup_state.c.mode)).scalar_one() == "scheduled"
        assert status_of(conn, dt.datetime.now()).fresh


def test_cli_sql_prints_the_script():
    out = subprocess.run([sys.executable, "-m", "data_access", "rollups", "sql", "--dialect", "trino"],
                         capture_output=True, text=True, check=True, env=dict(os.environ))
    assert out.stdout.startswith("-- Service Pulse rollups for trino")
    assert "INSERT INTO rollup_responses" in out.stdout


def test_a_new_warehouse_keeps_rollups_from_its_first_import(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    assert main(["create", "--url", url]) == 0
    with get_engine(url).connect() as conn:
        assert rollups.maintained_here(conn)
    _import(url, tmp_path, "tickets", [["T-9", "request", "chat", "VPN", 2, "2026-10-05 07:00:00",
                                        "2026-10-07 09:00:00", "Ann Lee", "Desk", "true", 2, "false", ""]], "t")
    with get_engine(url).connect() as conn:
        assert conn.execute(sa.select(schema.rollup_tickets.c.day, schema.rollup_tickets.c.tickets)).all() \
            == [(dt.date(2026, 10, 7), 1)]
        assert check(conn) == []


def test_data_without_rollups_is_not_started_behind_anyones_back(empty_sqlite_url, tmp_path):
    from tests.importer.helpers import ready

    ready(empty_sqlite_url)
    _import(empty_sqlite_url, tmp_path, "tickets", [["T-1", "incident", "phone", "VPN", 3, "2026-10-05 07:00:00",
                                                     "2026-10-05 09:00:00", "Ann Lee", "Desk", "true", 0, "false",
                                                     ""]], "t")
    with get_engine(empty_sqlite_url).begin() as conn:
        assert rollups.start_if_empty(conn) is False
        assert not rollups.maintained_here(conn)


@pytest.mark.parametrize("mode", ["maintained", "scheduled"])
def test_older_rollups_kept_by_the_app_are_rebuilt_by_the_schema_upgrade(tmp_path, mode):
    """A warehouse whose rollups predate the weekly twins and the count of commented answers: the
    app's own ('maintained') are rebuilt when the schema is ensured, a data team's are left alone."""
    from data_access import demo

    url = f"duckdb:///{tmp_path / 'old.duckdb'}"
    demo.generate(get_engine(url), responses=300, seed=3, end=dt.date(2026, 11, 20))
    RW, TW, S = schema.rollup_responses_weekly, schema.rollup_tickets_weekly, schema.rollup_state
    with get_engine(url).begin() as conn:  # as version 4 left it: no twins, no commented column
        expected = conn.execute(sa.select(sa.func.sum(RR.c.commented))).scalar_one()
        RW.drop(conn)
        TW.drop(conn)
        conn.execute(sa.text("ALTER TABLE rollup_responses DROP COLUMN commented"))
        conn.execute(S.update().values(version=4, mode=mode))
    assert expected > 0
    schema.create_schema(get_engine(url))
    with get_engine(url).connect() as conn:
        version = conn.execute(sa.select(S.c.version)).scalar_one()
        weekly = conn.execute(sa.select(sa.func.count()).select_from(RW)).scalar_one()
        if mode == "scheduled":
            assert (version, weekly) == (4, 0)  # empty twin created, the refresh is the scheduler's
            return
        assert version == schema.ROLLUP_VERSION and weekly > 0 and check(conn) == []
        assert conn.execute(sa.select(sa.func.sum(RW.c.commented))).scalar_one() == expected
        assert conn.execute(sa.select(sa.func.sum(TW.c.tickets))).scalar_one() == conn.execute(
            sa.select(sa.func.count()).select_from(schema.tickets)).scalar_one()
