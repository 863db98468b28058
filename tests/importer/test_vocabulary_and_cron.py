"""Issue 13's remaining acceptance points, each with exact values: the vocabulary every preset
understands (priority words, P1–P4, social, an unmapped channel as 'other' with its warning line),
the close-stale command's report, and a drop-folder run that starts while another one is busy."""

from __future__ import annotations

import fcntl
import shutil

import pytest
import sqlalchemy as sa

from data_access import schema
from cli import main
from data_access.engine import get_engine
from data_access.importer import presets
from tests.importer.helpers import SAMPLES, count, do_import, landed_tickets, ready
from tests.importer.test_history_and_folder import two_years

COLUMNS = ["ticket_id", "ticket_type", "channel", "service", "priority", "opened_at", "resolved_at", "analyst",
           "team", "sla_met"]
PRIORITY_WORDS = ["Critical", "Urgent", "High", "Medium", "Normal", "Moderate", "Low", "Planning",
                  "P1", "P2", "P3", "P4"]
EXPECTED_PRIORITY = [1, 1, 2, 3, 3, 3, 4, 4, 1, 2, 3, 4]


@pytest.mark.parametrize("preset", presets.preset_names("tickets"))
def test_every_preset_reads_priority_words_p1_to_p4_and_channels(empty_sqlite_url, tmp_path, preset):
    ready(empty_sqlite_url)
    channels = ["Phone", "Social Media", "Smoke signal"] * 4
    rows = [",".join(COLUMNS)] + [
        f"V-{i:02d},incident,{channel},Mail,{word},2026-10-09 08:00,2026-10-09 09:00,Ann Lee,Desk,yes"
        for i, (word, channel) in enumerate(zip(PRIORITY_WORDS, channels))]
    export = tmp_path / f"{preset}.csv"
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = do_import(empty_sqlite_url, "tickets", export, preset=preset, mapping={c: c for c in COLUMNS})
    assert (result.inserted, result.rejected, result.skipped) == (12, 0, 0)
    landed = landed_tickets(empty_sqlite_url)
    assert [r[4] for r in landed] == EXPECTED_PRIORITY
    assert [r[2] for r in landed] == ["phone", "social", "other"] * 4
    assert result.warnings() == ['Smoke signal → other: 4 rows; map it with --value "channel:Smoke signal=…" '
                                 '(one of phone, email, portal, chat, walk_in, social)']


def test_close_stale_command_prints_its_report(empty_sqlite_url, tmp_path, capsys):
    engine = ready(empty_sqlite_url)
    t, r, recent, _ = two_years(tmp_path)
    with engine.begin() as conn:  # as an importer without the window did: a year of items
        conn.execute(schema.settings.insert().values(key="recovery_window_days", value="366"))
    do_import(empty_sqlite_url, "tickets", t)
    do_import(empty_sqlite_url, "responses", r)
    with engine.begin() as conn:
        conn.execute(schema.settings.update().where(schema.settings.c.key == "recovery_window_days")
                     .values(value="14"))
    # Answers 365…729 fall in the 366 days before 15 Oct 12:00 (answer i is 730 − i days back, 3 h
    # earlier); those scoring i mod 11 ≤ 6 opened an item: 33 whole cycles of 11 (7 each) plus 728
    # and 729 (scores 2, 3) = 233; 9 of them are inside 14 days, so 224 are stale.
    opened = sum(1 for i in range(365, 730) if i % 11 <= 6)
    assert (opened, recent) == (233, 9) and count(empty_sqlite_url, schema.recovery_items) == opened
    capsys.readouterr()
    assert main(["import", "close-stale", "--dry-run", "--url", empty_sqlite_url]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Would close 224 untouched recovery items for answers submitted before 01 Oct 2026 12:00 "
        "(history: removed from the queue and from the recovery figures).",
        "Kept open: 0 older items someone already worked on; 9 items within the window."]
    assert count(empty_sqlite_url, schema.recovery_items) == 233
    assert main(["import", "close-stale", "--url", empty_sqlite_url]) == 0
    assert capsys.readouterr().out.startswith("Closed 224 untouched recovery items")
    assert count(empty_sqlite_url, schema.recovery_items) == 9


def test_a_folder_run_started_while_another_is_busy_does_nothing(empty_sqlite_url, tmp_path, capsys):
    ready(empty_sqlite_url)
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(SAMPLES / "generic_tickets.csv", drop / "tickets.csv")
    args = ["import", "folder", str(drop), "--settle-seconds", "0", "--url", empty_sqlite_url]
    with (drop / ".import.lock").open("w") as busy:  # the run cron started a minute ago, still going
        fcntl.flock(busy, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(args) == 0
        assert capsys.readouterr().out == "Another import of this folder is running; nothing to do.\n"
        assert count(empty_sqlite_url, schema.tickets) == 0 and (drop / "tickets.csv").exists()
    assert main(args) == 0
    assert "tickets.csv: imported" in capsys.readouterr().out
    assert count(empty_sqlite_url, schema.tickets) == 3
    assert sorted(p.name for p in (drop / "done").iterdir()) == ["tickets.csv", "tickets.csv.report.md"]
    with get_engine(empty_sqlite_url).connect() as conn:  # its hash is recorded: never imported twice
        hashes = conn.execute(sa.select(sa.func.count()).select_from(schema.settings)
                              .where(schema.settings.c.key.like("import_sha256:%"))).scalar_one()
    assert hashes == 1


def test_a_combined_file_gives_one_report_with_both_parts(empty_sqlite_url, tmp_path):
    """--with-responses: one pass, one report file holding the tickets and the answers on them."""
    from tests.importer.test_real_exports import FLAGS, export

    ready(empty_sqlite_url)
    report = tmp_path / "helpdesk.report.md"
    assert main(["import", "tickets", str(export(tmp_path / "helpdesk.csv")), "--url", empty_sqlite_url, *FLAGS,
                 "--report", str(report)]) == 1
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Import report: tickets from helpdesk.csv\n")
    tickets, answers = text.split("## Responses on the same rows (run ")
    assert "| rows read | 10 |\n| inserted | 6 |\n| updated | 0 |\n| unchanged | 0 |\n| skipped | 3 |\n" \
           "| rejected | 1 |" in tickets
    assert "| rows read | 10 |\n| inserted | 5 |\n| updated | 0 |\n| unchanged | 0 |\n| skipped | 5 |\n" \
           "| rejected | 0 |" in answers
    assert "- skipped 4: ticket not imported (see tickets)" in answers
    assert [line for line in tickets.splitlines() if line.startswith("- skipped")] == [  # ties by name
        "- skipped 1: ticket not closed: Escalated", "- skipped 1: ticket not closed: In Progress",
        "- skipped 1: ticket not closed: Pending"]
    with get_engine(empty_sqlite_url).connect() as conn:  # two runs recorded, one per kind
        kinds = conn.execute(sa.select(schema.import_runs.c.kind).order_by(schema.import_runs.c.run_id)).scalars().all()
    assert kinds == ["tickets", "responses"]


def test_happiness_the_app_reads_after_long_and_combined_imports(empty_url, tmp_path):
    """The figures the pages are built from, on SQLite and PostgreSQL: the long-format ServiceNow
    survey (scores 10, 3, 8 → 1 happy, 1 unhappy: Happiness 0) and, added to it, the combined
    helpdesk file's five answers (10, 0, 3, 8, 5 → 1 happy, 3 unhappy): 8 answers, 2 happy,
    4 unhappy → Happiness 100 · (2 − 4) / 8 = −25."""
    import datetime as dt

    from data_access.filters import Filters
    from data_access.scope import Scope
    from data_access.stats import response_stats
    from metrics import happiness
    from tests.importer.test_long_format import servicenow_long
    from tests.importer.test_real_exports import FLAGS, export

    ready(empty_url)
    october = Filters(dt.date(2026, 10, 1), dt.date(2026, 11, 1))

    def figure():
        row = response_stats(scope=Scope("cio"), filters=october, url=empty_url).row(0, named=True)
        return row["n"], row["happy"], row["unhappy"], happiness(row["happy"], row["unhappy"], row["n"])

    do_import(empty_url, "tickets", SAMPLES / "servicenow_incidents.csv")
    do_import(empty_url, "responses", servicenow_long(tmp_path / "asmt.csv"))
    assert figure() == (3, 1, 1, 0.0)
    assert main(["import", "tickets", str(export(tmp_path / "helpdesk.csv")), "--url", empty_url, *FLAGS]) == 1
    assert figure() == (8, 2, 4, -25.0)
