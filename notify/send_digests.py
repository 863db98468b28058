"""Build and send the weekly lead digests and the monthly CIO digest (one email per recipient,
deduplicated per period so a re-run sends nothing twice)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from data_access import config as da_config
from data_access import notify_reads as reads
from data_access.engine import get_engine
from notify import render
from notify.config import NotifySettings
from notify.culture_attachment import monthly_pdf
from notify.digest import cio_monthly_digest, lead_weekly_digest, month_filters
from notify.month_edges import month_report
from notify.outbox import DeliveryReport, Outgoing, build_or_note, compose, deliver


def default_week_ending(today: dt.date) -> dt.date:
    """The digest covers the seven full days before the day it runs."""
    return today - dt.timedelta(days=1)


def default_month(today: dt.date) -> dt.date:
    """The last complete calendar month."""
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _per_recipient(role: str, kind: str, build, *, settings: NotifySettings, url: str | None,
                   only: str | None, failures: list[str] | None) -> list[Outgoing]:
    """One digest per `role` user who wants one (or only `only`); `build(user)` returns the digest
    and its dedupe key. A digest that cannot be built is skipped and described in `failures`."""
    failures = [] if failures is None else failures

    def outgoing(user) -> Outgoing:
        d, dedupe = build(user)
        msg = compose(sender=settings.smtp.sender, to=[user.email], subject=render.digest_subject(d),
                      text=render.digest_text(d), html=render.digest_html(d))
        for name, pdf in d.attachments:
            msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=name)
        return Outgoing("digest", (dedupe,), msg)

    out = []
    for user in reads.recipients(role, url=url):
        if not user.receive_digest or (only and user.username != only):
            continue
        item = build_or_note(failures, f"{kind} digest for {user.username}", lambda: outgoing(user))
        if item is not None:
            out.append(item)
    return out


def weekly_digest_messages(*, week_ending: dt.date, now: dt.datetime, settings: NotifySettings,
                           url: str | None = None, only: str | None = None,
                           failures: list[str] | None = None) -> list[Outgoing]:
    """One weekly digest email per team lead who wants one; the other leads still get theirs when
    one cannot be built."""
    def build(lead):
        d = lead_weekly_digest(recipient=lead.display_name, scope=lead.scope("lead"),
                               week_ending=week_ending, now=now, settings=settings, url=url)
        return d, f"digest:weekly:{week_ending.isoformat()}:{lead.user_id}"

    return _per_recipient("lead", "weekly", build, settings=settings, url=url, only=only, failures=failures)


def monthly_digest_messages(*, month: dt.date, now: dt.datetime, settings: NotifySettings,
                            url: str | None = None, only: str | None = None,
                            failures: list[str] | None = None) -> list[Outgoing]:
    """One monthly digest email per CIO user who wants one (teams only, no names), with the month's
    Culture trends as a PDF."""
    def build(cio):
        scope = cio.scope("cio")
        report = month_report(scope=scope, period=month_filters(month), url=url)  # the mail's and the PDF's
        d = cio_monthly_digest(recipient=cio.display_name, scope=scope, month=month, now=now,
                               settings=settings, url=url, report=report)
        pdf = monthly_pdf(scope=scope, month=month, today=now.date(), url=url, report=report)
        d = replace(d, attachments=(pdf,))
        return d, f"digest:monthly:{month:%Y-%m}:{cio.user_id}"

    return _per_recipient("cio", "monthly", build, settings=settings, url=url, only=only, failures=failures)


def send(outgoing: list[Outgoing], *, mailer, now: dt.datetime, url: str | None = None) -> DeliveryReport:
    """Deliver digests through the outbox (a dry-run mailer only writes .eml files)."""
    url = url or da_config.database_url()
    return deliver(None if mailer.dry_run else get_engine(url), mailer, outgoing, now=now, url=url)
