"""DuckDB reuses compiled statements: the second run of a page's statement is a cache hit, and a
cached statement still reads the values it is given this time (not those of the first run)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine.default import DefaultExecutionContext

from data_access import schema
from data_access.dialect import month_start
from data_access.engine import get_engine


def test_a_repeated_statement_is_compiled_once_and_reads_its_new_values(tmp_path):
    engine = get_engine(f"duckdb:///{tmp_path / 'cache.duckdb'}")
    schema.create_schema(engine)
    t = schema.teams
    with engine.begin() as conn:
        conn.execute(t.insert(), [{"team_id": i, "name": f"Team {i}"} for i in (1, 2, 3)])
    hits = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _note(conn, cursor, statement, params, context: DefaultExecutionContext, many):
        hits.append(context.cache_hit)

    def names_above(floor: int, day: dt.date) -> list[tuple]:
        stmt = (sa.select(t.c.name, month_start(sa.literal(day, sa.Date)).label("month"))
                .where(t.c.team_id > floor, t.c.team_id.in_([1, 2, 3])).order_by(t.c.team_id))
        with engine.connect() as conn:
            return [(name, month.date() if isinstance(month, dt.datetime) else month)
                    for name, month in conn.execute(stmt)]

    assert names_above(1, dt.date(2026, 3, 17)) == [("Team 2", dt.date(2026, 3, 1)), ("Team 3", dt.date(2026, 3, 1))]
    assert names_above(2, dt.date(2025, 12, 31)) == [("Team 3", dt.date(2025, 12, 1))]
    assert [h.name for h in hits[-2:]] == ["CACHE_MISS", "CACHE_HIT"]
    assert engine.dialect.name == "duckdb" and engine.dialect._supports_statement_cache
