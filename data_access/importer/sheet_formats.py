"""Excel (.xlsx, first sheet) and Parquet exports, delivered as batches of text columns with the
file's row numbers. A formula cell is read as its text, never evaluated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterator

import polars as pl

from data_access.importer.source import LINE, ImportFileError, RawBatch, Source, check_header


# --------------------------------------------------------------------------------------- Excel
def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _excel_rows(path: Path):
    import openpyxl

    # data_only=False: a formula comes back as its text and is stored as text, never evaluated.
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file problem
        raise ImportFileError(f"The Excel workbook cannot be read ({type(exc).__name__}).") from exc
    try:
        ws = wb.worksheets[0]
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in row]
    finally:
        wb.close()


def excel_max_row(path: Path) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return wb.worksheets[0].max_row or 0
    finally:
        wb.close()


def open_excel(path: Path) -> Source:
    for number, row in _excel_rows(path):
        if any(v.strip() for v in row):
            while row and not row[-1].strip():
                row.pop()
            return Source(path=path, format="excel", header=check_header(row), header_lines=number,
                          read=_excel_batches)
    raise ImportFileError("The workbook's first sheet is empty: there is no header row and no data.")


def _excel_batches(source: Source, rows: int) -> Iterator[RawBatch]:
    width = len(source.header)
    cols: list[list[str]] = [[] for _ in range(width)]
    lines: list[int] = []
    bad: list[tuple[int, str, str]] = []

    total = max(excel_max_row(source.path), 1)

    def flush() -> RawBatch:
        frame = pl.DataFrame({h: pl.Series(h, c, dtype=pl.String) for h, c in zip(source.header, cols)})
        last = max(lines[-1] if lines else 0, bad[-1][0] if bad else 0)
        return RawBatch(frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64)), list(bad),
                        min(last / total, 1.0))

    for number, row in _excel_rows(source.path):
        if number <= source.header_lines or not any(v.strip() for v in row):
            continue
        if len(row) > width and any(v.strip() for v in row[width:]):
            bad.append((number, f"row has values beyond the {width} header columns", "\t".join(row)))
            continue
        row = (row + [""] * width)[:width]
        for col, value in zip(cols, row):
            col.append(value)
        lines.append(number)
        if len(lines) >= rows:
            yield flush()
            cols, lines, bad = [[] for _ in range(width)], [], []
    if lines or bad:
        yield flush()


# ------------------------------------------------------------------------------------- Parquet
def open_parquet(path: Path) -> Source:
    import pyarrow.parquet as pq

    try:
        names = pq.ParquetFile(path).schema_arrow.names
    except Exception as exc:  # noqa: BLE001
        raise ImportFileError(f"The Parquet file cannot be read ({type(exc).__name__}).") from exc
    return Source(path=path, format="parquet", header=check_header(list(names)), header_lines=0,
                  read=_parquet_batches)


def _parquet_batches(source: Source, rows: int) -> Iterator[RawBatch]:
    import pyarrow.parquet as pq

    done = 0
    pf = pq.ParquetFile(source.path)
    total = max(pf.metadata.num_rows, 1)
    for rb in pf.iter_batches(batch_size=rows):
        frame = pl.from_arrow(rb)
        assert isinstance(frame, pl.DataFrame)
        frame = frame.select(
            (pl.col(c).dt.strftime("%Y-%m-%d %H:%M:%S") if frame.schema[c] in (pl.Datetime, pl.Date)
             else pl.col(c).cast(pl.String)).fill_null("").alias(h)
            for c, h in zip(frame.columns, source.header))
        frame = frame.with_columns((pl.int_range(0, frame.height, dtype=pl.Int64) + done + 1).alias(LINE))
        done += frame.height
        yield RawBatch(frame, position=done / total)
