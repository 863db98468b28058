"""The SQL a data team's scheduler runs to keep the rollups of a read-only warehouse fresh.

Compiled by SQLAlchemy for the target dialect: CREATE TABLE (IF NOT EXISTS) for each rollup
and the freshness row, then one refresh — DELETE and INSERT … SELECT per rollup (a full
recomputation: simplest correct, and cheap next to the page scans it saves), then a MERGE of the
freshness row in 'scheduled' mode, so the app trusts the rollups for `rollup_max_age_hours`.
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, CreateTable

from data_access import schema
from data_access.rollups.sources import (ROLLUPS, STATE_NAME, monthly_columns, monthly_source, person_columns,
                                        person_source, weekly_columns, weekly_source)

DIALECTS = {
    "postgresql": ("sqlalchemy.dialects.postgresql", "dialect"),
    "snowflake": ("snowflake.sqlalchemy.snowdialect", "dialect"),
    "bigquery": ("sqlalchemy_bigquery", "BigQueryDialect"),
    "trino": ("trino.sqlalchemy.dialect", "TrinoDialect"),
    "duckdb": ("duckdb_engine", "Dialect"),
    "sqlite": ("sqlalchemy.dialects.sqlite", "dialect"),
}
BEGIN = {"postgresql": "BEGIN", "snowflake": "BEGIN", "bigquery": "BEGIN TRANSACTION", "duckdb": "BEGIN"}
COMMIT = {"postgresql": "COMMIT", "snowflake": "COMMIT", "bigquery": "COMMIT TRANSACTION", "duckdb": "COMMIT"}
NOW = {"bigquery": "CURRENT_DATETIME()", "sqlite": "datetime('now', 'localtime')", "duckdb": "LOCALTIMESTAMP"}
INDEXED = ("postgresql",)  # the others have no secondary indexes (or need none for these scans)


def dialect_for(name: str) -> sa.engine.Dialect:
    """A SQLAlchemy dialect object for one of DIALECTS' names."""
    module, attr = DIALECTS[name]
    return getattr(importlib.import_module(module), attr)()


def _compiled(element, dialect) -> str:
    return str(element.compile(dialect=dialect, compile_kwargs={"literal_binds": True})).strip()


def _state_merge(dialect_name: str) -> str:
    """MERGE of the freshness row (portable SQL; the version and mode are constants)."""
    now = NOW.get(dialect_name, "LOCALTIMESTAMP")  # local wall time, as the app's clock
    values = f"SELECT '{STATE_NAME}' AS name, {schema.ROLLUP_VERSION} AS version, 'scheduled' AS mode, {now} AS refreshed_at"
    if dialect_name in ("sqlite", "duckdb"):
        return (f"DELETE FROM rollup_state WHERE name = '{STATE_NAME}';\n"
                f"INSERT INTO rollup_state (name, version, mode, refreshed_at) {values}")
    return (f"MERGE INTO rollup_state AS t USING ({values}) AS s ON t.name = s.name\n"
            "WHEN MATCHED THEN UPDATE SET version = s.version, mode = s.mode, refreshed_at = s.refreshed_at\n"
            "WHEN NOT MATCHED THEN INSERT (name, version, mode, refreshed_at) "
            "VALUES (s.name, s.version, s.mode, s.refreshed_at)")


def create_statements(dialect_name: str) -> list[str]:
    """CREATE TABLE IF NOT EXISTS for every rollup and the freshness row (+ indexes where useful)."""
    dialect = dialect_for(dialect_name)
    out = []
    tables = [t for r in ROLLUPS for t in (r.table, r.monthly, r.person, r.weekly) if t is not None]
    for table in tables + [schema.rollup_state]:
        out.append(_compiled(CreateTable(table, if_not_exists=True), dialect))
        if dialect_name in INDEXED:
            out += [_compiled(CreateIndex(ix, if_not_exists=True), dialect) for ix in table.indexes]
    return out


def refresh_statements(dialect_name: str) -> list[str]:
    """One full refresh of every rollup and the freshness row, as one transaction where supported."""
    dialect = dialect_for(dialect_name)
    out = [BEGIN[dialect_name]] if dialect_name in BEGIN else []
    for rollup in ROLLUPS:
        out.append(_compiled(rollup.table.delete().where(sa.true()), dialect))  # BigQuery wants a WHERE
        out.append(_compiled(rollup.table.insert().from_select(rollup.columns, rollup.source()), dialect))
        if rollup.monthly is not None:
            out.append(_compiled(rollup.monthly.delete().where(sa.true()), dialect))
            out.append(_compiled(rollup.monthly.insert().from_select(monthly_columns(rollup),
                                                                      monthly_source(rollup)), dialect))
        if rollup.person is not None:
            out.append(_compiled(rollup.person.delete().where(sa.true()), dialect))
            out.append(_compiled(rollup.person.insert().from_select(person_columns(rollup),
                                                                     person_source(rollup)), dialect))
        if rollup.weekly is not None:
            out.append(_compiled(rollup.weekly.delete().where(sa.true()), dialect))
            out.append(_compiled(rollup.weekly.insert().from_select(weekly_columns(rollup),
                                                                     weekly_source(rollup)), dialect))
    out.append(_state_merge(dialect_name))
    if dialect_name in COMMIT:
        out.append(COMMIT[dialect_name])
    return out


def scheduler_script(dialect_name: str) -> str:
    """The whole script: create once, refresh on every run (statements end with ';')."""
    header = [f"-- Service Pulse rollups for {dialect_name}: run the CREATE part once, the refresh part",
              "-- on a schedule (e.g. nightly). Pages trust the rollups for rollup_max_age_hours (26 h by",
              "-- default) after the refresh, and read the base tables otherwise."]
    parts = ["\n".join(header), "-- create", *[s + ";" for s in create_statements(dialect_name)],
             "-- refresh", *[s + ";" for s in refresh_statements(dialect_name)]]
    return "\n\n".join(parts) + "\n"
