"""The survey invitation email (HTML + plain text) and the `surveys send` run.

Every value from the database (ticket number, description, names) is escaped for HTML, and
header values are stripped of line breaks and control characters, so neither an imported
description nor a requester's name can add markup or a mail header; no address in them becomes
a link in the reader's mail client (`notify.render.plain`).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from components import formats
from data_access import clock
from data_access.surveys import invitations, tokens
from data_access.surveys.invitations import Outgoing
from data_access.surveys.settings import SurveySettings
from notify.config import NotifySettings
from notify.mailer import MailerError, PartialDelivery
from notify.render import plain

QUESTION = "How happy are you with how your ticket was handled?"
# Links go to the app's root: the survey page is the only (default) page then, and a path of
# its own would make Streamlit show "page not found" before running it.
SURVEY_PATH = ""
UNSUBSCRIBE_PATH = ""
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
FONT = "font-family:Segoe UI,Helvetica,Arial,sans-serif;"


def header_text(value: object, limit: int = 150) -> str:
    """A value safe for a mail header: one line, no control characters, bounded length."""
    return " ".join(_CONTROL.sub(" ", "" if value is None else str(value)).split())[:limit]


@dataclass(frozen=True)
class SurveyLinks:
    scores: tuple[str, ...]  # 11 links, score 0 first
    unsubscribe: str


def links(item: Outgoing, *, secret: str, expires_at: dt.datetime, notify: NotifySettings) -> SurveyLinks:
    scores = tuple(notify.link(SURVEY_PATH, token=tokens.score_token(secret, item.invitation_id, s, expires_at))
                   for s in range(11))
    return SurveyLinks(scores, notify.link(UNSUBSCRIBE_PATH, unsubscribe=tokens.unsubscribe_token(secret, item.invitation_id)))


def subject(item: Outgoing) -> str:
    return header_text(f"Your ticket {plain(item.ticket_id)}: how did we do?")


def text_body(item: Outgoing, ln: SurveyLinks, *, expires_at: dt.datetime) -> str:
    lines = [f"Your ticket {plain(item.ticket_id)} is closed: {plain(header_text(item.about, 300))}", "",
             QUESTION, "Open one link to answer (0 = not at all happy, 10 = very happy):", ""]
    lines += [f"  {score:>2}  {link}" for score, link in enumerate(ln.scores)]
    lines += ["", "One click records your answer; the page then lets you tell us more if you like.",
              f"The links work until {formats.day(expires_at)}.", "",
              f"No more surveys from the IT service desk: {ln.unsubscribe}"]
    return "\n".join(lines) + "\n"


def _button(score: int, link: str) -> str:
    return (f'<a href="{html.escape(link, quote=True)}" aria-label="{score} out of 10" '
            f'style="display:inline-block;width:44px;height:44px;line-height:44px;margin:3px;'
            f'border-radius:8px;background:#1f5fa8;color:#ffffff;text-decoration:none;'
            f'font-size:20px;font-weight:600;text-align:center;{FONT}">{score}</a>')


def html_body(item: Outgoing, ln: SurveyLinks, *, expires_at: dt.datetime) -> str:
    e = lambda v: html.escape("" if v is None else str(v), quote=True)  # noqa: E731
    buttons = "".join(_button(s, link) for s, link in enumerate(ln.scores))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(subject(item))}</title></head>
<body style="margin:0;padding:0;background:#f5f7fa;">
<div style="max-width:560px;margin:0 auto;padding:24px 16px;{FONT}color:#1f2933;">
<p style="margin:0 0 4px;font-size:14px;color:#52606d;">Ticket {e(plain(item.ticket_id))} is closed</p>
<p style="margin:0 0 20px;font-size:16px;">{e(plain(item.about))}</p>
<h1 style="margin:0 0 12px;font-size:22px;line-height:1.3;">{e(QUESTION)}</h1>
<div role="group" aria-label="{e(QUESTION)}" style="text-align:center;">{buttons}</div>
<table role="presentation" width="100%" style="font-size:13px;color:#52606d;margin:4px 0 20px;"><tr>
<td align="left">0 = not at all happy</td><td align="right">10 = very happy</td></tr></table>
<p style="font-size:14px;line-height:1.5;">One click records your answer. The page that opens lets you
tell us more if you like. The links work until {formats.day(expires_at)}.</p>
<p style="font-size:12px;color:#52606d;margin-top:28px;">You received this because you raised a ticket with
the IT service desk. <a href="{e(ln.unsubscribe)}" style="color:#52606d;">Unsubscribe from these surveys</a>.</p>
</div></body></html>
"""


def message(item: Outgoing, *, sender: str, secret: str, expires_at: dt.datetime,
            notify: NotifySettings) -> EmailMessage:
    """The multipart/alternative invitation for one ticket."""
    ln = links(item, secret=secret, expires_at=expires_at, notify=notify)
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = Address(display_name=header_text(item.requester or "", 80), addr_spec=item.email)
    msg["Subject"] = subject(item)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="service-pulse.local")
    msg["Auto-Submitted"] = "auto-generated"
    msg["List-Unsubscribe"] = f"<{ln.unsubscribe}>"
    msg.set_content(text_body(item, ln, expires_at=expires_at))
    msg.add_alternative(html_body(item, ln, expires_at=expires_at), subtype="html")
    return msg


@dataclass
class SurveyRun:
    """What `surveys send` did. Its counters look like notify.outbox.DeliveryReport's, but a
    survey run also creates invitations and has no dedupe keys: two reports, not one twice."""

    created: int = 0
    sent: int = 0
    written: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def send_surveys(engine, mailer, *, now: dt.datetime, settings: SurveySettings,
                 notify: NotifySettings) -> SurveyRun:
    """Invite newly closed tickets and send every pending invitation; a dry-run mailer writes
    the emails as files and the database is left untouched."""
    run = SurveyRun()
    expires_at = (now + dt.timedelta(days=settings.valid_days)).replace(microsecond=0)
    if mailer.dry_run:
        for item in invitations.preview(engine, now=now, settings=settings):
            mailer.send(message(item, sender=notify.smtp.sender, secret=settings.secret,
                                expires_at=expires_at, notify=notify))
            run.written += 1
        return run
    run.created = invitations.create_pending(engine, now=now, settings=settings)
    todo = invitations.pending(engine, now=now, settings=settings)
    for index, item in enumerate(todo):
        if not invitations.claim(engine, item.invitation_id, item.attempts, now=clock.now()):
            run.skipped += 1  # another run is sending it right now
            continue
        try:
            msg = message(item, sender=notify.smtp.sender, secret=settings.secret, expires_at=expires_at,
                          notify=notify)
        except ValueError as exc:  # an address the mail library refuses: say so, keep it unsent
            invitations.mark_failed(engine, item.invitation_id, error=f"cannot address {item.email!r}: {exc}")
            run.failed += 1
            run.errors.append(f"Invitation {item.invitation_id}: cannot address the email: {exc}")
            continue
        try:
            mailer.send(msg)
        except PartialDelivery:
            pass  # a single recipient: accepted means sent
        except MailerError as exc:
            invitations.mark_failed(engine, item.invitation_id, error=str(exc))
            run.failed += 1
            run.errors.append(str(exc))
            if getattr(exc, "unreachable", False):
                run.failed += len(todo) - index - 1
                break
            continue
        invitations.mark_sent(engine, item.invitation_id, now=now, expires_at=expires_at)
        run.sent += 1
    return run
