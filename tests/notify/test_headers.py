"""Email headers stay headers: CR/LF and other control characters in team, analyst, service and
user names cannot add a header or a recipient, and one email that cannot be built never stops
the others (it is logged and counted in the exit summary). Through the CLI and a real SMTP server."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data_access import schema
from cli import main
from data_access.engine import get_engine
from notify.outbox import address, compose, header_text
from tests.notify.conftest import add_response, lead_of_team

INJECTED = "\r\nBcc: x@evil.example"
EVIL = "x@evil.example"


def _rename_team(url: str, team_id: int, name: str) -> None:
    with get_engine(url).begin() as conn:
        conn.execute(schema.teams.update().where(schema.teams.c.team_id == team_id).values(name=name))


def _all_recipients(inbox) -> list[str]:
    return [r for e in inbox.envelopes for r in e.rcpt_tos]


def _raw_headers(inbox) -> list[str]:
    return [(e.original_content or e.content).split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
            for e in inbox.envelopes]


@pytest.mark.parametrize("value, expected", [
    ("Service Desk North" + INJECTED, "Service Desk North Bcc: x@evil.example"),
    ("a\x00b\tc\u2028d\x85e", "a b c d e"),
    ("  plain  words ", "plain words"),
])
def test_header_text_folds_control_characters(value, expected):
    assert header_text(value) == expected


def test_address_refuses_line_breaks_and_non_addresses():
    assert str(address("Service Pulse <pulse@example.com>")) == "Service Pulse <pulse@example.com>"
    for bad in ["lead@example.com" + INJECTED, "not an address", "", "a@b\nc"]:
        with pytest.raises(ValueError):
            address(bad)


def test_compose_keeps_an_injected_bcc_inside_the_subject():
    msg = compose(sender="Service Pulse <pulse@example.com>", to=["lead@example.com"],
                  subject="Digest — Team" + INJECTED, text="t", html="<p>t</p>")
    raw = bytes(msg).decode()
    header_block = raw.split("\n\n", 1)[0]
    assert msg["Bcc"] is None
    assert "\nBcc:" not in header_block
    assert msg["Subject"] == "Digest — Team Bcc: x@evil.example"


def test_weekly_digest_with_a_crlf_team_name_reaches_every_lead_and_nobody_else(notify_db, smtp_env):
    url = notify_db
    _rename_team(url, 1, "Service Desk North" + INJECTED)
    lead = lead_of_team(url, 1)
    with get_engine(url).connect() as conn:
        expected = sorted(conn.execute(sa.text(
            "SELECT u.email FROM app_users u JOIN user_roles ro ON ro.user_id = u.user_id AND ro.role = 'lead' "
            "WHERE u.receive_digest AND u.active")).scalars())

    assert main(["digest", "weekly", "--url", url, "--week-ending", "2026-11-20"]) == 0

    assert sorted(_all_recipients(smtp_env)) == expected
    assert EVIL not in _all_recipients(smtp_env)
    assert not [h for h in _raw_headers(smtp_env) if "\r\nBcc:" in h or h.startswith("Bcc:")]
    [msg] = [m for rcpt, m in smtp_env.messages() if rcpt == [lead["email"]]]
    # The name is kept on one line, as typed (its address is left unlinked by invisible joiners).
    assert msg["Subject"].replace("\u2060", "") == ("Service Pulse weekly digest — Service Desk North Bcc: "
                                                    "x@evil.example, 14 Nov 2026 – 20 Nov 2026")


def test_one_digest_that_cannot_be_built_does_not_stop_the_others(notify_db, smtp_env, capsys):
    url = notify_db
    broken, fine = lead_of_team(url, 1), lead_of_team(url, 2)
    with get_engine(url).begin() as conn:
        conn.execute(schema.app_users.update().where(schema.app_users.c.user_id == broken["user_id"])
                     .values(email=broken["email"] + INJECTED))

    assert main(["digest", "weekly", "--url", url, "--week-ending", "2026-11-20"]) == 4

    received = _all_recipients(smtp_env)
    assert fine["email"] in received
    assert broken["email"] not in received and EVIL not in received
    out = capsys.readouterr()
    assert "not sent 1." in out.out
    assert f"could not build the weekly digest for {broken['username']}: not an email address" in out.err


def test_monthly_digest_with_crlf_names_is_sent(notify_db, smtp_env):
    url = notify_db
    _rename_team(url, 2, "Team Two" + INJECTED)
    with get_engine(url).begin() as conn:
        conn.execute(schema.services.update().values(name=schema.services.c.name + INJECTED))
    assert main(["digest", "monthly", "--url", url, "--month", "2026-10"]) == 0
    assert _all_recipients(smtp_env) and EVIL not in _all_recipients(smtp_env)
    assert not [h for h in _raw_headers(smtp_env) if "\r\nBcc:" in h]


def test_alert_with_crlf_analyst_team_and_ticket_reaches_only_the_lead(notify_db, smtp_env):
    url = notify_db
    lead = lead_of_team(url, 1)
    with get_engine(url).begin() as conn:
        analyst = conn.execute(sa.select(schema.analysts.c.analyst_id)
                               .where(schema.analysts.c.team_id == 1, schema.analysts.c.active.is_(True),
                                      schema.analysts.c.analyst_id != lead["analyst_id"])  # the lead is one too
                               .order_by(schema.analysts.c.analyst_id)).first()[0]
        conn.execute(schema.analysts.update().where(schema.analysts.c.analyst_id == analyst)
                     .values(name="Eve" + INJECTED))
    _rename_team(url, 1, "North" + INJECTED)
    key, ticket_id = add_response(url, analyst_id=analyst, happiness=1,
                                  submitted_at=dt.datetime(2026, 11, 20, 9, 30), comment="bad\r\nBcc: y")
    with get_engine(url).begin() as conn:
        conn.execute(schema.tickets.update().where(schema.tickets.c.ticket_key == key)
                     .values(ticket_id="T1" + INJECTED))

    assert main(["alerts", "send", "--url", url]) == 0

    received = smtp_env.messages()
    assert [rcpt for rcpt, _ in received] == [[lead["email"]]]
    msg = received[0][1]
    assert msg["Bcc"] is None
    assert msg["Subject"].replace("\u2060", "").startswith("Unhappy customer: ticket T1 Bcc: x@evil.example scored 1/10")
