"""Drill-through read model: from a figure of Culture trends to the responses behind it.

A *target* is a hotspot cell (service × channel), a factor or a month of the report's period.
Its responses are shown only when the report itself shows a figure for that cell (the cell passed
disclosure control there, complementary suppression included) **and** the cell, counted exactly
here, holds at least `min_group` responses from `min_analysts` analysts. Otherwise only its size
leaves. Comments are redacted: every analyst's name in the warehouse, whole or any part of it,
becomes "[analyst]" (`views.redaction`). No analyst, ticket number or time of day leaves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import polars as pl

from data_access import drill as reads
from data_access.filters import Filters
from views.culture import CultureReport
from views.disclosure import SUPPRESSED, Disclosure
from views.redaction import redact

PAGE_SIZE = 10
KINDS = {"cell": "Hotspot cell", "factor": "Factor", "month": "Month"}


@dataclass(frozen=True)
class DrillTarget:
    """What to drill into: kind "cell" (service_id + channel), "factor" (factor_id) or "month"."""

    kind: str
    service_id: int | None = None
    channel: str | None = None
    factor_id: int | None = None
    month: dt.date | None = None


@dataclass(frozen=True)
class DrillPage:
    """One page of a cell's responses, or only its size and why nothing else is shown."""

    n: int
    commented: int
    rows: pl.DataFrame          # day, happiness, service, channel, ticket_type, comment (redacted)
    page: int
    pages: int
    withheld: str | None = None


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def cell_filters(filters: Filters, target: DrillTarget) -> Filters:
    """The report's filters narrowed to the target (a factor narrows in SQL, not here)."""
    if target.kind == "cell":
        return replace(filters, service_ids=(int(target.service_id),), channels=(str(target.channel),))
    if target.kind == "month" and target.month is not None:
        first = target.month.replace(day=1)
        return replace(filters, start=max(filters.start, first), end=min(filters.end, _next_month(first)))
    return filters


def shown_in_report(report: CultureReport, target: DrillTarget) -> bool:
    """Whether the report shows a figure for the target's cell (it passed disclosure control there)."""
    if report.withheld or report.is_empty:
        return False
    if target.kind == "cell":
        cells = report.hotspots
        if cells.is_empty():
            return False
        row = cells.filter((pl.col("service_id") == target.service_id) & (pl.col("channel") == target.channel))
        return row.height == 1 and not bool(row[SUPPRESSED][0]) and row["happiness"][0] is not None
    if target.kind == "month":
        return report.trend.height > 0 and target.month in report.trend["month"].to_list()
    if target.kind == "factor":
        return report.factors.height > 0 and target.factor_id in report.factors["factor_id"].to_list()
    return False


def drill_through(report: CultureReport, target: DrillTarget, *, page: int = 0, only_commented: bool = True,
                  page_size: int = PAGE_SIZE) -> DrillPage:
    """Page `page` (0 = newest) of the target's responses within the report's scope and filters
    (`only_commented`: only the responses with a comment)."""
    scope, filters, url = report.key
    gate = Disclosure.for_scope(scope)
    narrowed = cell_filters(filters, target)
    factor = target.factor_id if target.kind == "factor" else None
    size = reads.cell_size(scope=scope, filters=narrowed, factor_id=factor, url=url)
    n, commented = size["n"], size["commented"]
    empty = pl.DataFrame(schema={"day": pl.Date, **{k: v for k, v in reads.ROW_SCHEMA.items()
                                                  if k not in ("submitted_at", "service_id")}})
    if not shown_in_report(report, target) or not gate.allows(n, size["analysts"]):
        reason = (f"fewer than {gate.min_group} responses or {gate.min_analysts} analysts, or hidden so that a "
                  "small group cannot be worked out from the others")
        return DrillPage(n, 0, empty, 0, 0, withheld=reason)
    pages = max(1, -(-(commented if only_commented else n) // page_size))
    page = min(max(int(page), 0), pages - 1)
    rows = reads.cell_responses(scope=scope, filters=narrowed, factor_id=factor, commented=only_commented,
                                limit=page_size,
                                offset=page * page_size, url=url)
    return DrillPage(n, commented, _redacted(_labels_shown(rows, report, target), url), page, pages)


def _shown(frame: pl.DataFrame | None, keys: list[str]) -> set[tuple]:
    """The `keys` of the cells a report table shows a figure for."""
    if frame is None or frame.is_empty() or any(k not in frame.columns for k in keys):
        return set()
    if SUPPRESSED in frame.columns:
        frame = frame.filter(~pl.col(SUPPRESSED).fill_null(False) & pl.col("happiness").is_not_null())
    return set(frame.select(keys).iter_rows())


def _labels_shown(rows: pl.DataFrame, report: CultureReport, target: DrillTarget) -> pl.DataFrame:
    """A month's or a factor's rows with service and channel blanked unless the page shows both
    their hotspot cell and their month's line for the channel, and the ticket type blanked unless
    the page shows the month's line for the type: grouped by those labels, rows would otherwise
    rebuild a cell the page hides. A cell's rows all belong to one shown hotspot cell."""
    if target.kind == "cell" or rows.is_empty():
        return rows
    cells = _shown(report.hotspots, ["service_id", "channel"])
    channels = _shown(report.compare.get("Channel"), ["month", "channel"])
    types = _shown(report.compare.get("Ticket type"), ["month", "ticket_type"])
    months = [dt.date(t.year, t.month, 1) for t in rows["submitted_at"].to_list()]
    place = [(s, c) in cells and (m, c) in channels
             for s, c, m in zip(rows["service_id"].to_list(), rows["channel"].to_list(), months)]
    kind = [(m, t) in types for t, m in zip(rows["ticket_type"].to_list(), months)]
    place_ok, kind_ok = pl.Series(place, dtype=pl.Boolean), pl.Series(kind, dtype=pl.Boolean)
    return rows.with_columns(*(pl.when(place_ok).then(pl.col(c)).otherwise(None).alias(c) for c in ("service", "channel")),
                             pl.when(kind_ok).then(pl.col("ticket_type")).otherwise(None).alias("ticket_type"))


def _redacted(rows: pl.DataFrame, url: str | None) -> pl.DataFrame:
    """Dates without the time of day, and comments with every analyst's name blanked out."""
    names = reads.analyst_names(url=url)
    comments = [redact(c, names) if c and c.strip() else None for c in rows["comment"].to_list()]
    return rows.with_columns(pl.col("submitted_at").dt.date().alias("day"),
                             pl.Series("comment", comments, dtype=pl.String)).drop("submitted_at").select(
        "day", "happiness", "service", "channel", "ticket_type", "comment")
