"""Checking a survey link before anything is shown or written: rate limits, signature, expiry,
and that the invitation and its ticket still exist and were really sent. No Streamlit here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from data_access import query
from data_access.surveys import answers, ratelimit, tokens
from data_access.surveys.answers import Invitation

INVALID = ("This survey link is not valid. Please open it straight from the email you received "
           "(a copied link can be cut short). Nothing was recorded.")
EXPIRED = ("This survey link has expired, so it can no longer record an answer. Nothing was recorded. "
           "Thank you for wanting to tell us!")
BUSY = ("Too many survey links were tried in a short time. Nothing was recorded. Please wait a few "
        "minutes, then open the link from your email again.")


@dataclass(frozen=True)
class Checked:
    """A link that may be acted on (`claim` is None for an unsubscribe link)."""

    invitation: Invitation
    claim: tokens.ScoreClaim | None


class Refused(Exception):
    """A link that must not be acted on; the message is for the person who opened it.

    `forged` is True when the token was not signed with our secret (or is not even shaped like
    one): only those count against the process-wide limit, so people opening genuine but expired
    links never lock others out."""

    def __init__(self, message: str, *, forged: bool = False):
        super().__init__(message)
        self.forged = forged


def _counted(token: str, check) -> Checked:
    invitation_id = tokens.invitation_of(token)
    if not ratelimit.allowed(invitation_id):
        raise Refused(BUSY)
    try:
        checked = check()
    except Refused as exc:
        ratelimit.record(invitation_id, ok=not exc.forged)
        raise
    ratelimit.record(invitation_id, ok=True)
    return checked


def check_score_link(engine: sa.Engine, secret: str, token: str, *, now: dt.datetime) -> Checked:
    """The invitation and score a one-click link stands for; Refused with a message otherwise."""

    def check() -> Checked:
        try:
            claim = tokens.read_score_token(secret, token, now=now)
        except tokens.TokenError as exc:
            if exc.reason == "expired":
                raise Refused(EXPIRED) from None
            raise Refused(INVALID, forged=True) from None
        inv = query.read(lambda conn: answers.invitation(conn, claim.invitation_id), engine=engine)
        if inv is None or not inv.sent:
            raise Refused(INVALID)
        return Checked(inv, claim)

    return _counted(token, check)


def check_unsubscribe_link(engine: sa.Engine, secret: str, token: str) -> Checked:
    """The invitation an unsubscribe link stands for; Refused with a message otherwise."""

    def check() -> Checked:
        try:
            invitation_id = tokens.read_unsubscribe_token(secret, token)
        except tokens.TokenError:
            raise Refused(INVALID, forged=True) from None
        inv = query.read(lambda conn: answers.invitation(conn, invitation_id), engine=engine)
        if inv is None:
            raise Refused(INVALID)
        return Checked(inv, None)

    return _counted(token, check)
