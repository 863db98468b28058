"""Writing the demo into the warehouse: every table in one transaction, then the rollups once."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access import catalogue, schema
from data_access.demo.constants import DEMO_MARKER
from data_access.dialect import bulk_insert, upsert, without_statement_timeout
from data_access.rollups.maintain import rebuild as rebuild_rollups


def write_all(engine: sa.Engine, frames: list[tuple[sa.Table, pl.DataFrame]]) -> None:
    """Create the schema, insert every frame in bulk (DuckDB reads them as Arrow, PostgreSQL by COPY),
    mark the warehouse as demo data and build the rollups once at the end, all in one transaction."""
    with engine.begin() as conn:
        without_statement_timeout(conn)
        schema.create_schema(conn)
        catalogue.seed_catalogue(conn)
        for table, frame in frames:
            bulk_insert(conn, table, frame)
        conn.execute(schema.settings.update().where(schema.settings.c.key == "data_origin")
                     .values(value="demo"))
        # Stays when an import later sets data_origin to "imported": the data is then mixed.
        upsert(conn, schema.settings, [{"key": DEMO_MARKER, "value": "yes"}], key=["key"])
        _reset_sequences(conn)
        rebuild_rollups(conn)  # in bulk, same transaction: the demo warehouse starts with fresh rollups


def _reset_sequences(conn: sa.Connection) -> None:
    """Move id sequences past the ids the generator wrote itself."""
    targets = [(schema.self_assessments, "assessment_id"), (schema.coaching_notes, "note_id"),
               (schema.recovery_actions, "action_id"), (schema.kudos, "kudos_id"),
               (schema.app_users, "user_id"), (schema.survey_invitations, "invitation_id")]
    name = conn.dialect.name
    for table, col in targets:
        top = conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c[col]), 0))).scalar_one()
        seq = f"{table.name}_{col}_seq"
        if name == "postgresql":
            conn.execute(sa.text("SELECT setval(:s, :v)"), {"s": seq, "v": max(top, 1)})
        elif name == "duckdb":
            # DuckDB cannot alter a sequence's position: draw from it until it is past the top.
            current = 0
            while current <= top:
                current = conn.execute(sa.text(f"SELECT nextval('{seq}')")).scalar_one()
                if top - current > 1000:
                    conn.execute(sa.text(f"SELECT max(nextval('{seq}')) FROM range({top - current})"))
