"""Importing the requester's address and the ticket title the survey email needs."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data_access import schema
from data_access.engine import get_engine
from tests.importer.helpers import SAMPLES, do_import, ready

GENERIC = ("ticket_id,ticket_type,channel,service,priority,opened_at,resolved_at,analyst,team,sla_met,"
           "requester,requester_email,short_description\n"
           "INC1,incident,email,Printing,3,2026-10-01 08:00,2026-10-01 09:00,Ann Lee,Desk,true,"
           "Pat Doe,pat.doe@example.com,Printer on floor 2 jams\n"
           "INC2,incident,phone,Printing,3,2026-10-01 08:00,2026-10-01 09:00,Ann Lee,Desk,true,Bo,,\n")
SERVICENOW = ("number,contact_type,business_service,priority,opened_at,resolved_at,resolved_by,assignment_group,"
              "made_sla,caller_id,caller_id.email,short_description,state\n"
              "INC0000009,Phone,Printing,3 - Moderate,2026-10-01 08:00:00,2026-10-01 09:00:00,Ann Lee,Desk,true,"
              "Pat Doe,pat.doe@example.com,\"Printer jams, again\",Closed\n")


def _tickets(url: str) -> list[tuple]:
    T = schema.tickets
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(T.c.ticket_id, T.c.requester_email, T.c.short_description)
                                               .order_by(T.c.ticket_id))]


def test_generic_template_carries_requester_email_and_short_description(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    path = tmp_path / "tickets.csv"
    path.write_text(GENERIC)
    result = do_import(empty_sqlite_url, "tickets", path, preset="generic")
    assert result.rejected == 0
    assert _tickets(empty_sqlite_url) == [("INC1", "pat.doe@example.com", "Printer on floor 2 jams"),
                                          ("INC2", None, None)]


def test_servicenow_caller_email_is_mapped(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    path = tmp_path / "incidents.csv"
    path.write_text(SERVICENOW)
    result = do_import(empty_sqlite_url, "tickets", path, preset="servicenow")
    assert result.rejected == 0
    assert _tickets(empty_sqlite_url) == [("INC0000009", "pat.doe@example.com", "Printer jams, again")]


@pytest.mark.parametrize(("preset", "sample", "sep", "header", "expected"), [
    ("jira", "jira_sm_issues.csv", ",", "Reporter email",
     [("ITSD-101", "hugo.martin@example.com", "Access to finance share"),
      ("ITSD-102", "ana.costa@example.com", "Teams calls drop"), ("ITSD-103", None, "Install Visio")]),
    ("zendesk", "zendesk_tickets.csv", ",", "Requester email",
     [("5001", "rita.sousa@example.com", None), ("5002", "mark.olsen@example.com", None), ("5003", None, None)]),
    ("freshservice", "freshservice_tickets.csv", ";", "Requester Email",
     [("INC-881", "paul.kim@example.com", "Wi-Fi slow in room 4"), ("INC-882", "nina.roth@example.com", "ERP export fails"),
      ("SR-880", None, "Monitor request")]),
])
def test_every_preset_maps_the_requester_email(empty_sqlite_url, tmp_path, preset, sample, sep, header, expected):
    """The preset's own sample export with the tool's requester-email column added (the last
    ticket of each has none: an empty cell imports as no address)."""
    ready(empty_sqlite_url)
    lines = (SAMPLES / sample).read_text(encoding="utf-8").splitlines()
    addresses = {ticket: email for ticket, email, _ in expected}
    rows = [lines[0] + sep + header]
    for line in lines[1:]:
        ticket = line.split(sep, 1)[0]
        rows.append(line + sep + (addresses[ticket] or ""))
    path = tmp_path / sample
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = do_import(empty_sqlite_url, "tickets", path, preset=preset)
    assert result.rejected == 0
    assert _tickets(empty_sqlite_url) == expected
