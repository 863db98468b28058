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


def _target(report) -> tuple[DrillTarget, str, dict, int]:
    """The worst shown hotspot cell; on a demo too small for any (every cell's first or last weeks
    could be split off by a neighbouring link), the latest month of the trend instead — after
    checking that the worst hidden cell stays withheld."""
    period = {"a": dt.datetime(2025, 12, 1), "b": dt.datetime(2026, 11, 21)}
    shown = report.hotspots.filter(~pl.col("suppressed") & pl.col("impact").is_not_null()).sort("impact")
    if shown.height:
        cell = shown.row(0, named=True)
        target = DrillTarget("cell", service_id=int(cell["service_id"]), channel=str(cell["channel"]))
        return target, "t.service_id = :s AND t.channel = :c", dict(period, s=target.service_id,
                                                                     c=target.channel), cell["n"]
    hidden = report.hotspots.sort("n", descending=True).row(0, named=True)
    assert drill_through(report, DrillTarget("cell", service_id=int(hidden["service_id"]),
                                             channel=str(hidden["channel"]))).withheld
    month = report.trend.sort("month").row(-1, named=True)
    first = month["month"]
    end = min(dt.datetime(2026, 11, 21), dt.datetime(first.year + first.month // 12, first.month % 12 + 1, 1))
    return (DrillTarget("month", month=first), "1 = 1",
            {"a": dt.datetime.combine(first, dt.time()), "b": end}, month["n"])


def test_worst_shown_cell_matches_sql(demo_url, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", demo_url)
    report = culture_report(scope=Scope("cio"), filters=PERIOD, url=demo_url)
    target, where, params, shown_n = _target(report)
    result = drill_through(report, target)
    sql = ("SELECT r.submitted_at, r.comment FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
           f"WHERE {where} AND r.submitted_at >= :a AND r.submitted_at < :b "
           "AND r.comment IS NOT NULL AND TRIM(r.comment) <> '' ORDER BY r.submitted_at DESC, r.ticket_key DESC")
    with get_engine(demo_url).connect() as conn:
        rows = conn.execute(sa.text(sql), params).all()
        n = conn.execute(sa.text("SELECT COUNT(*) FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
                                 f"WHERE {where} AND r.submitted_at >= :a AND r.submitted_at < :b"),
                         params).scalar_one()
    assert result.withheld is None and (result.n, result.commented) == (n, len(rows)) == (shown_n, len(rows))
    days = [dt.datetime.fromisoformat(str(r.submitted_at)).date() for r in rows[:10]]  # SQLite: text
    assert result.rows["day"].to_list() == days
    assert result.pages == -(-len(rows) // 10)
