"""Property: after any sequence of imports, re-imports, replaced answers and deletions, every
rollup equals its recomputation from the base tables — on SQLite, DuckDB and PostgreSQL."""

from __future__ import annotations

import csv
import itertools

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
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
operation = st.one_of(
    st.tuples(st.just("tickets"), st.lists(ticket_row, min_size=1, max_size=6)),
    st.tuples(st.just("responses"), st.lists(response_row, min_size=1, max_size=6)),
    st.tuples(st.just("delete"), st.sets(st.sampled_from(IDS), min_size=1, max_size=3)),
)


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
    for table in (schema.recovery_actions, schema.recovery_items, schema.kudos, schema.response_factors, R):
        with engine.begin() as conn, rollups.maintained(conn, keys):
            conn.execute(table.delete().where(table.c.ticket_key.in_(keys)))


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
def test_rollups_follow_every_write_sqlite(empty_sqlite_url, tmp_path, operations):
    _run(empty_sqlite_url, tmp_path, operations)


@pytest.fixture(scope="module")
def duckdb_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("duck-prop")


@PROPERTY(15)
@given(operations=st.lists(operation, min_size=1, max_size=5))
def test_rollups_follow_every_write_duckdb(duckdb_dir, tmp_path, operations):
    # A new file per example: DuckDB cannot empty tables that reference each other in one go.
    _run(f"duckdb:///{duckdb_dir / f'p{next(FILES)}.duckdb'}", tmp_path, operations)


@PROPERTY(15)
@given(operations=st.lists(operation, min_size=1, max_size=5))
def test_rollups_follow_every_write_postgres(empty_postgres_url, tmp_path, operations):
    _run(empty_postgres_url, tmp_path, operations)
