"""Upkeep by difference, by hand on SQLite, DuckDB and PostgreSQL: sums that lose a large value keep
the small one exactly, a first answer moves its ticket's survey counts, the weekly twins follow an
answer into the other month's part of a week, the work tables are empty after every write, and a
warehouse whose rollups are of an older version is left to a rebuild."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data_access import rollups, schema
from data_access.engine import get_engine
from data_access.rollups.check import check
from data_access.rollups.state import status_of
from tests.data_access.test_rollups_property import RESPONSE_HEADER, TICKET_HEADER, _reset, _write
from tests.importer.helpers import do_import

RR, RT, RL = schema.rollup_responses, schema.rollup_tickets, schema.rollup_lost
RRM, RRP = schema.rollup_responses_monthly, schema.rollup_responses_person
RRW, RTW = schema.rollup_responses_weekly, schema.rollup_tickets_weekly
TICKET = ["incident", "phone", "VPN", 3, "2026-10-05 07:00:00", "2026-10-05 09:00:00", "Ann Lee", "Desk", "true", 0,
          "false", ""]
DAY = dt.date(2026, 10, 6)


@pytest.fixture
def url(empty_url_every_engine) -> str:
    _reset(empty_url_every_engine)  # catalogue, empty rollups in 'maintained' mode
    return empty_url_every_engine


def _import(url, tmp_path, kind, rows, name) -> None:
    path = tmp_path / f"{name}.csv"
    _write(path, TICKET_HEADER if kind == "tickets" else RESPONSE_HEADER, rows)
    result = do_import(url, kind, path)
    assert result.rejected == 0, result.rejects


def _answer(ticket_id: str, lost: str, happiness: int = 8) -> list:
    return [ticket_id, happiness, "", "", "", "", lost, "", "", f"{DAY} 08:00:00"]


def _work_rows(conn) -> int:
    tables = [schema.rollup_touched, *[schema.staging_of(t) for t in schema.ROLLUP_TABLES]]
    return sum(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in tables)


def test_lost_sums_keep_the_small_value_when_a_large_one_goes(url, tmp_path):
    _import(url, tmp_path, "tickets", [["T-0", *TICKET], ["T-1", *TICKET]], "t")
    with get_engine(url).connect() as conn:
        assert conn.execute(sa.select(RT.c.tickets, RT.c.responded)).all() == [(2, 0)]
    # Both answers fall in one cell; the large one is then replaced by an answer without lost time.
    _import(url, tmp_path, "responses", [_answer("T-0", "12345.7"), _answer("T-1", "0.3")], "r1")
    with get_engine(url).connect() as conn:
        assert conn.execute(sa.select(RT.c.tickets, RT.c.responded)).all() == [(2, 2)]
        assert conn.execute(sa.select(RR.c.n, RR.c.lost_n)).all() == [(2, 2)]
    _import(url, tmp_path, "responses", [_answer("T-0", "", happiness=9)], "r2")
    with get_engine(url).connect() as conn:
        n, happy, lost_n, lost_sum, lost_sumsq = conn.execute(
            sa.select(RR.c.n, RR.c.happy, RR.c.lost_n, RR.c.lost_sum, RR.c.lost_sumsq)).one()
        assert (n, happy, lost_n) == (2, 1, 1)
        # Within what `rollups check` allows; single precision would be ~0.001 off on the sum, ~16 on the squares.
        assert lost_sum == pytest.approx(0.3, abs=1e-6) and lost_sumsq == pytest.approx(0.09, abs=1e-6)
        month = conn.execute(sa.select(RRM.c.day, RRM.c.n, RRM.c.lost_sum, RRM.c.lost_sumsq)).one()
        assert month[:2] == (dt.date(2026, 10, 1), 2)
        assert month[2] == pytest.approx(0.3, abs=1e-6) and month[3] == pytest.approx(0.09, abs=1e-6)
        person = conn.execute(sa.select(RRP.c.day, RRP.c.n, RRP.c.lost_n, RRP.c.lost_sum)).one()
        assert person[:3] == (DAY, 2, 1) and person[3] == pytest.approx(0.3, abs=1e-6)
        assert conn.execute(sa.select(RL.c.lost_minutes, RL.c.n)).all() == [(0.0, 1)]
        # The weekly twins: Monday 5 October, October's part of that week.
        week = conn.execute(sa.select(RRW.c.week, RRW.c.month, RRW.c.n, RRW.c.happy, RRW.c.lost_n,
                                      RRW.c.lost_sum, RRW.c.commented)).one()
        assert week[:5] == (dt.date(2026, 10, 5), dt.date(2026, 10, 1), 2, 1, 1) and week[6] == 0
        assert week[5] == pytest.approx(0.3, abs=1e-6)
        assert conn.execute(sa.select(RTW.c.week, RTW.c.channel, RTW.c.tickets, RTW.c.responded)).all() == [
            (dt.date(2026, 10, 5), "phone", 2, 2)]
        assert _work_rows(conn) == 0
        assert check(conn) == []


def test_a_cell_whose_last_row_goes_disappears_and_the_work_tables_stay_empty(url, tmp_path):
    _import(url, tmp_path, "tickets", [["T-0", *TICKET], ["T-1", *TICKET]], "t1")
    _import(url, tmp_path, "responses", [_answer("T-0", "5")], "r1")
    # T-1 (no answer) changes resolver: its ticket row leaves Ann's cell for Bo's.
    _import(url, tmp_path, "tickets", [["T-1", *TICKET[:6], "Bo Chen", *TICKET[7:]]], "t2")
    with get_engine(url).connect() as conn:
        assert conn.execute(sa.select(RT.c.analyst_id, RT.c.tickets, RT.c.responded)
                            .order_by(RT.c.analyst_id)).all() == [(1, 1, 1), (2, 1, 0)]
    # T-0's answer is replaced by one of a later day: the first day's cells go, none is left at 0.
    late = dt.date(2026, 10, 31)
    _import(url, tmp_path, "responses", [[*_answer("T-0", "7")[:-1], f"{late} 10:00:00"]], "r2")
    with get_engine(url).connect() as conn:
        for table in (RR, RL, RRP):
            assert conn.execute(sa.select(table.c.day, table.c.n)).all() == [(late, 1)], table.name
        assert conn.execute(sa.select(RL.c.lost_minutes)).scalars().all() == [7.0]
        assert conn.execute(sa.select(RRM.c.day, RRM.c.n)).all() == [(dt.date(2026, 10, 1), 1)]
        assert conn.execute(sa.select(RRW.c.week, RRW.c.month, RRW.c.n)).all() == [
            (dt.date(2026, 10, 26), dt.date(2026, 10, 1), 1)]
        assert conn.execute(sa.select(RTW.c.analyst_id, RTW.c.tickets, RTW.c.responded)
                            .order_by(RTW.c.analyst_id)).all() == [(1, 1, 1), (2, 1, 0)]
        assert _work_rows(conn) == 0
        assert check(conn) == []
    # Moved to Sunday 1 November, with a comment: same week, November's part of it; October's part goes.
    _import(url, tmp_path, "responses", [[*_answer("T-0", "7")[:-3], "", "Slow VPN", "2026-11-01 10:00:00"]], "r3")
    with get_engine(url).connect() as conn:
        assert conn.execute(sa.select(RRW.c.week, RRW.c.month, RRW.c.n, RRW.c.commented)).all() == [
            (dt.date(2026, 10, 26), dt.date(2026, 11, 1), 1, 1)]
        assert _work_rows(conn) == 0
        assert check(conn) == []


def test_rollups_of_an_older_version_are_left_for_a_rebuild(url, tmp_path):
    with get_engine(url).begin() as conn:
        conn.execute(schema.rollup_state.update().values(version=schema.ROLLUP_VERSION - 1))
        assert not rollups.maintained_here(conn)
    _import(url, tmp_path, "tickets", [["T-0", *TICKET]], "t")
    with get_engine(url).begin() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(RT)).scalar_one() == 0  # not kept
        assert not status_of(conn, dt.datetime(2026, 11, 1)).fresh
        rollups.rebuild(conn)
        assert conn.execute(sa.select(RT.c.tickets)).scalars().all() == [1]
        assert check(conn) == []


def test_the_bulk_path_of_large_writes_gives_the_same_rows(url, tmp_path, monkeypatch):
    """Writes of more than SHORT_LIST tickets list their keys in bulk and, on PostgreSQL, hash their
    joins; with the threshold at 1 the same small story takes that path and ends exact."""
    from data_access.rollups import maintain

    monkeypatch.setattr(maintain, "SHORT_LIST", 1)
    test_lost_sums_keep_the_small_value_when_a_large_one_goes(url, tmp_path)


def test_two_writes_into_one_cell_at_the_same_time_both_count(empty_postgres_url, tmp_path):
    """PostgreSQL, read committed: a second write into the cell a first, uncommitted write has
    folded must not fold into the stored row it read before the first committed (that would
    leave two rows for the cell, the old counts in both)."""
    import threading
    import time

    url = empty_postgres_url
    _reset(url)
    _import(url, tmp_path, "tickets", [["T-0", *TICKET], ["T-1", *TICKET]], "t")
    _import(url, tmp_path, "responses", [_answer("T-0", ""), _answer("T-1", "")], "r")
    engine, R = get_engine(url), schema.responses
    with engine.connect() as conn:
        first_key, second_key = conn.execute(sa.select(schema.tickets.c.ticket_key)
                                             .order_by(schema.tickets.c.ticket_id)).scalars().all()
        assert conn.execute(sa.select(RR.c.n, RR.c.happy)).all() == [(2, 0)]

    def make_happy(conn, key):
        with rollups.maintained(conn, [key]):
            conn.execute(R.update().where(R.c.ticket_key == key).values(happiness=10))

    failures: list[BaseException] = []

    def second():
        try:
            with engine.begin() as conn:
                make_happy(conn, second_key)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    first = engine.connect()
    transaction = first.begin()
    make_happy(first, first_key)  # folded, not yet committed
    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(1.5)  # the second write reaches the cell's row the first one holds
    transaction.commit()
    first.close()
    thread.join(60)
    assert not thread.is_alive() and failures == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(RR.c.n, RR.c.happy)).all() == [(2, 2)]
        assert conn.execute(sa.select(RRM.c.n, RRM.c.happy)).all() == [(2, 2)]
        assert _work_rows(conn) == 0
        assert check(conn) == []


def test_two_writes_to_one_answer_at_the_same_time_leave_exact_rollups(empty_postgres_url, tmp_path):
    """PostgreSQL, read committed: a second write to the answer a first, uncommitted write moved to
    a later day waits for that row; the share it staged before waiting is the answer's old one,
    so it must not be staged until the first write has committed (else the old day's cell ends
    at -1 answer and the later day's at 2)."""
    import threading
    import time

    url = empty_postgres_url
    _reset(url)
    _import(url, tmp_path, "tickets", [["T-0", *TICKET]], "t")
    _import(url, tmp_path, "responses", [_answer("T-0", "")], "r")
    engine, R = get_engine(url), schema.responses
    with engine.connect() as conn:
        key = conn.execute(sa.select(schema.tickets.c.ticket_key)).scalar_one()
    later = dt.datetime.combine(DAY + dt.timedelta(days=3), dt.time(9))
    failures: list[BaseException] = []

    def second():
        try:
            with engine.begin() as conn, rollups.maintained(conn, [key]):
                conn.execute(R.update().where(R.c.ticket_key == key).values(lost_minutes=5.0))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    first = engine.connect()
    transaction = first.begin()
    with rollups.maintained(first, [key]):
        first.execute(R.update().where(R.c.ticket_key == key).values(happiness=10, submitted_at=later))
    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(1.5)  # the second write waits for the answer's row (or, kept in turn, for the first)
    transaction.commit()
    first.close()
    thread.join(60)
    assert not thread.is_alive() and failures == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(RR.c.day, RR.c.n, RR.c.happy, RR.c.lost_n)).all() == [(later.date(), 1, 1, 1)]
        assert _work_rows(conn) == 0
        assert check(conn) == []
