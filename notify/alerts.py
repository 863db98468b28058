"""Unhappy-customer alerts: open recovery items for new low scores and tell the team lead, fast.

One alert per response and lead (dedupe key `alert:<ticket_key>:<user_id>`), however often the
command runs. Quiet hours and weekends hold alerts (they are never dropped); held alerts for one
lead go out together as one email when the quiet time ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from components import formats
from data_access import notify_reads as reads
from data_access import recovery as rules
from data_access.engine import get_engine
from data_access import config as da_config
from data_access.query import clear_cached_reads
from data_access.writes import notify as writes
from notify import render
from notify.config import NotifySettings
from notify.digest import PAGES
from notify.outbox import DeliveryReport, Outgoing, build_or_note, compose, deliver

CARE_LABELS = {"communication": "Communication", "application": "Application",
               "resolution": "Resolution", "expectation": "Expectation"}


@dataclass(frozen=True)
class AlertItem:
    """One unhappy response as shown in an alert (`comment` is raw user text; render escapes it)."""

    ticket_key: int
    ticket_id: str
    score: int
    analyst: str
    team: str
    service: str
    channel: str
    comment: str | None
    submitted_at: dt.datetime
    due_at: dt.datetime
    factors: tuple[str, ...]
    care: tuple[tuple[str, int], ...]
    link: str


def alert_key(ticket_key: int, user_id: int) -> str:
    return f"alert:{ticket_key}:{user_id}"


@dataclass
class AlertRun:
    """What `alerts send` did."""

    created_items: int = 0
    pending: int = 0
    held: int = 0
    held_until: dt.datetime | None = None
    alerted_items: int = 0
    report: DeliveryReport = field(default_factory=DeliveryReport)
    build_failures: list[str] = field(default_factory=list)  # alerts that could not be built


def _alert_email(lead, items: list[AlertItem], keys: dict[int, str], settings: NotifySettings) -> Outgoing:
    settings_link = settings.link(PAGES["settings"])
    message = compose(sender=settings.smtp.sender, to=[lead.email], cc=list(lead.extra_recipients),
                      subject=render.alert_subject(items),
                      text=render.alert_text(items, lead.display_name, settings_link),
                      html=render.alert_html(items, lead.display_name, settings_link))
    return Outgoing("alert", tuple(keys[i.ticket_key] for i in items), message)


def _items(frame, *, names: dict[int, str], factors: dict[int, list[str]], target_hours: int,
           settings: NotifySettings) -> list[AlertItem]:
    out = []
    for r in frame.iter_rows(named=True):
        due = r["due_at"] or rules.due_at(r["submitted_at"], target_hours)
        care = tuple((CARE_LABELS[d], int(r[d])) for d in CARE_LABELS if r.get(d) is not None)
        out.append(AlertItem(int(r["ticket_key"]), str(r["ticket_id"]), int(r["happiness"]), r["analyst"],
                             names.get(r["team_id"], ""), r["service"],
                             formats.channel(r["channel"]), r["comment"],
                             r["submitted_at"], due, tuple(factors.get(int(r["ticket_key"]), ())), care,
                             settings.link(PAGES["recovery"], tab="recovery", ticket=r["ticket_id"])))
    return out


def send_alerts(*, mailer, now: dt.datetime, settings: NotifySettings, url: str | None = None,
                ignore_quiet_hours: bool = False) -> AlertRun:
    """Create missing recovery items, then alert each lead about new unhappy responses in their teams.

    With a dry-run mailer nothing is written to the database: emails are only written as files.
    """
    url = url or da_config.database_url()
    engine = get_engine(url)
    run = AlertRun()
    recovery = reads.recovery_settings(url=url)
    since = now - dt.timedelta(days=settings.alert_lookback_days)
    if not mailer.dry_run:
        # Items open for answers inside the recovery window (`recovery.opens_item`); alerts below
        # only look back `alert_lookback_days`.
        run.created_items = writes.create_missing_recovery_items(
            engine, since=now - dt.timedelta(days=recovery.window_days), threshold=recovery.threshold,
            target_hours=recovery.target_hours)
        if run.created_items:
            clear_cached_reads()

    outgoing: list[Outgoing] = []
    expected: dict[int, set[str]] = {}  # ticket_key → every alert it needs
    already: set[str] = set()
    for lead in reads.recipients("lead", url=url):
        threshold = recovery.threshold if lead.alert_threshold is None else min(lead.alert_threshold,
                                                                              recovery.threshold)
        scope = lead.scope("lead")
        frame = reads.pending_alerts(scope=scope, since=since, threshold=threshold, url=url)
        if frame.is_empty():
            continue
        keys = {int(k): alert_key(int(k), lead.user_id) for k in frame["ticket_key"].to_list()}
        for ticket_key, key in keys.items():
            expected.setdefault(ticket_key, set()).add(key)
        sent = reads.sent_notifications(tuple(keys.values()), url=url)
        already |= sent
        todo = frame.filter(~frame["ticket_key"].is_in([k for k, key in keys.items() if key in sent]))
        if todo.is_empty():
            continue
        names = reads.team_names(scope=scope, url=url)
        factors = reads.response_factors(scope=scope, ticket_keys=tuple(todo["ticket_key"].to_list()), url=url)
        items = _items(todo, names=names, factors=factors, target_hours=recovery.target_hours, settings=settings)
        run.pending += len(items)
        item = build_or_note(run.build_failures, f"alert for {lead.username}",
                             lambda: _alert_email(lead, items, keys, settings))
        if item is not None:  # otherwise its tickets stay un-alerted and the next run retries
            outgoing.append(item)

    if outgoing and not ignore_quiet_hours and settings.quiet.is_quiet(now):
        run.held = run.pending
        run.report.add_failures(run.build_failures)
        run.held_until = settings.quiet.next_send_time(now)
        return run

    run.report = deliver(None if mailer.dry_run else engine, mailer, outgoing, now=now, url=url)
    run.report.add_failures(run.build_failures)
    if not mailer.dry_run:
        done = [t for t, keys in expected.items() if keys <= (already | run.report.sent_keys)]
        writes.mark_alerted(engine, ticket_keys=done, now=now)
        run.alerted_items = len(done)
    return run
