"""Dates as export files write them: ISO, with offsets, and day-first or month-first numeric dates.

Pure polars: the day/month order is decided from the values themselves or given explicitly.
"""

from __future__ import annotations

import polars as pl

ISO_FORMATS = ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
               "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
               "%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p", "%d %b %Y %H:%M", "%d %b %Y",
               "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y"]
OFFSET_FORMATS = ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"]
DAY_FIRST = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M",
             "%d-%m-%Y", "%d/%m/%y %H:%M", "%d/%m/%y"]
MONTH_FIRST = ["%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p",
               "%m/%d/%Y", "%m-%d-%Y %H:%M:%S", "%m-%d-%Y %H:%M", "%m-%d-%Y", "%m/%d/%y %I:%M %p",
               "%m/%d/%y %H:%M", "%m/%d/%y"]
NUMERIC_DATE = r"^\s*(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})"


def decide_date_order(values: pl.Series) -> str | None:
    """'day' or 'month' when numeric dates show a part above 12, 'mixed' when both do,
    'ambiguous' when all are ≤ 12, None when no numeric d/m dates appear at all."""
    parts = values.drop_nulls().str.extract_groups(NUMERIC_DATE).struct.unnest().drop_nulls()
    if parts.is_empty():
        return None
    first = parts[:, 0].cast(pl.Int32)
    second = parts[:, 1].cast(pl.Int32)
    possible = (first.is_between(1, 31) & second.is_between(1, 12)) | (first.is_between(1, 12) & second.is_between(1, 31))
    if not possible.any():  # only impossible dates such as 31/31/2024: they are rejected row by row
        return None
    day = bool(((first > 12) & (second <= 12) & possible).any())
    month = bool(((second > 12) & (first <= 12) & possible).any())
    if day and month:
        return "mixed"
    return "day" if day else "month" if month else "ambiguous"


def parse_datetimes(text: pl.Series, date_order: str | None) -> pl.Series:
    """Text → naive datetimes (offsets converted to UTC); unparseable values become null."""
    text = text.str.strip_suffix("Z")
    formats = ISO_FORMATS + (DAY_FIRST if date_order == "day" else MONTH_FIRST if date_order == "month" else [])
    out = pl.Series(text.name, [None] * len(text), dtype=pl.Datetime("us"))
    todo = text.is_not_null()
    for fmt in formats + OFFSET_FORMATS:
        if not todo.any():
            break
        idx = todo.arg_true()
        parsed = text.gather(idx).str.to_datetime(fmt, strict=False, time_unit="us")
        if fmt.endswith("%z"):
            parsed = parsed.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        ok = parsed.is_not_null()
        if ok.any():
            out = out.scatter(idx.filter(ok), parsed.filter(ok))
            todo = todo.scatter(idx.filter(ok), False)
    return out
