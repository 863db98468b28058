"""Property: whatever rows a file holds, rows in = inserted + updated + unchanged + skipped +
rejected, every rejection has a line and a reason, and no valid-looking row is lost or changed."""

from __future__ import annotations

import csv
import io
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_access import schema
from data_access.engine import get_engine
from data_access.importer.run import plan_import, run_import
from tests.importer.helpers import SAMPLES, count, do_import, ready

HEADER = ["ticket_id", "ticket_type", "channel", "service", "priority", "opened_at", "resolved_at", "analyst",
          "team", "sla_met", "reassignment_count", "handle_minutes", "requester", "state"]
COUNTER = itertools.count()

junk = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=12)  # a bare CR ends a record
ids = st.sampled_from(["A", "B", "C", "D", "E", "F"])
cells = {
    "ticket_type": st.one_of(st.sampled_from(["incident", "request", "Service Request", "change"]), junk),
    "channel": st.one_of(st.sampled_from(["Phone", "E-mail", "Self-service", "walk_in", "fax"]), junk),
    "service": st.one_of(st.sampled_from(["Printing", "VPN", "  vpn "]), junk),
    "priority": st.one_of(st.sampled_from(["1", "2 - High", "P3", "4", "5", "0"]), junk),
    "opened_at": st.one_of(st.sampled_from(["2026-10-05 08:00", "05.10.2026 08:00", "31/31/2024", ""]), junk),
    "resolved_at": st.one_of(st.sampled_from(["2026-10-05 09:00", "2026-10-04 09:00", "2026-10-05T09:00:00Z"]), junk),
    "analyst": st.one_of(st.sampled_from(["Ann Lee", "ann  lee", "Bo"]), junk),
    "team": st.one_of(st.sampled_from(["Desk", "DESK", "Net"]), junk),
    "sla_met": st.one_of(st.sampled_from(["yes", "no", "true", "0", "maybe"]), junk),
    "reassignment_count": st.one_of(st.sampled_from(["0", "2", "-1", "1.5", ""]), junk),
    "handle_minutes": st.one_of(st.sampled_from(["10", "0,5", "-3", ""]), junk),
    "requester": st.one_of(st.sampled_from(["=1+1", "a,b", 'say "hi"', "two\nlines"]), junk),
    "state": st.one_of(st.sampled_from(["Closed", "Resolved", "In Progress", "", "Escalated"]), junk),
}
rows = st.lists(st.tuples(ids, *[cells[c] for c in HEADER[1:]]), max_size=15)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(rows=rows, ragged=st.booleans())
def test_every_row_is_accounted_for(empty_sqlite_url, tmp_path, rows, ragged):
    ready(empty_sqlite_url)
    prefix = f"p{next(COUNTER)}-"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    for r in rows:
        writer.writerow([prefix + r[0], *r[1:]])
    text = buf.getvalue()
    if ragged:
        text += "only,three,fields\n"
    path = tmp_path / f"{prefix}.csv"
    path.write_text(text, encoding="utf-8")
    before = count(empty_sqlite_url, schema.tickets)

    result = do_import(empty_sqlite_url, "tickets", path)

    data_rows = len(rows) + (1 if ragged else 0)
    assert result.rows_read == data_rows
    assert result.rows_read == result.inserted + result.updated + result.unchanged + result.skipped + result.rejected
    assert result.balanced
    assert all(reason.startswith("ticket not closed: ") for reason in result.skipped_by)
    assert result.rejects.height == result.rejected
    assert result.rejects["reason"].str.len_chars().min() or not result.rejected
    assert result.rejects["reason"].null_count() == 0
    lines = result.rejects["line"].to_list()
    assert len(set(lines)) == len(lines) and all(2 <= ln for ln in lines)
    # What landed is exactly what was not rejected (ids are new to this example).
    assert count(empty_sqlite_url, schema.tickets) - before == result.inserted
    with get_engine(empty_sqlite_url).connect() as conn:
        stored = conn.execute(schema.import_rejects.select().where(
            schema.import_rejects.c.run_id == result.run_id)).all()
    assert len(stored) == result.rejected and all(r.reason and r.raw_row for r in stored)


answers = st.lists(st.tuples(st.sampled_from(["R1", "R2", "R3", "R4"]), st.sampled_from(["T-1", "T-2", "T-9", ""]),
                             st.sampled_from(["Overall, how happy are you (0-10)?", "Were you kept informed?",
                                              "Comments"]),
                             st.one_of(st.sampled_from(["0", "9", "10", "11", "", "-1", "5", "fine"]), junk),
                             st.sampled_from(["2026-10-05 12:00:00", "", "not a date"])), max_size=14)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(rows=answers)
def test_long_format_every_response_is_accounted_for(empty_sqlite_url, tmp_path, rows):
    ready(empty_sqlite_url)
    tickets = tmp_path / "t.csv"
    if not tickets.exists():
        tickets.write_text((SAMPLES / "generic_tickets.csv").read_text(encoding="utf-8"), encoding="utf-8")
        do_import(empty_sqlite_url, "tickets", tickets)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["response_id", "ticket_id", "question", "value", "submitted_at"])
    writer.writerow(["R0", "T-3", "Overall, how happy are you (0-10)?", "7", "2026-10-06 12:00:00"])
    writer.writerows(rows)
    path = tmp_path / f"long{next(COUNTER)}.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    plan = plan_import(path, "responses", mapping={"happiness": "Overall, how happy are you (0-10)?"})
    result = run_import(get_engine(empty_sqlite_url), plan)
    instances = {"R0"} | {r[0] for r in rows}
    assert result.answers_read == len(rows) + 1
    assert result.rows_read == len(instances)
    assert result.balanced and result.rejects.height == result.rejected
    assert set(result.skipped_by) <= {"survey not answered"}
