"""Analyst names that arrive through an import are blanked out of the comments Culture trends
shows the CIO, however hostile the names are (brackets, links, apostrophes, accents)."""

from __future__ import annotations

import csv
import datetime as dt

import streamlit as st

from data_access.filters import Filters
from data_access.scope import Scope
from tests.hostile import HOSTILE_NAMES
from tests.importer.helpers import do_import, ready
from views.culture import culture_report
from views.drill import DrillTarget, drill_through

ANALYSTS = (HOSTILE_NAMES[0], "Zoë O'Hara-Björk", "Ann: [x](https://evil.example/colon)")
COMMENTS = ("Eve was great, eve's reset link too", "zoë and O’HARA-björk and Hara helped",
            "Ann: fixed it, thanks ANN!")
EXPECTED = ("[analyst] was great, [analyst]'s [analyst] link too", "[analyst] and [analyst] and [analyst] helped",
            "[analyst]: fixed it, thanks [analyst]!")


def _write(path, header, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def test_imported_hostile_names_are_redacted_in_the_drill(empty_sqlite_url, tmp_path, monkeypatch):
    url = empty_sqlite_url
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    ready(url)
    tickets, responses = tmp_path / "tickets.csv", tmp_path / "responses.csv"
    rows, answers = [], []
    for i in range(9):  # Monday 5 to Wednesday 7 October 2026: one week, three analysts, one cell
        day = dt.datetime(2026, 10, 5 + i // 3, 8 + i % 3)
        rows.append([f"H-{i}", "incident", "phone", "VPN", "3", f"{day:%Y-%m-%d %H:%M:%S}",
                     f"{day + dt.timedelta(hours=1):%Y-%m-%d %H:%M:%S}", ANALYSTS[i % 3], "Desk", "true", "R"])
        answers.append([f"H-{i}", str(3 + i % 3), COMMENTS[i % 3], f"{day + dt.timedelta(hours=2):%Y-%m-%d %H:%M:%S}"])
    _write(tickets, ["ticket_id", "ticket_type", "channel", "service", "priority", "opened_at", "resolved_at",
                     "analyst", "team", "sla_met", "requester"], rows)
    _write(responses, ["ticket_id", "happiness", "comment", "submitted_at"], answers)
    assert do_import(url, "tickets", tickets).created["analysts"]
    do_import(url, "responses", responses)
    st.cache_data.clear()

    report = culture_report(scope=Scope("cio"), filters=Filters(dt.date(2026, 10, 5), dt.date(2026, 10, 12)), url=url)
    service_id = int(report.hotspots["service_id"][0])
    result = drill_through(report, DrillTarget("cell", service_id=service_id, channel="phone"))
    assert (result.n, result.commented, result.withheld) == (9, 9, None)
    # Newest first: 7 Oct 10:00 (analyst 3), 09:00 (2), 08:00 (1), then 6 Oct …
    assert result.rows["comment"].to_list() == [EXPECTED[(8 - k) % 3] for k in range(9)]
