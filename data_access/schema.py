"""Warehouse schema of Service Pulse: every table, key, constraint and index, in SQLAlchemy Core.

The same metadata creates cleanly on SQLite, PostgreSQL and DuckDB. Generated keys use
explicit sequences (DuckDB has no implicit autoincrement; SQLite ignores sequences).

Table declarations repeat one shape (a key, columns, checks, indexes) by nature; a duplicate
finder lists them as same-shape pairs, here and in the schema_* modules. That is declaration,
not logic written twice.
"""

from __future__ import annotations

import contextlib

import sqlalchemy as sa

metadata = sa.MetaData()

TICKET_TYPES = ("incident", "request")
CHANNELS = ("phone", "email", "portal", "chat", "walk_in", "social", "other")
CARE_DIMENSIONS = ("communication", "application", "resolution", "expectation")
COMPETENCIES = (
    "facilitation",
    "adaptability",
    "teamwork",
    "problem_solving",
    "client_management",
    "self_management",
)
ASSESSMENT_DIMENSIONS = CARE_DIMENSIONS + COMPETENCIES
ROLES = ("analyst", "lead", "cio", "admin")


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)  # constant catalogue values, never user input
    return f"{column} IN ({quoted})"


def _id(name: str, table: str) -> sa.Column:
    seq = sa.Sequence(f"{table}_{name}_seq")
    return sa.Column(name, sa.Integer, seq, primary_key=True)


teams = sa.Table(
    "teams",
    metadata,
    sa.Column("team_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(120), nullable=False, unique=True),
)

analysts = sa.Table(
    "analysts",
    metadata,
    sa.Column("analyst_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(320)),
    sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.team_id"), nullable=False),
    sa.Column("tier", sa.String(20), nullable=False, server_default="L1"),
    sa.Column("hire_date", sa.Date),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.CheckConstraint(_in("tier", ("L1", "L2", "L3", "lead")), name="ck_analysts_tier"),
    sa.Index("ix_analysts_team", "team_id"),
)

services = sa.Table(
    "services",
    metadata,
    sa.Column("service_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
)

tickets = sa.Table(
    "tickets",
    metadata,
    # ticket_key is our compact surrogate (fast joins); ticket_id is the source system number.
    sa.Column("ticket_key", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("ticket_id", sa.String(64), nullable=False, unique=True),
    sa.Column("ticket_type", sa.String(16), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("service_id", sa.Integer, sa.ForeignKey("services.service_id"), nullable=False),
    sa.Column("priority", sa.SmallInteger, nullable=False),
    sa.Column("opened_at", sa.DateTime, nullable=False),
    sa.Column("resolved_at", sa.DateTime, nullable=False),
    sa.Column("analyst_id", sa.Integer, sa.ForeignKey("analysts.analyst_id"), nullable=False),
    sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.team_id"), nullable=False),
    sa.Column("reassignment_count", sa.SmallInteger, nullable=False, server_default="0"),
    sa.Column("reopened", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("sla_met", sa.Boolean, nullable=False),
    sa.Column("first_contact_resolution", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("handle_minutes", sa.Float),
    sa.Column("requester", sa.String(200)),
    # Optional: who to survey when the ticket closes, and what the survey email calls the ticket.
    sa.Column("requester_email", sa.String(320)),
    sa.Column("short_description", sa.String(300)),
    sa.CheckConstraint(_in("ticket_type", TICKET_TYPES), name="ck_tickets_type"),
    sa.CheckConstraint(_in("channel", CHANNELS), name="ck_tickets_channel"),
    sa.CheckConstraint("priority BETWEEN 1 AND 4", name="ck_tickets_priority"),
    sa.CheckConstraint("reassignment_count >= 0", name="ck_tickets_reassign"),
    sa.CheckConstraint("resolved_at >= opened_at", name="ck_tickets_resolved_after_opened"),
    sa.CheckConstraint("handle_minutes IS NULL OR handle_minutes >= 0", name="ck_tickets_handle"),
    sa.Index("ix_tickets_resolved", "resolved_at"),
    sa.Index("ix_tickets_team_resolved", "team_id", "resolved_at"),
    sa.Index("ix_tickets_analyst_resolved", "analyst_id", "resolved_at"),
)

responses = sa.Table(
    "responses",
    metadata,
    # One response per ticket: the ticket's key is the response's key.
    sa.Column("ticket_key", sa.BigInteger, sa.ForeignKey("tickets.ticket_key"), primary_key=True,
              autoincrement=False),
    sa.Column("happiness", sa.SmallInteger, nullable=False),
    *[sa.Column(d, sa.SmallInteger) for d in CARE_DIMENSIONS],
    sa.Column("lost_minutes", sa.Float),
    sa.Column("comment", sa.Text),
    sa.Column("submitted_at", sa.DateTime, nullable=False),
    sa.CheckConstraint("happiness BETWEEN 0 AND 10", name="ck_responses_happiness"),
    *[sa.CheckConstraint(f"{d} IS NULL OR {d} BETWEEN 1 AND 5", name=f"ck_responses_{d}")
      for d in CARE_DIMENSIONS],
    sa.CheckConstraint("lost_minutes IS NULL OR lost_minutes >= 0", name="ck_responses_lost"),
    sa.Index("ix_responses_submitted", "submitted_at"),
)

factors = sa.Table(
    "factors",
    metadata,
    sa.Column("factor_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("code", sa.String(40), nullable=False, unique=True),
    sa.Column("label", sa.String(120), nullable=False),
    sa.Column("polarity", sa.String(8), nullable=False),
    sa.Column("sort_order", sa.SmallInteger, nullable=False, server_default="0"),
    sa.CheckConstraint(_in("polarity", ("positive", "negative")), name="ck_factors_polarity"),
)

# A two-key link table, declared like schema_accounts.user_teams: declarations, nothing to share.
response_factors = sa.Table(
    "response_factors",
    metadata,
    sa.Column("ticket_key", sa.BigInteger, sa.ForeignKey("responses.ticket_key"), primary_key=True,
              autoincrement=False),
    sa.Column("factor_id", sa.Integer, sa.ForeignKey("factors.factor_id"), primary_key=True,
              autoincrement=False),
)

competencies = sa.Table(
    "competencies",
    metadata,
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("label", sa.String(80), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("sort_order", sa.SmallInteger, nullable=False, server_default="0"),
)

self_assessments = sa.Table(
    "self_assessments",
    metadata,
    _id("assessment_id", "self_assessments"),
    sa.Column("analyst_id", sa.Integer, sa.ForeignKey("analysts.analyst_id"), nullable=False),
    sa.Column("submitted_at", sa.DateTime, nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("shared_with_lead", sa.Boolean, nullable=False, server_default=sa.false()),
    # A form token makes a double submit land once.
    sa.Column("submission_token", sa.String(64), unique=True),
    sa.Index("ix_self_assessments_analyst", "analyst_id", "submitted_at"),
)

self_assessment_ratings = sa.Table(
    "self_assessment_ratings",
    metadata,
    sa.Column("assessment_id", sa.Integer, sa.ForeignKey("self_assessments.assessment_id"),
              primary_key=True, autoincrement=False),
    sa.Column("dimension", sa.String(40), primary_key=True),
    sa.Column("rating", sa.SmallInteger, nullable=False),
    sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_self_rating"),
    sa.CheckConstraint(_in("dimension", ASSESSMENT_DIMENSIONS), name="ck_self_dimension"),
)

lead_assessments = sa.Table(
    "lead_assessments",
    metadata,
    _id("lead_assessment_id", "lead_assessments"),
    sa.Column("analyst_id", sa.Integer, sa.ForeignKey("analysts.analyst_id"), nullable=False),
    sa.Column("assessed_by", sa.Integer, sa.ForeignKey("app_users.user_id"), nullable=False),
    sa.Column("assessed_at", sa.DateTime, nullable=False),
    sa.Column("dimension", sa.String(40), nullable=False),
    sa.Column("rating", sa.SmallInteger, nullable=False),
    sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_lead_rating"),
    sa.CheckConstraint(_in("dimension", ASSESSMENT_DIMENSIONS), name="ck_lead_dimension"),
    sa.Index("ix_lead_assessments_analyst", "analyst_id", "assessed_at"),
)

coaching_notes = sa.Table(
    "coaching_notes",
    metadata,
    _id("note_id", "coaching_notes"),
    sa.Column("analyst_id", sa.Integer, sa.ForeignKey("analysts.analyst_id"), nullable=False),
    sa.Column("author_user_id", sa.Integer, sa.ForeignKey("app_users.user_id"), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("follow_up_on", sa.Date),
    sa.Column("shared_with_analyst", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Index("ix_coaching_notes_analyst", "analyst_id", "created_at"),
)

recovery_items = sa.Table(
    "recovery_items",
    metadata,
    # Close-the-loop item for one unhappy response; its history is in recovery_actions.
    sa.Column("ticket_key", sa.BigInteger, sa.ForeignKey("responses.ticket_key"), primary_key=True,
              autoincrement=False),
    sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.team_id"), nullable=False),
    sa.Column("analyst_id", sa.Integer, sa.ForeignKey("analysts.analyst_id"), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("due_at", sa.DateTime, nullable=False),
    sa.Column("first_contact_at", sa.DateTime),
    sa.Column("resolved_at", sa.DateTime),
    sa.Column("outcome", sa.String(40)),
    sa.Column("alerted_at", sa.DateTime),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    # Not on DuckDB: it rewrites an update of an indexed column as delete + insert, which its
    # foreign-key check rejects for an item that already has recovery_actions.
    sa.Index("ix_recovery_team_open", "team_id", "resolved_at").ddl_if(dialect=("postgresql", "sqlite")),
    sa.Index("ix_recovery_analyst", "analyst_id"),
)

# Declared like schema_views.saved_views (generated key, owner, columns): nothing to share.
recovery_actions = sa.Table(
    "recovery_actions",
    metadata,
    _id("action_id", "recovery_actions"),
    sa.Column("ticket_key", sa.BigInteger, sa.ForeignKey("recovery_items.ticket_key"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("outcome", sa.String(40)),
    sa.Column("note", sa.Text),
    sa.Column("acted_by", sa.Integer, sa.ForeignKey("app_users.user_id")),
    sa.Column("acted_at", sa.DateTime, nullable=False),
    sa.CheckConstraint(_in("kind", ("contacted", "resolved", "reopened", "note")),
                       name="ck_recovery_kind"),
    sa.Index("ix_recovery_actions_ticket", "ticket_key", "acted_at"),
)

kudos = sa.Table(
    "kudos",
    metadata,
    _id("kudos_id", "kudos"),
    sa.Column("ticket_key", sa.BigInteger, sa.ForeignKey("responses.ticket_key"), unique=True),
    sa.Column("analyst_id", sa.Integer, sa.ForeignKey("analysts.analyst_id"), nullable=False),
    sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.team_id"), nullable=False),
    sa.Column("given_by", sa.Integer, sa.ForeignKey("app_users.user_id")),
    sa.Column("given_at", sa.DateTime, nullable=False),
    sa.Column("note", sa.Text),
    sa.Index("ix_kudos_analyst", "analyst_id", "given_at"),
    sa.Index("ix_kudos_team", "team_id", "given_at"),
)

settings = sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.String(80), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

import_runs = sa.Table(
    "import_runs",
    metadata,
    _id("run_id", "import_runs"),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("file_name", sa.String(400)),
    sa.Column("preset", sa.String(40)),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("rows_read", sa.Integer, nullable=False, server_default="0"),
    sa.Column("inserted", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated", sa.Integer, nullable=False, server_default="0"),
    sa.Column("unchanged", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rejected", sa.Integer, nullable=False, server_default="0"),
    sa.CheckConstraint(_in("kind", ("tickets", "responses")), name="ck_import_kind"),
)

import_rejects = sa.Table(
    "import_rejects",
    metadata,
    # Quarantine: rejected rows kept verbatim so they can be fixed and re-imported.
    _id("reject_id", "import_rejects"),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("import_runs.run_id"), nullable=False),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("column_name", sa.String(200)),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("raw_row", sa.Text, nullable=False),
    sa.Index("ix_import_rejects_run", "run_id"),
)

notifications = sa.Table(
    "notifications",
    metadata,
    # One row per email we meant to send; sent_at stays empty until the SMTP server accepted it.
    _id("notification_id", "notifications"),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
    sa.Column("recipients", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("sent_at", sa.DateTime),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.CheckConstraint(_in("kind", ("alert", "digest")), name="ck_notifications_kind"),
)


# Survey collection (invitations, unsubscribes) lives in its own module on the same metadata.
from data_access.schema_surveys import survey_invitations, survey_unsubscribes  # noqa: E402,F401
# A person's saved views (named filter links) likewise.
from data_access.schema_views import saved_views  # noqa: E402,F401
# Who may sign in: accounts, their roles, the teams a lead leads and the audit of changes.
from data_access.schema_accounts import app_users, user_audit, user_roles, user_teams  # noqa: E402,F401

# Columns added after a warehouse may already exist: create_schema adds them when missing.
ADDED_COLUMNS = (("tickets", "requester_email"), ("tickets", "short_description"),
                 ("survey_invitations", "claimed_until"))

# Rollups (sufficient statistics kept with the data) live in their own module on the same metadata.
from data_access.schema_rollups import (  # noqa: E402,F401
    CELL_GRAIN, PERSON_GRAIN, ROLLUP_GRAIN, ROLLUP_TABLES, ROLLUP_VERSION, WEEKLY_KEYS, rollup_factors, rollup_lost,
    rollup_open_recovery, rollup_recovery, rollup_responses, rollup_responses_monthly, rollup_responses_person,
    rollup_responses_weekly, rollup_state, rollup_tickets, rollup_tickets_monthly, rollup_tickets_person, rollup_tickets_weekly,
    rollup_touched, staging_of)


def _not_on_duckdb(ddl, target, bind, *, dialect, **kw) -> bool:
    """Secondary indexes are for PostgreSQL/SQLite: DuckDB never uses them for the scans and
    GROUP BYs the pages run, while they double its file and slow every load (bench/results.md)."""
    return dialect.name != "duckdb"


for _table in metadata.tables.values():
    for _index in _table.indexes:
        if _index._ddl_if is None:  # keep a condition an index already has
            _index.ddl_if(callable_=_not_on_duckdb)


def create_schema(engine: sa.Engine) -> None:
    """Create every table and index that does not exist yet (safe to run twice), add the optional
    columns newer versions introduced to tables created before them, and widen the checks and add
    the indexes that newer versions widened and added (`schema_upgrade`)."""
    metadata.create_all(engine)
    _upgrade_older(engine)


def _upgrade_older(bind) -> None:
    from data_access import schema_upgrade  # it builds on this module's tables

    with bind.begin() if isinstance(bind, sa.Engine) else contextlib.nullcontext(bind) as conn:
        for table, name in ADDED_COLUMNS:
            # Column names from an empty select: works where reflection does not (duckdb-engine).
            if name not in conn.execute(sa.text(f"SELECT * FROM {table} WHERE 1 = 0")).keys():
                kind = metadata.tables[table].c[name].type.compile(dialect=conn.dialect)
                conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {name} {kind}"))
        schema_upgrade.upgrade(conn)
