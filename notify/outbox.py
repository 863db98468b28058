"""Compose emails and deliver them through the outbox: each email is recorded in `notifications`
under a dedupe key, claimed before sending, and marked sent only once the SMTP server accepted it."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import sqlalchemy as sa

from data_access import notify_reads as reads
from data_access.engine import DB_ERRORS
from data_access.writes import notify as writes
from notify.mailer import MailerError, PartialDelivery

log = logging.getLogger("service_pulse.notify")


# Control characters (CR, LF, NUL, tab, …) and Unicode line/paragraph separators: none of them
# may reach a header, where a line break would start a new header ("Bcc: …").
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(value: object) -> str:
    """A header value with every control character folded into one space (never a new header line)."""
    return " ".join(_CONTROL.sub(" ", str(value)).split())


def address(value: str) -> Address:
    """One mailbox ("Name <a@b>" or "a@b") as a structured address; ValueError when it is not one."""
    if _CONTROL.search(value or ""):
        raise ValueError(f"not an email address: {header_text(value)!r}")
    name, addr_spec = parseaddr(value)
    if "@" not in addr_spec:
        raise ValueError(f"not an email address: {header_text(value)!r}")
    return Address(display_name=header_text(name), addr_spec=addr_spec)


def compose(*, sender: str, to: list[str], subject: str, text: str, html: str,
            cc: list[str] | None = None) -> EmailMessage:
    """A multipart/alternative message: plain text first, then the HTML version.

    Headers are built from structured addresses and control-free text, so a name holding
    CR/LF ("Team\\r\\nBcc: x@evil.example") stays inside its own header.
    """
    msg = EmailMessage()
    msg["From"] = address(sender)
    msg["To"] = tuple(address(a) for a in to)
    if cc:
        msg["Cc"] = tuple(address(a) for a in cc)
    msg["Subject"] = header_text(subject)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="service-pulse.local")
    msg["Auto-Submitted"] = "auto-generated"  # tells mail servers not to send auto-replies
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


@dataclass
class Outgoing:
    """One email to send; `dedupe_keys` are the outbox entries it settles (several for a batch)."""

    kind: str
    dedupe_keys: tuple[str, ...]
    message: EmailMessage

    @property
    def recipients(self) -> str:
        return ", ".join(a for a in (self.message["To"], self.message["Cc"]) if a)


@dataclass
class DeliveryReport:
    """What a run did: counts for the log, the keys that went out, and the first error seen."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    written: int = 0
    sent_keys: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_failures(self, errors: list[str]) -> None:
        """Count emails that could not even be built (each one is a recipient left without mail)."""
        self.failed += len(errors)
        self.errors.extend(errors)


def build_or_note(failures: list[str], what: str, build: Callable[[], Outgoing]) -> Outgoing | None:
    """Build one email; when that fails (bad data in a name, a rendering bug), log it, note it in
    `failures` and return None so the other recipients still get theirs. An unreachable database
    is not one recipient's problem: it propagates."""
    try:
        return build()
    except DB_ERRORS:
        raise
    except Exception as exc:  # noqa: BLE001 — one bad email must never stop the others
        log.exception("could not build the %s", what)
        failures.append(f"could not build the {what}: {header_text(exc)}")
        return None


def deliver(engine: sa.Engine | None, mailer, outgoing: list[Outgoing], *, now: dt.datetime,
            url: str | None = None) -> DeliveryReport:
    """Send what has not been sent yet. A dry-run mailer writes files and touches no table."""
    report = DeliveryReport()
    for item in outgoing:
        if getattr(mailer, "dry_run", False):
            if reads.sent_notifications(item.dedupe_keys, url=url) >= set(item.dedupe_keys):
                report.skipped += 1
                continue
            mailer.send(item.message)
            report.written += 1
            continue
        subject = str(item.message["Subject"])
        rows = [writes.ensure_notification(engine, kind=item.kind, dedupe_key=k, recipients=item.recipients,
                                           subject=subject, now=now) for k in item.dedupe_keys]
        pending = [r for r in rows if r["sent_at"] is None]
        if not pending:
            report.skipped += 1
            continue
        claimed = [r for r in pending
                   if writes.claim_notification(engine, notification_id=r["notification_id"],
                                                attempts=r["attempts"], recipients=item.recipients,
                                                subject=subject)]
        if len(claimed) < len(pending):
            # Another run is sending (part of) this email right now: leave it to that run.
            report.skipped += 1
            continue
        ids = [r["notification_id"] for r in claimed]
        try:
            mailer.send(item.message)
        except PartialDelivery as exc:
            writes.mark_sent(engine, notification_ids=ids, now=now, note=str(exc))
            report.sent += 1
            report.sent_keys.update(item.dedupe_keys)
            report.errors.append(str(exc))
            continue
        except (MailerError, ValueError, UnicodeError) as exc:  # a bad message: this one only
            writes.mark_failed(engine, notification_ids=ids, error=str(exc))
            report.failed += 1
            report.errors.append(str(exc))
            if getattr(exc, "unreachable", False):
                report.failed += len(outgoing) - outgoing.index(item) - 1
                break  # the server is down: do not hammer it for every remaining email
            continue
        writes.mark_sent(engine, notification_ids=ids, now=now)
        report.sent += 1
        report.sent_keys.update(item.dedupe_keys)
    return report
