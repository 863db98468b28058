"""The CIO's monthly digest carries Culture trends for the month as a PDF, with the same figures
(and the same disclosure control) as the page; checked against plain SQL."""

from __future__ import annotations

import datetime as dt
import io
import math

import sqlalchemy as sa
from pypdf import PdfReader

from data_access import rollups
from cli import main
from data_access.engine import get_engine

OCTOBER = {"a": dt.datetime(2026, 10, 1), "b": dt.datetime(2026, 11, 1)}


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _sql(url: str, sql: str, params: dict):
    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def _attachment(smtp_env):
    [(_rcpt, msg)] = smtp_env.messages()
    [part] = list(msg.iter_attachments())
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename() == "culture-trends-2026-10.pdf"
    return part.get_content()


def test_monthly_digest_attaches_the_month_of_culture_trends(notify_db, smtp_env, monkeypatch):
    url = notify_db
    assert main(["digest", "monthly", "--url", url, "--month", "2026-10"]) == 0
    data = _attachment(smtp_env)
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert "Culture trends — October 2026" in text and "Whole organisation" in text

    [(n, happy, unhappy)] = _sql(url, "SELECT COUNT(*), SUM(CASE WHEN happiness >= 9 THEN 1 ELSE 0 END), "
                                      "SUM(CASE WHEN happiness <= 6 THEN 1 ELSE 0 END) FROM responses "
                                      "WHERE submitted_at >= :a AND submitted_at < :b", OCTOBER)
    p, d = happy / n, unhappy / n
    value, margin = 100 * (p - d), 1.96 * 100 * math.sqrt((p + d - (p - d) ** 2) / n)
    lines = text.splitlines()
    assert f"Happiness {round(value):+d} ± {round(margin)} (n = {n:,})" in lines
    assert f"Unhappy (0–6) {100 * unhappy / n:.0f}% ({unhappy:,} of {n:,})" in lines

    # Teams: fewer than 5 responses → "—" and n only; the others' figures match plain SQL (or are
    # hidden with the small one, so it cannot be worked out from the total).
    teams = _sql(url, "SELECT tm.name, COUNT(*), SUM(CASE WHEN r.happiness >= 9 THEN 1 ELSE 0 END), "
                      "SUM(CASE WHEN r.happiness <= 6 THEN 1 ELSE 0 END) FROM responses r "
                      "JOIN tickets t ON t.ticket_key = r.ticket_key JOIN teams tm ON tm.team_id = t.team_id "
                      "WHERE r.submitted_at >= :a AND r.submitted_at < :b GROUP BY tm.name", OCTOBER)
    shown = hidden = 0
    for name, count, th, tu in teams:
        [line] = [line for line in lines if line.startswith(f"{name} ")]
        if count < 5 or line.startswith(f"{name} — "):
            assert line == f"{name} — n = {count:,} change —"
            hidden += 1
        else:
            tv, tm = 100 * (th - tu) / count, 1.96 * 100 * math.sqrt((th / count + tu / count - ((th - tu) / count) ** 2)
                                                                    / count)
            assert line.startswith(f"{name} {round(tv):+d} ± {round(tm)} n = {count:,} change ")
            shown += 1
    assert hidden and shown + hidden == len(teams)  # Service Desk South has 3 responses
    names = [row[0] for row in _sql(url, "SELECT name FROM analysts", {})]
    assert not [name for name in names if name in text]



def test_a_month_too_small_to_show_prints_only_its_size(notify_db, smtp_env):
    url = notify_db
    with get_engine(url).begin() as conn:  # keep 4 responses of October 2026: below the minimum group
        keep = conn.execute(sa.text("SELECT ticket_key FROM responses WHERE submitted_at >= :a AND submitted_at < :b "
                                    "ORDER BY ticket_key LIMIT 4"), OCTOBER).scalars().all()
        for table in ("recovery_actions", "recovery_items", "kudos", "response_factors"):
            column = "ticket_key"
            conn.execute(sa.text(f"DELETE FROM {table} WHERE {column} IN (SELECT ticket_key FROM responses "
                                 "WHERE submitted_at >= :a AND submitted_at < :b) AND "
                                 f"{column} NOT IN ({','.join(str(k) for k in keep)})"), OCTOBER)
        conn.execute(sa.text("DELETE FROM responses WHERE submitted_at >= :a AND submitted_at < :b AND "
                             f"ticket_key NOT IN ({','.join(str(k) for k in keep)})"), OCTOBER)
        rollups.rebuild(conn)
    assert main(["digest", "monthly", "--url", url, "--month", "2026-10"]) == 0
    text = _pdf_text(_attachment(smtp_env))
    assert "No figures for this month: 4 responses" in text.replace("\n", " ")
    assert "Happiness " not in text and "Teams" not in text


def test_a_team_withheld_at_the_months_edges_in_the_mail_is_withheld_in_the_pdf_too(notify_db, smtp_env):
    """A Culture trends link of whole weeks covering October (28 Sep – 1 Nov) minus the PDF's
    calendar month would give the answers of 28–30 Sep and 1 Nov: one answer of the team there is
    one person. The mail withholds the team's line; the attached PDF must not show it either."""
    from tests.notify.conftest import add_response

    url = notify_db
    [(team_id, name)] = _sql(url, "SELECT t.team_id, tm.name FROM responses r JOIN tickets t ON t.ticket_key = "
                                  "r.ticket_key JOIN teams tm ON tm.team_id = t.team_id WHERE r.submitted_at >= :a "
                                  "AND r.submitted_at < :b GROUP BY t.team_id, tm.name ORDER BY COUNT(*) DESC "
                                  "LIMIT 1", OCTOBER)
    edge = "SELECT r.ticket_key FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key WHERE t.team_id = :t"
    with get_engine(url).begin() as conn:  # the team's answers just outside October move a week away
        for a, b, days in (("2026-09-28", "2026-10-01", -7), ("2026-11-01", "2026-11-02", 7)):
            keys = conn.execute(sa.text(f"{edge} AND r.submitted_at >= :a AND r.submitted_at < :b"),
                                {"t": team_id, "a": a, "b": b}).scalars().all()
            for key in keys:
                old = conn.execute(sa.text("SELECT submitted_at FROM responses WHERE ticket_key = :k"),
                                   {"k": key}).scalar_one()
                old = old if isinstance(old, dt.datetime) else dt.datetime.fromisoformat(str(old))
                conn.execute(sa.text("UPDATE responses SET submitted_at = :s WHERE ticket_key = :k"),
                             {"s": old + dt.timedelta(days=days), "k": key})
        rollups.rebuild(conn)
        analysts = conn.execute(sa.text("SELECT analyst_id FROM analysts WHERE team_id = :t ORDER BY analyst_id "
                                        "LIMIT 3"), {"t": team_id}).scalars().all()
    # October's partial first and last weeks hold 6 answers by 3 analysts each: the team's line
    # passes every check of the page's read model on its own.
    for day in (dt.datetime(2026, 10, 2, 10, 0), dt.datetime(2026, 10, 27, 10, 0)):
        for i, analyst in enumerate(analysts * 2):
            add_response(url, analyst_id=analyst, happiness=9, submitted_at=day + dt.timedelta(minutes=i))
    add_response(url, analyst_id=analysts[0], happiness=2, submitted_at=dt.datetime(2026, 11, 1, 12, 0))
    [(count,)] = _sql(url, f"SELECT COUNT(*) FROM ({edge} AND r.submitted_at >= :a AND r.submitted_at < :b) x",
                      {"t": team_id, **OCTOBER})

    assert main(["digest", "monthly", "--url", url, "--month", "2026-10"]) == 0
    [(_rcpt, msg)] = smtp_env.messages()
    body = msg.get_body(("plain",)).get_content()
    [line] = [line for line in body.splitlines() if line.startswith(f"- {name} Happiness")]
    assert line.endswith(f"a few answers at the month's edges could be singled out (n = {count})"), line
    lines = _pdf_text(_attachment(smtp_env)).splitlines()
    assert f"{name} — n = {count:,} change —" in lines


def test_a_hotspot_cell_at_the_months_edges_is_left_out_of_the_pdf(notify_db, monkeypatch):
    from data_access.scope import Scope
    from notify import culture_attachment, month_edges
    from notify.digest import month_filters
    from views.culture import culture_report

    scope, period = Scope(role="cio"), month_filters(dt.date(2026, 10, 1))
    report = culture_report(scope=scope, filters=period, url=notify_db)
    cells = [(r["service_id"], r["channel"]) for r in report.hotspots.iter_rows(named=True)]
    assert len(cells) > 2
    edge = cells[1]
    monkeypatch.setattr(month_edges, "month_edges",
                        lambda gate, scope, period, url, by=("team_id",): ({edge} if "channel" in by else set(), False))
    kept = culture_attachment.edges_withheld(report, scope=scope, period=period, url=notify_db)
    assert [(r["service_id"], r["channel"]) for r in kept.hotspots.iter_rows(named=True)] == cells[:1] + cells[2:]
    assert kept.teams.equals(report.teams)


def test_the_mail_and_its_pdf_share_one_reading_of_the_month(notify_db, smtp_env, monkeypatch):
    """Culture trends of October is built once for the CIO's email and its PDF (and September once,
    for the change): the two cannot disagree, and the month's heaviest read is not done twice."""
    from notify import month_edges

    built: list[tuple[dt.date, dt.date]] = []
    real = month_edges.culture_report

    def counted(*, scope, filters, url=None):
        built.append((filters.start, filters.end))
        return real(scope=scope, filters=filters, url=url)

    monkeypatch.setattr(month_edges, "culture_report", counted)
    assert main(["digest", "monthly", "--url", notify_db, "--month", "2026-10"]) == 0
    assert len(smtp_env.messages()) == 1
    assert sorted(built) == [(dt.date(2026, 9, 1), dt.date(2026, 10, 1)), (dt.date(2026, 10, 1), dt.date(2026, 11, 1))]
