"""Forgiving reading: encodings, separators, quoted newlines, date orders, Excel, Parquet, and clear
refusals (empty file, wrong kind, unreadable) that import nothing."""

from __future__ import annotations

import datetime as dt

import openpyxl
import polars as pl
import pytest

from data_access import schema
from data_access.importer.reader import ImportFileError, open_source
from data_access.importer.run import plan_import
from data_access.importer.validate import AmbiguousDates
from tests.importer.helpers import count, do_import, landed_responses, landed_tickets, ready

COLS = ["ticket_id", "ticket_type", "channel", "service", "priority", "opened_at", "resolved_at", "analyst",
        "team", "sla_met", "requester"]


def write(path, rows: list[list[str]], *, sep: str = ",", encoding: str = "utf-8", newline: str = "\n",
          header: list[str] = COLS):
    def cell(v: str) -> str:
        return f'"{v.replace(chr(34), chr(34) * 2)}"' if any(c in v for c in f'{sep}"\n\r') else v
    text = newline.join(sep.join(cell(v) for v in r) for r in [header, *rows]) + newline
    path.write_bytes(text.encode(encoding))
    return path


def ticket(i: str, opened: str = "2026-10-05 08:00", resolved: str = "2026-10-05 09:00",
           requester: str = "R") -> list[str]:
    return [i, "incident", "Phone", "Café & Printing", "3", opened, resolved, "Zoë Núñez", "Desk", "yes", requester]


def test_utf8_bom_semicolons_and_crlf(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    path = write(tmp_path / "t.csv", [ticket("A1"), ticket("A2")], sep=";", encoding="utf-8-sig", newline="\r\n")
    source = open_source(path)
    assert (source.encoding, source.separator, source.header[0]) == ("utf-8-sig", ";", "ticket_id")
    result = do_import(empty_sqlite_url, "tickets", path)
    assert (result.inserted, result.rejected) == (2, 0)
    assert landed_tickets(empty_sqlite_url)[0][3] == "Café & Printing"
    assert landed_tickets(empty_sqlite_url)[0][7] == "Zoë Núñez"


def test_windows_1252_and_tabs(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    path = write(tmp_path / "t.tsv", [ticket("W1", requester="Ünal – “quoted”")], sep="\t", encoding="cp1252")
    assert open_source(path).encoding == "cp1252"
    assert do_import(empty_sqlite_url, "tickets", path).inserted == 1
    assert landed_tickets(empty_sqlite_url)[0][-1] == "Ünal – “quoted”"


def test_quoted_newlines_keep_true_line_numbers(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    path = write(tmp_path / "t.csv", [ticket("N1", requester="two\nlines"), ticket("N2", requester="a,\"b\"\nc\nd"),
                                      ticket("N3", opened="2026-10-06 08:00")])
    result = do_import(empty_sqlite_url, "tickets", path)
    # N1 starts on line 2 (2 lines), N2 on line 4 (3 lines), N3 on line 7.
    assert [tuple(r) for r in result.rejects.select("line", "reason").iter_rows()] == \
        [(7, "resolved_at before opened_at")]
    assert [r[-1] for r in landed_tickets(empty_sqlite_url)] == ["two\nlines", 'a,"b"\nc\nd']


def test_row_with_wrong_number_of_fields_is_rejected_with_its_line(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    path = tmp_path / "t.csv"
    write(path, [ticket("R1", requester="multi\nline"), ticket("R2")])
    path.write_text(path.read_text() + "R3,incident,too,few\n" + ",".join(ticket("R4")) + "\n")
    result = do_import(empty_sqlite_url, "tickets", path)
    assert [tuple(r) for r in result.rejects.select("line", "reason").iter_rows()] == \
        [(5, "row has 4 fields, expected 11")]
    assert (result.rows_read, result.inserted, result.rejected) == (4, 3, 1)


def test_ambiguous_day_month_must_be_chosen(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    path = write(tmp_path / "t.csv", [ticket("D1", "03/04/2026 08:00", "03/04/2026 09:00")])
    with pytest.raises(AmbiguousDates, match="day-first or month-first"):
        do_import(empty_sqlite_url, "tickets", path)
    assert count(empty_sqlite_url, schema.import_runs) == 0
    assert do_import(empty_sqlite_url, "tickets", path, date_order="day").inserted == 1
    assert landed_tickets(empty_sqlite_url)[0][5] == dt.datetime(2026, 4, 3, 8, 0)


def test_the_file_decides_the_day_month_order_when_it_can(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    path = write(tmp_path / "t.csv", [ticket("D1", "03/04/2026 08:00", "03/04/2026 09:00"),
                                      ticket("D2", "04/13/2026 08:00", "04/13/2026 09:00")])
    result = do_import(empty_sqlite_url, "tickets", path)
    assert (result.inserted, result.rejected) == (2, 0)
    assert [r[5] for r in landed_tickets(empty_sqlite_url)] == [dt.datetime(2026, 3, 4, 8, 0),
                                                                dt.datetime(2026, 4, 13, 8, 0)]


def test_iso_with_offsets_and_common_formats(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    path = write(tmp_path / "t.csv", [ticket("F1", "2026-10-05T08:00:00+02:00", "2026-10-05T07:30:00Z"),
                                      ticket("F2", "05.10.2026 08:00", "05.10.2026 09:15"),
                                      ticket("F3", "05/Oct/26 8:00 AM", "05/Oct/26 1:00 PM"),
                                      ticket("F4", "2026-10-05", "2026-10-05 00:00:00.250")])
    assert do_import(empty_sqlite_url, "tickets", path).inserted == 4
    assert [(r[5], r[6]) for r in landed_tickets(empty_sqlite_url)] == [
        (dt.datetime(2026, 10, 5, 6, 0), dt.datetime(2026, 10, 5, 7, 30)),
        (dt.datetime(2026, 10, 5, 8, 0), dt.datetime(2026, 10, 5, 9, 15)),
        (dt.datetime(2026, 10, 5, 8, 0), dt.datetime(2026, 10, 5, 13, 0)),
        (dt.datetime(2026, 10, 5, 0, 0), dt.datetime(2026, 10, 5, 0, 0, 0, 250000)),
    ]


def test_empty_and_header_only_files(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ImportFileError, match="empty"):
        plan_import(tmp_path / "empty.csv", "tickets")
    (tmp_path / "blank.csv").write_bytes(b"\n\n")
    with pytest.raises(ImportFileError, match="empty"):
        plan_import(tmp_path / "blank.csv", "tickets")
    result = do_import(empty_sqlite_url, "tickets", write(tmp_path / "h.csv", []))
    assert (result.rows_read, result.inserted, result.rejected, result.completed) == (0, 0, 0, True)


def test_wrong_kind_is_refused_before_any_write(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    path = write(tmp_path / "r.csv", [["T-1", "9", "2026-10-05 10:00"]],
                 header=["ticket_id", "happiness", "submitted_at"])
    with pytest.raises(ImportFileError, match="looks like a responses file"):
        do_import(empty_sqlite_url, "tickets", path)
    other = write(tmp_path / "x.csv", [["1", "2"]], header=["foo", "bar"])
    with pytest.raises(ImportFileError, match="no column for"):
        do_import(empty_sqlite_url, "responses", other)
    (tmp_path / "x.bin").write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(ImportFileError, match="does not look like"):
        plan_import(tmp_path / "x.bin", "tickets")
    assert count(empty_sqlite_url, schema.import_runs) == 0


def test_size_limit(tmp_path):
    path = write(tmp_path / "t.csv", [ticket("S1")])
    with pytest.raises(ImportFileError, match="limit"):
        plan_import(path, "tickets", max_bytes=10)


def test_excel_formulas_stay_text_and_dates_parse(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    do_import(empty_sqlite_url, "tickets", write(tmp_path / "t.csv", [ticket("E1"), ticket("E2")]))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ticket_id", "happiness", "comment", "submitted_at"])
    ws.append(["E1", 9, "=1+1", dt.datetime(2026, 10, 6, 9, 30)])
    ws.append(["E2", 4.0, "@SUM(A1)", "2026-10-06 10:00"])
    wb.save(tmp_path / "r.xlsx")
    result = do_import(empty_sqlite_url, "responses", tmp_path / "r.xlsx")
    assert (result.inserted, result.rejected) == (2, 0)
    assert [(r[0], r[1], r[7], r[8]) for r in landed_responses(empty_sqlite_url)] == [
        ("E1", 9, "=1+1", dt.datetime(2026, 10, 6, 9, 30)),
        ("E2", 4, "@SUM(A1)", dt.datetime(2026, 10, 6, 10, 0))]


def test_parquet(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    frame = pl.DataFrame({c: [v] for c, v in zip(COLS, ticket("P1"))}).with_columns(
        opened_at=pl.lit(dt.datetime(2026, 10, 5, 8, 0)), priority=pl.lit(2))
    frame.write_parquet(tmp_path / "t.parquet")
    assert do_import(empty_sqlite_url, "tickets", tmp_path / "t.parquet").inserted == 1
    assert landed_tickets(empty_sqlite_url)[0][4:6] == (2, dt.datetime(2026, 10, 5, 8, 0))


def test_score_scales(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    do_import(empty_sqlite_url, "tickets", write(tmp_path / "t.csv", [ticket(f"S{i}") for i in range(6)]))
    path = write(tmp_path / "r.csv", [[f"S{i}", str(v), "2026-10-06 10:00"] for i, v in enumerate([1, 2, 3, 4, 5, 6])],
                 header=["ticket_id", "happiness", "submitted_at"])
    result = do_import(empty_sqlite_url, "responses", path, scale="1-5")
    assert [r[1] for r in landed_responses(empty_sqlite_url)] == [0, 3, 5, 8, 10]
    assert [tuple(r) for r in result.rejects.select("line", "reason").iter_rows()] == [(7, "happiness 6 is outside 1–5")]
    path = write(tmp_path / "r3.csv", [[f"S{i}", str(v), "2026-10-07 10:00"] for i, v in enumerate([0, 1, 2, 3])],
                 header=["ticket_id", "happiness", "submitted_at"])
    assert do_import(empty_sqlite_url, "responses", path, scale="0-3").updated == 4
    assert [r[1] for r in landed_responses(empty_sqlite_url)][:4] == [0, 4, 7, 10]
