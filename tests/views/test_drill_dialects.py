"""Drill-through on the shared demo warehouse, SQLite and PostgreSQL: counts and order match plain SQL."""

from __future__ import annotations

import datetime as dt

import polars as pl
import sqlalchemy as sa

from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope
from views.culture import culture_report
from views.drill import DrillTarget, drill_through

PERIOD = Filters(dt.date(2025, 12, 1), dt.date(2026, 11, 21))


def test_worst_shown_cell_matches_sql(demo_url, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", demo_url)
    report = culture_report(scope=Scope("cio"), filters=PERIOD, url=demo_url)
    shown = report.hotspots.filter(~pl.col("suppressed") & pl.col("impact").is_not_null()).sort("impact")
    cell = shown.row(0, named=True)
    target = DrillTarget("cell", service_id=int(cell["service_id"]), channel=str(cell["channel"]))
    result = drill_through(report, target)
    sql = ("SELECT r.submitted_at, r.comment FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
           "WHERE t.service_id = :s AND t.channel = :c AND r.submitted_at >= :a AND r.submitted_at < :b "
           "AND r.comment IS NOT NULL AND TRIM(r.comment) <> '' ORDER BY r.submitted_at DESC, r.ticket_key DESC")
    params = {"s": target.service_id, "c": target.channel, "a": dt.datetime(2025, 12, 1), "b": dt.datetime(2026, 11, 21)}
    with get_engine(demo_url).connect() as conn:
        rows = conn.execute(sa.text(sql), params).all()
        n = conn.execute(sa.text("SELECT COUNT(*) FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
                                 "WHERE t.service_id = :s AND t.channel = :c AND r.submitted_at >= :a "
                                 "AND r.submitted_at < :b"), params).scalar_one()
    assert result.withheld is None and (result.n, result.commented) == (n, len(rows)) == (cell["n"], len(rows))
    days = [dt.datetime.fromisoformat(str(r.submitted_at)).date() for r in rows[:10]]  # SQLite: text
    assert result.rows["day"].to_list() == days
    assert result.pages == -(-len(rows) // 10)
