"""A warehouse created before surveys existed gets the new columns and tables on the next start."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data_access import schema
from data_access.engine import get_engine


def _old_metadata(*, with_surveys: bool = False) -> sa.MetaData:
    """The tables of an older version: before surveys, or with the first survey tables (no claims)."""
    old = sa.MetaData()
    for table in schema.metadata.sorted_tables:
        if table.name.startswith("survey_") and not with_surveys:
            continue
        sa.Table(table.name, old, *[c._copy() for c in table.columns
                                    if c.name not in ("requester_email", "short_description", "claimed_until")])
    return old


@pytest.mark.parametrize("kind", ["sqlite", "duckdb"])
def test_create_schema_adds_the_survey_columns_to_an_existing_warehouse(tmp_path, kind):
    engine = get_engine(f"{kind}:///{tmp_path / ('old.' + kind)}")
    _old_metadata().create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO teams (team_id, name) VALUES (1, 'Service Desk')"))
    with engine.begin() as conn:
        schema.create_schema(conn)
        schema.create_schema(conn)  # a second start changes nothing
    with engine.connect() as conn:
        columns = list(conn.execute(sa.text("SELECT * FROM tickets WHERE 1 = 0")).keys())
        assert columns[-2:] == ["requester_email", "short_description"]
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.survey_invitations)).scalar_one() == 0
        assert conn.execute(sa.select(schema.teams.c.name)).scalar_one() == "Service Desk"
    engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "duckdb"])
def test_an_older_invitations_table_gets_its_claim_column(tmp_path, kind):
    engine = get_engine(f"{kind}:///{tmp_path / ('old.' + kind)}")
    _old_metadata(with_surveys=True).create_all(engine)
    with engine.begin() as conn:
        schema.create_schema(conn)
        schema.create_schema(conn)
    with engine.connect() as conn:
        columns = list(conn.execute(sa.text("SELECT * FROM survey_invitations WHERE 1 = 0")).keys())
    assert columns[-1] == "claimed_until"
    engine.dispose()
