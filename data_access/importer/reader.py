"""Opening an export file: sniff its format (CSV, Excel .xlsx or Parquet), check the import caps
before any row is parsed, and hand back a `Source` that reads the rows batch by batch.

The formats live next door (`csv_format`, `sheet_formats`); the shared types in `source`.
"""

from __future__ import annotations

from pathlib import Path

from data_access.importer.caps import (ImportCaps, count_lines, import_caps, parquet_rows, rows_problem,
                                       xlsx_unpacked_problem)
from data_access.importer.csv_format import open_csv
from data_access.importer.sheet_formats import excel_max_row, open_excel, open_parquet
from data_access.importer.source import LINE, ImportFileError, RawBatch, Source, refuse

__all__ = ["LINE", "ImportFileError", "RawBatch", "Source", "open_source"]


def open_source(path: str | Path, *, max_bytes: int | None = None) -> Source:
    """Sniff a file's format, encoding, separator and header; raise ImportFileError when unusable."""
    path = Path(path)
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise ImportFileError(f"The file is {size / 1e6:,.1f} MB; the limit is {max_bytes / 1e6:,.0f} MB.")
    if size == 0:
        raise ImportFileError("The file is empty: there is no header row and no data.")
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError("This is an old Excel .xls workbook; save it as .xlsx or CSV first.")
    return _open_capped(path, head, import_caps())


def _open_capped(path: Path, head: bytes, caps: ImportCaps) -> Source:
    """Open a file within the import caps, checked before any row is parsed: a workbook's
    unpacked size (from the zip directory) and rows; a Parquet file's rows (from its footer);
    a CSV's lines (counted, not parsed)."""
    if head.startswith(b"PK\x03\x04"):
        refuse(xlsx_unpacked_problem(path, caps))
        source = open_excel(path)
        refuse(rows_problem(excel_max_row(path) - source.header_lines, caps))
        return source
    if head.startswith(b"PAR1"):
        source = open_parquet(path)
        refuse(rows_problem(parquet_rows(path), caps))
        return source
    source = open_csv(path, head)
    refuse(rows_problem(count_lines(path, source.data_offset), caps, what="lines"))
    return source
