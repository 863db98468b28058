"""Each preset's hand-made sample export lands exactly as expected, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data_access import schema
from data_access.engine import get_engine
from tests.importer.helpers import SAMPLES, count, do_import, landed_responses, landed_tickets, ready

D = dt.datetime

EXPECTED = {
    "servicenow": dict(
        tickets="servicenow_incidents.csv", responses="servicenow_survey.csv",
        landed_tickets=[
            ("INC0010231", "incident", "phone", "Email & Calendar", 3, D(2026, 10, 5, 8, 12, 44),
             D(2026, 10, 5, 9, 2, 10), "Ann Lee", "Service Desk North", 0, False, True, False, 49.433,
             "Maria Lopez"),
            ("INC0010232", "incident", "portal", "VPN & Remote Access", 2, D(2026, 10, 5, 9, 30),
             D(2026, 10, 7, 16, 45), "Omar Said", "Network & Telecom", 2, True, False, False, 3325.0, "Tom Berg"),
            ("INC0010240", "incident", "walk_in", "Printing", 4, D(2026, 10, 8, 14, 0), D(2026, 10, 8, 14, 35),
             "Carl Young", "Service Desk North", 1, False, True, False, 35.0, "Joe Park"),
            ("RITM0004410", "request", "email", "Hardware Orders", 4, D(2026, 10, 6, 10, 0),
             D(2026, 10, 9, 12, 0), "Ann Lee", "Workplace Services", 0, False, True, False, 4440.0,
             "Lena Fischer"),
        ],
        landed_responses=[
            ("INC0010231", 10, 5, 5, 5, 4, 0.0, "Quick and friendly, thanks!", D(2026, 10, 5, 12, 0),
             ("first_time", "speed")),
            ("INC0010232", 3, 2, None, 2, 1, 240.0,
             '=HYPERLINK("http://example.invalid","click") still flaky', D(2026, 10, 8, 9, 15),
             ("not_informed", "slow")),
            ("RITM0004410", 8, None, None, None, None, None, None, D(2026, 10, 10, 8, 0), ()),
        ],
        response_rejects=[]),
    "jira": dict(
        tickets="jira_sm_issues.csv", responses="jira_sm_issues.csv",
        landed_tickets=[
            ("ITSD-101", "request", "portal", "Access Requests", 3, D(2026, 10, 5, 9, 10), D(2026, 10, 5, 11, 40),
             "Priya Patel", "Identity & Access", 0, False, True, False, None, "Hugo Martin"),
            ("ITSD-102", "incident", "email", "Microsoft Teams", 2, D(2026, 10, 6, 13, 5), D(2026, 10, 8, 16, 30),
             "Kofi Mensah", "Service Desk South", 3, False, False, False, None, "Ana Costa"),
            ("ITSD-103", "request", "portal", "Software Install", 4, D(2026, 10, 7, 8, 0), D(2026, 10, 7, 8, 45),
             "Priya Patel", "Identity & Access", 0, False, True, False, None, "Ben Ito"),
        ],
        landed_responses=[
            ("ITSD-101", 10, None, None, None, None, None, "Super fast", D(2026, 10, 6, 8, 0), ()),
            ("ITSD-102", 3, None, None, None, None, None, "Had to explain it three times, to three people",
             D(2026, 10, 9, 10, 15), ()),
        ],
        response_rejects=[], skipped={"survey not answered": 1}),
    "zendesk": dict(
        tickets="zendesk_tickets.csv", responses="zendesk_satisfaction.csv",
        landed_tickets=[
            ("5001", "incident", "phone", "Password & Login", 2, D(2026, 10, 5, 7, 0), D(2026, 10, 5, 8, 30),
             "Ann Lee", "Service Desk North", 0, False, True, False, 90.0, "Rita Sousa"),
            ("5002", "request", "portal", "CRM", 3, D(2026, 10, 5, 10, 0), D(2026, 10, 6, 10, 0),
             "Sven Larsen", "Business Applications", 1, False, False, False, 1440.0, "Mark Olsen"),
            ("5003", "request", "chat", "HR Portal", 4, D(2026, 10, 6, 10, 0), D(2026, 10, 6, 13, 30),
             "Sven Larsen", "Business Applications", 0, True, True, False, 210.0, None),
        ],
        landed_responses=[
            ("5001", 10, None, None, None, None, None, "Lovely help", D(2026, 10, 5, 12, 0), ()),
            ("5002", 0, None, None, None, None, None, "A whole day for a CRM question", D(2026, 10, 7, 9, 0),
             ("slow",)),
        ],
        response_rejects=[], skipped={"survey not answered": 1}),  # 'Offered' = never answered
    "freshservice": dict(
        tickets="freshservice_tickets.csv", responses="freshservice_csat.csv",
        landed_tickets=[
            ("INC-881", "incident", "walk_in", "Wi-Fi & Network", 1, D(2026, 10, 5, 13, 0), D(2026, 10, 5, 13, 20),
             "Dmitri Novak", "Network & Telecom", 0, False, True, True, 15.0, "Paul Kim"),
            ("INC-882", "incident", "email", "ERP Finance", 2, D(2026, 10, 6, 8, 0), D(2026, 10, 8, 17, 0),
             "Dmitri Novak", "Business Applications", 2, True, False, False, 180.0, "Nina Roth"),
            ("SR-880", "request", "portal", "Hardware Orders", 4, D(2026, 10, 5, 9, 0), D(2026, 10, 6, 9, 0),
             "Elif Yilmaz", "Workplace Services", 0, False, True, False, 30.0, "Nina Roth"),
        ],
        landed_responses=[
            ("INC-881", 10, 5, None, 5, None, None, "Brilliant", D(2026, 10, 5, 16, 0), ()),
            ("INC-882", 0, 1, None, 2, None, None, "-2 stars if I could", D(2026, 10, 9, 9, 0), ()),
            ("SR-880", 8, 4, None, 5, None, None, "Fine, arrived next day", D(2026, 10, 6, 15, 0), ()),
        ],
        response_rejects=[]),
    "generic": dict(
        tickets="generic_tickets.csv", responses="generic_responses.csv",
        landed_tickets=[
            ("T-1", "incident", "phone", "Email & Calendar", 3, D(2026, 10, 5, 8, 0), D(2026, 10, 5, 9, 0),
             "Ann Lee", "Service Desk North", 0, False, True, True, 15.0, "Maria Lopez"),
            ("T-2", "request", "portal", "Software Install", 4, D(2026, 10, 5, 10, 0), D(2026, 10, 6, 10, 0),
             "Omar Said", "Network & Telecom", 1, False, False, False, 42.5, "Tom Berg"),
            ("T-3", "incident", "chat", "Password & Login", 2, D(2026, 10, 6, 11, 0), D(2026, 10, 6, 11, 10),
             "Ann Lee", "Service Desk North", 0, True, True, False, None, None),
        ],
        landed_responses=[
            ("T-1", 9, 5, 5, 4, 4, 0.0, "Great", D(2026, 10, 5, 12, 0), ("attitude", "speed")),
            ("T-2", 6, 3, None, 2, 2, 45.0, "Took a day, and I had to chase", D(2026, 10, 7, 8, 0), ("slow",)),
        ],
        response_rejects=[]),
}


@pytest.mark.parametrize("preset", sorted(EXPECTED))
def test_sample_export_lands_exactly(empty_url, preset):
    ready(empty_url)
    spec = EXPECTED[preset]
    tickets = do_import(empty_url, "tickets", SAMPLES / spec["tickets"])
    assert tickets.preset == preset  # detected from the header alone
    assert (tickets.rejected, tickets.inserted) == (0, len(spec["landed_tickets"]))
    assert landed_tickets(empty_url) == spec["landed_tickets"]

    answers = do_import(empty_url, "responses", SAMPLES / spec["responses"])
    assert answers.preset == preset
    assert answers.inserted == len(spec["landed_responses"])
    assert [tuple(r) for r in answers.rejects.select("line", "column", "reason").iter_rows()] == \
        spec["response_rejects"]
    assert landed_responses(empty_url) == spec["landed_responses"]
    assert answers.balanced and tickets.balanced
    assert answers.skipped_by == spec.get("skipped", {})

    # Every answer at or below the recovery threshold (6) has exactly one recovery item.
    unhappy = {r[0] for r in spec["landed_responses"] if r[1] <= 6}
    t, ri = schema.tickets, schema.recovery_items
    with get_engine(empty_url).connect() as conn:
        followed = set(conn.execute(sa.select(t.c.ticket_id).select_from(
            ri.join(t, t.c.ticket_key == ri.c.ticket_key))).scalars())
        origin = conn.execute(sa.select(schema.settings.c.value)
                              .where(schema.settings.c.key == "data_origin")).scalar_one()
        a = schema.analysts
        routed = conn.execute(sa.select(ri.c.team_id, a.c.team_id).select_from(
            ri.join(a, a.c.analyst_id == ri.c.analyst_id))).all()
    assert followed == unhappy
    # Each item goes to the lead of the analyst's home team, never by the ticket's team.
    assert routed and all(item_team == home_team for item_team, home_team in routed)
    assert origin == "imported"


def test_servicenow_report_lists_created_names_matched_case_insensitively(empty_sqlite_url):
    ready(empty_sqlite_url)
    result = do_import(empty_sqlite_url, "tickets", SAMPLES / "servicenow_incidents.csv")
    # "ann lee " and "Service Desk  North" matched the first spelling instead of creating new rows.
    assert result.created == {"teams": ["Service Desk North", "Network & Telecom", "Workplace Services"],
                              "services": ["Email & Calendar", "VPN & Remote Access", "Hardware Orders",
                                           "Printing"],
                              "analysts": ["Ann Lee", "Omar Said", "Carl Young"]}
    assert count(empty_sqlite_url, schema.analysts) == 3
    assert count(empty_sqlite_url, schema.teams) == 3


def test_bad_rows_sample_is_quarantined_with_reasons(empty_url):
    ready(empty_url)
    result = do_import(empty_url, "tickets", SAMPLES / "generic_tickets_bad_rows.csv")
    got = [tuple(r) for r in result.rejects.select("line", "column", "reason").iter_rows()]
    assert got == [
        (3, "resolved_at", "resolved_at before opened_at"),
        (5, "opened_at", "unknown date format '31/31/2024'"),
        (6, "priority", "priority 9 is outside 1–4"),
        (7, "ticket_id", "duplicate ticket in file (B-1)"),
        (8, "sla_met", "sla_met 'maybe' is not yes/no or true/false"),
        (9, "handle_minutes", "handle_minutes -5 is negative"),
    ]
    assert (result.rows_read, result.inserted, result.rejected) == (9, 3, 6)
    assert result.others == {("channel", "fax"): 1}  # landed as 'other', with a warning line
    assert result.warnings()[0].startswith("fax → other: 1 rows; map it with --value \"channel:fax=…\"")
    # The formula-looking requester is stored verbatim, as text.
    assert ("B-8",) and landed_tickets(empty_url)[-1][-1] == "=SUM(A1:A9)"
    ir = schema.import_rejects
    with get_engine(empty_url).connect() as conn:
        stored = conn.execute(sa.select(ir.c.line_no, ir.c.reason, ir.c.raw_row).order_by(ir.c.line_no)).all()
        run = conn.execute(sa.select(schema.import_runs)).one()
    assert [(r[0], r[1]) for r in stored] == [(g[0], g[2]) for g in got]
    assert '"ticket_id":"B-2"' in stored[0][2]  # the original row is kept to fix and re-import
    assert (run.rows_read, run.inserted, run.updated, run.unchanged, run.rejected) == (9, 3, 0, 0, 6)
    assert run.finished_at is not None

    answers = do_import(empty_url, "responses", SAMPLES / "generic_responses_bad_rows.csv")
    got = [tuple(r) for r in answers.rejects.select("line", "column", "reason").iter_rows()]
    assert got == [
        (2, "happiness", "happiness 11 is outside 0–10"),
        (3, "communication", "communication 6 is outside 1–5"),
        (4, "ticket_id", "response for unknown ticket INC0012345"),
        (5, "factors", "unknown factor 'teleportation'"),
    ]
    assert answers.skipped_by == {"survey not answered": 1}  # line 6 has no score: skipped, not rejected
    assert answers.inserted == 1
