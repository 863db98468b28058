"""Large benchmark tiers made from a smaller one: the 10M tier is the 1M demo warehouse ten times.

The demo generator draws a whole warehouse in memory before it writes it; at 10M responses that is
more than the benchmark machines have (it was stopped by the kernel at 21 GB). A performance tier
needs the volume, not more people: each copy repeats every ticket and what hangs off it (answer,
reasons picked, recovery item and actions, kudos, survey invitation) under its own ticket keys,
ticket numbers and ids, in the same organisation and the same three years. The rollups are then
rebuilt once. Everything runs inside DuckDB, which spills to disk rather than running out of memory.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import sqlalchemy as sa

from data_access.demo.load import _reset_sequences
from data_access.dialect import without_statement_timeout
from data_access.engine import clear_engines, get_engine
from data_access.rollups.maintain import rebuild

REPLICATED = {"10m": ("1m", 10)}
"""tier → (the tier it is copied from, how many copies in all)."""

MEMORY_LIMIT = "8GB"

# Every table keyed by a ticket, in foreign-key order, with its own id column (if any) and the
# columns that must stay unique across copies.
COPIED = (("tickets", None, {"ticket_id": "ticket_id || '~{k}'"}), ("responses", None, {}),
          ("response_factors", None, {}), ("recovery_items", None, {}),
          ("recovery_actions", "action_id", {}), ("kudos", "kudos_id", {}),
          ("survey_invitations", "invitation_id", {}))


def fingerprint() -> str:
    """Short hash of this module: a replicated tier is rebuilt when the way it is made changes."""
    return "r" + hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:6]


def copies_sql(table: str, id_column: str | None, unique: dict[str, str], k: int, key_step: int,
               id_step: int) -> str:
    """The INSERT that adds copy `k` (1, 2, …) of `table`'s original rows (ticket keys below `key_step`)."""
    replaced = [f"ticket_key + {k * key_step} AS ticket_key"]
    if id_column:
        replaced.append(f"{id_column} + {k * id_step} AS {id_column}")
    replaced += [f"{expr.format(k=k)} AS {column}" for column, expr in unique.items()]
    return (f"INSERT INTO {table} SELECT * REPLACE ({', '.join(replaced)}) FROM {table} "
            f"WHERE ticket_key < {key_step}")


def replicate(source: Path, target: Path, copies: int, log=print) -> None:
    """Copy the DuckDB file `source` to `target` and repeat its tickets `copies` times in all.

    One transaction per table and copy: the file is a build in progress (nobody reads it until it is
    renamed), and small transactions keep DuckDB's memory for undo and unique indexes bounded."""
    shutil.copyfile(source, target)
    engine = get_engine(f"duckdb:///{target.as_posix()}")
    with engine.begin() as conn:
        key_step = conn.execute(sa.text("SELECT max(ticket_key) + 1 FROM tickets")).scalar_one()
    for table, id_column, unique in COPIED:
        with engine.begin() as conn:
            id_step = (conn.execute(sa.text(f"SELECT coalesce(max({id_column}), 0) + 1 FROM {table}")).scalar_one()
                       if id_column else 0)
        for k in range(1, copies):
            with engine.begin() as conn:
                _bounded(conn)
                conn.execute(sa.text(copies_sql(table, id_column, unique, k, key_step, id_step)))
        log(f"    {table}: {copies} copies")
    with engine.begin() as conn:
        _bounded(conn)
        _reset_sequences(conn)
        rebuild(conn)
    with engine.connect() as conn:
        conn.execute(sa.text("CHECKPOINT"))
    engine.dispose()
    clear_engines()


def _bounded(conn: sa.Connection) -> None:
    without_statement_timeout(conn)
    conn.execute(sa.text(f"SET memory_limit = '{MEMORY_LIMIT}'"))  # spill to disk rather than crowd others
    conn.execute(sa.text("SET preserve_insertion_order = false"))
