"""Shared pieces of the survey tests: a secret, an invitation marked sent, counts of what was written."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import streamlit as st

from data_access import rollups, schema
from data_access.engine import get_engine

SECRET = "k3Jx9-survey-test-secret-0123456789-abcdefXYZ"
NOW = dt.datetime(2026, 11, 20, 12, 0)  # SERVICE_PULSE_TODAY=2026-11-20 → clock.now()


def new_ticket(url: str, *, analyst_id: int = 1, email: str | None = "pat.doe@example.com",
               resolved_at: dt.datetime = NOW - dt.timedelta(hours=3), description: str | None = None) -> int:
    """A closed ticket without a response; returns its ticket_key."""
    with get_engine(url).begin() as conn:
        team_id = conn.execute(sa.select(schema.analysts.c.team_id)
                               .where(schema.analysts.c.analyst_id == analyst_id)).scalar_one()
        key = conn.execute(sa.select(sa.func.coalesce(sa.func.max(schema.tickets.c.ticket_key), 0))).scalar_one() + 1
        with rollups.maintained(conn, [key]):  # like every write to a warehouse that keeps rollups
            _insert_ticket(conn, key, analyst_id, team_id, email, resolved_at, description)
    st.cache_data.clear()
    return key


def _insert_ticket(conn, key, analyst_id, team_id, email, resolved_at, description) -> None:
    conn.execute(schema.tickets.insert().values(
        ticket_key=key, ticket_id=f"INC7{key:07d}", ticket_type="incident", channel="email", service_id=1,
        priority=3, opened_at=resolved_at - dt.timedelta(hours=4), resolved_at=resolved_at,
        analyst_id=analyst_id, team_id=team_id, reassignment_count=0, reopened=False, sla_met=True,
        first_contact_resolution=False, requester="Pat Doe", requester_email=email,
        short_description=description))


def sent_invitation(url: str, ticket_key: int, *, sent_at: dt.datetime = NOW - dt.timedelta(hours=2),
                    valid_days: int = 14) -> tuple[int, dt.datetime]:
    """Record an invitation for `ticket_key` as sent; returns (invitation_id, expires_at)."""
    SI = schema.survey_invitations
    expires = sent_at + dt.timedelta(days=valid_days)
    with get_engine(url).begin() as conn, rollups.maintained(conn, [ticket_key]):  # a sent invitation counts
        conn.execute(SI.insert().values(ticket_key=ticket_key, requester_email="pat.doe@example.com",
                                        created_at=sent_at, sent_at=sent_at, expires_at=expires, state="sent",
                                        attempts=1))
        inv = conn.execute(sa.select(SI.c.invitation_id).where(SI.c.ticket_key == ticket_key)).scalar_one()
    return int(inv), expires


def snapshot(url: str) -> dict[str, int]:
    """Row counts (and a checksum of scores) of every table a survey answer could touch."""
    R = schema.responses
    with get_engine(url).connect() as conn:
        out = {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
               for t in (schema.responses, schema.response_factors, schema.recovery_items,
                         schema.survey_invitations, schema.survey_unsubscribes)}
        out["score_sum"] = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(R.c.happiness), 0))).scalar_one()
        out["answered"] = conn.execute(sa.select(sa.func.count()).select_from(schema.survey_invitations)
                                       .where(schema.survey_invitations.c.state == "answered")).scalar_one()
    return out
