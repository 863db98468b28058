"""A generic helpdesk export as a real organisation has it (words for priorities, 'Social Media',
no ticket type, open tickets, CSAT 1–5 on the ticket row), imported from the CLI in one pass;
saved mappings that repeat; rejected rows that can be fixed in a spreadsheet and imported again."""

from __future__ import annotations

import csv
import datetime as dt
import io

import sqlalchemy as sa

from data_access import bootstrap, demo, schema
from cli import main
from data_access.engine import get_engine
from tests.importer.helpers import count, landed_responses, landed_tickets, ready

D = dt.datetime
HEADER = ["id", "subject", "status", "priority", "channel", "category", "created", "closed", "assignee",
          "team", "sla_met", "csat", "csat_comment"]
ROWS = [
    ["H-1", "Mail", "Closed", "Low", "Email", "Email", "2026-10-09 08:00", "2026-10-09 09:00", "Ann Lee", "Desk", "yes", "5", "Great"],
    ["H-2", "VPN", "Resolved", "High", "Social Media", "VPN", "2026-10-09 08:00", "2026-10-10 08:00", "Bo Berg", "Net", "no", "2", ""],
    ["H-3", "Laptop", "In Progress", "Medium", "Phone", "Hardware", "2026-10-09 08:00", "", "Ann Lee", "Desk", "", "", ""],
    ["H-4", "Outage", "Escalated", "Critical", "Phone", "Network", "2026-10-09 08:00", "", "Bo Berg", "Net", "", "", ""],
    ["H-5", "Teams", "Closed", "Medium", "Social Media", "Email", "2026-10-09 08:00", "2026-10-09 10:00", "Ann Lee", "Desk", "yes", "", ""],
    ["H-6", "Printer", "Closed", "P2", "Phone", "Printing", "2026-10-09 08:00", "2026-10-09 12:00", "Ann Lee", "Desk", "yes", "4", ""],
    ["H-7", "Badge", "Closed", "Urgent", "Carrier pigeon", "Facilities", "2026-10-09 08:00", "2026-10-10 12:00", "Bo Berg", "Net", "no", "3", "slow"],
    ["H-8", "Wifi", "Closed", "9", "Phone", "Network", "2026-10-09 08:00", "2026-10-09 09:30", "Bo Berg", "Net", "maybe", "4", ""],
    ["H-9", "Access", "Pending", "Low", "Chat", "Access", "2026-10-09 08:00", "", "Ann Lee", "Desk", "", "", ""],
    ["H-10", "Password", "Closed", "Planning", "Chat", "Access", "2026-10-09 08:00", "2026-10-09 08:30", "Ann Lee", "Desk", "yes", "1", "Rude"],
]
FLAGS = ["--map", "ticket_id=id", "--map", "service=category", "--map", "opened_at=created",
         "--map", "resolved_at=closed", "--map", "analyst=assignee", "--map", "state=status",
         "--map", "happiness=csat", "--map", "comment=csat_comment", "--set", "ticket_type=incident",
         "--scale", "1-5", "--with-responses"]


def export(path, rows=ROWS):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def test_combined_helpdesk_export_lands_in_one_pass(empty_url, tmp_path, capsys):
    ready(empty_url)
    code = main(["import", "tickets", str(export(tmp_path / "helpdesk.csv")), "--url", empty_url, *FLAGS])
    out = capsys.readouterr().out
    assert code == 1  # H-8 is rejected (priority 9, sla 'maybe'); skipped rows alone never set 1
    assert ("tickets from helpdesk.csv (preset generic): rows read 10, inserted 6, updated 0, unchanged 0, "
            "skipped 3, rejected 1") in out
    assert ("responses from helpdesk.csv (preset generic): rows read 10, inserted 5, updated 0, unchanged 0, "
            "skipped 5, rejected 0") in out
    assert "skipped 1: ticket not closed: In Progress" in out and "skipped 1: ticket not closed: Pending" in out
    assert "skipped 4: ticket not imported (see tickets)" in out and "skipped 1: survey not answered" in out
    assert 'warning: Carrier pigeon → other: 1 rows; map it with --value "channel:Carrier pigeon=…"' in out
    assert "line 9: priority; sla_met: priority 9 is outside 1–4; sla_met 'maybe' is not yes/no or true/false" in out
    got = [(r[0], r[1], r[2], r[4]) for r in landed_tickets(empty_url)]
    assert got == [("H-1", "incident", "email", 4), ("H-10", "incident", "chat", 4), ("H-2", "incident", "social", 2),
                   ("H-5", "incident", "social", 3), ("H-6", "incident", "phone", 2), ("H-7", "incident", "other", 1)]
    answers = [(r[0], r[1], r[7], r[8]) for r in landed_responses(empty_url)]
    assert answers == [("H-1", 10, "Great", D(2026, 10, 9, 9, 0)), ("H-10", 0, "Rude", D(2026, 10, 9, 8, 30)),
                       ("H-2", 3, None, D(2026, 10, 10, 8, 0)), ("H-6", 8, None, D(2026, 10, 9, 12, 0)),
                       ("H-7", 5, "slow", D(2026, 10, 10, 12, 0))]
    scores = [a[1] for a in answers]
    assert 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores) == -40.0
    assert count(empty_url, schema.recovery_items) == 3  # the three unhappy answers, all within the window


def test_skipped_rows_alone_exit_0(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    clean = [r for r in ROWS if r[0] != "H-8"]
    assert main(["import", "tickets", str(export(tmp_path / "h.csv", clean)), "--url", empty_sqlite_url, *FLAGS]) == 0


def test_saved_mapping_imports_the_same_file_identically(empty_sqlite_url, tmp_path, monkeypatch):
    first = ready(empty_sqlite_url)
    path = export(tmp_path / "helpdesk.csv")
    saved = tmp_path / "helpdesk.toml"
    extra = ["--value", "channel:Carrier pigeon=walk_in"]
    main(["import", "tickets", str(path), "--url", empty_sqlite_url, *FLAGS, *extra, "--save-mapping", str(saved)])
    text = saved.read_text(encoding="utf-8")
    assert 'with_responses = true' in text and '[values."channel"]' in text and '"ticket_type" = "incident"' in text
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    schema.create_schema(get_engine(other))
    ready(other)
    assert main(["import", "tickets", str(path), "--url", other, "--mapping", str(saved)]) == 1
    assert landed_tickets(other) == landed_tickets(empty_sqlite_url)
    assert landed_responses(other) == landed_responses(empty_sqlite_url)
    assert dict((r[0], r[2]) for r in landed_tickets(other))["H-7"] == "walk_in"
    assert first is not None


def test_rejects_csv_has_original_columns_every_reason_and_reimports(empty_url, tmp_path):
    ready(empty_url)
    path = export(tmp_path / "helpdesk.csv", ROWS[:2] + [ROWS[7] [:1] + ["=cmd|' /C calc'!A0"] + ROWS[7][2:]])
    rejects = tmp_path / "rejects.csv"
    assert main(["import", "tickets", str(path), "--url", empty_url, *FLAGS, "--rejects-csv", str(rejects)]) == 1
    text = rejects.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER + ["line", "column", "reason"]
    assert rows[1][:3] == ["H-8", "'=cmd|' /C calc'!A0", "Closed"]  # formula-safe
    assert rows[1][-3:] == ["4", "priority; sla_met",
                            "priority 9 is outside 1–4; sla_met 'maybe' is not yes/no or true/false"]
    # Fixed in a spreadsheet (two cells), the same file imports with the same flags.
    rows[1][3], rows[1][10] = "2", "yes"
    fixed = tmp_path / "fixed.csv"
    with fixed.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    assert main(["import", "tickets", str(fixed), "--url", empty_url, *FLAGS]) == 0
    with get_engine(empty_url).connect() as conn:
        t = schema.tickets
        assert conn.execute(sa.select(t.c.priority, t.c.sla_met).where(t.c.ticket_id == "H-8")).one() == (2, True)
    assert landed_responses(empty_url)[-1][:2] == ("H-8", 8)


def test_demo_warehouse_needs_into_demo(empty_sqlite_url, tmp_path, capsys):
    engine = ready(empty_sqlite_url)
    with engine.begin() as conn:
        conn.execute(schema.settings.update().where(schema.settings.c.key == "data_origin").values(value="demo"))
        conn.execute(schema.settings.insert().values(key=demo.DEMO_MARKER, value="yes"))  # as the demo writes it
    path = export(tmp_path / "h.csv")
    assert main(["import", "tickets", str(path), "--url", empty_sqlite_url, *FLAGS]) == 2
    err = capsys.readouterr().err
    assert "holds demo data" in err and "python -m data_access warehouse new real" in err and "--into-demo" in err
    assert count(empty_sqlite_url, schema.tickets) == 0
    assert main(["import", "tickets", str(path), "--url", empty_sqlite_url, *FLAGS, "--into-demo"]) == 1
    assert bootstrap.data_origin(engine) == "mixed"  # demo + imported, never "imported"


def test_malformed_flags_and_mapping_files_stop_with_a_sentence(empty_sqlite_url, tmp_path, capsys):
    ready(empty_sqlite_url)
    path = export(tmp_path / "h.csv")
    base = ["import", "tickets", str(path), "--url", empty_sqlite_url]
    assert main([*base, "--set", "ticket_type"]) == 2
    assert "--set 'ticket_type' is not FIELD=VALUE." in capsys.readouterr().err
    assert main([*base, "--value", "channel=social"]) == 2
    assert "--value 'channel=social' is not FIELD:SOURCE=TARGET." in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text('preset = "generic"\n[columns]\nticket_id = 3\n', encoding="utf-8")
    assert main([*base, "--mapping", str(bad)]) == 2
    assert "[columns] must hold text values only" in capsys.readouterr().err
    bad.write_text("this is = not toml [", encoding="utf-8")
    assert main([*base, "--mapping", str(bad)]) == 2
    assert "The mapping file is not valid TOML" in capsys.readouterr().err
    assert main([*base, "--mapping", str(tmp_path / "missing.toml")]) == 2
    assert "The mapping file cannot be read" in capsys.readouterr().err
    assert count(empty_sqlite_url, schema.tickets) == 0


def test_value_map_with_hostile_text_lands_as_text(empty_sqlite_url, tmp_path):
    ready(empty_sqlite_url)
    rows = [r[:] for r in ROWS[:1]]
    rows[0][4] = "<script>alert(1)</script> | *x*"
    path = export(tmp_path / "h.csv", rows)
    assert main(["import", "tickets", str(path), "--url", empty_sqlite_url, *FLAGS,
                 "--value", "channel:<script>alert(1)</script> | *x*=chat"]) == 0
    assert [(r[0], r[2]) for r in landed_tickets(empty_sqlite_url)] == [("H-1", "chat")]


def test_combined_dry_run_counts_like_the_real_run_and_writes_nothing(empty_sqlite_url, tmp_path, capsys):
    ready(empty_sqlite_url)
    path = export(tmp_path / "helpdesk.csv")
    assert main(["import", "tickets", str(path), "--url", empty_sqlite_url, *FLAGS, "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "Dry run: tickets from helpdesk.csv (preset generic): rows read 10, inserted 6, updated 0, " \
           "unchanged 0, skipped 3, rejected 1" in out
    assert "Dry run: responses from helpdesk.csv (preset generic): rows read 10, inserted 5, updated 0, " \
           "unchanged 0, skipped 5, rejected 0" in out
    for table in (schema.tickets, schema.responses, schema.import_runs, schema.recovery_items):
        assert count(empty_sqlite_url, table) == 0
