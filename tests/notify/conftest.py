"""Fixtures for notification tests: a private writable demo warehouse and a real local SMTP server."""

from __future__ import annotations

import datetime as dt
import socket
import threading

import pytest
import sqlalchemy as sa
import streamlit as st
from aiosmtpd.controller import Controller

from data_access import demo, rollups, schema
from data_access.engine import get_engine

TODAY = dt.date(2026, 11, 20)  # a Friday; clock.now() is then 12:00 that day


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler that keeps every envelope it accepts."""

    def __init__(self):
        self.envelopes: list = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        import email
        from email import policy

        return [(e.rcpt_tos, email.message_from_bytes(e.original_content or e.content, policy=policy.default))
                for e in self.envelopes]

    def clear(self):
        self.envelopes.clear()


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port for the test; yields (port, inbox)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_env(monkeypatch, smtp_server):
    """Point the notify settings at the test SMTP server; quiet hours off unless a test sets them."""
    port, inbox = smtp_server
    monkeypatch.setenv("SERVICE_PULSE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SERVICE_PULSE_SMTP_PORT", str(port))
    monkeypatch.setenv("SERVICE_PULSE_SMTP_STARTTLS", "false")
    monkeypatch.setenv("SERVICE_PULSE_SMTP_FROM", "Service Pulse <pulse@example.com>")
    monkeypatch.setenv("SERVICE_PULSE_SMTP_TIMEOUT", "5")
    monkeypatch.setenv("SERVICE_PULSE_BASE_URL", "https://pulse.example.com")
    monkeypatch.setenv("SERVICE_PULSE_QUIET_HOURS", "off")
    monkeypatch.setenv("SERVICE_PULSE_WEEKEND_BATCHING", "false")
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY.isoformat())
    monkeypatch.setenv("SERVICE_PULSE_SECRETS", "/nonexistent/secrets.toml")
    return inbox


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory):
    """A small demo warehouse generated once; each test gets its own copy to write into."""
    path = tmp_path_factory.mktemp("notify-template") / "demo.sqlite"
    engine = get_engine(f"sqlite:///{path}")
    demo.generate(engine, responses=3000, seed=7, end=TODAY)
    engine.dispose()
    return path


@pytest.fixture
def notify_db(tmp_path, _demo_template) -> str:
    """A private, writable copy of the demo warehouse (SQLite)."""
    import shutil

    path = tmp_path / "notify.sqlite"
    shutil.copy(_demo_template, path)
    st.cache_data.clear()
    yield f"sqlite:///{path}"
    st.cache_data.clear()


@pytest.fixture
def notify_pg_db(postgres_server_url) -> str:
    """A private, writable demo warehouse on the throwaway PostgreSQL."""
    from tests.conftest import _fresh_pg_database

    url = _fresh_pg_database(postgres_server_url)
    demo.generate(get_engine(url), responses=1500, seed=7, end=TODAY)
    st.cache_data.clear()
    yield url
    st.cache_data.clear()


def add_response(url: str, *, analyst_id: int, happiness: int, submitted_at: dt.datetime,
                 comment: str | None = None, factor_ids: tuple[int, ...] = (),
                 care: dict[str, int] | None = None) -> tuple[int, str]:
    """Insert one closed ticket with a survey response; returns (ticket_key, ticket_id)."""
    engine = get_engine(url)
    with engine.begin() as conn:
        team_id = conn.execute(sa.select(schema.analysts.c.team_id)
                               .where(schema.analysts.c.analyst_id == analyst_id)).scalar_one()
        key = conn.execute(sa.select(sa.func.max(schema.tickets.c.ticket_key))).scalar_one() + 1
        ticket_id = f"INC9{key:07d}"
        # Like every write to a warehouse that keeps rollups, this one keeps them too.
        with rollups.maintained(conn, [key]):
            _insert_answered_ticket(conn, key, ticket_id, analyst_id, team_id, happiness, submitted_at,
                                    comment, factor_ids, care)
    st.cache_data.clear()
    return key, ticket_id


def _insert_answered_ticket(conn, key, ticket_id, analyst_id, team_id, happiness, submitted_at, comment,
                            factor_ids, care) -> None:
    conn.execute(schema.tickets.insert().values(
        ticket_key=key, ticket_id=ticket_id, ticket_type="incident", channel="email", service_id=1,
        priority=3, opened_at=submitted_at - dt.timedelta(hours=5),
        resolved_at=submitted_at - dt.timedelta(hours=1), analyst_id=analyst_id, team_id=team_id,
        reassignment_count=0, reopened=False, sla_met=True, first_contact_resolution=False))
    conn.execute(schema.responses.insert().values(ticket_key=key, happiness=happiness, comment=comment,
                                                  submitted_at=submitted_at, **(care or {})))
    for fid in factor_ids:
        conn.execute(schema.response_factors.insert().values(ticket_key=key, factor_id=fid))


def lead_of_team(url: str, team_id: int) -> dict:
    """The demo lead user of a team: user_id, username, display_name, email, analyst_id."""
    U, UT = schema.app_users, schema.user_teams
    with get_engine(url).connect() as conn:
        row = conn.execute(sa.select(U.c.user_id, U.c.username, U.c.display_name, U.c.email, U.c.analyst_id)
                           .join(UT, UT.c.user_id == U.c.user_id).where(UT.c.team_id == team_id)
                           .order_by(U.c.user_id)).first()
    return dict(row._mapping)


def team_member(url: str, team_id: int) -> int:
    """An active analyst of the team other than its demo lead (who works tickets in it too, but is
    never among the people of their own Coaching page, alerts and digest)."""
    A = schema.analysts
    lead = lead_of_team(url, team_id)["analyst_id"]
    with get_engine(url).connect() as conn:
        return conn.execute(sa.select(A.c.analyst_id).where(A.c.team_id == team_id, A.c.active.is_(True),
                                                            A.c.analyst_id != lead)
                            .order_by(A.c.analyst_id)).first()[0]
