"""Idempotent upserts: same file twice changes nothing, later exports update, later answers replace
earlier ones (with their factors and recovery items), and a failing batch rolls back completely."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data_access import schema
from data_access.engine import get_engine
from data_access.importer import run as run_module
from data_access.importer.run import ImportInterrupted
from tests.importer.helpers import SAMPLES, count, do_import, landed_responses, landed_tickets, ready

HEADER = ("ticket_id,ticket_type,channel,service,priority,opened_at,resolved_at,analyst,team,sla_met,"
          "reassignment_count,reopened,first_contact_resolution,handle_minutes,requester\n")


def tickets_csv(path, rows: list[str]):
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def row(i: int, *, team: str = "Desk", minutes: str = "10", analyst: str = "Ann Lee") -> str:
    return (f"X-{i},incident,phone,Printing,3,2026-10-05 08:00:00,2026-10-05 09:00:00,{analyst},{team},"
            f"true,0,false,false,{minutes},Req {i}")


def test_same_file_twice_changes_nothing(empty_url):
    ready(empty_url)
    first = do_import(empty_url, "tickets", SAMPLES / "servicenow_incidents.csv")
    do_import(empty_url, "responses", SAMPLES / "servicenow_survey.csv")
    before = (landed_tickets(empty_url), landed_responses(empty_url), count(empty_url, schema.recovery_items))
    again = do_import(empty_url, "tickets", SAMPLES / "servicenow_incidents.csv")
    answers = do_import(empty_url, "responses", SAMPLES / "servicenow_survey.csv")
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, first.inserted, 0)
    assert (answers.inserted, answers.updated, answers.unchanged, answers.rejected) == (0, 0, 3, 0)
    assert again.created == {"teams": [], "services": [], "analysts": []}
    assert (landed_tickets(empty_url), landed_responses(empty_url),
            count(empty_url, schema.recovery_items)) == before


def test_later_export_updates_changed_tickets_only(empty_url, tmp_path):
    ready(empty_url)
    do_import(empty_url, "tickets", tickets_csv(tmp_path / "a.csv", [row(1), row(2), row(3)]))
    result = do_import(empty_url, "tickets",
                       tickets_csv(tmp_path / "b.csv", [row(1), row(2, minutes="99.5"), row(3, team="Other desk"),
                                                        row(4)]))
    assert (result.inserted, result.updated, result.unchanged, result.rejected) == (1, 2, 1, 0)
    assert result.created["teams"] == ["Other desk"]
    landed = {r[0]: r for r in landed_tickets(empty_url)}
    assert landed["X-2"][13] == 99.5
    assert landed["X-3"][8] == "Other desk"
    assert count(empty_url, schema.tickets) == 4
    t = schema.tickets
    with get_engine(empty_url).connect() as conn:
        keys = dict(conn.execute(sa.select(t.c.ticket_id, t.c.ticket_key)).all())
    assert keys == {"X-1": 1, "X-2": 2, "X-3": 3, "X-4": 4}  # keys are stable and continue from the max


def test_later_answer_replaces_earlier_one_with_factors_and_recovery(empty_url, tmp_path):
    engine = ready(empty_url)
    do_import(empty_url, "tickets", SAMPLES / "generic_tickets.csv")
    do_import(empty_url, "responses", SAMPLES / "generic_responses.csv")
    ri, t = schema.recovery_items, schema.tickets
    with engine.connect() as conn:
        key = dict(conn.execute(sa.select(t.c.ticket_id, t.c.ticket_key)).all())
        assert set(conn.execute(sa.select(ri.c.ticket_key)).scalars()) == {key["T-2"]}
    later = tmp_path / "later.csv"
    later.write_text("ticket_id,happiness,factors,comment,submitted_at\n"
                     "T-2,10,Speed of service,Sorted after all,2026-10-09 10:00:00\n"
                     "T-1,2,not_solved;re_explain,It broke again,2026-10-09 11:00:00\n"
                     "T-3,9,,,2026-10-09 12:00:00\n", encoding="utf-8")
    result = do_import(empty_url, "responses", later)
    assert (result.inserted, result.updated, result.unchanged, result.rejected) == (1, 2, 0, 0)
    assert landed_responses(empty_url) == [
        ("T-1", 2, None, None, None, None, None, "It broke again", dt.datetime(2026, 10, 9, 11, 0),
         ("not_solved", "re_explain")),
        ("T-2", 10, None, None, None, None, None, "Sorted after all", dt.datetime(2026, 10, 9, 10, 0), ("speed",)),
        ("T-3", 9, None, None, None, None, None, None, dt.datetime(2026, 10, 9, 12, 0), ()),
    ]
    with engine.connect() as conn:
        items = conn.execute(sa.select(ri.c.ticket_key, ri.c.created_at, ri.c.due_at, ri.c.resolved_at)).all()
    # T-2 is fine now and its untouched follow-up is gone; T-1 is unhappy now and gets one, due next business day.
    assert items == [(key["T-1"], dt.datetime(2026, 10, 9, 11, 0), dt.datetime(2026, 10, 12, 11, 0), None)]


def test_replaced_answer_keeps_a_worked_follow_up_but_closes_it(empty_url, tmp_path):
    engine = ready(empty_url)
    do_import(empty_url, "tickets", SAMPLES / "generic_tickets.csv")
    do_import(empty_url, "responses", SAMPLES / "generic_responses.csv")
    ri, ra, t = schema.recovery_items, schema.recovery_actions, schema.tickets
    with engine.begin() as conn:
        key = conn.execute(sa.select(t.c.ticket_key).where(t.c.ticket_id == "T-2")).scalar_one()
        conn.execute(ra.insert().values(action_id=1, ticket_key=key, kind="contacted", note="Called",
                                        acted_at=dt.datetime(2026, 10, 7, 12, 0)))
    later = tmp_path / "later.csv"
    later.write_text("ticket_id,happiness,submitted_at\nT-2,9,2026-10-09 10:00:00\n", encoding="utf-8")
    assert do_import(empty_url, "responses", later).updated == 1
    with engine.connect() as conn:
        item = conn.execute(sa.select(ri.c.outcome, ri.c.resolved_at.is_not(None), ri.c.version)
                            .where(ri.c.ticket_key == key)).one()
    assert tuple(item) == ("replaced by a later answer", True, 2)
    assert count(empty_url, ra) == 1  # history is kept


def test_dry_run_writes_nothing(empty_url):
    ready(empty_url)
    result = do_import(empty_url, "tickets", SAMPLES / "generic_tickets_bad_rows.csv", dry_run=True)
    assert (result.inserted, result.rejected, result.run_id) == (3, 6, None)
    assert result.created["analysts"] == ["Ann Lee"]
    for table in (schema.tickets, schema.analysts, schema.import_runs, schema.import_rejects):
        assert count(empty_url, table) == 0


def test_failing_batch_rolls_back_and_rerun_completes(empty_url, tmp_path, monkeypatch):
    ready(empty_url)
    path = tickets_csv(tmp_path / "t.csv", [row(i, analyst=f"Analyst {i}") for i in range(1, 8)])
    real = run_module.record_batch
    calls = {"n": 0}

    def flaky(conn, *args, **kwargs):
        calls["n"] += 1
        real(conn, *args, **kwargs)
        if calls["n"] == 2:  # after this batch's rows, names and counts were written: the "disk" fails
            raise sa.exc.OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(run_module, "record_batch", flaky)
    with pytest.raises(ImportInterrupted) as info:
        do_import(empty_url, "tickets", path, batch_rows=3)
    assert info.value.result.rows_read == 3
    assert [r[0] for r in landed_tickets(empty_url)] == ["X-1", "X-2", "X-3"]
    assert count(empty_url, schema.analysts) == 3  # the failed batch's new analysts were rolled back too
    with get_engine(empty_url).connect() as conn:
        run = conn.execute(sa.select(schema.import_runs)).one()
    assert (run.rows_read, run.inserted, run.finished_at) == (3, 3, None)

    monkeypatch.setattr(run_module, "record_batch", real)
    rerun = do_import(empty_url, "tickets", path, batch_rows=3)
    assert (rerun.inserted, rerun.unchanged, rerun.rejected) == (4, 3, 0)
    assert [r[0] for r in landed_tickets(empty_url)] == [f"X-{i}" for i in range(1, 8)]
    assert count(empty_url, schema.analysts) == 7
