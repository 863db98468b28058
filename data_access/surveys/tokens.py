"""Signed one-click survey tokens: `<invitation>.<score>.<expiry>.<signature>`.

The signature is an HMAC-SHA256 (with the survey secret) over a purpose tag, the invitation id,
the score and the expiry, so a token names one invitation and one score and nothing can be
changed without the secret. The ticket's key never appears. Unsubscribe tokens use their own
purpose tag, so a score link cannot be turned into one (or back).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass

MAX_TOKEN_LENGTH = 120
_SCORE_SHAPE = re.compile(r"^([1-9][0-9]{0,11})\.([0-9]{1,2})\.([0-9]{9,11})\.([A-Za-z0-9_-]{43})$")
_UNSUB_SHAPE = re.compile(r"^([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43})$")


class TokenError(ValueError):
    """A token that must not be acted on; `reason` is 'malformed', 'forged', 'expired' or 'score'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ScoreClaim:
    invitation_id: int
    score: int
    expires_at: dt.datetime


def _sign(secret: str, *parts: object) -> str:
    message = "|".join(str(p) for p in parts).encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _epoch(when: dt.datetime) -> int:
    return int(when.replace(tzinfo=dt.timezone.utc).timestamp())


def score_token(secret: str, invitation_id: int, score: int, expires_at: dt.datetime) -> str:
    """The token of one score link (expiry kept to whole seconds)."""
    if not 0 <= int(score) <= 10:
        raise ValueError("a score is 0–10")
    exp = _epoch(expires_at)
    return f"{int(invitation_id)}.{int(score)}.{exp}.{_sign(secret, 'score', invitation_id, score, exp)}"


def unsubscribe_token(secret: str, invitation_id: int) -> str:
    return f"{int(invitation_id)}.{_sign(secret, 'unsubscribe', invitation_id)}"


def read_score_token(secret: str, token: str, *, now: dt.datetime) -> ScoreClaim:
    """The claim of a genuine, unexpired token; TokenError otherwise (checked in that order)."""
    match = _SCORE_SHAPE.fullmatch(token or "") if len(token or "") <= MAX_TOKEN_LENGTH else None
    if match is None:
        raise TokenError("malformed")
    invitation_id, score, exp, signature = int(match[1]), int(match[2]), int(match[3]), match[4]
    if not hmac.compare_digest(signature, _sign(secret, "score", invitation_id, score, exp)):
        raise TokenError("forged")
    if not 0 <= score <= 10:
        raise TokenError("score")
    expires_at = dt.datetime.fromtimestamp(exp, dt.timezone.utc).replace(tzinfo=None)
    if now >= expires_at:
        raise TokenError("expired")
    return ScoreClaim(invitation_id, score, expires_at)


def read_unsubscribe_token(secret: str, token: str) -> int:
    """The invitation id of a genuine unsubscribe token; TokenError otherwise."""
    match = _UNSUB_SHAPE.fullmatch(token or "") if len(token or "") <= MAX_TOKEN_LENGTH else None
    if match is None:
        raise TokenError("malformed")
    invitation_id = int(match[1])
    if not hmac.compare_digest(match[2], _sign(secret, "unsubscribe", invitation_id)):
        raise TokenError("forged")
    return invitation_id


def invitation_of(token: str) -> int | None:
    """The invitation id a token claims (unverified: only for rate limiting per invitation)."""
    head = (token or "")[:MAX_TOKEN_LENGTH].split(".", 1)[0]
    # ASCII digits only: "²".isdigit() is true and int() rejects it (the survey page would crash).
    return int(head) if head.isascii() and head.isdigit() and len(head) <= 12 else None
