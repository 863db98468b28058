"""Sign-in accounts on the warehouse's one metadata (re-exported by schema.py): users, their
roles, the teams a lead leads, and the audit of every change an admin makes to them.

Its tables share their declaration shape with schema.py's (see the note there): declarations,
not logic written twice."""

from __future__ import annotations

import sqlalchemy as sa

from data_access.schema import ROLES, _id, _in, metadata

app_users = sa.Table(
    "app_users",
    metadata,
    _id("user_id", "app_users"),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(320)),
    sa.Column("password_hash", sa.String(100), nullable=False),  # bcrypt only
    sa.Column("analyst_id", sa.Integer, sa.ForeignKey("analysts.analyst_id")),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime),
    sa.Column("receive_digest", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("alert_threshold", sa.SmallInteger),
    sa.Column("extra_recipients", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.CheckConstraint("alert_threshold IS NULL OR alert_threshold BETWEEN 0 AND 10",
                       name="ck_users_alert_threshold"),
)

user_roles = sa.Table(
    "user_roles",
    metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("app_users.user_id"), primary_key=True,
              autoincrement=False),
    sa.Column("role", sa.String(16), primary_key=True),
    sa.CheckConstraint(_in("role", ROLES), name="ck_user_roles_role"),
)

# A two-key link table, declared like schema.response_factors: declarations, nothing to share.
user_teams = sa.Table(
    "user_teams",
    metadata,
    # Teams a lead leads (or a CIO is limited to); analysts take their team from analysts.
    sa.Column("user_id", sa.Integer, sa.ForeignKey("app_users.user_id"), primary_key=True,
              autoincrement=False),
    sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.team_id"), primary_key=True,
              autoincrement=False),
)

user_audit = sa.Table(
    "user_audit",
    metadata,
    # Who changed whose roles, links, password or state, and when (shown on the Users page).
    _id("audit_id", "user_audit"),
    sa.Column("changed_at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(80), nullable=False),      # a username, or "command line"
    sa.Column("username", sa.String(80), nullable=False),   # the account that was changed
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Index("ix_user_audit_changed_at", "changed_at"),
)
