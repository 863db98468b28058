"""`surveys send` against a real SMTP server (aiosmtpd) on PostgreSQL and embedded DuckDB (SQLite
is covered by tests/notify/test_survey_send.py): two runs send each invitation once, the
cool-down and the age limit hold, and an SMTP failure leaves nothing marked sent."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import sqlalchemy as sa

from cli import main
from data_access import demo, schema
from data_access.engine import get_engine
from tests.notify.conftest import free_port
from tests.surveys.helpers import NOW, SECRET, new_ticket

SI = schema.survey_invitations


@pytest.fixture(params=["postgres", "duckdb"])
def send_url(request, tmp_path, smtp_env, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_SURVEY_SECRET", SECRET)
    if request.param == "postgres":
        url = request.getfixturevalue("notify_pg_db")
    else:
        url = f"duckdb:///{tmp_path / 'send.duckdb'}"
        demo.generate(get_engine(url), responses=1500, seed=7, end=NOW.date())
    with get_engine(url).begin() as conn:  # only the tickets the test adds can be invited
        conn.execute(schema.tickets.update().values(requester_email=None))
    get_engine(url).dispose()  # the command line opens the warehouse itself
    return url


def _send(url: str) -> int:
    code = main(["surveys", "send", "--url", url])
    get_engine(url).dispose()
    return code


def _rows(url: str) -> list[tuple]:
    with get_engine(url).connect() as conn:
        rows = conn.execute(sa.select(SI.c.ticket_key, SI.c.requester_email, SI.c.state, SI.c.sent_at, SI.c.attempts)
                            .order_by(SI.c.ticket_key)).all()
    get_engine(url).dispose()
    return [tuple(r) for r in rows]


def _recipients(inbox) -> list[str]:
    return [r for rcpt, _ in inbox.messages() for r in rcpt]


def test_send_twice_cool_down_age_and_smtp_failure(send_url, smtp_env, monkeypatch):
    url = send_url
    before = _rows(url)  # the demo's own invitations, which stay as they are
    older = new_ticket(url, email="ann@example.com", resolved_at=NOW - dt.timedelta(hours=6))
    ann = new_ticket(url, email=" Ann@Example.com ", resolved_at=NOW - dt.timedelta(hours=2))
    bo = new_ticket(url, email="bo@example.com", resolved_at=NOW - dt.timedelta(days=13, hours=23))
    new_ticket(url, email="old@example.com", resolved_at=NOW - dt.timedelta(days=14, hours=1))
    get_engine(url).dispose()

    assert _send(url) == 0
    assert _send(url) == 0  # the second run finds nothing new and sends nothing again
    assert sorted(_recipients(smtp_env)) == ["ann@example.com", "bo@example.com"]
    new = [r for r in _rows(url) if r not in before]
    assert new == [(ann, "ann@example.com", "sent", NOW, 1), (bo, "bo@example.com", "sent", NOW, 1)]
    assert older not in [r[0] for r in new]  # one survey per requester per run: the newest ticket

    # Six days later Ann is still inside the cool-down; eight days later she is not.
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-26")
    again = new_ticket(url, email="ann@example.com", resolved_at=dt.datetime(2026, 11, 26, 9))
    assert _send(url) == 0 and len(smtp_env.messages()) == 2
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-28")
    good_port = os.environ["SERVICE_PULSE_SMTP_PORT"]
    monkeypatch.setenv("SERVICE_PULSE_SMTP_PORT", str(free_port()))  # nobody listens there
    assert _send(url) == 4
    [row] = [r for r in _rows(url) if r[0] == again]
    assert row == (again, "ann@example.com", "pending", None, 1)  # tried once, not marked sent
    assert len(smtp_env.messages()) == 2
    monkeypatch.setenv("SERVICE_PULSE_SMTP_PORT", good_port)
    assert _send(url) == 0 and _send(url) == 0
    [row] = [r for r in _rows(url) if r[0] == again]
    assert row == (again, "ann@example.com", "sent", dt.datetime(2026, 11, 28, 12), 2)
    assert _recipients(smtp_env).count("ann@example.com") == 2 and len(smtp_env.messages()) == 3
