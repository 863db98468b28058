"""Reading export files forgivingly and in bounded memory: CSV (any common encoding and separator),
Excel (.xlsx) and Parquet, delivered as batches of text columns with the file's line numbers.

Nothing read here is ever executed or unpickled: cells are only ever strings.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from data_access.importer.caps import (ImportCaps, count_lines, import_caps, parquet_rows, rows_problem,
                                       xlsx_unpacked_problem)

LINE = "_line"
BLOCK_BYTES = 16 * 1024 * 1024
MAX_RECORD_BYTES = 64 * 1024 * 1024
SEPARATORS = (",", ";", "\t", "|")


class ImportFileError(ValueError):
    """The file cannot be imported at all; the message is meant for the person who chose it."""


@dataclass
class RawBatch:
    """Rows as text (columns named as the file's header) plus `_line`, and rows that could not be split."""

    frame: pl.DataFrame
    bad_rows: list[tuple[int, str, str]] = field(default_factory=list)  # (line, reason, raw text)
    position: float = 0.0  # share of the file read so far, 0…1 (for progress bars)

    @property
    def rows_read(self) -> int:
        return self.frame.height + len(self.bad_rows)


@dataclass
class Source:
    """An opened export file: what it is, its header, and a way to read it batch by batch."""

    path: Path
    format: str  # csv | excel | parquet
    header: list[str]
    encoding: str | None = None
    separator: str | None = None
    data_offset: int = 0
    header_lines: int = 1

    def batches(self, rows: int = 100_000) -> Iterator[RawBatch]:
        """The file's data rows, in order, in batches of about `rows` rows (at most the row cap:
        a workbook's declared size can lie, so the rows are counted as they come too)."""
        if self.format == "csv":
            parts = _csv_batches(self, rows)
        elif self.format == "excel":
            parts = _excel_batches(self, rows)
        else:
            parts = _parquet_batches(self, rows)
        cap, seen = import_caps(), 0
        for batch in parts:
            seen += batch.rows_read
            _refuse(rows_problem(seen, cap))
            yield batch

    def describe(self) -> str:
        """One line for people: format, encoding, separator."""
        if self.format != "csv":
            return {"excel": "Excel workbook (first sheet)", "parquet": "Parquet file"}[self.format]
        sep = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}[self.separator or ","]
        return f"CSV, {self.encoding}, {sep}-separated"


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


# ---------------------------------------------------------------------------------------- caps
def _refuse(problem: str | None) -> None:
    if problem:
        raise ImportFileError(problem)


def _open_capped(path: Path, head: bytes, caps: ImportCaps) -> Source:
    """Open a file within the import caps, checked before any row is parsed: a workbook's
    unpacked size (from the zip directory) and rows; a Parquet file's rows (from its footer);
    a CSV's lines (counted, not parsed)."""
    if head.startswith(b"PK\x03\x04"):
        _refuse(xlsx_unpacked_problem(path, caps))
        source = _open_excel(path)
        _refuse(rows_problem(_excel_max_row(path) - source.header_lines, caps))
        return source
    if head.startswith(b"PAR1"):
        source = _open_parquet(path)
        _refuse(rows_problem(parquet_rows(path), caps))
        return source
    source = _open_csv(path, head)
    _refuse(rows_problem(count_lines(path, source.data_offset), caps, what="lines"))
    return source


# ----------------------------------------------------------------------------------------- CSV
def _detect_encoding(path: Path, head: bytes) -> str:
    if head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"):
        raise ImportFileError("The file is UTF-16; save it as UTF-8 (or Windows-1252) CSV.")
    if b"\x00" in head:
        raise ImportFileError("This does not look like a text (CSV) file, an Excel workbook or Parquet.")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:  # a full pass: a bad byte at the end must not half-import a file
            while chunk := fh.read(BLOCK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(BLOCK_BYTES):
                chunk.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError as exc:
        raise ImportFileError("The file is neither UTF-8 nor Windows-1252 text; save it as UTF-8 CSV.") from exc


def _record_end(buf: bytes, start: int = 0) -> int | None:
    """Index just after the first newline outside quotes at or after `start` (None if none)."""
    pos = buf.find(b"\n", start)
    while pos >= 0:
        if buf.count(b'"', 0, pos) % 2 == 0:
            return pos + 1
        pos = buf.find(b"\n", pos + 1)
    return None


def _last_record_end(buf: bytes) -> int | None:
    """Index just after the last newline outside quotes (a safe place to cut a block)."""
    pos = buf.rfind(b"\n")
    tries = 0
    while pos >= 0 and tries < 200:
        if buf.count(b'"', 0, pos) % 2 == 0:
            return pos + 1
        pos = buf.rfind(b"\n", 0, pos)
        tries += 1
    return None


def _split_header(line: str) -> tuple[list[str], str]:
    counts = {}
    for sep in SEPARATORS:
        try:
            counts[sep] = len(next(csv.reader([line], delimiter=sep)))
        except (csv.Error, StopIteration):
            counts[sep] = 0
    sep = max(SEPARATORS, key=lambda s: counts[s])  # ties: comma first
    return next(csv.reader([line], delimiter=sep)), sep


def _check_header(header: list[str]) -> list[str]:
    names = [h.strip() or f"column_{i + 1}" for i, h in enumerate(header)]
    seen: set[str] = set()
    for n in names:
        if n.casefold() in seen:
            raise ImportFileError(f"The header has two columns named '{n}'; rename one and try again.")
        seen.add(n.casefold())
    return names


def _open_csv(path: Path, head: bytes) -> Source:
    encoding = _detect_encoding(path, head)
    offset = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    lines_skipped = 0
    # Skip blank lines before the header.
    while head[offset:offset + 1] in (b"\n", b"\r"):
        offset += 1
        if head[offset - 1:offset] == b"\n":
            lines_skipped += 1
    end = _record_end(head, offset)
    raw = head[offset:end] if end is not None else head[offset:]
    if not raw.strip():
        raise ImportFileError("The file is empty: there is no header row and no data.")
    text = raw.decode("cp1252" if encoding == "cp1252" else "utf-8").rstrip("\r\n")
    header, sep = _split_header(text)
    header = _check_header(header)
    return Source(path=path, format="csv", header=header, encoding=encoding, separator=sep,
                  data_offset=offset + len(raw), header_lines=lines_skipped + 1 + text.count("\n"))


def _blocks(source: Source) -> Iterator[tuple[bytes, int]]:
    """Byte blocks cut at record boundaries, with the file offset where each ends."""
    with source.path.open("rb") as fh:
        fh.seek(source.data_offset)
        carry = b""
        while True:
            chunk = fh.read(BLOCK_BYTES)
            if not chunk:
                if carry.strip():
                    yield carry, fh.tell()
                return
            buf = carry + chunk
            cut = _last_record_end(buf)
            if cut is None:
                if len(buf) > MAX_RECORD_BYTES:
                    raise ImportFileError("A quoted field never ends (an unbalanced \" in the file?).")
                carry = buf
                continue
            carry = buf[cut:]
            yield buf[:cut], fh.tell() - len(carry)


def _csv_batches(source: Source, rows: int) -> Iterator[RawBatch]:
    next_line = source.header_lines + 1
    size = max(source.path.stat().st_size, 1)
    for block, end in _blocks(source):
        if source.encoding == "cp1252":
            block = block.decode("cp1252").encode("utf-8")
        batch, consumed = _parse_block(block, source.header, source.separator or ",", next_line)
        next_line += consumed
        # Blocks are sized in bytes; split big ones so progress moves and transactions stay small.
        height = batch.frame.height
        for start in range(0, max(height, 1), rows):
            part = batch.frame.slice(start, rows)
            done = (end - len(block) * (1 - min(start + rows, height) / max(height, 1))) / size
            yield RawBatch(part, batch.bad_rows if start == 0 else [], min(done, 1.0))


def _parse_block(data: bytes, header: list[str], sep: str, first_line: int) -> tuple[RawBatch, int]:
    newlines = data.count(b"\n")
    lines = newlines + (0 if data.endswith(b"\n") else 1)
    shape_errors: list[int] = []

    def on_bad_row(_row) -> str:
        shape_errors.append(1)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=header, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True,
                                             invalid_row_handler=on_bad_row),
            convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                 strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException):
        return _parse_block_slowly(data, header, sep, first_line), lines
    if shape_errors:
        return _parse_block_slowly(data, header, sep, first_line), lines
    frame = pl.from_arrow(table)
    n = frame.height
    index = pl.int_range(0, n, dtype=pl.Int64, eager=True) + first_line
    if n != lines:
        inner = frame.select(pl.sum_horizontal(pl.col(h).str.count_matches("\n") for h in header)
                             .cast(pl.Int64).alias("x"))["x"] if n else pl.Series([], dtype=pl.Int64)
        if n + int(inner.sum() or 0) != lines:  # blank lines or stray carriage returns: count exactly
            return _parse_block_slowly(data, header, sep, first_line), lines
        index = index + (inner.cum_sum() - inner)
    return RawBatch(frame.with_columns(index.alias(LINE))), lines


def _parse_block_slowly(data: bytes, header: list[str], sep: str, first_line: int) -> RawBatch:
    """Exact line numbers with Python's csv module, for blocks with blank or malformed rows."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=sep)
    cols: list[list[str]] = [[] for _ in header]
    line_nos: list[int] = []
    bad: list[tuple[int, str, str]] = []
    before = 0
    try:
        for record in reader:
            line = first_line + before
            before = reader.line_num
            if not record or (len(record) == 1 and not record[0].strip() and len(header) > 1):
                continue
            if len(record) != len(header):
                bad.append((line, f"row has {len(record)} fields, expected {len(header)}",
                            sep.join(record)))
                continue
            for col, value in zip(cols, record):
                col.append(value)
            line_nos.append(line)
    except csv.Error as exc:
        bad.append((first_line + before, f"unreadable row ({exc})", ""))
    frame = pl.DataFrame({h: pl.Series(h, c, dtype=pl.String) for h, c in zip(header, cols)})
    return RawBatch(frame.with_columns(pl.Series(LINE, line_nos, dtype=pl.Int64)), bad)


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


def _excel_max_row(path: Path) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return wb.worksheets[0].max_row or 0
    finally:
        wb.close()


def _open_excel(path: Path) -> Source:
    for number, row in _excel_rows(path):
        if any(v.strip() for v in row):
            while row and not row[-1].strip():
                row.pop()
            return Source(path=path, format="excel", header=_check_header(row), header_lines=number)
    raise ImportFileError("The workbook's first sheet is empty: there is no header row and no data.")


def _excel_batches(source: Source, rows: int) -> Iterator[RawBatch]:
    width = len(source.header)
    cols: list[list[str]] = [[] for _ in range(width)]
    lines: list[int] = []
    bad: list[tuple[int, str, str]] = []

    total = max(_excel_max_row(source.path), 1)

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
def _open_parquet(path: Path) -> Source:
    import pyarrow.parquet as pq

    try:
        names = pq.ParquetFile(path).schema_arrow.names
    except Exception as exc:  # noqa: BLE001
        raise ImportFileError(f"The Parquet file cannot be read ({type(exc).__name__}).") from exc
    return Source(path=path, format="parquet", header=_check_header(list(names)), header_lines=0)


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
