"""Rendering and query-building checks that need no database: escaping, no scripts, every dialect."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from data_access import notify_reads as reads
from data_access.filters import Filters
from data_access.scope import Scope, ScopeError
from data_access.recovery import due_at as recovery_due
from data_access.writes.notify import InvalidInput, clean_recipients
from notify import render
from notify.alerts import AlertItem
from notify.config import QuietHours, parse_quiet_hours
from notify.digest import AnalystLine, Digest, HappinessFigure, QueueLine, TeamLine, Verbatim

EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)> \"quoted\" & 'single'"


def _digest() -> Digest:
    fig = HappinessFigure.from_counts(happy=6, unhappy=1, n=10, minimum=5)
    v = Verbatim("INC<1>", EVIL, "Team <b>", "Svc & co", "email", 10, EVIL + "\nsecond line",
                 dt.datetime(2026, 11, 16, 9), "https://x.example/coaching?ticket=INC%3C1%3E&a=1")
    return Digest(kind="weekly", recipient=EVIL, title="Weekly digest: Team <b>", period_label="14 – 20 Nov 2026",
                  start=dt.date(2026, 11, 14), end=dt.date(2026, 11, 21), previous_label="the previous week",
                  teams=[TeamLine(1, "Team <b>", fig, None, "https://x.example/coaching?team=1")], total=None,
                  queue=[QueueLine("Team <b>", 3, 1, 1, 2, 1, 2, "https://x.example/recovery?team=1")],
                  praise=[v], unhappy=[], unhappy_count=0,
                  analysts=[AnalystLine(EVIL, "Team <b>", HappinessFigure.from_counts(happy=1, unhappy=0, n=2, minimum=5),
                                        fig, "https://x.example/coaching?analyst=3")],
                  view_in_browser="https://x.example/preferences?digest=weekly", settings_link="https://x.example/preferences")


def test_digest_html_escapes_every_user_text_and_has_no_active_content():
    html = render.digest_html(_digest())
    low = html.lower()
    assert "<script" not in low and "<img" not in low and "<iframe" not in low
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&quot;quoted&quot; &amp; &#x27;single&#x27;" in html
    assert "Team &lt;b&gt;" in html and "<b>" not in html
    assert "second line" in html and "<br>second line" in html
    assert 'href="https://x.example/coaching?ticket=INC%3C1%3E&amp;a=1" target="_blank"' in html
    assert "<style" not in low and "<link" not in low  # inline CSS only: mail clients drop <style>
    assert ">+50</strong>" in html  # 60% happy − 10% unhappy


def test_digest_text_states_fair_n_and_figures():
    text = render.digest_text(_digest())
    assert "this week: not enough responses yet (n = 2)" in text
    assert "Team <b> Happiness (This week): +50 ± " in text
    assert "“" + EVIL in text and "second line”" in text


def test_alert_html_escapes_comment_and_names():
    item = AlertItem(1, "INC1", 3, EVIL, "Team <b>", "Svc", "chat", EVIL, dt.datetime(2026, 11, 20, 9),
                     dt.datetime(2026, 11, 23, 9), ("Slow service",), (("Communication", 2),),
                     "https://x.example/recovery?ticket=INC1")
    html = render.alert_html([item], EVIL, "https://x.example/preferences")
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3  # analyst, comment, recipient
    assert render.alert_subject([item]) == "Unhappy customer: ticket INC1 scored 3/10 — call back by Mon 23 Nov 09:00"


def test_fair_n_and_withheld_figures():
    assert HappinessFigure.from_counts(happy=4, unhappy=0, n=4, minimum=5).withheld == "not enough responses yet"
    assert HappinessFigure.from_counts(happy=0, unhappy=0, n=0, minimum=5).withheld == "no responses"
    fig = HappinessFigure.from_counts(happy=5, unhappy=0, n=5, minimum=5)
    assert fig.value == 100.0 and fig.margin == 0.0


def test_quiet_hours_and_due_times():
    quiet = QuietHours(*parse_quiet_hours("20:00-07:00"), weekend_batching=True)
    assert quiet.is_quiet(dt.datetime(2026, 11, 20, 21, 0))      # Friday evening
    assert not quiet.is_quiet(dt.datetime(2026, 11, 20, 12, 0))
    assert quiet.is_quiet(dt.datetime(2026, 11, 22, 12, 0))      # Sunday
    assert quiet.next_send_time(dt.datetime(2026, 11, 20, 21, 7)) == dt.datetime(2026, 11, 23, 7, 0)
    day_only = QuietHours(*parse_quiet_hours("off"), weekend_batching=False)
    assert not day_only.is_quiet(dt.datetime(2026, 11, 22, 3, 0))
    assert recovery_due(dt.datetime(2026, 11, 19, 10), 24) == dt.datetime(2026, 11, 20, 10)
    assert recovery_due(dt.datetime(2026, 11, 20, 10), 24) == dt.datetime(2026, 11, 23, 10)


def test_extra_recipients_are_validated():
    assert clean_recipients(" A@x.org; b@y.com\nA@x.org ") == "a@x.org, b@y.com"
    assert clean_recipients("") is None
    with pytest.raises(InvalidInput):
        clean_recipients("not-an-address")
    with pytest.raises(InvalidInput):
        clean_recipients("x@y.z, <script>@evil.com")


LEAD = Scope("lead", team_ids=(1,))
WEEK = Filters(dt.date(2026, 11, 14), dt.date(2026, 11, 21))
NOW = dt.datetime(2026, 11, 20, 12)
QUERIES = [
    reads.recipients_query("lead"),
    reads.team_names_query(LEAD),
    reads.team_roster_query(LEAD),
    reads.praise_query(scope=LEAD, filters=WEEK),
    reads.unhappy_responses_query(scope=LEAD, filters=WEEK),
    reads.recovery_queue_query(scope=Scope("cio"), now=NOW, filters=WEEK),
    reads.pending_alerts_query(scope=LEAD, since=NOW - dt.timedelta(days=7), threshold=6),
    reads.response_factors_query(scope=LEAD, ticket_keys=(1, 2)),
    reads.sent_notifications_query(("a", "b")),
    reads.all_preferences_query(),
]


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
@pytest.mark.parametrize("stmt", QUERIES, ids=[str(i) for i in range(len(QUERIES))])
def test_queries_compile_with_bound_parameters(stmt, dialect):
    sql = str(stmt.compile(dialect=dialect))
    assert "2026" not in sql  # values are bound, never formatted in


def test_queries_run_on_duckdb(tmp_path):
    from data_access import schema
    from data_access.engine import get_engine

    engine = get_engine(f"duckdb:///{tmp_path / 'n.duckdb'}")
    schema.create_schema(engine)
    with engine.connect() as conn:
        for stmt in QUERIES:
            conn.execute(stmt).all()


def test_reads_refuse_out_of_scope_viewers():
    with pytest.raises(ScopeError):
        reads.praise_query(scope=Scope("cio"), filters=WEEK)  # the CIO never sees comments
    with pytest.raises(ScopeError):
        reads.team_roster_query(Scope("analyst", analyst_id=3, team_ids=(1,)))
    with pytest.raises(ScopeError):
        reads.all_preferences(scope=LEAD)
    sql = str(reads.praise_query(scope=LEAD, filters=WEEK).compile(dialect=sqlite.dialect()))
    # Who sees whom: the analyst's home team, never the ticket's team (the old test asserted the latter).
    assert "tickets.analyst_id IN (SELECT analysts.analyst_id" in sql and "tickets.team_id IN" not in sql


def test_recent_months_are_consecutive_calendar_months():
    import datetime as dt

    from notify.preview import recent_months

    months = recent_months(dt.date(2026, 11, 1))
    assert months[:3] == [dt.date(2026, 11, 1), dt.date(2026, 10, 1), dt.date(2026, 9, 1)]
    assert months[-1] == dt.date(2025, 12, 1) and len(set(months)) == 12
    assert recent_months(dt.date(2026, 1, 1), 2) == [dt.date(2026, 1, 1), dt.date(2025, 12, 1)]


LINKY = "Eve https://evil.example/login www.evil.example eve@evil.example evil.example/reset"
# What mail clients turn into a live link in a message's text: web and mail addresses, and
# (some clients) bare domain names.
MAIL_LINK = re.compile(r"(?i)(https?://|www\.|\w@\w|evil\.example)")


def _outside_app_links(text: str) -> str:
    """`text` without the app's own links (hrefs, and the text part's https://x.example/… lines)."""
    return re.sub(r"https://x\.example/\S*", "", re.sub(r'href="[^"]*"', "", text))


def test_emails_leave_no_address_in_user_text_for_a_mail_client_to_link():
    """Imported names, ticket numbers and customers' comments in a digest or an alert: a mail client
    links a bare address by itself (issue 12: text is text), so none is left whole; the app's own
    links stay links."""
    fig = HappinessFigure.from_counts(happy=6, unhappy=1, n=10, minimum=5)
    v = Verbatim(LINKY, LINKY, LINKY, LINKY, "email", 10, LINKY, dt.datetime(2026, 11, 16, 9),
                 "https://x.example/coaching?ticket=1")
    digest = Digest(kind="weekly", recipient=LINKY, title=f"Weekly digest: {LINKY}", period_label="14 – 20 Nov 2026",
                    start=dt.date(2026, 11, 14), end=dt.date(2026, 11, 21), previous_label="the previous week",
                    teams=[TeamLine(1, LINKY, fig, None, "https://x.example/coaching?team=1")], total=None,
                    queue=[QueueLine(LINKY, 3, 1, 1, 2, 1, 2, "https://x.example/recovery?team=1")],
                    praise=[v], unhappy=[v], unhappy_count=1,
                    analysts=[AnalystLine(LINKY, LINKY, fig, fig, "https://x.example/coaching?analyst=3")],
                    view_in_browser="https://x.example/preferences?digest=weekly",
                    settings_link="https://x.example/preferences")
    item = AlertItem(1, LINKY, 3, LINKY, LINKY, LINKY, "chat", LINKY, dt.datetime(2026, 11, 20, 9),
                     dt.datetime(2026, 11, 23, 9), (LINKY,), (("Communication", 2),), "https://x.example/recovery?ticket=1")
    parts = {"digest html": render.digest_html(digest), "digest text": render.digest_text(digest),
             "digest subject": render.digest_subject(digest), "alert html": render.alert_html([item], LINKY, "https://x.example/p"),
             "alert text": render.alert_text([item], LINKY, "https://x.example/p"), "alert subject": render.alert_subject([item])}
    for name, part in parts.items():
        assert MAIL_LINK.findall(_outside_app_links(part)) == [], name
        assert "Eve h" in part, name  # the user text is there, read as typed
    assert 'href="https://x.example/coaching?ticket=1"' in parts["digest html"]
    assert "https://x.example/preferences" in parts["digest text"] and "Open: https://x.example/recovery?ticket=1" in parts["alert text"]
    assert LINKY in parts["alert text"].replace("\u2060", "")


def test_survey_invitation_leaves_no_address_in_the_ticket_description_linked():
    from notify import survey_mail
    from data_access.surveys.invitations import Outgoing

    item = Outgoing(1, 0, "req@example.org", "Req", "INC1", f"Cannot open {LINKY}", "Ann")
    links = survey_mail.SurveyLinks(tuple(f"https://x.example/?token=s{i}" for i in range(11)),
                                    "https://x.example/?unsubscribe=u")
    expires = dt.datetime(2026, 12, 1)
    for part in (survey_mail.text_body(item, links, expires_at=expires), survey_mail.html_body(item, links, expires_at=expires)):
        assert MAIL_LINK.findall(_outside_app_links(part)) == []
        assert "Cannot open Eve" in part
