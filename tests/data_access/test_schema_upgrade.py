"""A warehouse created before the channels 'social' and 'other' keeps its old CHECK until the
schema is ensured again; the upgrade widens it (SQLite, DuckDB, PostgreSQL), keeps every row and
changes nothing the second time. Then a "Social Media" row imports."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data_access import catalogue, schema, schema_upgrade
from data_access.engine import get_engine
from tests.conftest import _fresh_pg_database
from tests.importer.helpers import do_import, landed_tickets

OLD_CHANNELS = "channel IN ('phone', 'email', 'portal', 'chat', 'walk_in')"


def _old_metadata() -> sa.MetaData:
    """Today's tables with the tickets' channel CHECK as earlier versions created it."""
    old = sa.MetaData()
    for table in schema.metadata.sorted_tables:
        table.to_metadata(old)
    check = next(c for c in old.tables["tickets"].constraints
                 if isinstance(c, sa.CheckConstraint) and c.name == "ck_tickets_channel")
    check.sqltext = sa.text(OLD_CHANNELS)
    return old


@pytest.fixture(params=["sqlite", "duckdb", "postgres"])
def old_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    elif request.param == "duckdb":
        url = f"duckdb:///{tmp_path / 'old.duckdb'}"
    else:
        url = _fresh_pg_database(request.getfixturevalue("postgres_server_url"))
    engine = get_engine(url)
    _old_metadata().create_all(engine)
    T = schema.tickets
    with engine.begin() as conn:
        catalogue.seed_catalogue(conn)
        conn.execute(schema.teams.insert().values(team_id=1, name="Desk"))
        conn.execute(schema.services.insert().values(service_id=1, name="Mail"))
        conn.execute(schema.analysts.insert().values(analyst_id=1, name="Ann Lee", team_id=1, tier="L1"))
        conn.execute(T.insert().values(ticket_key=1, ticket_id="OLD-1", ticket_type="incident", channel="phone",
                                       service_id=1, priority=2, opened_at=dt.datetime(2026, 10, 1, 8),
                                       resolved_at=dt.datetime(2026, 10, 1, 9), analyst_id=1, team_id=1,
                                       sla_met=True))
        conn.execute(schema.responses.insert().values(ticket_key=1, happiness=9,
                                                      submitted_at=dt.datetime(2026, 10, 1, 10)))
    return url


def _social(conn) -> None:
    conn.execute(schema.tickets.insert().values(
        ticket_key=2, ticket_id="NEW-2", ticket_type="request", channel="social", service_id=1, priority=3,
        opened_at=dt.datetime(2026, 10, 2, 8), resolved_at=dt.datetime(2026, 10, 2, 9), analyst_id=1,
        team_id=1, sla_met=True))


def test_old_channel_check_is_widened_once_and_rows_stay(old_url, tmp_path):
    engine = get_engine(old_url)
    with engine.connect() as conn:
        assert "'social'" not in schema_upgrade.channel_check_text(conn)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:  # the old warehouse refuses it
        _social(conn)

    with engine.begin() as conn:
        schema.create_schema(conn)  # where the schema is ensured: the upgrade runs
        assert "'social'" in schema_upgrade.channel_check_text(conn)
        assert schema_upgrade.upgrade(conn) == []  # idempotent: nothing left to do
    schema.create_schema(engine)
    with engine.begin() as conn:
        _social(conn)
        rows = conn.execute(sa.select(schema.tickets.c.ticket_id, schema.tickets.c.channel)
                            .order_by(schema.tickets.c.ticket_key)).all()
        answers = conn.execute(sa.select(schema.responses.c.ticket_key, schema.responses.c.happiness)).all()
    assert [tuple(r) for r in rows] == [("OLD-1", "phone"), ("NEW-2", "social")]
    assert [tuple(a) for a in answers] == [(1, 9)]  # the answer that refers to a ticket survived
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:  # the rest of the CHECK still holds
        conn.execute(schema.tickets.update().where(schema.tickets.c.ticket_key == 2).values(channel="fax"))

    export = tmp_path / "social.csv"
    export.write_text("ticket_id,ticket_type,channel,service,priority,opened_at,resolved_at,analyst,team,sla_met\n"
                      "S-1,incident,Social Media,Mail,High,2026-10-09 08:00,2026-10-09 09:00,Ann Lee,Desk,yes\n"
                      "S-2,request,Carrier pigeon,Mail,P4,2026-10-09 08:00,2026-10-09 09:30,Ann Lee,Desk,no\n",
                      encoding="utf-8")
    result = do_import(old_url, "tickets", export)
    assert (result.inserted, result.rejected) == (2, 0)
    landed = {r[0]: (r[2], r[4]) for r in landed_tickets(old_url)}
    assert landed["S-1"] == ("social", 2)  # "Social Media" is known; High → 2
    assert landed["S-2"] == ("other", 4)  # a channel nobody mapped lands as other; P4 → 4
