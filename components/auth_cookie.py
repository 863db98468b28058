"""The re-authentication cookie: a signed token saying who signed in, when, and under which epoch.

The token is a JWT signed with HS256 and the cookie key. It carries `iat` (when the person typed
their password) and `epoch` (their session epoch then). The server decides how long a token is
good for (from `iat`, whatever else the token says) and whether its epoch is still the user's
current one, so whoever holds a cookie can neither extend it nor outlive a sign-out or a new
password. Any token that does not decode cleanly is simply no sign-in.

Writing and deleting the cookie is a one-line script in the page. (streamlit-authenticator's
cookie component reports back to the server after writing, and that report reran the landing
page half-way through its first run; its reader also let some JWT errors through as tracebacks.)
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from email.utils import formatdate

import jwt
import streamlit as st

ALGORITHM = "HS256"
MAX_TOKEN_CHARS = 2048
CLOCK_SKEW_SECONDS = 60  # a token may look issued up to a minute "in the future"
MAX_USERNAME_CHARS = 80
HIDDEN_CLASS = "sp-cookie-writer"


@dataclass(frozen=True)
class CookieClaims:
    """What a valid re-authentication cookie says."""

    username: str
    issued_at: float
    epoch: int


def encode(claims: CookieClaims, key: str, *, max_age_seconds: float) -> str:
    """The signed token for `claims` (its `exp` is informative: the server checks `iat` itself)."""
    issued = int(claims.issued_at)
    payload = {"username": claims.username, "iat": issued, "epoch": int(claims.epoch),
               "exp": issued + int(max_age_seconds)}
    return jwt.encode(payload, key, algorithm=ALGORITHM)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def decode(token, key: str, *, max_age_seconds: float, now: float | None = None) -> CookieClaims | None:
    """The claims of a valid, unexpired token signed with `key`; None for anything else."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        return None
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:  # "none", HS512, RS256…: refused before any check
            return None
        # Times are checked below against one clock (`now`), so the library only checks the signature.
        payload = jwt.decode(token, key, algorithms=[ALGORITHM],
                             options={"require": ["iat", "exp"], "verify_exp": False,
                                      "verify_iat": False})
    except Exception:  # noqa: BLE001 — every malformed, tampered or expired token is just "no sign-in"
        return None
    username, issued, epoch = payload.get("username"), payload.get("iat"), payload.get("epoch")
    if not isinstance(username, str) or not username.strip() or len(username) > MAX_USERNAME_CHARS:
        return None
    if not _number(issued) or not _number(payload.get("exp")) or not isinstance(epoch, int) \
            or isinstance(epoch, bool):
        return None
    now = time.time() if now is None else now
    if issued > now + CLOCK_SKEW_SECONDS or now - issued > max_age_seconds \
            or now > payload["exp"] + CLOCK_SKEW_SECONDS:
        return None
    return CookieClaims(username=username, issued_at=float(issued), epoch=epoch)


def browser_cookie(name: str) -> str | None:
    """The cookie `name` as the browser sent it when this session's page was loaded."""
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) else None


def _secure_suffix() -> str:
    url = st.context.url or ""
    return "; Secure" if url.startswith("https://") else ""


def _run_script(cookie_line: str) -> None:
    # json.dumps makes a JavaScript string literal; the token is base64url and dots only.
    script = f"<script>document.cookie = {json.dumps(cookie_line)};</script>"
    st.html(f'<span class="{HIDDEN_CLASS}"></span>{script}', unsafe_allow_javascript=True)
    st.html(f"<style>.stElementContainer:has(.{HIDDEN_CLASS}){{display:none !important}}</style>")


def write(name: str, token: str, *, max_age_seconds: float) -> None:
    """Ask the browser to keep `token` as cookie `name` (SameSite=Strict, whole site)."""
    expires = formatdate(time.time() + max_age_seconds, usegmt=True)
    _run_script(f"{name}={token}; path=/; expires={expires}; SameSite=Strict{_secure_suffix()}")


def delete(name: str) -> None:
    """Ask the browser to forget cookie `name`."""
    _run_script(f"{name}=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Strict"
                f"{_secure_suffix()}")
