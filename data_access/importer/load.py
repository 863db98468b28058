"""Database side of an import: match or create names, upsert tickets and responses, one batch per
transaction. Callers pass a connection inside `engine.begin()`; nothing here commits on its own.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import polars as pl
import sqlalchemy as sa

from data_access import recovery, rollups, schema
from data_access.dialect import bulk_insert, rows_matching, update_rows
from data_access.importer.reader import LINE

T, R, RF = schema.tickets, schema.responses, schema.response_factors
RI, RA = schema.recovery_items, schema.recovery_actions
IN_CHUNK = 5_000
TICKET_COLUMNS = ["ticket_type", "channel", "service_id", "priority", "opened_at", "resolved_at",
                  "analyst_id", "team_id", "reassignment_count", "reopened", "sla_met",
                  "first_contact_resolution", "handle_minutes", "requester",
                  "requester_email", "short_description"]
RESPONSE_COLUMNS = ["happiness", *schema.CARE_DIMENSIONS, "lost_minutes", "comment", "submitted_at"]
REPLACED_OUTCOME = "replaced by a later answer"


def name_key(name: str) -> str:
    """Case- and whitespace-insensitive matching key of a team, service or analyst name."""
    return " ".join(str(name).split()).casefold()


@dataclass
class Names:
    """Known teams, services and analysts by matching key (ids), plus what this import created."""

    teams: dict[str, int] = field(default_factory=dict)
    services: dict[str, int] = field(default_factory=dict)
    analysts: dict[str, int] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=lambda: {"teams": [], "services": [], "analysts": []})
    fresh: bool = False  # the tickets table was empty when the import began

    @classmethod
    def load(cls, conn: sa.Connection) -> "Names":
        names = cls()
        for table, target, id_col in ((schema.teams, names.teams, "team_id"),
                                      (schema.services, names.services, "service_id"),
                                      (schema.analysts, names.analysts, "analyst_id")):
            for row in conn.execute(sa.select(table.c[id_col], table.c.name).order_by(table.c[id_col])):
                target.setdefault(name_key(row[1]), row[0])
        names.fresh = not conn.execute(sa.select(T.c.ticket_key).limit(1)).all()
        return names

    def copy(self) -> "Names":
        return Names(dict(self.teams), dict(self.services), dict(self.analysts),
                     {k: list(v) for k, v in self.created.items()}, self.fresh)


@dataclass
class Outcome:
    """What one batch did to the warehouse (or would do, in a dry run)."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: pl.DataFrame | None = None  # _line, column, reason (rejections found against the database)
    recovery_opened: int = 0
    recovery_history: int = 0  # unhappy answers older than the recovery window: no item


def factor_lookup(conn: sa.Connection) -> dict[str, int]:
    """Normalised factor code and label → factor_id (codes and labels both accepted in files)."""
    out: dict[str, int] = {}
    for fid, code, label in conn.execute(sa.select(schema.factors.c.factor_id, schema.factors.c.code,
                                                   schema.factors.c.label)):
        for text in (code, label):
            out[re.sub(r"[^0-9a-z]+", "", text.lower())] = fid
    return out


def _max(conn: sa.Connection, column: sa.Column) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(column), 0))).scalar_one())


def _rows_for(conn: sa.Connection, columns: list[sa.Column], key: sa.Column, values,
              types: dict[str, pl.DataType]) -> pl.DataFrame:
    """Stored rows whose key is in `values`, with the given polars types (names of `types` in order)."""
    found = rows_matching(conn, columns, key, values, chunk=IN_CHUNK)
    if found.is_empty():
        return pl.DataFrame(schema=types)
    found.columns = list(types)
    return found.select(pl.col(c).cast(t) for c, t in types.items())


def _create_names(conn: sa.Connection | None, valid: pl.DataFrame, names: Names) -> None:
    """Create teams, services and analysts the batch names but the warehouse does not know yet."""
    def new_names(col: str, known: dict[str, int]) -> list[tuple[str, str]]:
        fresh: dict[str, str] = {}
        for raw in valid[col].unique(maintain_order=True).to_list():
            key = name_key(raw)
            if key not in known and key not in fresh:
                fresh[key] = " ".join(raw.split())
        return list(fresh.items())

    for col, known, table, id_col, label in (("team", names.teams, schema.teams, "team_id", "teams"),
                                             ("service", names.services, schema.services, "service_id",
                                              "services")):
        fresh = new_names(col, known)
        if not fresh:
            continue
        start = max([*known.values(), _max(conn, table.c[id_col]) if conn is not None else 0]) + 1
        rows = [{id_col: start + i, "name": n} for i, (_, n) in enumerate(fresh)]
        if conn is not None:
            conn.execute(table.insert(), rows)
        for (k, n), row in zip(fresh, rows):
            known[k] = row[id_col]
            names.created[label].append(n)
    fresh = new_names("analyst", names.analysts)
    if fresh:
        first_team: dict[str, str] = {}
        for analyst, team in valid.select("analyst", "team").unique(subset="analyst", keep="first",
                                                                    maintain_order=True).iter_rows():
            first_team.setdefault(name_key(analyst), name_key(team))
        start = max([*names.analysts.values(),
                     _max(conn, schema.analysts.c.analyst_id) if conn is not None else 0]) + 1
        rows = [{"analyst_id": start + i, "name": n, "team_id": names.teams[first_team[k]], "tier": "L1"}
                for i, (k, n) in enumerate(fresh)]
        if conn is not None:
            conn.execute(schema.analysts.insert(), rows)
        for (k, n), row in zip(fresh, rows):
            names.analysts[k] = row["analyst_id"]
            names.created["analysts"].append(n)


def _ids(valid: pl.DataFrame, col: str, known: dict[str, int]) -> pl.Expr:
    """The id of each row's name (matching keys computed once per distinct spelling)."""
    raw = valid[col].unique().to_list()
    return pl.col(col).replace_strict(raw or [""], [known.get(name_key(r)) for r in raw] or [None],
                                      default=None, return_dtype=pl.Int64)


def _same(col: str, dtype: pl.DataType | None = None) -> pl.Expr:
    """Null-aware equality of a new value and the stored one (`<col>_old`); floats within 1e-6
    relative (DuckDB keeps FLOAT columns in single precision)."""
    new, old = pl.col(col), pl.col(f"{col}_old")
    if dtype is not None:
        new = new.cast(dtype)
    if dtype == pl.Float64 or col in ("handle_minutes", "lost_minutes"):
        close = (new - old).abs() <= 1e-6 * pl.max_horizontal(new.abs(), pl.lit(1.0))
        return (new.is_null() & old.is_null()) | close.fill_null(False)
    return new.eq_missing(old)


def load_tickets(conn: sa.Connection | None, valid: pl.DataFrame, names: Names, *,
                 read: sa.Connection) -> Outcome:
    """Upsert valid ticket rows keyed on ticket_id; `conn` None means dry run (reads through `read`)."""
    if valid.is_empty():
        return Outcome()
    _create_names(conn, valid, names)
    batch = valid.with_columns(team_id=_ids(valid, "team", names.teams),
                               service_id=_ids(valid, "service", names.services),
                               analyst_id=_ids(valid, "analyst", names.analysts))
    types = {"ticket_key": pl.Int64, "ticket_id": pl.String, **_ticket_dtypes("_old")}
    if names.fresh:  # the table was empty when the import began, and ids are unique in a file
        existing = pl.DataFrame(schema=types)
    else:
        existing = _rows_for(read, [T.c.ticket_key, T.c.ticket_id, *[T.c[c] for c in TICKET_COLUMNS]],
                             T.c.ticket_id, batch["ticket_id"], types)
    joined = batch.join(existing, on="ticket_id", how="left")
    same = pl.all_horizontal(_same(c) for c in TICKET_COLUMNS)
    joined = joined.with_columns(same=same)
    new = joined.filter(pl.col("ticket_key").is_null())
    changed = joined.filter(pl.col("ticket_key").is_not_null() & ~pl.col("same"))
    out = Outcome(inserted=new.height, updated=changed.height,
                  unchanged=joined.height - new.height - changed.height)
    if conn is None:
        return out
    rollup_share = rollups.before_write(conn, changed["ticket_key"])  # new tickets have no share yet
    first_key = _max(conn, T.c.ticket_key) + 1
    if not new.is_empty():
        rows = new.with_columns((pl.int_range(0, new.height, dtype=pl.Int64) + first_key).alias("ticket_key"))
        bulk_insert(conn, T, _ticket_frame(rows))
    if not changed.is_empty():
        update_rows(conn, T, _ticket_frame(changed).drop("ticket_id"), key="ticket_key")
        # Keep open follow-ups with the ticket's current resolver and team.
        moved = changed.filter((pl.col("team_id") != pl.col("team_id_old"))
                               | (pl.col("analyst_id") != pl.col("analyst_id_old")))
        if not moved.is_empty():
            conn.execute(RI.update().where(RI.c.ticket_key == sa.bindparam("k"))
                         .values(team_id=sa.bindparam("t"), analyst_id=sa.bindparam("a")),
                         moved.select(k="ticket_key", t="team_id", a="analyst_id").to_dicts())
    created = pl.int_range(first_key, first_key + new.height, dtype=pl.Int64, eager=True)
    rollups.after_write(conn, pl.concat([changed["ticket_key"].cast(pl.Int64), created]), rollup_share)
    return out


def _ticket_dtypes(suffix: str = "") -> dict[str, pl.DataType]:
    types = {"ticket_type": pl.String, "channel": pl.String, "service_id": pl.Int64, "priority": pl.Int64,
             "opened_at": pl.Datetime("us"), "resolved_at": pl.Datetime("us"), "analyst_id": pl.Int64,
             "team_id": pl.Int64, "reassignment_count": pl.Int64, "reopened": pl.Boolean,
             "sla_met": pl.Boolean, "first_contact_resolution": pl.Boolean, "handle_minutes": pl.Float64,
             "requester": pl.String, "requester_email": pl.String, "short_description": pl.String}
    return {f"{k}{suffix}": v for k, v in types.items()}


def _ticket_frame(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.select("ticket_key", "ticket_id", *[pl.col(c).cast(t) for c, t in _ticket_dtypes().items()])


def load_responses(conn: sa.Connection | None, valid: pl.DataFrame, *, read: sa.Connection,
                   settings: recovery.RecoverySettings, now: dt.datetime) -> Outcome:
    """Upsert valid responses keyed on the ticket; a changed answer replaces the earlier one
    together with its factors and recovery item. An unhappy answer opens a recovery item only
    when it was submitted within the recovery window before `now` (older ones are history).
    `conn` None means dry run."""
    if valid.is_empty():
        return Outcome()
    tickets = _rows_for(read, [T.c.ticket_id, T.c.ticket_key, T.c.team_id, T.c.analyst_id],
                        T.c.ticket_id, valid["ticket_id"],
                        {"ticket_id": pl.String, "ticket_key": pl.Int64, "team_id": pl.Int64, "analyst_id": pl.Int64})
    batch = valid.join(tickets, on="ticket_id", how="left")
    unknown = batch.filter(pl.col("ticket_key").is_null())
    rejects = unknown.select(LINE, pl.lit("ticket_id").alias("column"),
                             (pl.lit("response for unknown ticket ") + pl.col("ticket_id")).alias("reason"))
    # Each list sorted element-wise (`list.sort` takes ~10 µs a row in this polars, 40× longer).
    batch = batch.filter(pl.col("ticket_key").is_not_null()).with_columns(
        pl.col("factor_ids").list.eval(pl.element().sort()).fill_null(pl.lit([], pl.List(pl.Int32))))
    keys = batch["ticket_key"]
    old = _rows_for(read, [R.c.ticket_key, *[R.c[c] for c in RESPONSE_COLUMNS]], R.c.ticket_key, keys,
                    {"ticket_key": pl.Int64, **{f"{c}_old": t for c, t in _response_dtypes().items()}})
    old_factors = _rows_for(read, [RF.c.ticket_key, RF.c.factor_id], RF.c.ticket_key, keys,
                            {"ticket_key": pl.Int64, "factor_id": pl.Int32})
    old_factors = old_factors.group_by("ticket_key").agg(pl.col("factor_id").sort().alias("factor_ids_old"))
    joined = batch.join(old, on="ticket_key", how="left").join(old_factors, on="ticket_key", how="left")
    joined = joined.with_columns(pl.col("factor_ids_old").fill_null(pl.lit([], pl.List(pl.Int32))),
                                 had=pl.col("submitted_at_old").is_not_null())
    same = pl.all_horizontal(*[_same(c, t) for c, t in _response_dtypes().items()],
                             pl.col("factor_ids").eq_missing(pl.col("factor_ids_old")))
    joined = joined.with_columns(same=same)
    new = joined.filter(~pl.col("had"))
    changed = joined.filter(pl.col("had") & ~pl.col("same"))
    out = Outcome(inserted=new.height, updated=changed.height,
                  unchanged=joined.height - new.height - changed.height, rejects=rejects)
    if conn is None:
        return out
    # A first answer changes its ticket's share too (responded, recovery items): every key counts.
    rollup_share = rollups.before_write(conn, joined.filter(~pl.col("same"))["ticket_key"])
    cast = [pl.col(c).cast(t) for c, t in _response_dtypes().items()]
    if not new.is_empty():
        bulk_insert(conn, R, new.select("ticket_key", *cast))
    if not changed.is_empty():
        update_rows(conn, R, changed.select("ticket_key", *cast), key="ticket_key")
        changed_keys = changed["ticket_key"].to_list()
        for start in range(0, len(changed_keys), IN_CHUNK):
            conn.execute(RF.delete().where(RF.c.ticket_key.in_(changed_keys[start:start + IN_CHUNK])))
    factor_rows = (pl.concat([new, changed]).select("ticket_key", "factor_ids").explode("factor_ids")
                   .drop_nulls("factor_ids").rename({"factor_ids": "factor_id"}).unique())
    if not factor_rows.is_empty():
        bulk_insert(conn, RF, factor_rows.select(pl.col("ticket_key").cast(pl.Int64),
                                                 pl.col("factor_id").cast(pl.Int32)))
    out.recovery_opened, out.recovery_history = _sync_recovery(conn, pl.concat([new, changed]), settings, now)
    rollups.after_write(conn, pl.concat([new, changed])["ticket_key"], rollup_share)
    return out


def _response_dtypes() -> dict[str, pl.DataType]:
    return {"happiness": pl.Int64, **{d: pl.Int64 for d in schema.CARE_DIMENSIONS},
            "lost_minutes": pl.Float64, "comment": pl.String, "submitted_at": pl.Datetime("us")}


def _sync_recovery(conn: sa.Connection, answered: pl.DataFrame, settings: recovery.RecoverySettings,
                   now: dt.datetime) -> tuple[int, int]:
    """Recovery items follow the latest answer: a recent unhappy answer has one; a replaced
    unhappy answer that is now fine loses an untouched item, or has a worked one closed as
    replaced. Returns (items opened, unhappy answers too old to open one)."""
    if answered.is_empty():
        return 0, 0
    since = now - dt.timedelta(days=settings.window_days)
    unhappy = pl.col("happiness") <= settings.threshold
    history = answered.filter(unhappy & (pl.col("submitted_at") < since)).height
    # Only rows that may open or drop an item go through Python (a year of history is mostly neither).
    keys = answered["ticket_key"].to_list()
    items = dict(_rows_for(conn, [RI.c.ticket_key, RI.c.resolved_at], RI.c.ticket_key, keys,
                           {"k": pl.Int64, "resolved_at": pl.Datetime("us")}).iter_rows())
    candidates = answered.filter((unhappy & (pl.col("submitted_at") >= since))
                                 | pl.col("ticket_key").is_in(pl.Series(list(items), dtype=pl.Int64).implode()))
    acted = set(_rows_for(conn, [RA.c.ticket_key], RA.c.ticket_key, list(items) or [0],
                          {"k": pl.Int64})["k"].to_list())
    create, drop, close = [], [], []
    for key, happiness, submitted, team, analyst in candidates.select(
            "ticket_key", "happiness", "submitted_at", "team_id", "analyst_id").iter_rows():
        if recovery.opens_item(happiness, submitted, now, settings) and key not in items:
            create.append(dict(ticket_key=key, team_id=team, analyst_id=analyst, created_at=submitted,
                               due_at=recovery.due_at(submitted, settings.target_hours), version=1))
        elif happiness > settings.threshold and key in items:
            if key in acted:
                if items[key] is None:
                    close.append(key)
            else:
                drop.append(key)
    if create:
        # The item goes to the lead of the analyst's home team, whatever team the ticket had.
        A = schema.analysts
        homes = dict(conn.execute(sa.select(A.c.analyst_id, A.c.team_id).where(
            A.c.analyst_id.in_(sorted({item["analyst_id"] for item in create})))).all())
        for item in create:
            item["team_id"] = homes.get(item["analyst_id"], item["team_id"])
        conn.execute(RI.insert(), create)
    for start in range(0, len(drop), IN_CHUNK):
        conn.execute(RI.delete().where(RI.c.ticket_key.in_(drop[start:start + IN_CHUNK])))
    if close:
        conn.execute(RI.update().where(RI.c.ticket_key.in_(close))
                     .values(resolved_at=sa.func.coalesce(RI.c.resolved_at, sa.bindparam("now")),
                             outcome=REPLACED_OUTCOME, version=RI.c.version + 1),
                     {"now": now.replace(microsecond=0)})
    return len(create), history
