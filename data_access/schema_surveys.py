"""Survey collection tables, on the warehouse's one metadata (re-exported by schema.py)."""

from __future__ import annotations

import sqlalchemy as sa

from data_access.schema import _id, _in, metadata

survey_invitations = sa.Table(
    "survey_invitations",
    metadata,
    # One survey email per ticket. Links carry a signed token over invitation_id, score and
    # expiry (never the ticket's key); sent_at stays empty until the SMTP server accepted it.
    _id("invitation_id", "survey_invitations"),
    sa.Column("ticket_key", sa.BigInteger, sa.ForeignKey("tickets.ticket_key"), nullable=False,
              unique=True),
    sa.Column("requester_email", sa.String(320), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("sent_at", sa.DateTime),
    sa.Column("expires_at", sa.DateTime),
    sa.Column("answered_at", sa.DateTime),
    sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    # While a run sends it: until when that run's claim holds. Another run leaves it alone till
    # then (a run that died mid-send lets go when the claim runs out); cleared once sent or failed.
    sa.Column("claimed_until", sa.DateTime),
    sa.CheckConstraint(_in("state", ("pending", "sent", "answered")), name="ck_survey_state"),
    sa.Index("ix_survey_invitations_requester", "requester_email", "sent_at"),
)

survey_unsubscribes = sa.Table(  # requesters who asked for no more survey emails (lower case)
    "survey_unsubscribes", metadata, sa.Column("email", sa.String(320), primary_key=True),
    sa.Column("unsubscribed_at", sa.DateTime, nullable=False))
