"""The survey page through the real app.py: one click records the score, follow-up saved,
recovery item and alert for a low score, and every attack writes nothing and shows a message."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from data_access import schema
from data_access.engine import get_engine
from data_access.surveys import answers, links, ratelimit, tokens
from tests.surveys.helpers import NOW, SECRET, new_ticket, sent_invitation, snapshot

ROOT = Path(__file__).resolve().parents[2]
MONDAY_NOON = dt.datetime(2026, 11, 23, 12, 0)  # Friday noon + 24 h lands on Saturday → Monday


@pytest.fixture
def survey_url(notify_db, monkeypatch, tmp_path) -> str:
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", notify_db)
    monkeypatch.setenv("SERVICE_PULSE_SURVEY_SECRET", SECRET)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", NOW.date().isoformat())
    monkeypatch.setenv("SERVICE_PULSE_SECRETS", str(tmp_path / "none.toml"))
    monkeypatch.setenv("SERVICE_PULSE_DATA_DIR", str(tmp_path / "data"))
    st.cache_data.clear()
    return notify_db


def open_link(token: str | None, *, param: str = "token", at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if token is not None:
        at.query_params[param] = token
    return at.run()


def invite(url: str, **ticket) -> tuple[int, int, dt.datetime]:
    key = new_ticket(url, **ticket)
    inv, expires = sent_invitation(url, key)
    return key, inv, expires


def texts(at: AppTest) -> str:
    return " ".join([t.value for t in at.title] + [m.value for m in at.markdown] + [w.value for w in at.warning]
                    + [c.value for c in at.caption] + [s.value for s in at.success])


def test_one_click_records_a_low_score_opens_recovery_and_the_followup_updates_it(survey_url):
    key, inv, expires = invite(survey_url, analyst_id=3, description="VPN drops <every> hour")
    at = open_link(tokens.score_token(SECRET, inv, 2, expires))
    assert not at.exception
    assert at.title[0].value == "Thank you!"
    assert "**2 out of 10**" in at.markdown[0].value and "VPN drops \\<every\\> hour" in at.markdown[0].value
    assert len(at.sidebar) == 0 and not [t for t in at.text_input if t.label == "Username"]
    with get_engine(survey_url).connect() as conn:
        answer = answers.current_answer(conn, key)
        item = conn.execute(sa.select(schema.recovery_items).where(schema.recovery_items.c.ticket_key == key)).one()
        invitation = conn.execute(sa.select(schema.survey_invitations.c.state, schema.survey_invitations.c.answered_at)
                                  .where(schema.survey_invitations.c.invitation_id == inv)).one()
        team = conn.execute(sa.select(schema.tickets.c.team_id).where(schema.tickets.c.ticket_key == key)).scalar_one()
    assert (answer["happiness"], answer["submitted_at"], answer["comment"], answer["factor_ids"]) == (2, NOW, None, [])
    assert (item.analyst_id, item.team_id, item.created_at, item.due_at, item.alerted_at) == (3, team, NOW, MONDAY_NOON, None)
    assert tuple(invitation) == ("answered", NOW)

    at.pills(key="sv_bad").set_value([12, 13])
    at.pills(key="sv_good").set_value([2])
    at.radio(key="sv_communication").set_value(2)
    at.radio(key="sv_expectation").set_value(1)
    at.number_input(key="sv_lost").set_value(45)
    at.text_area(key="sv_comment").input("Took **ages** <img src=x onerror=alert(1)>")
    at.button(key="FormSubmitter:survey_followup-Save my answers").click()
    at.run()
    assert not at.exception and at.success[0].value.startswith("Saved.")
    with get_engine(survey_url).connect() as conn:
        answer = answers.current_answer(conn, key)
    assert {k: answer[k] for k in ("happiness", "communication", "application", "resolution", "expectation",
                                    "lost_minutes", "comment", "factor_ids")} == {
        "happiness": 2, "communication": 2, "application": None, "resolution": None, "expectation": 1,
        "lost_minutes": 45.0, "comment": "Took **ages** <img src=x onerror=alert(1)>", "factor_ids": [2, 12, 13]}


def test_another_score_changes_the_answer_and_a_repeat_changes_nothing(survey_url):
    key, inv, expires = invite(survey_url)
    open_link(tokens.score_token(SECRET, inv, 9, expires))
    before = snapshot(survey_url)
    at = open_link(tokens.score_token(SECRET, inv, 9, expires))  # the same link again
    assert at.title[0].value == "Thank you!" and snapshot(survey_url) == before
    open_link(tokens.score_token(SECRET, inv, 4, expires))
    after = snapshot(survey_url)
    with get_engine(survey_url).connect() as conn:
        assert answers.current_answer(conn, key)["happiness"] == 4
    assert after["responses"] == before["responses"] and after["score_sum"] == before["score_sum"] - 5
    assert after["recovery_items"] == before["recovery_items"] + 1  # 4 is at or below the threshold (6)


def _attacks(url: str) -> dict[str, str]:
    _, inv, expires = invite(url)
    _, other, other_expires = invite(url, email="someone@example.com")
    gone_key, gone, gone_expires = invite(url, email="gone@example.com")
    with get_engine(url).begin() as conn:  # the ticket is deleted (its invitation goes with it)
        conn.execute(schema.survey_invitations.delete().where(schema.survey_invitations.c.invitation_id == gone))
        conn.execute(schema.tickets.delete().where(schema.tickets.c.ticket_key == gone_key))
    good = tokens.score_token(SECRET, inv, 8, expires)
    exp = good.split(".")[2]
    past = NOW - dt.timedelta(seconds=1)
    return {
        "forged signature": good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
        "other invitation's id": f"{other}." + good.split(".", 1)[1],
        "expired": tokens.score_token(SECRET, inv, 8, past),
        "score out of range": f"{inv}.11.{exp}.{tokens._sign(SECRET, 'score', inv, 11, int(exp))}",
        "deleted ticket": tokens.score_token(SECRET, gone, 8, gone_expires),
        "wrong secret": tokens.score_token("x" * 20 + "another-secret-0123456789", other, 8, other_expires),
        "empty": "",
        "markup": "<script>alert(1)</script>",
    }


def test_attacks_write_nothing_and_show_a_message(survey_url):
    cases = _attacks(survey_url)
    before = snapshot(survey_url)
    for name, token in cases.items():
        ratelimit.reset()
        at = open_link(token)
        assert not at.exception, name
        assert [t.value for t in at.title] == ["Service desk survey"], name
        expected = links.EXPIRED if name == "expired" else links.INVALID
        assert [w.value for w in at.warning] == [expected], name
        assert len(at.sidebar) == 0 and not at.text_input and not at.button, name
    assert snapshot(survey_url) == before


def test_a_repeated_or_unsubscribe_parameter_cannot_record_a_score(survey_url):
    _, inv, expires = invite(survey_url)
    before = snapshot(survey_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["token"] = [tokens.score_token(SECRET, inv, 1, expires), tokens.score_token(SECRET, inv, 2, expires)]
    at.run()
    assert [w.value for w in at.warning] == [links.INVALID]
    at = open_link(tokens.score_token(SECRET, inv, 1, expires), param="unsubscribe")
    assert [w.value for w in at.warning] == [links.INVALID]
    assert snapshot(survey_url) == before


def test_a_thousand_random_tokens_write_nothing_and_the_limit_closes_the_door(survey_url):
    _, inv, expires = invite(survey_url)
    before = snapshot(survey_url)
    engine = get_engine(survey_url)
    messages = []
    for _ in range(1000):
        token = f"{secrets.randbelow(5000) + 1}.{secrets.randbelow(11)}.{int(expires.timestamp())}.{secrets.token_urlsafe(32)}"
        try:
            links.check_score_link(engine, SECRET, token, now=NOW)
        except links.Refused as exc:
            messages.append(str(exc))
    assert len(messages) == 1000
    assert messages.count(links.INVALID) == ratelimit.PROCESS_FAILURES_PER_MINUTE
    assert messages.count(links.BUSY) == 1000 - ratelimit.PROCESS_FAILURES_PER_MINUTE
    # While the door is closed even a genuine link waits (and says so) instead of writing.
    at = open_link(tokens.score_token(SECRET, inv, 3, expires))
    assert [w.value for w in at.warning] == [links.BUSY]
    assert snapshot(survey_url) == before


def test_one_invitation_cannot_be_probed_more_than_the_hourly_limit(survey_url):
    _, inv, expires = invite(survey_url)
    engine = get_engine(survey_url)
    good = tokens.score_token(SECRET, inv, 5, expires)
    for _ in range(ratelimit.INVITATION_ATTEMPTS_PER_HOUR):
        with pytest.raises(links.Refused):
            links.check_score_link(engine, SECRET, good[:-3] + "zzz", now=NOW)
        ratelimit.failures.reset()  # only the per-invitation window is under test here
    with pytest.raises(links.Refused, match="Too many"):
        links.check_score_link(engine, SECRET, good, now=NOW)


def test_no_other_page_is_reachable_from_the_survey_page(survey_url):
    _, inv, expires = invite(survey_url)
    at = open_link(tokens.score_token(SECRET, inv, 10, expires))
    # st.navigation registered the survey page and nothing else: no page can be switched to.
    for other in ("pages/coaching.py", "pages/culture_trends.py", "pages/my_feedback.py", "pages/admin_users.py"):
        with pytest.raises(ValueError, match=r"Known pages: \[\'[^\]]*pages/survey_answer\.py\'\]"):
            at.switch_page(other)
    assert at.title[0].value == "Thank you!" and len(at.sidebar) == 0
    assert "Coaching" not in texts(at) and "Sign in" not in texts(at)


def test_unsubscribe_link_stops_further_surveys(survey_url):
    _, inv, _ = invite(survey_url, email="Pat.Doe@example.com")
    at = open_link(tokens.unsubscribe_token(SECRET, inv), param="unsubscribe")
    assert at.title[0].value == "Survey emails" and snapshot(survey_url)["survey_unsubscribes"] == 0
    at.button[0].click()
    at.run()
    assert at.success[0].value.startswith("Done")
    with get_engine(survey_url).connect() as conn:
        assert conn.execute(sa.select(schema.survey_unsubscribes.c.email)).scalars().all() == ["pat.doe@example.com"]


def test_a_low_answer_reaches_the_lead_in_the_next_alert_run(survey_url, smtp_env):
    from notify import alerts
    from notify.config import notify_settings
    from notify.mailer import SmtpMailer
    from tests.notify.conftest import lead_of_team

    key, inv, expires = invite(survey_url, analyst_id=3, description="Mailbox full")
    open_link(tokens.score_token(SECRET, inv, 1, expires))
    with get_engine(survey_url).connect() as conn:
        team_id, ticket_id = conn.execute(sa.select(schema.tickets.c.team_id, schema.tickets.c.ticket_id)
                                          .where(schema.tickets.c.ticket_key == key)).one()
    lead = lead_of_team(survey_url, team_id)
    settings = notify_settings()
    with SmtpMailer(settings.smtp) as mailer:
        run = alerts.send_alerts(mailer=mailer, now=NOW + dt.timedelta(minutes=5), settings=settings, url=survey_url)
    mine = [msg for rcpt, msg in smtp_env.messages() if lead["email"] in rcpt
            and ticket_id in msg.get_body(("plain",)).get_content()]
    assert len(mine) == 1 and run.report.sent >= 1
    with get_engine(survey_url).connect() as conn:
        alerted = conn.execute(sa.select(schema.recovery_items.c.alerted_at)
                               .where(schema.recovery_items.c.ticket_key == key)).scalar_one()
    assert alerted == NOW + dt.timedelta(minutes=5)


def test_the_analyst_first_name_shows_only_when_switched_on(survey_url, monkeypatch):
    with get_engine(survey_url).begin() as conn:
        conn.execute(schema.analysts.update().where(schema.analysts.c.analyst_id == 3)
                     .values(name="Zoë [Ops](https://evil.example) Lindqvist"))
    _, inv, expires = invite(survey_url, analyst_id=3)
    at = open_link(tokens.score_token(SECRET, inv, 9, expires))
    assert not [c for c in at.caption if "handled by" in c.value]
    assert "Lindqvist" not in texts(at)
    monkeypatch.setenv("SERVICE_PULSE_SURVEY_SHOW_ANALYST", "true")
    at = open_link(tokens.score_token(SECRET, inv, 9, expires))
    assert [c.value for c in at.caption if "handled by" in c.value] == ["Your ticket was handled by Zoë."]
    assert "Lindqvist" not in texts(at)


def test_without_a_usable_secret_a_link_says_surveys_are_off_and_writes_nothing(survey_url, monkeypatch):
    from components.survey_entry import NOT_CONFIGURED

    _, inv, expires = invite(survey_url)
    token = tokens.score_token(SECRET, inv, 2, expires)
    with get_engine(survey_url).begin() as conn:  # a real warehouse: no generated demo secret
        conn.execute(schema.settings.update().where(schema.settings.c.key == "data_origin").values(value="imported"))
    st.cache_data.clear()
    before = snapshot(survey_url)
    for secret in ("too-short", None):
        if secret is None:
            monkeypatch.delenv("SERVICE_PULSE_SURVEY_SECRET")
        else:
            monkeypatch.setenv("SERVICE_PULSE_SURVEY_SECRET", secret)
        at = open_link(token)
        assert not at.exception and [w.value for w in at.warning] == [NOT_CONFIGURED]
    assert snapshot(survey_url) == before


def test_expired_genuine_links_never_close_the_door_for_others(survey_url):
    _, inv, expires = invite(survey_url)
    engine = get_engine(survey_url)
    expired = tokens.score_token(SECRET, inv, 4, NOW - dt.timedelta(minutes=1))
    for _ in range(ratelimit.PROCESS_FAILURES_PER_MINUTE + 5):
        with pytest.raises(links.Refused, match="expired"):
            links.check_score_link(engine, SECRET, expired, now=NOW)
        ratelimit.per_invitation.reset()
    assert links.check_score_link(engine, SECRET, tokens.score_token(SECRET, inv, 4, expires), now=NOW).claim.score == 4


def test_a_link_reused_after_expiry_says_so_and_writes_nothing(survey_url, monkeypatch):
    key, inv, expires = invite(survey_url)
    token = tokens.score_token(SECRET, inv, 8, expires)
    at = open_link(token)
    assert at.title[0].value == "Thank you!"
    before = snapshot(survey_url)
    # The same link a day after it expired (links expire 14 days after sending): a new visit and
    # a rerun of the page that was left open both say so and write nothing.
    monkeypatch.setenv("SERVICE_PULSE_TODAY", (expires + dt.timedelta(days=1)).date().isoformat())
    for again in (open_link(token), at.run()):
        assert not again.exception
        assert [w.value for w in again.warning] == [links.EXPIRED] and [t.value for t in again.title] == [
            "Service desk survey"]
        assert not again.button and not again.text_area
    assert snapshot(survey_url) == before
    with get_engine(survey_url).connect() as conn:
        assert answers.current_answer(conn, key)["happiness"] == 8


@pytest.mark.parametrize(("score", "opens"), [(6, True), (7, False), (0, True), (10, False)])
def test_an_answer_at_or_below_the_threshold_opens_a_recovery_item(survey_url, score, opens):
    """The recovery threshold is 6 (0–6 unhappy): 6 opens an item, 7 does not."""
    key, inv, expires = invite(survey_url, analyst_id=2)
    open_link(tokens.score_token(SECRET, inv, score, expires))
    with get_engine(survey_url).connect() as conn:
        items = conn.execute(sa.select(schema.recovery_items.c.analyst_id, schema.recovery_items.c.created_at)
                             .where(schema.recovery_items.c.ticket_key == key)).all()
    assert [tuple(i) for i in items] == ([(2, NOW)] if opens else [])


def test_the_answer_and_its_alert_in_one_run_of_the_alert_job(survey_url, smtp_env):
    """One run of the alert job after the click sends the unhappy alert for it (the item the
    answer opened is not opened twice), and a second run sends nothing more."""
    from notify import alerts
    from notify.config import notify_settings
    from notify.mailer import SmtpMailer
    from tests.notify.conftest import lead_of_team

    key, inv, expires = invite(survey_url, analyst_id=3, description="Screen flickers")
    open_link(tokens.score_token(SECRET, inv, 6, expires))
    with get_engine(survey_url).connect() as conn:
        team_id, ticket_id = conn.execute(sa.select(schema.tickets.c.team_id, schema.tickets.c.ticket_id)
                                          .where(schema.tickets.c.ticket_key == key)).one()
    lead = lead_of_team(survey_url, team_id)
    settings = notify_settings()
    runs = []
    for minutes in (1, 2):
        with SmtpMailer(settings.smtp) as mailer:
            runs.append(alerts.send_alerts(mailer=mailer, now=NOW + dt.timedelta(minutes=minutes),
                                           settings=settings, url=survey_url))
    mine = [msg for rcpt, msg in smtp_env.messages() if lead["email"] in rcpt
            and ticket_id in msg.get_body(("plain",)).get_content()]
    assert len(mine) == 1 and runs[0].created_items == 0  # the click had opened the item already
    with get_engine(survey_url).connect() as conn:
        items = conn.execute(sa.select(schema.recovery_items.c.alerted_at)
                             .where(schema.recovery_items.c.ticket_key == key)).scalars().all()
    assert items == [NOW + dt.timedelta(minutes=1)]
    assert runs[1].report.sent == 0


@pytest.mark.parametrize("param", ["token", "unsubscribe"])
@pytest.mark.parametrize("token", ["²", "³.1.1767225600." + "a" * 43, "¹²", "١٢.1", "٣"])
def test_digits_of_other_scripts_in_a_link_show_the_message_and_write_nothing(survey_url, param, token):
    """Superscript and Arabic-Indic digits pass str.isdigit(), and int() rejects some of them: a
    link starting with one is refused like any other bad link (no sign-in is needed to try)."""
    ratelimit.reset()
    before = snapshot(survey_url)
    at = open_link(token, param=param)
    assert not at.exception
    assert [w.value for w in at.warning] == [links.INVALID]
    assert snapshot(survey_url) == before
