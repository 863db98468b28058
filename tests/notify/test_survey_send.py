"""`surveys send` against a real SMTP server (aiosmtpd): once per invitation, cool-down, age,
failures retried, the email itself, dry runs."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
import sqlalchemy as sa

from data_access import schema
from cli import main
from data_access.engine import get_engine
from data_access.surveys import tokens
from tests.notify.conftest import free_port
from tests.surveys.helpers import NOW, SECRET, new_ticket

SI = schema.survey_invitations


@pytest.fixture
def survey_db(notify_db, smtp_env, monkeypatch):
    """The notify demo copy with every demo requester address removed: only the tickets a test
    adds can be invited."""
    monkeypatch.setenv("SERVICE_PULSE_SURVEY_SECRET", SECRET)
    with get_engine(notify_db).begin() as conn:
        conn.execute(schema.tickets.update().values(requester_email=None))
    return notify_db


def send(url: str, *extra: str) -> int:
    return main(["surveys", "send", "--url", url, *extra])


def invitations(url: str) -> list[dict]:
    with get_engine(url).connect() as conn:
        rows = conn.execute(sa.select(SI.c.ticket_key, SI.c.requester_email, SI.c.state, SI.c.sent_at,
                                      SI.c.attempts, SI.c.expires_at)
                            .join(schema.tickets, schema.tickets.c.ticket_key == SI.c.ticket_key)
                            .where(schema.tickets.c.ticket_id.like("INC7%"))  # the tickets tests add
                            .order_by(SI.c.ticket_key)).all()
    return [dict(r._mapping) for r in rows]


def test_two_runs_send_each_invitation_once(survey_db, smtp_env):
    a = new_ticket(survey_db, email="Ann.Lee@Example.com")
    b = new_ticket(survey_db, email="bo.chen@example.com")
    assert send(survey_db) == 0
    assert send(survey_db) == 0
    got = smtp_env.messages()
    assert sorted(r[0] for r, _ in got) == ["ann.lee@example.com", "bo.chen@example.com"]
    rows = invitations(survey_db)
    assert [(r["ticket_key"], r["state"], r["attempts"]) for r in rows] == [(a, "sent", 1), (b, "sent", 1)]
    assert all(r["sent_at"] == NOW and r["expires_at"] == NOW + dt.timedelta(days=14) for r in rows)


def test_cool_down_one_survey_per_requester_per_seven_days(survey_db, smtp_env, monkeypatch):
    first = new_ticket(survey_db, email="sam@example.com", resolved_at=NOW - dt.timedelta(hours=5))
    second = new_ticket(survey_db, email="SAM@example.com", resolved_at=NOW - dt.timedelta(hours=2))
    assert send(survey_db) == 0
    # Same run: only the newest ticket of the requester is invited.
    assert [r["ticket_key"] for r in invitations(survey_db)] == [second]
    assert len(smtp_env.messages()) == 1
    # Six days later a new ticket is still inside the cool-down; eight days later it is not.
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-26")
    third = new_ticket(survey_db, email="sam@example.com", resolved_at=dt.datetime(2026, 11, 26, 9))
    assert send(survey_db) == 0
    assert len(smtp_env.messages()) == 1
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-28")
    assert send(survey_db) == 0
    assert len(smtp_env.messages()) == 2
    with get_engine(survey_db).connect() as conn:
        invited = set(conn.execute(sa.select(SI.c.ticket_key).where(SI.c.requester_email == "sam@example.com")).scalars())
    assert invited == {second, third} and first not in invited


def test_age_limit_and_answered_unsubscribed_or_bad_addresses_are_skipped(survey_db, smtp_env, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_SURVEY_MAX_AGE_DAYS", "3")
    new_ticket(survey_db, email="old@example.com", resolved_at=NOW - dt.timedelta(days=3, hours=1))
    young = new_ticket(survey_db, email="young@example.com", resolved_at=NOW - dt.timedelta(days=2, hours=23))
    answered = new_ticket(survey_db, email="answered@example.com")
    new_ticket(survey_db, email="gone@example.com")
    new_ticket(survey_db, email="bad address@example.com")
    new_ticket(survey_db, email="evil@example.com\r\nBcc: all@example.com")
    new_ticket(survey_db, email="later@example.com", resolved_at=NOW + dt.timedelta(hours=1))
    with get_engine(survey_db).begin() as conn:
        conn.execute(schema.responses.insert().values(ticket_key=answered, happiness=9, submitted_at=NOW))
        conn.execute(schema.survey_unsubscribes.insert().values(email="gone@example.com", unsubscribed_at=NOW))
    assert send(survey_db) == 0
    assert [r for r, _ in smtp_env.messages()] == [["young@example.com"]]
    assert [r["ticket_key"] for r in invitations(survey_db)] == [young]


def test_smtp_failure_marks_nothing_sent_and_the_next_run_retries(survey_db, smtp_env, monkeypatch, capsys):
    a = new_ticket(survey_db, email="a@example.com")
    b = new_ticket(survey_db, email="b@example.com")
    good_port = os.environ["SERVICE_PULSE_SMTP_PORT"]
    monkeypatch.setenv("SERVICE_PULSE_SMTP_PORT", str(free_port()))  # nobody listens there
    assert send(survey_db) == 4
    assert "Cannot reach the SMTP server" in capsys.readouterr().err
    rows = invitations(survey_db)
    assert [(r["ticket_key"], r["state"], r["sent_at"]) for r in rows] == [(a, "pending", None), (b, "pending", None)]
    assert smtp_env.messages() == []
    monkeypatch.setenv("SERVICE_PULSE_SMTP_PORT", good_port)
    assert send(survey_db) == 0
    assert [r["state"] for r in invitations(survey_db)] == ["sent", "sent"]
    assert len(smtp_env.messages()) == 2
    assert send(survey_db) == 0 and len(smtp_env.messages()) == 2


def test_the_email_has_eleven_signed_links_escaped_text_and_safe_headers(survey_db, smtp_env):
    key = new_ticket(survey_db, email="pat@example.com", description="Printer <b>jammed</b> & \"smoking\"\r\nBcc: x@y.z")
    with get_engine(survey_db).begin() as conn:
        conn.execute(schema.tickets.update().where(schema.tickets.c.ticket_key == key)
                     .values(requester="Pat\r\nBcc: evil@example.com"))
    assert send(survey_db) == 0
    [(rcpt, msg)] = smtp_env.messages()
    assert rcpt == ["pat@example.com"]
    assert msg["Bcc"] is None and "\n" not in str(msg["To"]) and "pat@example.com" in str(msg["To"])
    assert str(msg["Subject"]).startswith("Your ticket INC7")
    html = msg.get_body(("html",)).get_content()
    text = msg.get_body(("plain",)).get_content()
    assert "How happy are you with how your ticket was handled?" in html and "handled?" in text
    assert "Printer &lt;b&gt;jammed&lt;/b&gt; &amp; &quot;smoking&quot;" in html and "<b>jammed" not in html
    score_links = re.findall(r'href="https://pulse\.example\.com/\?token=([^"]+)"', html)
    assert len(score_links) == 11
    with get_engine(survey_db).connect() as conn:
        inv = conn.execute(sa.select(SI.c.invitation_id).where(SI.c.ticket_key == key)).scalar_one()
    claims = [tokens.read_score_token(SECRET, t, now=NOW) for t in score_links]
    assert [(c.invitation_id, c.score) for c in claims] == [(inv, s) for s in range(11)]
    assert "The links work until 4 Dec 2026." in text and "links work until 4 Dec 2026." in " ".join(html.split())
    assert 'name="viewport"' in html and "/?unsubscribe=" in html and "unsubscribe=" in text
    assert str(msg["List-Unsubscribe"]).startswith("<https://pulse.example.com/?unsubscribe=")


def test_dry_run_writes_eml_files_and_records_nothing(survey_db, smtp_env, tmp_path):
    new_ticket(survey_db, email="dry@example.com")
    assert send(survey_db, "--dry-run", str(tmp_path / "out")) == 0
    files = sorted((tmp_path / "out").glob("*.eml"))
    assert len(files) == 1 and b"How happy are you" in files[0].read_bytes()
    assert invitations(survey_db) == [] and smtp_env.messages() == []


def test_a_missing_or_short_secret_is_refused(survey_db, monkeypatch, capsys):
    new_ticket(survey_db, email="x@example.com")
    monkeypatch.setenv("SERVICE_PULSE_SURVEY_SECRET", "short")
    with get_engine(survey_db).begin() as conn:  # not the demo: no generated secret either
        conn.execute(schema.settings.update().where(schema.settings.c.key == "data_origin").values(value="imported"))
    assert send(survey_db) == 2
    assert "shorter than 32 bytes" in capsys.readouterr().err
    monkeypatch.delenv("SERVICE_PULSE_SURVEY_SECRET")
    assert send(survey_db) == 2
    assert "No survey secret" in capsys.readouterr().err
    assert invitations(survey_db) == []


def test_dry_run_on_the_demo_writes_real_eml_files(notify_db, smtp_env, monkeypatch, tmp_path):
    """The demo leaves its last day's unanswered tickets uninvited: a first dry run has work."""
    monkeypatch.setenv("SERVICE_PULSE_DATA_DIR", str(tmp_path / "data"))  # demo: generated secret
    monkeypatch.delenv("SERVICE_PULSE_SURVEY_SECRET", raising=False)
    with get_engine(notify_db).connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(SI)).scalar_one()
        answered = conn.execute(sa.select(sa.func.count()).select_from(SI).where(SI.c.state == "answered")).scalar_one()
    assert before > 0 and 0.1 < answered / before < 0.5  # realistic non-response
    assert send(notify_db, "--dry-run", str(tmp_path / "out")) == 0
    files = sorted((tmp_path / "out").glob("*.eml"))
    assert files, "the demo should leave something to invite"
    import email
    from email import policy

    msg = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert msg["To"].addresses[0].domain == "example.com"
    assert len(re.findall(r"/\?token=", msg.get_body(("html",)).get_content())) == 11
    with get_engine(notify_db).connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(SI)).scalar_one() == before
    assert smtp_env.messages() == []


def test_apostrophes_are_fine_and_non_ascii_addresses_are_skipped(survey_db, smtp_env):
    new_ticket(survey_db, email="Sean.O'Brien@Example.com")
    new_ticket(survey_db, email="zoë@example.com")
    new_ticket(survey_db, email="x@localhost")
    assert send(survey_db) == 0
    assert [r for r, _ in smtp_env.messages()] == [["sean.o'brien@example.com"]]


class _Refusing:
    """An SMTP server that refuses one address (550) and accepts the rest."""

    def __init__(self, inbox, refused: str):
        self.inbox, self.refused = inbox, refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return await self.inbox.handle_DATA(server, session, envelope)


def test_a_refused_email_stays_unsent_and_is_retried_while_the_others_go(survey_db, smtp_env, monkeypatch, capsys):
    from aiosmtpd.controller import Controller

    from tests.notify.conftest import Inbox

    refused = new_ticket(survey_db, email="full@example.com", resolved_at=NOW - dt.timedelta(hours=4))
    fine = new_ticket(survey_db, email="fine@example.com", resolved_at=NOW - dt.timedelta(hours=3))
    inbox, port, usual_port = Inbox(), free_port(), os.environ["SERVICE_PULSE_SMTP_PORT"]
    strict = Controller(_Refusing(inbox, "full@example.com"), hostname="127.0.0.1", port=port)
    strict.start()
    try:
        monkeypatch.setenv("SERVICE_PULSE_SMTP_PORT", str(port))
        assert send(survey_db) == 4
        assert "full@example.com" in capsys.readouterr().err
        rows = invitations(survey_db)
        assert [(r["ticket_key"], r["state"], r["sent_at"], r["attempts"]) for r in rows] == [
            (refused, "pending", None, 1), (fine, "sent", NOW, 1)]
        assert [r for r, _ in inbox.messages()] == [["fine@example.com"]]
        with get_engine(survey_db).connect() as conn:
            error = conn.execute(sa.select(SI.c.last_error).where(SI.c.ticket_key == refused)).scalar_one()
        assert error.startswith("The SMTP server refused every recipient")
        assert send(survey_db) == 4  # retried (and refused again), the sent one is not sent twice
        assert [r for r, _ in inbox.messages()] == [["fine@example.com"]]
        assert [(r["state"], r["attempts"]) for r in invitations(survey_db)] == [("pending", 2), ("sent", 1)]
    finally:
        strict.stop()
    monkeypatch.setenv("SERVICE_PULSE_SMTP_PORT", usual_port)
    assert send(survey_db) == 0  # the mailbox works again on the usual server
    assert [r for r, _ in smtp_env.messages()] == [["full@example.com"]]
    assert [(r["state"], r["attempts"]) for r in invitations(survey_db)] == [("sent", 3), ("sent", 1)]


def test_two_overlapping_runs_send_each_invitation_once(survey_db, smtp_env):
    """Cron starts a run while the last one is still sending: every requester gets one email."""
    import threading

    keys = [new_ticket(survey_db, email=f"overlap{n}@example.com") for n in range(8)]
    start, codes = threading.Barrier(2), []

    def run() -> None:
        start.wait()
        codes.append(send(survey_db))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [0, 0]
    assert sorted(r[0] for r, _ in smtp_env.messages()) == [f"overlap{n}@example.com" for n in range(8)]
    assert [(r["ticket_key"], r["state"], r["attempts"]) for r in invitations(survey_db)] == [
        (k, "sent", 1) for k in keys]
