"""Import caps: a workbook that unpacks to too much XML and a file with too many rows are refused
with a clear sentence before any row is parsed, and nothing lands in the warehouse."""

from __future__ import annotations

import time
import tracemalloc
import zipfile

import openpyxl
import polars as pl
import pytest

from data_access import schema
from data_access.settings import SettingsError
from cli import main
from data_access.importer.caps import ImportCaps, count_lines, import_caps, rows_problem, xlsx_unpacked_problem
from data_access.importer.reader import ImportFileError, open_source
from tests.importer.helpers import SAMPLES, count, ready

HEADER = "ticket_id,ticket_type,channel,service,priority,opened_at,resolved_at,analyst,team,sla_met,requester\n"
ROW = "T{i},incident,Phone,Printing,3,2026-10-05 08:00,2026-10-05 09:00,Ann Lee,Desk,yes,R\n"


def _bomb(path, declared_mb: int):
    """A small but valid .xlsx whose sheet XML is `declared_mb` MB of blank, highly compressible rows."""
    wb = openpyxl.Workbook()
    wb.active.append(["ticket_id", "ticket_type"])
    wb.save(path)
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    filler = "<!-- " + "x" * (1024 * 1024 - 10) + " -->"
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("<sheetData>", "<sheetData>" + filler * declared_mb).encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


def test_caps_come_from_the_environment_with_safe_defaults(monkeypatch):
    monkeypatch.delenv("SERVICE_PULSE_IMPORT_MAX_XLSX_MB", raising=False)
    monkeypatch.delenv("SERVICE_PULSE_IMPORT_MAX_ROWS", raising=False)
    assert import_caps() == ImportCaps(200 * 1024 * 1024, 5_000_000)
    monkeypatch.setenv("SERVICE_PULSE_IMPORT_MAX_XLSX_MB", "50")
    monkeypatch.setenv("SERVICE_PULSE_IMPORT_MAX_ROWS", "1000")
    assert import_caps() == ImportCaps(50 * 1024 * 1024, 1000)
    for unusable in ("0", "-5", ""):
        monkeypatch.setenv("SERVICE_PULSE_IMPORT_MAX_ROWS", unusable)
        assert import_caps().rows == 5_000_000
    monkeypatch.setenv("SERVICE_PULSE_IMPORT_MAX_ROWS", "lots")
    with pytest.raises(SettingsError, match="^SERVICE_PULSE_IMPORT_MAX_ROWS must be a whole number, like 5; the value set there is not"):
        import_caps()


def test_count_lines_is_an_upper_bound_of_records(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n1,2\n3,\"multi\nline\"\n4,5")
    assert count_lines(path) == 5
    assert count_lines(path, start=4) == 4
    assert rows_problem(4, ImportCaps(rows=4)) is None
    assert "more than 4 data rows (5)" in rows_problem(5, ImportCaps(rows=4))


def test_zip_bomb_ish_workbook_is_refused_before_unpacking(tmp_path, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_IMPORT_MAX_XLSX_MB", "20")
    path = _bomb(tmp_path / "bomb.xlsx", declared_mb=60)
    assert path.stat().st_size < 1_000_000  # under 1 MB on disk, 60 MB of XML inside
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as refused:
        open_source(path)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "unpacks to 60 MB of XML; the limit is 20 MB" in str(refused.value)
    assert seconds < 2 and peak < 20_000_000


def test_a_workbook_within_the_cap_still_opens(tmp_path, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_IMPORT_MAX_XLSX_MB", "20")
    path = _bomb(tmp_path / "fine.xlsx", declared_mb=1)
    assert xlsx_unpacked_problem(path, import_caps()) is None
    assert open_source(path).header == ["ticket_id", "ticket_type"]


def test_a_non_zip_that_starts_like_one_is_refused(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(ImportFileError, match="cannot be read"):
        open_source(path)


def test_row_cap_csv_through_the_cli_imports_nothing(empty_sqlite_url, tmp_path, monkeypatch, capsys):
    ready(empty_sqlite_url)
    monkeypatch.setenv("SERVICE_PULSE_IMPORT_MAX_ROWS", "10")
    path = tmp_path / "eleven.csv"
    path.write_text(HEADER + "".join(ROW.format(i=i) for i in range(11)))
    assert main(["import", "tickets", str(path), "--url", empty_sqlite_url]) == 2
    assert "The file has more than 10 lines (11); the limit is 10 rows per import" in capsys.readouterr().err
    assert count(empty_sqlite_url, schema.tickets) == 0
    path.write_text(HEADER + "".join(ROW.format(i=i) for i in range(10)))  # exactly the cap: fine
    assert main(["import", "tickets", str(path), "--url", empty_sqlite_url]) == 0
    assert count(empty_sqlite_url, schema.tickets) == 10


def test_row_cap_parquet_and_workbook(tmp_path, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_IMPORT_MAX_ROWS", "3")
    pq = tmp_path / "t.parquet"
    pl.DataFrame({"ticket_id": ["a", "b", "c", "d"]}).write_parquet(pq)
    with pytest.raises(ImportFileError, match="more than 3 data rows \\(4\\)"):
        open_source(pq)
    wb = openpyxl.Workbook()
    for row in [["ticket_id"], ["a"], ["b"], ["c"], ["d"]]:
        wb.active.append(row)
    wb.save(tmp_path / "t.xlsx")
    with pytest.raises(ImportFileError, match="more than 3 data rows \\(4\\)"):
        open_source(tmp_path / "t.xlsx")


def test_row_cap_while_reading_when_the_workbook_hides_its_size(tmp_path, monkeypatch):
    """A workbook's declared dimension can lie: rows are counted as they are read too."""
    wb = openpyxl.Workbook()
    for row in [["ticket_id"], ["a"], ["b"], ["c"], ["d"]]:
        wb.active.append(row)
    wb.save(tmp_path / "t.xlsx")
    source = open_source(tmp_path / "t.xlsx")  # within the default cap
    monkeypatch.setenv("SERVICE_PULSE_IMPORT_MAX_ROWS", "3")
    with pytest.raises(ImportFileError, match="more than 3 data rows"):
        list(source.batches(rows=2))


def test_the_sample_files_are_far_within_the_caps():
    for path in SAMPLES.glob("*.csv"):
        open_source(path)
