"""Saved views: a person's named filter links, on the warehouse's one metadata (re-exported by schema.py).

The table has the declaration shape of schema.py's (see the note there): a declaration, not logic."""

from __future__ import annotations

import sqlalchemy as sa

from data_access.schema import _id, metadata

# Declared like schema.recovery_actions (generated key, owner, columns): nothing to share.
saved_views = sa.Table(
    "saved_views",
    metadata,
    # The query string is stored as the page would put it in its link, and parsed by the same
    # validated layer when the view is opened (a team or service may have gone since).
    _id("view_id", "saved_views"),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("app_users.user_id"), nullable=False),
    sa.Column("page", sa.String(40), nullable=False),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("saved_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("user_id", "page", "name", name="uq_saved_views_user_page_name"),
)
