"""What every export reader hands on: an opened file (`Source`) and its rows as batches of text
columns with the file's line numbers (`RawBatch`), plus the one error a person sees when a file
cannot be imported at all.

Nothing read by the importer is ever executed or unpickled: cells are only ever strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import polars as pl

from data_access.importer.caps import import_caps, rows_problem

LINE = "_line"


class ImportFileError(ValueError):
    """The file cannot be imported at all; the message is meant for the person who chose it."""


def refuse(problem: str | None) -> None:
    """Raise ImportFileError with `problem`, if there is one."""
    if problem:
        raise ImportFileError(problem)


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
    # The format's batch reader, set by the opener: (source, rows per batch) → batches.
    read: Callable[["Source", int], Iterator[RawBatch]] | None = field(default=None, repr=False, compare=False)

    def batches(self, rows: int = 100_000) -> Iterator[RawBatch]:
        """The file's data rows, in order, in batches of about `rows` rows (at most the row cap:
        a workbook's declared size can lie, so the rows are counted as they come too)."""
        assert self.read is not None, "a Source is made by open_source"
        cap, seen = import_caps(), 0
        for batch in self.read(self, rows):
            seen += batch.rows_read
            refuse(rows_problem(seen, cap))
            yield batch

    def describe(self) -> str:
        """One line for people: format, encoding, separator."""
        if self.format != "csv":
            return {"excel": "Excel workbook (first sheet)", "parquet": "Parquet file"}[self.format]
        sep = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}[self.separator or ","]
        return f"CSV, {self.encoding}, {sep}-separated"


def check_header(header: list[str]) -> list[str]:
    """Header names as the importer uses them: blanks named by position, no name twice."""
    names = [h.strip() or f"column_{i + 1}" for i, h in enumerate(header)]
    seen: set[str] = set()
    for n in names:
        if n.casefold() in seen:
            raise ImportFileError(f"The header has two columns named '{n}'; rename one and try again.")
        seen.add(n.casefold())
    return names
