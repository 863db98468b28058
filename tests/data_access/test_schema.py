"""The warehouse schema creates cleanly on SQLite, PostgreSQL and DuckDB and enforces its rules."""

import datetime as dt

import pytest
import sqlalchemy as sa

from data_access import catalogue, schema
from data_access.engine import get_engine

NOW = dt.datetime(2026, 3, 2, 10, 0)


@pytest.fixture(params=["sqlite", "duckdb", "postgres"])
def any_empty_url(request, tmp_path):
    if request.param == "sqlite":
        return request.getfixturevalue("empty_sqlite_url")
    if request.param == "postgres":
        return request.getfixturevalue("empty_postgres_url")
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    schema.create_schema(get_engine(url))
    return url


def _seed_ticket(conn) -> None:
    catalogue.seed_catalogue(conn)
    conn.execute(schema.teams.insert(), [{"team_id": 1, "name": "Desk"}])
    conn.execute(schema.services.insert(), [{"service_id": 1, "name": "Email"}])
    conn.execute(schema.analysts.insert(), [{"analyst_id": 1, "name": "Ana", "team_id": 1, "tier": "L1"}])
    conn.execute(schema.tickets.insert(), [{
        "ticket_key": 1, "ticket_id": "INC1", "ticket_type": "incident", "channel": "phone",
        "service_id": 1, "priority": 3, "opened_at": NOW, "resolved_at": NOW + dt.timedelta(hours=2),
        "analyst_id": 1, "team_id": 1, "reassignment_count": 0, "reopened": False, "sla_met": True,
        "first_contact_resolution": True, "handle_minutes": 12.0}])


def test_schema_is_complete_and_idempotent(any_empty_url):
    engine = get_engine(any_empty_url)
    schema.create_schema(engine)  # a second run changes nothing and does not fail
    names = set(sa.inspect(engine).get_table_names())
    assert set(schema.metadata.tables) <= names
    with engine.begin() as conn:
        catalogue.seed_catalogue(conn)
        catalogue.seed_catalogue(conn)
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.factors)).scalar_one() == 13
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.competencies)).scalar_one() == 6


@pytest.mark.parametrize("bad", [
    {"happiness": 11}, {"happiness": -1}, {"communication": 6}, {"expectation": 0},
    {"lost_minutes": -5.0},
])
def test_response_constraints_reject_bad_values(any_empty_url, bad):
    engine = get_engine(any_empty_url)
    with engine.begin() as conn:
        _seed_ticket(conn)
    row = {"ticket_key": 1, "happiness": 8, "submitted_at": NOW, **bad}
    with pytest.raises(sa.exc.DBAPIError):
        with engine.begin() as conn:
            conn.execute(schema.responses.insert(), [row])


def test_one_response_per_ticket_and_valid_row_lands(any_empty_url):
    engine = get_engine(any_empty_url)
    with engine.begin() as conn:
        _seed_ticket(conn)
        conn.execute(schema.responses.insert(), [{"ticket_key": 1, "happiness": 10, "communication": 5,
                                                  "lost_minutes": 0.0, "submitted_at": NOW}])
    with pytest.raises(sa.exc.DBAPIError):
        with engine.begin() as conn:
            conn.execute(schema.responses.insert(), [{"ticket_key": 1, "happiness": 3, "submitted_at": NOW}])
    with engine.connect() as conn:
        assert conn.execute(sa.select(schema.responses.c.happiness)).scalars().all() == [10]


def test_ticket_rules(any_empty_url):
    engine = get_engine(any_empty_url)
    with engine.begin() as conn:
        _seed_ticket(conn)
    base = {"ticket_key": 2, "ticket_id": "INC2", "ticket_type": "incident", "channel": "phone",
            "service_id": 1, "priority": 3, "opened_at": NOW, "resolved_at": NOW, "analyst_id": 1,
            "team_id": 1, "sla_met": True}
    for bad in ({"channel": "fax"}, {"priority": 7}, {"resolved_at": NOW - dt.timedelta(days=1)},
                {"ticket_id": "INC1"}, {"ticket_type": "problem"}):
        with pytest.raises(sa.exc.DBAPIError):
            with engine.begin() as conn:
                conn.execute(schema.tickets.insert(), [{**base, **bad}])


def test_generated_ids_work_everywhere(any_empty_url):
    engine = get_engine(any_empty_url)
    with engine.begin() as conn:
        _seed_ticket(conn)
        ids = [conn.execute(schema.self_assessments.insert().values(analyst_id=1, submitted_at=NOW)
                            .returning(schema.self_assessments.c.assessment_id)).scalar_one()
               for _ in range(2)]
    assert ids[1] == ids[0] + 1


@pytest.mark.parametrize("engine_name", ["sqlite", "postgres"])
def test_an_index_a_newer_version_added_appears_on_an_existing_table(request, engine_name):
    url = request.getfixturevalue(f"empty_{engine_name}_url")
    engine = get_engine(url)
    schema.create_schema(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX ix_recovery_due"))  # as a warehouse from before that index
    schema.create_schema(engine)
    with engine.connect() as conn:
        names = {ix["name"] for ix in sa.inspect(conn).get_indexes("recovery_items")}
    assert "ix_recovery_due" in names
