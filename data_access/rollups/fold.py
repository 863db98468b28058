"""Folding one write's staged change into a rollup table: the stored rows of the changed keys
plus the change, rows whose count falls to 0 removed.

Where the engine has MERGE (DuckDB, PostgreSQL 15 and later) one statement per table adds the
change in place: a key already stored gets its measures raised or lowered, a new key gets a row,
a row whose count reaches 0 goes. The stored rows of the touched keys are not copied out, deleted
and written again (on DuckDB, with a million tickets, that copy-delete-insert was about a third of
an import's upkeep, and the deleted and re-appended rows made each commit dearer). SQLite keeps the
portable way: read the stored rows back into the staging table, delete them, insert the sums.
Sums of floats may differ in their last bits between the two ways (another order of addition)."""

from __future__ import annotations

import sqlalchemy as sa

MERGE_DIALECTS = ("duckdb", "postgresql")


def has_merge(conn: sa.Connection) -> bool:
    """Whether this connection's engine runs MERGE (PostgreSQL from version 15 on)."""
    name = conn.dialect.name
    if name == "postgresql":
        return conn.dialect.server_version_info >= (15,)
    return name in MERGE_DIALECTS


def _split(table: sa.Table, measures: list[str]) -> tuple[list[str], list[str]]:
    """(keys, measures) of `table`: a twin may keep only some of the rollup's measures."""
    kept = [m for m in measures if m in table.c]
    return [c.name for c in table.columns if c.name not in kept], kept


def merge_change(conn: sa.Connection, table: sa.Table, change: sa.Select, measures: list[str], count: str) -> None:
    """Add `change` (one row per key of `table`, measures summed) to the stored rows by MERGE."""
    keys, measures = _split(table, measures)
    # Keys in the table's own types: a twin's month or week is a timestamp where the engine's
    # date_trunc returns one, and a join of a date with a timestamp converts every stored row.
    change = change.subquery("change")
    typed = sa.select(*[sa.cast(change.c[k], table.c[k].type).label(k) for k in keys],
                      *[change.c[m] for m in measures])
    # A key whose measures the write leaves as they were (a ticket's priority or description
    # changed, say) needs no update.
    typed = typed.where(sa.or_(*[change.c[m] != 0 for m in measures]))
    source = typed.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    on = " AND ".join(f"t.{k} = s.{k}" for k in keys)
    sets = ", ".join(f"{m} = t.{m} + s.{m}" for m in measures)
    names = ", ".join([*keys, *measures])
    values = ", ".join(f"s.{c}" for c in [*keys, *measures])
    conn.execute(sa.text(
        f"MERGE INTO {table.name} AS t USING ({source}) AS s ON {on} "
        f"WHEN MATCHED AND t.{count} + s.{count} = 0 THEN DELETE "
        f"WHEN MATCHED THEN UPDATE SET {sets} "
        f"WHEN NOT MATCHED AND s.{count} <> 0 THEN INSERT ({names}) VALUES ({values})"))


def summed(staging: sa.Table, token: str, keys: list[str], measures: list[str]) -> sa.Select:
    """The staged change of `token` with one row per key (the before and after shares summed)."""
    return (sa.select(*[staging.c[k] for k in keys], *[sa.func.sum(staging.c[m]).label(m) for m in measures])
            .where(staging.c.token == token).group_by(*[staging.c[k] for k in keys]))


def replace_rows(conn: sa.Connection, table: sa.Table, staging: sa.Table, token: str, measures: list[str],
                 count: str) -> None:
    """Stored rows of the staged keys + the staged change → the new rows of those keys (portable:
    read back, delete, insert the sums)."""
    keys, measures = _split(table, measures)
    columns = [c.name for c in table.columns]
    staged = staging.alias("staged")
    touched = sa.exists().where(staged.c.token == token, *[staged.c[k] == table.c[k] for k in keys])
    conn.execute(staging.insert().from_select(
        ["token", *columns], sa.select(sa.literal(token, sa.String).label("token"),
                                       *[table.c[c] for c in columns]).where(touched)))
    conn.execute(table.delete().where(touched))
    sums = summed(staging, token, keys, measures).having(sa.func.sum(staging.c[count]) != 0)
    conn.execute(table.insert().from_select([*keys, *measures], sums))
