"""Database side of an import: match or create names, upsert tickets and responses, one batch per
transaction. Callers pass a connection inside `engine.begin()`; nothing here commits on its own.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import polars as pl
import sqlalchemy as sa

from data_access import schema
from data_access.dialect import bulk_insert
from data_access.importer.reader import LINE

T, R, RF = schema.tickets, schema.responses, schema.response_factors
RI, RA = schema.recovery_items, schema.recovery_actions
IN_CHUNK = 5_000
TICKET_COLUMNS = ["ticket_type", "channel", "service_id", "priority", "opened_at", "resolved_at",
                  "analyst_id", "team_id", "reassignment_count", "reopened", "sla_met",
                  "first_contact_resolution", "handle_minutes", "requester"]
RESPONSE_COLUMNS = ["happiness", *schema.CARE_DIMENSIONS, "lost_minutes", "comment", "submitted_at"]
REPLACED_OUTCOME = "replaced by a later answer"


def name_key(name: str) -> str:
    """Case- and whitespace-insensitive matching key of a team, service or analyst name."""
    return " ".join(str(name).split()).casefold()


def _name_key_expr(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars().str.replace_all(r"\s+", " ").str.to_lowercase()


@dataclass
class Names:
    """Known teams, services and analysts by matching key (ids), plus what this import created."""

    teams: dict[str, int] = field(default_factory=dict)
    services: dict[str, int] = field(default_factory=dict)
    analysts: dict[str, int] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=lambda: {"teams": [], "services": [], "analysts": []})

    @classmethod
    def load(cls, conn: sa.Connection) -> "Names":
        names = cls()
        for table, target, id_col in ((schema.teams, names.teams, "team_id"),
                                      (schema.services, names.services, "service_id"),
                                      (schema.analysts, names.analysts, "analyst_id")):
            for row in conn.execute(sa.select(table.c[id_col], table.c.name).order_by(table.c[id_col])):
                target.setdefault(name_key(row[1]), row[0])
        return names

    def copy(self) -> "Names":
        return Names(dict(self.teams), dict(self.services), dict(self.analysts),
                     {k: list(v) for k, v in self.created.items()})


@dataclass
class Outcome:
    """What one batch did to the warehouse (or would do, in a dry run)."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: pl.DataFrame | None = None  # _line, column, reason (rejections found against the database)


def factor_lookup(conn: sa.Connection) -> dict[str, int]:
    """Normalised factor code and label → factor_id (codes and labels both accepted in files)."""
    out: dict[str, int] = {}
    for fid, code, label in conn.execute(sa.select(schema.factors.c.factor_id, schema.factors.c.code,
                                                   schema.factors.c.label)):
        for text in (code, label):
            out[re.sub(r"[^0-9a-z]+", "", text.lower())] = fid
    return out


def recovery_threshold(conn: sa.Connection) -> int:
    """Responses at or below this score get a recovery item (settings, default 6)."""
    value = conn.execute(sa.select(schema.settings.c.value)
                         .where(schema.settings.c.key == "recovery_threshold")).scalar_one_or_none()
    return int(value) if value is not None else 6


def _max(conn: sa.Connection, column: sa.Column) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(column), 0))).scalar_one())


def _rows_for(conn: sa.Connection, columns: list[sa.Column], key: sa.Column, values: list) -> list[tuple]:
    out: list[tuple] = []
    for start in range(0, len(values), IN_CHUNK):
        chunk = values[start:start + IN_CHUNK]
        out.extend(tuple(r) for r in conn.execute(sa.select(*columns).where(key.in_(chunk))))
    return out


def _frame(rows: list[tuple], schema_: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema_, orient="row")


def _create_names(conn: sa.Connection | None, valid: pl.DataFrame, names: Names) -> None:
    """Create teams, services and analysts the batch names but the warehouse does not know yet."""
    def new_keys(col: str, known: dict[str, int]) -> list[tuple[str, str]]:
        seen = (valid.select(_name_key_expr(col).alias("k"), pl.col(col).str.strip_chars()
                             .str.replace_all(r"\s+", " ").alias("n"))
                .unique(subset="k", keep="first", maintain_order=True))
        return [(k, n) for k, n in seen.iter_rows() if k not in known]

    for col, known, table, id_col, label in (("team", names.teams, schema.teams, "team_id", "teams"),
                                             ("service", names.services, schema.services, "service_id",
                                              "services")):
        fresh = new_keys(col, known)
        if not fresh:
            continue
        start = max([*known.values(), _max(conn, table.c[id_col]) if conn is not None else 0]) + 1
        rows = [{id_col: start + i, "name": n} for i, (_, n) in enumerate(fresh)]
        if conn is not None:
            conn.execute(table.insert(), rows)
        for (k, n), row in zip(fresh, rows):
            known[k] = row[id_col]
            names.created[label].append(n)
    fresh = new_keys("analyst", names.analysts)
    if fresh:
        first_team = dict(valid.select(_name_key_expr("analyst"), _name_key_expr("team").alias("t"))
                          .unique(subset="analyst", keep="first", maintain_order=True).iter_rows())
        start = max([*names.analysts.values(),
                     _max(conn, schema.analysts.c.analyst_id) if conn is not None else 0]) + 1
        rows = [{"analyst_id": start + i, "name": n, "team_id": names.teams[first_team[k]], "tier": "L1"}
                for i, (k, n) in enumerate(fresh)]
        if conn is not None:
            conn.execute(schema.analysts.insert(), rows)
        for (k, n), row in zip(fresh, rows):
            names.analysts[k] = row["analyst_id"]
            names.created["analysts"].append(n)


def _lookup(col: str, known: dict[str, int]) -> pl.Expr:
    return _name_key_expr(col).replace_strict(list(known) or [""], list(known.values()) or [0],
                                              default=None, return_dtype=pl.Int64)


def load_tickets(conn: sa.Connection | None, valid: pl.DataFrame, names: Names, *,
                 read: sa.Connection) -> Outcome:
    """Upsert valid ticket rows keyed on ticket_id; `conn` None means dry run (reads through `read`)."""
    if valid.is_empty():
        return Outcome()
    _create_names(conn, valid, names)
    batch = valid.with_columns(team_id=_lookup("team", names.teams),
                               service_id=_lookup("service", names.services),
                               analyst_id=_lookup("analyst", names.analysts))
    ids = batch["ticket_id"].to_list()
    existing = _frame(_rows_for(read, [T.c.ticket_key, T.c.ticket_id, *[T.c[c] for c in TICKET_COLUMNS]],
                                T.c.ticket_id, ids),
                      {"ticket_key": pl.Int64, "ticket_id": pl.String, **_ticket_dtypes("_old")})
    joined = batch.join(existing, on="ticket_id", how="left")
    same = pl.all_horizontal(pl.col(c).eq_missing(pl.col(f"{c}_old")) for c in TICKET_COLUMNS)
    joined = joined.with_columns(same=same)
    new = joined.filter(pl.col("ticket_key").is_null())
    changed = joined.filter(pl.col("ticket_key").is_not_null() & ~pl.col("same"))
    out = Outcome(inserted=new.height, updated=changed.height,
                  unchanged=joined.height - new.height - changed.height)
    if conn is None:
        return out
    if not new.is_empty():
        first_key = _max(conn, T.c.ticket_key) + 1
        rows = new.with_columns((pl.int_range(0, new.height, dtype=pl.Int64) + first_key).alias("ticket_key"))
        bulk_insert(conn, T, _ticket_frame(rows))
    if not changed.is_empty():
        stmt = (T.update().where(T.c.ticket_key == sa.bindparam("k"))
                .values({c: sa.bindparam(f"v_{c}") for c in TICKET_COLUMNS}))
        rows = _ticket_frame(changed).rename({"ticket_key": "k", **{c: f"v_{c}" for c in TICKET_COLUMNS}})
        conn.execute(stmt, rows.drop("ticket_id").to_dicts())
        # Keep open follow-ups with the ticket's current resolver and team.
        moved = changed.filter((pl.col("team_id") != pl.col("team_id_old"))
                               | (pl.col("analyst_id") != pl.col("analyst_id_old")))
        if not moved.is_empty():
            conn.execute(RI.update().where(RI.c.ticket_key == sa.bindparam("k"))
                         .values(team_id=sa.bindparam("t"), analyst_id=sa.bindparam("a")),
                         moved.select(k="ticket_key", t="team_id", a="analyst_id").to_dicts())
    return out


def _ticket_dtypes(suffix: str = "") -> dict[str, pl.DataType]:
    types = {"ticket_type": pl.String, "channel": pl.String, "service_id": pl.Int64, "priority": pl.Int64,
             "opened_at": pl.Datetime("us"), "resolved_at": pl.Datetime("us"), "analyst_id": pl.Int64,
             "team_id": pl.Int64, "reassignment_count": pl.Int64, "reopened": pl.Boolean,
             "sla_met": pl.Boolean, "first_contact_resolution": pl.Boolean, "handle_minutes": pl.Float64,
             "requester": pl.String}
    return {f"{k}{suffix}": v for k, v in types.items()}


def _ticket_frame(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.select("ticket_key", "ticket_id", *[pl.col(c).cast(t) for c, t in _ticket_dtypes().items()])


def _business_day_after(ts: dt.datetime) -> dt.datetime:
    due = ts + dt.timedelta(days=1)
    while due.weekday() >= 5:
        due += dt.timedelta(days=1)
    return due


def load_responses(conn: sa.Connection | None, valid: pl.DataFrame, *, read: sa.Connection,
                   threshold: int) -> Outcome:
    """Upsert valid responses keyed on the ticket; a changed answer replaces the earlier one
    together with its factors and recovery item. `conn` None means dry run."""
    if valid.is_empty():
        return Outcome()
    tickets = _frame(_rows_for(read, [T.c.ticket_id, T.c.ticket_key, T.c.team_id, T.c.analyst_id],
                               T.c.ticket_id, valid["ticket_id"].to_list()),
                     {"ticket_id": pl.String, "ticket_key": pl.Int64, "team_id": pl.Int64, "analyst_id": pl.Int64})
    batch = valid.join(tickets, on="ticket_id", how="left")
    unknown = batch.filter(pl.col("ticket_key").is_null())
    rejects = unknown.select(LINE, pl.lit("ticket_id").alias("column"),
                             (pl.lit("response for unknown ticket ") + pl.col("ticket_id")).alias("reason"))
    batch = batch.filter(pl.col("ticket_key").is_not_null()).with_columns(
        pl.col("factor_ids").fill_null(pl.lit([], pl.List(pl.Int32))).list.sort())
    keys = batch["ticket_key"].to_list()
    old = _frame(_rows_for(read, [R.c.ticket_key, *[R.c[c] for c in RESPONSE_COLUMNS]], R.c.ticket_key, keys),
                 {"ticket_key": pl.Int64, **{f"{c}_old": t for c, t in _response_dtypes().items()}})
    old_factors = _frame(_rows_for(read, [RF.c.ticket_key, RF.c.factor_id], RF.c.ticket_key, keys),
                         {"ticket_key": pl.Int64, "factor_id": pl.Int32})
    old_factors = old_factors.group_by("ticket_key").agg(pl.col("factor_id").sort().alias("factor_ids_old"))
    joined = batch.join(old, on="ticket_key", how="left").join(old_factors, on="ticket_key", how="left")
    joined = joined.with_columns(pl.col("factor_ids_old").fill_null(pl.lit([], pl.List(pl.Int32))),
                                 had=pl.col("submitted_at_old").is_not_null())
    same = pl.all_horizontal(*[pl.col(c).cast(t).eq_missing(pl.col(f"{c}_old")) for c, t in _response_dtypes().items()],
                             pl.col("factor_ids").eq_missing(pl.col("factor_ids_old")))
    joined = joined.with_columns(same=same)
    new = joined.filter(~pl.col("had"))
    changed = joined.filter(pl.col("had") & ~pl.col("same"))
    out = Outcome(inserted=new.height, updated=changed.height,
                  unchanged=joined.height - new.height - changed.height, rejects=rejects)
    if conn is None:
        return out
    cast = [pl.col(c).cast(t) for c, t in _response_dtypes().items()]
    if not new.is_empty():
        bulk_insert(conn, R, new.select("ticket_key", *cast))
    if not changed.is_empty():
        stmt = (R.update().where(R.c.ticket_key == sa.bindparam("k"))
                .values({c: sa.bindparam(f"v_{c}") for c in RESPONSE_COLUMNS}))
        conn.execute(stmt, changed.select(pl.col("ticket_key").alias("k"),
                                          *[e.alias(f"v_{c}") for c, e in zip(RESPONSE_COLUMNS, cast)]).to_dicts())
        changed_keys = changed["ticket_key"].to_list()
        for start in range(0, len(changed_keys), IN_CHUNK):
            conn.execute(RF.delete().where(RF.c.ticket_key.in_(changed_keys[start:start + IN_CHUNK])))
    factor_rows = (pl.concat([new, changed]).select("ticket_key", "factor_ids").explode("factor_ids")
                   .drop_nulls("factor_ids").rename({"factor_ids": "factor_id"}).unique())
    if not factor_rows.is_empty():
        bulk_insert(conn, RF, factor_rows.select(pl.col("ticket_key").cast(pl.Int64),
                                                 pl.col("factor_id").cast(pl.Int32)))
    _sync_recovery(conn, pl.concat([new, changed]), threshold)
    return out


def _response_dtypes() -> dict[str, pl.DataType]:
    return {"happiness": pl.Int64, **{d: pl.Int64 for d in schema.CARE_DIMENSIONS},
            "lost_minutes": pl.Float64, "comment": pl.String, "submitted_at": pl.Datetime("us")}


def _sync_recovery(conn: sa.Connection, answered: pl.DataFrame, threshold: int) -> None:
    """Recovery items follow the latest answer: an unhappy answer has one; a replaced unhappy
    answer that is now fine loses an untouched item, or has a worked one closed as replaced."""
    if answered.is_empty():
        return
    keys = answered["ticket_key"].to_list()
    items = {r[0]: r[1] for r in _rows_for(conn, [RI.c.ticket_key, RI.c.resolved_at], RI.c.ticket_key, keys)}
    acted = {r[0] for r in _rows_for(conn, [RA.c.ticket_key], RA.c.ticket_key, list(items))}
    create, drop, close = [], [], []
    for key, happiness, submitted, team, analyst in answered.select(
            "ticket_key", "happiness", "submitted_at", "team_id", "analyst_id").iter_rows():
        if happiness <= threshold and key not in items:
            create.append(dict(ticket_key=key, team_id=team, analyst_id=analyst, created_at=submitted,
                               due_at=_business_day_after(submitted), version=1))
        elif happiness > threshold and key in items:
            if key in acted:
                if items[key] is None:
                    close.append(key)
            else:
                drop.append(key)
    if create:
        conn.execute(RI.insert(), create)
    for start in range(0, len(drop), IN_CHUNK):
        conn.execute(RI.delete().where(RI.c.ticket_key.in_(drop[start:start + IN_CHUNK])))
    if close:
        conn.execute(RI.update().where(RI.c.ticket_key.in_(close))
                     .values(resolved_at=sa.func.coalesce(RI.c.resolved_at, sa.bindparam("now")),
                             outcome=REPLACED_OUTCOME, version=RI.c.version + 1),
                     {"now": dt.datetime.now().replace(microsecond=0)})
