"""Import caps, checked before a file is parsed: how much an .xlsx may unpack to, and how many
data rows any file may hold. A crafted workbook (a few MB that declares hundreds of MB of XML)
or an endless export is refused with a sentence for the person who chose it."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from data_access import settings

_BLOCK = 16 * 1024 * 1024
_MB = 1024 * 1024  # the settings count megabytes in 1024²


@dataclass(frozen=True)
class ImportCaps:
    """Limits of one import: the uncompressed size of a workbook's parts and the data rows."""

    xlsx_uncompressed_bytes: int = settings.ImportLimits.max_xlsx_mb * _MB
    rows: int = settings.ImportLimits.max_rows


def import_caps() -> ImportCaps:
    """Caps from SERVICE_PULSE_IMPORT_MAX_XLSX_MB (default 200) and SERVICE_PULSE_IMPORT_MAX_ROWS
    (default 5,000,000); a missing or non-positive value keeps the default (data_access/settings.py)."""
    limits = settings.current().imports
    return ImportCaps(xlsx_uncompressed_bytes=limits.max_xlsx_mb * _MB, rows=limits.max_rows)


def xlsx_unpacked_problem(path: Path, caps: ImportCaps) -> str | None:
    """Why a workbook must not be opened (too much to unpack, not a zip), or None.

    Reads only the zip's central directory: the sizes each part declares, nothing decompressed.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return f"The Excel workbook cannot be read ({type(exc).__name__})."
    if total > caps.xlsx_uncompressed_bytes:
        return (f"The Excel workbook unpacks to {total / _MB:,.0f} MB of XML; the limit is "
                f"{caps.xlsx_uncompressed_bytes / _MB:,.0f} MB. Export it as CSV instead, or split it.")
    return None


def rows_problem(rows: int, caps: ImportCaps, *, what: str = "data rows") -> str | None:
    """Why a file with `rows` data rows must not be imported, or None."""
    if rows > caps.rows:
        return (f"The file has more than {caps.rows:,} {what} ({rows:,}); the limit is {caps.rows:,} rows "
                f"per import. Split the export into smaller periods.")
    return None


def count_lines(path: Path, start: int = 0) -> int:
    """Line breaks in the file after byte `start` (plus a last line without one): an upper bound
    of a CSV's records, counted without parsing."""
    lines = 0
    last = b"\n"
    with path.open("rb") as fh:
        fh.seek(start)
        while chunk := fh.read(_BLOCK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (0 if last == b"\n" else 1)


def parquet_rows(path: Path) -> int:
    """The rows a Parquet file's footer declares (nothing else is read)."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows
