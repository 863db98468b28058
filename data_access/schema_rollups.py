"""Schema of the rollups: sufficient-statistics tables next to the base tables (same metadata).

Maintained by `data_access.rollups`; pages read them when the freshness row says they are current.

The daily tables share one declaration shape (grain, measures, indexes) with each other and with
schema.py's tables (see the note there): a duplicate finder pairs rollup_factors with rollup_recovery,
say. That is declaration, each table with its own measures, not logic written twice.
"""

from __future__ import annotations

import sqlalchemy as sa

from data_access.schema import CARE_DIMENSIONS, metadata, recovery_items

# The few recovery items not yet due, which readers count next to rollup_recovery.
sa.Index("ix_recovery_due", recovery_items.c.due_at)

# The grain every page slices by: period (day), scope (team, analyst) and the ticket slices.
ROLLUP_GRAIN = ("day", "team_id", "analyst_id", "channel", "ticket_type", "service_id")
ROLLUP_VERSION = 7  # bump when a rollup's grain or columns change: older rows then count as stale


def _grain() -> list[sa.Column]:
    return [sa.Column("day", sa.Date, nullable=False), sa.Column("team_id", sa.Integer, nullable=False),
            sa.Column("analyst_id", sa.Integer, nullable=False),
            sa.Column("channel", sa.String(16), nullable=False),
            sa.Column("ticket_type", sa.String(16), nullable=False),
            sa.Column("service_id", sa.Integer, nullable=False)]


def _rollup_indexes(name: str) -> list[sa.Index]:
    return [sa.Index(f"ix_{name}_analyst_day", "analyst_id", "day"),
            sa.Index(f"ix_{name}_team_day", "team_id", "day"), sa.Index(f"ix_{name}_day", "day")]


rollup_responses = sa.Table(
    "rollup_responses",
    metadata,
    # Day of submission; counts of 9-10 (happy) and 0-6 (unhappy) among n; CARE and lost minutes
    # as count / sum / sum of squares of the answers that carry them.
    *_grain(),
    sa.Column("sla_met", sa.Boolean, nullable=False),
    sa.Column("reassignment_count", sa.SmallInteger, nullable=False),  # 0, 1, 2, 3 (= 3 or more)
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("happy", sa.Integer, nullable=False),
    sa.Column("unhappy", sa.Integer, nullable=False),
    *[c for d in CARE_DIMENSIONS for c in (sa.Column(f"{d}_n", sa.Integer, nullable=False),
                                           sa.Column(f"{d}_sum", sa.BigInteger, nullable=False),
                                           sa.Column(f"{d}_sumsq", sa.BigInteger, nullable=False))],
    sa.Column("lost_n", sa.Integer, nullable=False),
    # Double precision everywhere (DuckDB's FLOAT is single): writes add and take away from these sums.
    sa.Column("lost_sum", sa.Double, nullable=False),
    sa.Column("lost_sumsq", sa.Double, nullable=False),
    sa.Column("kudos", sa.Integer, nullable=False),  # answers a lead recognised with kudos
    sa.Column("commented", sa.Integer, nullable=False),  # answers with a comment (not only blanks)
    *_rollup_indexes("rollup_responses"),
)

rollup_tickets = sa.Table(
    "rollup_tickets",
    metadata,
    # Closed tickets by day of resolution: the denominator of response rates and total lost hours;
    # of them, those with a response, those invited to the survey and the invitations answered.
    *_grain(),
    sa.Column("sla_met", sa.Boolean, nullable=False),
    sa.Column("reassignment_count", sa.SmallInteger, nullable=False),
    sa.Column("tickets", sa.Integer, nullable=False),
    sa.Column("responded", sa.Integer, nullable=False),
    sa.Column("invited", sa.Integer, nullable=False),
    sa.Column("answered", sa.Integer, nullable=False),
    *_rollup_indexes("rollup_tickets"),
    # Who closed tickets on a channel (disclosure control of the survey rates): one probe each.
    sa.Index("ix_rollup_tickets_analyst_channel", "analyst_id", "channel", "day"),
)

rollup_factors = sa.Table(
    "rollup_factors",
    metadata,
    # Responses naming each factor, by day of submission.
    *_grain(),
    sa.Column("factor_id", sa.Integer, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    *_rollup_indexes("rollup_factors"),
)

rollup_lost = sa.Table(
    "rollup_lost",
    metadata,
    # Answers reporting each whole number of lost minutes (for the Pareto share).
    *_grain(),
    sa.Column("lost_minutes", sa.Double, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    *_rollup_indexes("rollup_lost"),
)

# Same declaration shape as rollup_factors and rollup_lost above (grain, measures, indexes): other measures.
rollup_recovery = sa.Table(
    "rollup_recovery",
    metadata,
    # Recovery items by day of creation (the ticket's team, analyst and slices): how many, and how
    # many had their first contact by their due time. Whether an item counts as decided yet depends
    # on the moment of reading, so readers add the few items not yet due (`reads`).
    *_grain(),
    sa.Column("items", sa.Integer, nullable=False),
    sa.Column("in_time", sa.Integer, nullable=False),
    *_rollup_indexes("rollup_recovery"),
)

rollup_open_recovery = sa.Table(
    "rollup_open_recovery",
    metadata,
    # Answers scored 0-6 whose recovery is not closed (no item yet, or an item not resolved), by day
    # of submission, the ticket's team and analyst, and the score (so a recovery threshold of 6 or
    # below is a filter on it); `uncontacted`: of them, those nobody has contacted yet. Whether one
    # is overdue depends on the moment of reading, so readers take away the few not yet due.
    sa.Column("day", sa.Date, nullable=False), sa.Column("team_id", sa.Integer, nullable=False),
    sa.Column("analyst_id", sa.Integer, nullable=False), sa.Column("happiness", sa.SmallInteger, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("uncontacted", sa.Integer, nullable=False),
    *_rollup_indexes("rollup_open_recovery"),
)


def _monthly(daily: sa.Table) -> sa.Table:
    """The organisation-level twin of a daily rollup: no analyst, one row per calendar month (its
    first day in `day`). Org-wide pages read it for the whole months of their period."""
    name = f"{daily.name}_monthly"
    return sa.Table(name, metadata,
                    *[sa.Column(c.name, c.type, nullable=c.nullable) for c in daily.columns if c.name != "analyst_id"],
                    sa.Index(f"ix_{name}_team_day", "team_id", "day"), sa.Index(f"ix_{name}_day", "day"))


rollup_responses_monthly = _monthly(rollup_responses)
rollup_tickets_monthly = _monthly(rollup_tickets)

PERSON_GRAIN = ("day", "team_id", "analyst_id", "sla_met")


def _per_person(daily: sa.Table) -> sa.Table:
    """The per-analyst twin of a daily rollup: day × team × analyst × SLA met only (no channel,
    type, service or reassignment), a few rows per analyst and day. Reads with no slice filter and
    no finer grouping (a person's figures, a team's members, who answered in which week) use it."""
    name = f"{daily.name}_person"
    return sa.Table(name, metadata,
                    *[sa.Column(c.name, c.type, nullable=c.nullable) for c in daily.columns
                      if c.name in PERSON_GRAIN or c.name not in ROLLUP_GRAIN + ("reassignment_count",)],
                    sa.Index(f"ix_{name}_analyst_day", "analyst_id", "day"),
                    sa.Index(f"ix_{name}_team_day", "team_id", "day"), sa.Index(f"ix_{name}_day", "day"))


rollup_responses_person = _per_person(rollup_responses)
rollup_tickets_person = _per_person(rollup_tickets)

CELL_GRAIN = ("week", "month", "team_id", "analyst_id", "service_id", "channel", "ticket_type", "sla_met",
              "reassignment_count")
CELL_MEASURES = ("n", "happy", "unhappy", "lost_n", "lost_sum", "commented")
WEEKLY_KEYS = ("week", "month")


def _weekly(daily: sa.Table, keys: tuple[str, ...], measures: tuple[str, ...] | None = None) -> sa.Table:
    """A per-analyst weekly twin of a daily rollup: `keys` of its columns and `measures` (default:
    every measure) per part of a week lying in one calendar month (a week across a month's end has
    two parts: `week` its Monday, `month` the month's first day)."""
    name = f"{daily.name}_weekly"
    kept = [c for c in daily.columns if c.name in keys
            or (c.name not in ROLLUP_GRAIN + ("sla_met", "reassignment_count")
                and (measures is None or c.name in measures))]
    return sa.Table(name, metadata, sa.Column("week", sa.Date, nullable=False),
                    sa.Column("month", sa.Date, nullable=False),
                    *[sa.Column(c.name, c.type, nullable=False) for c in kept],
                    sa.Index(f"ix_{name}_week", "week"), sa.Index(f"ix_{name}_analyst_week", "analyst_id", "week"))


# Every dimension a Culture trends cell is cut by, per analyst and part of a week, with the
# experience sums and the answers with a comment only: exactly the grain of that page's one
# per-analyst cells read, which then needs no GROUP BY (about two thirds of the daily rows, a
# tenth of their width: no CARE sums), and the size of a drill-through cell.
rollup_responses_weekly = _weekly(rollup_responses, CELL_GRAIN, CELL_MEASURES)
# Closed tickets, survey invitations and answers per analyst, channel and part of a week (a
# fortieth of the daily rows): the survey-rate table's sums and its distinct analysts per channel.
rollup_tickets_weekly = _weekly(rollup_tickets, ("team_id", "analyst_id", "channel"))

rollup_state = sa.Table(
    "rollup_state",
    metadata,
    # The freshness row: 'maintained' = kept in the same transaction as every write (always fresh);
    # 'scheduled' = refreshed by a data team's job, fresh for rollup_max_age_hours after refreshed_at.
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),
    sa.Column("refreshed_at", sa.DateTime, nullable=False),
)

# Every table a write keeps, daily rollups and their twins; each has a staging twin below.
ROLLUP_TABLES = (rollup_responses, rollup_tickets, rollup_factors, rollup_lost, rollup_recovery, rollup_open_recovery,
                 rollup_responses_monthly, rollup_tickets_monthly, rollup_responses_person, rollup_tickets_person,
                 rollup_responses_weekly, rollup_tickets_weekly)

rollup_touched = sa.Table(
    "rollup_touched",
    metadata,
    # Work list of one write: the tickets whose share of the rollups it changes (rows carry the
    # write's token and are removed when its upkeep is done, in the same transaction).
    sa.Column("token", sa.String(40), nullable=False),
    sa.Column("ticket_key", sa.BigInteger, nullable=False),
    sa.Index("ix_rollup_touched_token", "token", "ticket_key"),
)


def _staging(table: sa.Table) -> sa.Table:
    """Work table of one write's change to `table`: rows of the same columns whose measures are
    added to the stored rows of the same key (the tickets' share before the write counts negative)."""
    name = f"{table.name}_delta"
    return sa.Table(name, metadata, sa.Column("token", sa.String(40), nullable=False),
                    *[sa.Column(c.name, c.type, nullable=True) for c in table.columns],
                    sa.Index(f"ix_{name}_token", "token"))


STAGING = {table.name: _staging(table) for table in ROLLUP_TABLES}


def staging_of(table: sa.Table) -> sa.Table:
    """The staging twin of a rollup table (every table in ROLLUP_TABLES has one)."""
    return STAGING[table.name]
