"""CSV exports read forgivingly and in bounded memory: any common encoding and separator, cut
into blocks at record boundaries, parsed by Arrow with the file's exact line numbers (Python's
csv module takes over for blocks with blank or malformed rows)."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path
from typing import Iterator

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from data_access.importer.source import LINE, ImportFileError, RawBatch, Source, check_header

BLOCK_BYTES = 16 * 1024 * 1024
MAX_RECORD_BYTES = 64 * 1024 * 1024
SEPARATORS = (",", ";", "\t", "|")


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


def open_csv(path: Path, head: bytes) -> Source:
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
    header = check_header(header)
    return Source(path=path, format="csv", header=header, encoding=encoding, separator=sep,
                  data_offset=offset + len(raw), header_lines=lines_skipped + 1 + text.count("\n"),
                  read=_csv_batches)


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
