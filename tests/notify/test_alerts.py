"""Unhappy-customer alerts through a real local SMTP server: content, escaping, dedupe, failures."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from data_access import schema
from cli import main
from data_access.engine import get_engine
from data_access.rollups.check import check
from data_access.scope import Scope
from data_access.writes import notify as writes
from notify import alerts
from notify.config import QuietHours, notify_settings
from notify.mailer import SmtpMailer
from tests.notify.conftest import add_response, free_port, lead_of_team

SCRIPT = "<script>alert('x')</script> never called back & still broken"


def _notifications(url):
    with get_engine(url).connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(schema.notifications)
                                                       .order_by(schema.notifications.c.notification_id))]


def _item(url, ticket_key):
    with get_engine(url).connect() as conn:
        row = conn.execute(sa.select(schema.recovery_items)
                           .where(schema.recovery_items.c.ticket_key == ticket_key)).first()
    return dict(row._mapping) if row else None


def _two_unhappy(url):
    lead = lead_of_team(url, 1)
    with get_engine(url).connect() as conn:
        analyst = conn.execute(sa.select(schema.analysts.c.analyst_id)
                               .where(schema.analysts.c.team_id == 1, schema.analysts.c.active.is_(True))
                               .order_by(schema.analysts.c.analyst_id.desc())).first()[0]
        analyst_name = conn.execute(sa.select(schema.analysts.c.name)
                                    .where(schema.analysts.c.analyst_id == analyst)).scalar_one()
    bad = add_response(url, analyst_id=analyst, happiness=2, submitted_at=dt.datetime(2026, 11, 20, 9, 30),
                       comment=SCRIPT, factor_ids=(11, 14), care={"communication": 1, "resolution": 2})
    fine = add_response(url, analyst_id=analyst, happiness=8, submitted_at=dt.datetime(2026, 11, 20, 9, 40),
                        comment="OK in the end")
    return lead, analyst_name, bad, fine


def test_alert_reaches_the_lead_with_ticket_score_factors_and_escaped_comment(notify_db, smtp_env):
    url = notify_db
    lead, analyst_name, (bad_key, bad_id), (fine_key, _) = _two_unhappy(url)
    writes.set_extra_recipients(get_engine(url), scope=Scope("admin"), user_id=lead["user_id"],
                                text="duty.manager@example.com; Service.Owner@example.com")

    assert main(["alerts", "send", "--url", url]) == 0

    received = smtp_env.messages()
    assert len(received) == 1, [m["Subject"] for _, m in received]
    rcpt, msg = received[0]
    assert sorted(rcpt) == sorted([lead["email"], "duty.manager@example.com", "service.owner@example.com"])
    assert msg["To"] == lead["email"]
    item = _item(url, bad_key)
    assert item is not None and item["alerted_at"] is not None
    assert _item(url, fine_key) is None  # 8/10 is not unhappy: no recovery item, no alert
    # Due: 24 hours after the response, a Saturday, so moved to Monday.
    assert item["due_at"] == dt.datetime(2026, 11, 23, 9, 30)
    assert msg["Subject"] == f"Unhappy customer: ticket {bad_id} scored 2/10 — call back by Mon 23 Nov 09:30"

    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for expected in (bad_id, "Score: 2/10", analyst_name, "Not solved despite closure", "Poor communication",
                     "Communication 1/5", "Resolution 2/5", "Call back by: Mon 23 Nov 09:30"):
        assert expected in text
    assert " · Email" in text and " · email" not in text  # the channel as people say it, not its code
    assert SCRIPT in text  # plain text carries the comment verbatim
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; never called back &amp; still broken" in html
    assert f"https://pulse.example.com/coaching?tab=recovery&amp;ticket={bad_id}" in html

    rows = _notifications(url)
    assert [(r["kind"], r["dedupe_key"], r["attempts"]) for r in rows] == \
        [("alert", f"alert:{bad_key}:{lead['user_id']}", 1)]
    assert rows[0]["sent_at"] is not None and rows[0]["last_error"] is None
    with get_engine(url).connect() as conn:  # the new item is counted in the rollups too
        assert check(conn) == []


def test_running_twice_sends_no_duplicate(notify_db, smtp_env):
    url = notify_db
    _two_unhappy(url)
    assert main(["alerts", "send", "--url", url]) == 0
    assert main(["alerts", "send", "--url", url]) == 0
    assert len(smtp_env.messages()) == 1
    assert len(_notifications(url)) == 1


def test_smtp_down_leaves_alert_unsent_and_the_next_run_sends_it(notify_db, smtp_server, smtp_env,
                                                                  monkeypatch, capsys):
    url = notify_db
    lead, _, (bad_key, bad_id), _ = _two_unhappy(url)
    monkeypatch.setenv("SERVICE_PULSE_SMTP_PORT", str(free_port()))  # nothing listens there

    assert main(["alerts", "send", "--url", url]) == 4
    err = capsys.readouterr().err
    assert "Cannot reach the SMTP server at 127.0.0.1:" in err and "Nothing was sent" in err
    rows = _notifications(url)
    assert len(rows) == 1 and rows[0]["sent_at"] is None and rows[0]["attempts"] == 1
    assert "Cannot reach the SMTP server" in rows[0]["last_error"]
    item = _item(url, bad_key)
    assert item is not None and item["alerted_at"] is None  # the item exists, the alert is still due
    assert smtp_env.messages() == []

    monkeypatch.setenv("SERVICE_PULSE_SMTP_PORT", str(smtp_server[0]))  # the server is back
    assert main(["alerts", "send", "--url", url]) == 0
    received = smtp_env.messages()
    assert len(received) == 1 and bad_id in received[0][1]["Subject"]
    rows = _notifications(url)
    assert rows[0]["sent_at"] is not None and rows[0]["attempts"] == 2
    assert _item(url, bad_key)["alerted_at"] is not None


def test_quiet_hours_and_weekend_hold_alerts_then_send_one_batch(notify_db, smtp_env):
    url = notify_db
    lead, _, (bad_key, bad_id), _ = _two_unhappy(url)
    with get_engine(url).connect() as conn:  # an analyst of team 1 other than its lead (who is one too)
        analyst = conn.execute(sa.select(schema.analysts.c.analyst_id)
                               .where(schema.analysts.c.team_id == 1, schema.analysts.c.analyst_id != lead["analyst_id"])
                               .order_by(schema.analysts.c.analyst_id)).first()[0]
    second_key, second_id = add_response(url, analyst_id=analyst, happiness=0,
                                         submitted_at=dt.datetime(2026, 11, 21, 10, 0), comment="Awful")
    settings = notify_settings()
    settings = type(settings)(smtp=settings.smtp, base_url=settings.base_url,
                              quiet=QuietHours(dt.time(20, 0), dt.time(7, 0), weekend_batching=True))
    saturday = dt.datetime(2026, 11, 21, 11, 0)
    with SmtpMailer(settings.smtp) as mailer:
        run = alerts.send_alerts(mailer=mailer, now=saturday, settings=settings, url=url)
    assert run.held == 2 and run.held_until == dt.datetime(2026, 11, 23, 7, 0)
    assert smtp_env.messages() == [] and _notifications(url) == []
    assert _item(url, second_key) is not None  # the recovery queue is up to date even when mail waits

    with SmtpMailer(settings.smtp) as mailer:  # Monday 06:30 is still quiet
        assert alerts.send_alerts(mailer=mailer, now=dt.datetime(2026, 11, 23, 6, 30),
                                  settings=settings, url=url).held == 2
    with SmtpMailer(settings.smtp) as mailer:
        run = alerts.send_alerts(mailer=mailer, now=dt.datetime(2026, 11, 23, 7, 5), settings=settings, url=url)
    assert run.report.sent == 1 and run.alerted_items == 2
    [(rcpt, msg)] = smtp_env.messages()
    assert rcpt == [lead["email"]]
    assert msg["Subject"].startswith("2 unhappy customers to call back")
    text = msg.get_body(("plain",)).get_content()
    assert bad_id in text and second_id in text
    assert sorted(r["dedupe_key"] for r in _notifications(url)) == sorted(
        [f"alert:{bad_key}:{lead['user_id']}", f"alert:{second_key}:{lead['user_id']}"])


def test_a_lower_personal_threshold_skips_milder_scores(notify_db, smtp_env):
    url = notify_db
    lead, _, (bad_key, _), _ = _two_unhappy(url)  # score 2
    with get_engine(url).connect() as conn:
        analyst = conn.execute(sa.select(schema.analysts.c.analyst_id)
                               .where(schema.analysts.c.team_id == 1)).first()[0]
    mild_key, mild_id = add_response(url, analyst_id=analyst, happiness=5,
                                     submitted_at=dt.datetime(2026, 11, 20, 10, 0))
    writes.update_my_preferences(get_engine(url), user_id=lead["user_id"], receive_digest=True, alert_threshold=3)
    assert main(["alerts", "send", "--url", url]) == 0
    [(_, msg)] = smtp_env.messages()
    assert "scored 2/10" in msg["Subject"] and mild_id not in msg.get_body(("plain",)).get_content()
    assert _item(url, mild_key)["alerted_at"] is None  # queued for recovery, but this lead asked not to be told


def test_dry_run_writes_eml_files_and_changes_nothing(notify_db, smtp_env, tmp_path):
    url = notify_db
    _, _, (bad_key, bad_id), _ = _two_unhappy(url)
    out = tmp_path / "outbox"
    assert main(["alerts", "send", "--url", url, "--dry-run", str(out)]) == 0
    files = sorted(out.glob("*.eml"))
    assert len(files) == 1 and bad_id.lower() in files[0].name
    import email
    from email import policy

    msg = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert "scored 2/10" in msg["Subject"] and "call back by Mon 23 Nov 09:30" in msg["Subject"]
    assert smtp_env.messages() == []
    assert _notifications(url) == [] and _item(url, bad_key) is None


def test_alerts_on_postgres_dedupe_too(notify_pg_db, smtp_env):
    url = notify_pg_db
    _, _, (bad_key, bad_id), _ = _two_unhappy(url)
    assert main(["alerts", "send", "--url", url]) == 0
    assert main(["alerts", "send", "--url", url]) == 0
    received = smtp_env.messages()
    assert len(received) == 1 and bad_id in received[0][1]["Subject"]
    rows = _notifications(url)
    assert len(rows) == 1 and rows[0]["sent_at"] is not None
    assert _item(url, bad_key)["alerted_at"] is not None


def test_demo_items_already_alerted_are_left_alone(notify_db, smtp_env):
    assert main(["alerts", "send", "--url", notify_db]) == 0
    # The demo's own history already carries alerted_at: nothing is re-sent, nothing recorded.
    assert smtp_env.messages() == [] and _notifications(notify_db) == []


def test_alerts_on_the_embedded_duckdb_default(tmp_path, smtp_env):
    import streamlit as st

    from data_access import demo
    from tests.notify.conftest import TODAY

    url = f"duckdb:///{tmp_path / 'pulse.duckdb'}"
    demo.generate(get_engine(url), responses=1000, seed=7, end=TODAY)
    st.cache_data.clear()
    _, _, (bad_key, bad_id), _ = _two_unhappy(url)
    assert main(["alerts", "send", "--url", url]) == 0
    assert main(["alerts", "send", "--url", url]) == 0
    assert main(["digest", "weekly", "--url", url, "--week-ending", "2026-11-20", "--only",
                 lead_of_team(url, 1)["username"]]) == 0
    subjects = [m["Subject"] for _, m in smtp_env.messages()]
    assert len(subjects) == 2 and bad_id in subjects[0] and "weekly digest" in subjects[1]
    assert _item(url, bad_key)["alerted_at"] is not None
    assert [r["sent_at"] is not None for r in _notifications(url)] == [True, True]


def test_a_refused_extra_recipient_does_not_resend_to_the_lead(notify_db, smtp_server, smtp_env):
    """The server accepts the lead but refuses one Cc: the alert counts as sent, with the refusal noted."""
    _, inbox = smtp_server

    async def handle_RCPT(server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    inbox.handle_RCPT = handle_RCPT  # aiosmtpd looks the hook up on the handler at each command
    url = notify_db
    lead, _, (bad_key, _), _ = _two_unhappy(url)
    writes.set_extra_recipients(get_engine(url), scope=Scope("admin"), user_id=lead["user_id"],
                                text="nobody@example.com")
    assert main(["alerts", "send", "--url", url]) == 0
    assert main(["alerts", "send", "--url", url]) == 0
    [(rcpt, _)] = smtp_env.messages()
    assert rcpt == [lead["email"]]
    [row] = _notifications(url)
    assert row["sent_at"] is not None and "nobody@example.com" in row["last_error"]


def test_a_second_sender_cannot_claim_an_email_already_claimed(notify_db):
    engine = get_engine(notify_db)
    now = dt.datetime(2026, 11, 20, 12)
    row = writes.ensure_notification(engine, kind="alert", dedupe_key="alert:1:1", recipients="a@x.org",
                                     subject="s", now=now)
    again = writes.ensure_notification(engine, kind="alert", dedupe_key="alert:1:1", recipients="a@x.org",
                                       subject="s", now=now)
    assert again["notification_id"] == row["notification_id"] and row["attempts"] == 0
    claim = dict(notification_id=row["notification_id"], attempts=0, recipients="a@x.org", subject="s")
    assert writes.claim_notification(engine, **claim) is True
    assert writes.claim_notification(engine, **claim) is False  # the other run saw attempts=0 too: it loses
