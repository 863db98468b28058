"""Property: after any sequence of imports, re-imports, replaced answers, deletions, kudos,
recovery contacts and survey invitations, every rollup equals its recomputation from the base
tables — on SQLite, DuckDB and PostgreSQL. "Today" is pinned inside the recovery window of the
generated answers, so imports open recovery items too."""

from __future__ import annotations

import csv
import datetime as dt
import itertools

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from data_access import catalogue, rollups, schema
from data_access.engine import get_engine
from data_access.importer.run import ImportInterrupted
from data_access.rollups.check import check
from tests.importer.helpers import do_import

TICKET_HEADER = ["ticket_id", "ticket_type", "channel", "service", "priority", "opened_at", "resolved_at",
                 "analyst", "team", "sla_met", "reassignment_count", "reopened", "handle_minutes"]
RESPONSE_HEADER = ["ticket_id", "happiness", "communication", "application", "resolution", "expectation",
                   "lost_minutes", "factors", "comment", "submitted_at"]
IDS = [f"T-{i}" for i in range(8)]
DAYS = ["2026-10-05", "2026-10-06", "2026-10-31", "2026-11-01"]
FILES = itertools.count()

ticket_row = st.tuples(
    st.sampled_from(IDS), st.sampled_from(["incident", "request"]), st.sampled_from(["phone", "email", "chat"]),
    st.sampled_from(["VPN", "Printing"]), st.integers(1, 4), st.sampled_from(DAYS), st.sampled_from(DAYS),
    st.sampled_from(["Ann Lee", "Bo Chen", "Cy Diaz"]), st.sampled_from(["Desk", "Network"]), st.booleans(),
    st.integers(0, 5), st.booleans(), st.sampled_from(["", "10", "2.5"]))
care = st.sampled_from(["", "1", "3", "5"])
response_row = st.tuples(
    st.sampled_from(IDS), st.integers(0, 10), care, care, care, care,
    st.sampled_from(["", "0", "2.5", "3.5", "45", "600"]),
    st.sets(st.sampled_from(["speed", "slow", "re_explain", "attitude"]), max_size=2),
    st.sampled_from(["", "ok", "=cmd()"]), st.sampled_from(DAYS), st.sampled_from(["08:00:00", "23:59:59"]))
# An app write on a ticket: kudos for its answer, a first contact on its recovery item (in time
# or late), the item resolved, or a survey invitation (sent, or sent and answered).
app_write = st.tuples(st.sampled_from(IDS), st.sampled_from(["kudos", "contact_in_time", "contact_late",
                                                             "resolved", "invited", "answered"]))
operation = st.one_of(
    st.tuples(st.just("tickets"), st.lists(ticket_row, min_size=1, max_size=6)),
    st.tuples(st.just("responses"), st.lists(response_row, min_size=1, max_size=6)),
    st.tuples(st.just("delete"), st.sets(st.sampled_from(IDS), min_size=1, max_size=3)),
    st.tuples(st.just("app"), st.lists(app_write, min_size=1, max_size=4)),
)
TODAY = "2026-11-05"  # the answers of 2026-10-31 and 2026-11-01 fall in the 14-day recovery window
# Always tried first: an unhappy recent answer opens an item, contacted late; kudos and a survey
# answer on a happy one; then the ticket moves to another analyst and day, and its item is resolved.
APP_WRITES = [
    ("tickets", [("T-0", "incident", "phone", "VPN", 1, "2026-10-31", "2026-10-31", "Ann Lee", "Desk", True, 0,
                  False, ""),
                 ("T-1", "request", "chat", "VPN", 2, "2026-10-31", "2026-11-01", "Bo Chen", "Desk", False, 1,
                  False, "")]),
    ("responses", [("T-0", 3, "", "", "", "", "", set(), "", "2026-10-31", "08:00:00"),
                   ("T-1", 10, "5", "", "", "", "", {"speed"}, "", "2026-11-01", "23:59:59")]),
    ("app", [("T-0", "contact_late"), ("T-1", "kudos"), ("T-1", "answered"), ("T-0", "invited")]),
    ("tickets", [("T-0", "incident", "phone", "VPN", 1, "2026-10-31", "2026-11-01", "Cy Diaz", "Network", True,
                  0, False, "")]),
    ("app", [("T-0", "resolved")]),
]


def _write(path, header, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)


def _tickets(rows) -> list[list]:
    out = []
    for tid, kind, channel, service, prio, opened, resolved, analyst, team, sla, reassign, reopened, handle in rows:
        opened, resolved = sorted([opened, resolved])
        out.append([tid, kind, channel, service, prio, f"{opened} 07:00:00", f"{resolved} 09:30:00", analyst,
                    team, str(sla).lower(), reassign, str(reopened).lower(), handle])
    return out


def _responses(rows) -> list[list]:
    return [[tid, h, c1, c2, c3, c4, lost, ";".join(sorted(factors)), comment, f"{day} {time}"]
            for tid, h, c1, c2, c3, c4, lost, factors, comment, day, time in rows]


def _delete_responses(url: str, ids: set[str]) -> None:
    """Remove answers (and what hangs on them), keeping the rollups with each write. One table per
    transaction: DuckDB refuses to delete a row whose referencing rows went in the same transaction."""
    T, R = schema.tickets, schema.responses
    engine = get_engine(url)
    with engine.connect() as conn:
        keys = [k for (k,) in conn.execute(sa.select(T.c.ticket_key).where(T.c.ticket_id.in_(sorted(ids))))]
    for table in (schema.recovery_actions, schema.recovery_items, schema.kudos, schema.response_factors,
                  schema.survey_invitations, R):
        with engine.begin() as conn, rollups.maintained(conn, keys):
            conn.execute(table.delete().where(table.c.ticket_key.in_(keys)))


def _app_write(url: str, ticket_id: str, what: str) -> None:
    """One write as the app makes it (one transaction, rollups kept); a no-op where it does not apply."""
    T, R, RI, K, SI = (schema.tickets, schema.responses, schema.recovery_items, schema.kudos,
                       schema.survey_invitations)
    with get_engine(url).begin() as conn:
        row = conn.execute(sa.select(T.c.ticket_key, T.c.analyst_id, T.c.team_id, R.c.submitted_at)
                           .select_from(T.outerjoin(R, R.c.ticket_key == T.c.ticket_key))
                           .where(T.c.ticket_id == ticket_id)).first()
        if row is None:
            return
        key, answered_at = row.ticket_key, row.submitted_at
        with rollups.maintained(conn, [key]):
            if what == "kudos" and answered_at is not None:
                if conn.execute(sa.select(K.c.ticket_key).where(K.c.ticket_key == key)).first() is None:
                    conn.execute(K.insert().values(ticket_key=key, analyst_id=row.analyst_id, team_id=row.team_id,
                                                   given_at=answered_at))
            elif what.startswith("contact"):
                late = dt.timedelta(days=3 if what == "contact_late" else 0)
                contact = _later(conn, key, late)
                if contact is not None:
                    conn.execute(RI.update().where(RI.c.ticket_key == key, RI.c.first_contact_at.is_(None))
                                 .values(first_contact_at=contact))
            elif what == "resolved":
                closed = _later(conn, key, dt.timedelta(days=1))
                if closed is not None:
                    conn.execute(RI.update().where(RI.c.ticket_key == key, RI.c.resolved_at.is_(None))
                                 .values(resolved_at=closed, outcome="recovered"))
            elif conn.execute(sa.select(SI.c.ticket_key).where(SI.c.ticket_key == key)).first() is None:
                conn.execute(SI.insert().values(ticket_key=key, requester_email="a@example.org",
                                                created_at=dt.datetime(2026, 11, 1), sent_at=dt.datetime(2026, 11, 1),
                                                state="answered" if what == "answered" else "sent"))


def _later(conn, key: int, late: dt.timedelta) -> dt.datetime | None:
    """An hour after the item was opened, plus `late` (None when the ticket has no item)."""
    created = conn.execute(sa.select(schema.recovery_items.c.created_at)
                           .where(schema.recovery_items.c.ticket_key == key)).scalar()
    return None if created is None else created + dt.timedelta(hours=1) + late


def _reset(url: str) -> None:
    engine = get_engine(url)
    schema.create_schema(engine)
    with engine.begin() as conn:
        for table in reversed(schema.metadata.sorted_tables):
            conn.execute(table.delete())
        catalogue.seed_catalogue(conn)
        rollups.rebuild(conn)  # empty and 'maintained': every write from here on keeps them


def _run(url: str, tmp_path, operations) -> None:
    _reset(url)
    for step, (kind, payload) in enumerate(operations):
        if kind == "delete":
            _delete_responses(url, payload)
        elif kind == "app":
            for ticket_id, what in payload:
                _app_write(url, ticket_id, what)
        else:
            path = tmp_path / f"f{next(FILES)}.csv"
            if kind == "tickets":
                _write(path, TICKET_HEADER, _tickets(payload))
            else:
                _write(path, RESPONSE_HEADER, _responses(payload))
            try:
                do_import(url, kind, path, batch_rows=3)  # several batches, one transaction each
            except ImportInterrupted:
                # Known DuckDB limit (not the rollups'): re-importing a changed ticket that already
                # has an answer trips its foreign-key check. The batch rolls back as a whole, and
                # the rollups must still equal the base tables afterwards.
                if not url.startswith("duckdb"):
                    raise
        with get_engine(url).connect() as conn:
            assert check(conn) == [], f"after step {step}: {kind} {payload}"


def PROPERTY(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@PROPERTY(40)
@given(operations=st.lists(operation, min_size=1, max_size=6))
@example(operations=APP_WRITES)
def test_rollups_follow_every_write_sqlite(empty_sqlite_url, tmp_path, monkeypatch, operations):
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY)
    _run(empty_sqlite_url, tmp_path, operations)


@pytest.fixture(scope="module")
def duckdb_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("duck-prop")


@PROPERTY(15)
@example(operations=APP_WRITES)
@given(operations=st.lists(operation, min_size=1, max_size=5))
def test_rollups_follow_every_write_duckdb(duckdb_dir, tmp_path, monkeypatch, operations):
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY)
    # A new file per example: DuckDB cannot empty tables that reference each other in one go.
    _run(f"duckdb:///{duckdb_dir / f'p{next(FILES)}.duckdb'}", tmp_path, operations)


@PROPERTY(15)
@example(operations=APP_WRITES)
@given(operations=st.lists(operation, min_size=1, max_size=5))
def test_rollups_follow_every_write_postgres(empty_postgres_url, tmp_path, monkeypatch, operations):
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY)
    _run(empty_postgres_url, tmp_path, operations)
