"""Upgrades for warehouses created by an earlier version, run wherever the schema is ensured
(`schema.create_schema`: `python -m data_access create`, the app's start on a local warehouse,
the demo generator). Each step checks first, so running it again changes nothing.

Rollups the app keeps are rebuilt when they are of an older version (a new column or twin).
Indexes a newer version added to an existing table are created (not on DuckDB, which has no
secondary indexes). And the tickets' channel CHECK gained `social` and `other`. A warehouse created
before keeps the old constraint (CREATE TABLE IF NOT EXISTS leaves a table as it is) and refuses
such rows. PostgreSQL swaps the constraint in place; SQLite and DuckDB cannot alter a CHECK, so
the tickets table and the tables that refer to it are copied aside, created anew and refilled,
in one transaction.
"""

from __future__ import annotations

import sqlalchemy as sa

from data_access import schema

CHANNEL_CHECK = "ck_tickets_channel"


def upgrade(conn: sa.Connection) -> list[str]:
    """Apply every upgrade this warehouse still needs; returns what was upgraded (for a message)."""
    done = [] if _channel_check_current(conn) else [_widen_channel_check(conn)]
    done += [f"index {name} added" for name in add_missing_indexes(conn)]
    return done + _rebuild_older_rollups(conn)


def _rebuild_older_rollups(conn: sa.Connection) -> list[str]:
    """Rollups the app keeps ('maintained') of an older version are rebuilt from the base tables
    (new columns and twins included), instead of leaving every page on the base tables until
    someone runs `rollups rebuild`. Rollups a data team's scheduler keeps are its job."""
    from data_access.rollups import maintain, sources  # they build on the schema

    state = schema.rollup_state
    row = conn.execute(sa.select(state.c.version, state.c.mode)
                       .where(state.c.name == sources.STATE_NAME)).one_or_none()
    if row is None or row.mode != "maintained" or row.version >= schema.ROLLUP_VERSION:
        return []
    maintain.rebuild(conn)
    return [f"rollups rebuilt (version {row.version} → {schema.ROLLUP_VERSION})"]


def _widen_channel_check(conn: sa.Connection) -> str:
    if conn.dialect.name == "postgresql":
        check = next(c for c in schema.tickets.constraints
                     if isinstance(c, sa.CheckConstraint) and c.name == CHANNEL_CHECK)
        conn.execute(sa.text(f"ALTER TABLE tickets DROP CONSTRAINT IF EXISTS {CHANNEL_CHECK}"))
        conn.execute(sa.text(f"ALTER TABLE tickets ADD CONSTRAINT {CHANNEL_CHECK} CHECK ({check.sqltext})"))
    else:
        _rebuild(conn, schema.tickets)
    return "tickets.channel accepts " + ", ".join(schema.CHANNELS)


def channel_check_text(conn: sa.Connection) -> str:
    """The stored definition that holds the tickets' channel CHECK (the constraint, or the table's DDL)."""
    name = conn.dialect.name
    if name == "postgresql":
        sql = ("SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
               "WHERE t.relname = 'tickets' AND c.conname = :name AND t.relnamespace = "
               "to_regnamespace(current_schema())::oid")
        return conn.execute(sa.text(sql), {"name": CHANNEL_CHECK}).scalar_one_or_none() or ""
    if name == "sqlite":
        sql = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tickets'"
    elif name == "duckdb":
        sql = "SELECT sql FROM duckdb_tables() WHERE table_name = 'tickets' AND schema_name = current_schema()"
    else:
        return ""
    return conn.execute(sa.text(sql)).scalar_one_or_none() or ""


def _channel_check_current(conn: sa.Connection) -> bool:
    text = channel_check_text(conn)
    if not text or "channel" not in text:  # another engine, or no such table/constraint: nothing to do
        return True
    return all(f"'{c}'" in text for c in schema.CHANNELS)


def _dependants(table: sa.Table) -> list[sa.Table]:
    """`table` and every table whose foreign keys lead to it, parents before children."""
    chosen = {table.name}
    ordered = [table]
    for other in schema.metadata.sorted_tables:
        if other.name not in chosen and any(fk.column.table.name in chosen for fk in other.foreign_keys):
            chosen.add(other.name)
            ordered.append(other)
    return ordered


def _rebuild(conn: sa.Connection, table: sa.Table) -> None:
    """Create `table` (and the tables that refer to it) anew from the current definitions, with
    their rows: children are set aside and dropped first, then every table is made and refilled."""
    # Every table exists by now (create_all ran first); column names from an empty select.
    tables = [(t, list(conn.execute(sa.text(f"SELECT * FROM {t.name} WHERE 1 = 0")).keys()))
              for t in _dependants(table)]
    for t, _cols in reversed(tables):
        conn.execute(sa.text(f"CREATE TEMPORARY TABLE upgrade_{t.name} AS SELECT * FROM {t.name}"))
        conn.execute(sa.text(f"DROP TABLE {t.name}"))
    for t, cols in tables:
        t.create(conn, checkfirst=True)  # its sequences are still there
        keep = ", ".join(c for c in cols if c in t.c)
        conn.execute(sa.text(f"INSERT INTO {t.name} ({keep}) SELECT {keep} FROM upgrade_{t.name}"))
        conn.execute(sa.text(f"DROP TABLE upgrade_{t.name}"))


def add_missing_indexes(conn: sa.Connection) -> list[str]:
    """Create the indexes newer versions added to tables that already existed (CREATE TABLE IF NOT
    EXISTS leaves those as they are); returns their names. DuckDB gets no secondary indexes."""
    if conn.dialect.name == "duckdb":
        return []
    present = _index_names(conn)
    added = []
    for table in schema.metadata.sorted_tables:
        for index in table.indexes:
            if index.name not in present:
                index.create(conn)
                added.append(index.name)
    return added


def _index_names(conn: sa.Connection) -> set[str]:
    """Names of the indexes in the warehouse (its current schema)."""
    if conn.dialect.name == "postgresql":
        sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    elif conn.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        inspector = sa.inspect(conn)
        return {ix["name"] for t in schema.metadata.sorted_tables for ix in inspector.get_indexes(t.name)}
    return set(conn.execute(sa.text(sql)).scalars())
