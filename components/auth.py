"""Sign-in for Service Pulse: cookie key rules, the password check and lockouts (no UI here).

The form checks the bcrypt hash stored in `app_users` with streamlit-authenticator's Hasher and
counts failures in the database; unknown usernames cost the same bcrypt work as known ones. The sign-in flow (form, cookie,
sign-out, the demo password's replacement) is in components/signin.py, the cookie itself in
components/auth_cookie.py. The session-state keys `authentication_status`, `username` and
`name` keep the contract streamlit-authenticator defined.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from pathlib import Path

import bcrypt
from streamlit_authenticator.utilities.hasher import Hasher

from data_access import clock, config, secret_files, settings
from data_access.users import UserRecord, find_user, normalise_username
from data_access.writes import users as user_writes

COOKIE_KEY_ENV = settings.COOKIE_KEY_ENV
COOKIE_EXPIRY_ENV = settings.COOKIE_EXPIRY_ENV
COOKIE_NAME = "service_pulse_auth"
MIN_KEY_BYTES = config.MIN_SECRET_BYTES
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
FAILED_MESSAGE = ("Sign-in failed: the username or password is not right. After "
                  f"{MAX_FAILED_LOGINS} failed attempts an account is paused for {LOCK_MINUTES} minutes.")


@functools.lru_cache(maxsize=4)
def _dummy_hash(rounds: int) -> bytes:
    """Checked when the username is unknown, at the cost of real hashes, so that a wrong username
    costs as long as a wrong password."""
    return bcrypt.hashpw(secrets.token_hex(16).encode(), bcrypt.gensalt(rounds=rounds))


_dummy_hash(user_writes.BCRYPT_ROUNDS)  # made now, so the first unknown username is not slower


class CookieKeyError(RuntimeError):
    """The cookie key is missing or weak; the message tells the operator what to do."""


@dataclass(frozen=True)
class CookieSettings:
    """The re-authentication cookie: its signing key and lifetime."""

    key: str
    expiry_days: float
    name: str = COOKIE_NAME

    @property
    def max_age_seconds(self) -> float:
        """How long a sign-in lasts from the moment the password was typed (0: no cookie)."""
        return self.expiry_days * 86_400


def cookie_key_problem(key: str) -> str | None:
    """Why `key` is not acceptable as a cookie key, or None when it is fine."""
    return config.weak_secret(key)


def demo_key_file() -> Path:
    """Where the demo's generated cookie key lives (data folder, outside git)."""
    return config.data_dir() / "cookie_key"


def existing_key_file_key() -> str | None:
    """The key of the data folder's key file when there is one (tightened to 0600)."""
    # Whatever stands in the file's place is read (and refused when not a private regular file).
    key = secret_files.read_private(demo_key_file(), "cookie key", CookieKeyError)
    return key if key is not None and cookie_key_problem(key) is None else None


def _demo_key() -> str:
    key = existing_key_file_key()
    return key if key is not None else secret_files.create_private(demo_key_file())


def cookie_key(*, demo: bool, local: bool = False) -> str:
    """The cookie-signing key: env, then secrets `[auth] cookie_key`, then the data folder's key file.

    The file (random, 0600) serves the local warehouses of that folder (`demo`, or `local`: the
    demo after an import, or a fresh warehouse made next to it) until the admin configures their
    own key, so an import never locks everyone out mid-session. A server database never uses it.
    """
    configured = settings.current().auth.cookie_key
    if configured:
        problem = cookie_key_problem(configured)
        if problem is None:
            return configured
        if not demo:
            raise CookieKeyError(
                f"The configured cookie key is refused because {problem}. Set {COOKIE_KEY_ENV} "
                f"or [auth] cookie_key in .streamlit/secrets.toml to a random value of at least "
                f"{MIN_KEY_BYTES} bytes, e.g. the output of: python -c \"import secrets; "
                f"print(secrets.token_urlsafe(48))\"")
    if demo or local:
        return _demo_key()
    raise CookieKeyError(
        f"No cookie key is configured. Set {COOKIE_KEY_ENV} or [auth] cookie_key in "
        f".streamlit/secrets.toml to a random value of at least {MIN_KEY_BYTES} bytes "
        f"(python -c \"import secrets; print(secrets.token_urlsafe(48))\").")


def cookie_settings(*, demo: bool, local: bool = False) -> CookieSettings:
    """Key and lifetime of the re-authentication cookie (hours from env or `[auth] cookie_expiry_hours`,
    default 8, at most 30 days)."""
    hours = settings.current().auth.cookie_expiry_hours
    return CookieSettings(key=cookie_key(demo=demo, local=local), expiry_days=hours / 24.0)


# ---------------------------------------------------------------- credentials check (no UI)

def check_login(username: str, password: str, *, url: str | None = None) -> UserRecord | None:
    """The user when `password` is right and the account is active and not locked; else None.

    Unknown, disabled and locked accounts take the same bcrypt time and give the same answer, so
    the result never tells whether a username exists. A wrong password counts against the account.
    A hash made at a lower cost than today's is replaced after a good password.
    """
    user = find_user(username, url=url) if normalise_username(username) else None
    # bcrypt reads at most 72 bytes (and refuses more); cut on a character boundary.
    candidate = (password or "").encode()[:user_writes.MAX_PASSWORD_BYTES].decode("utf-8", "ignore")
    if user is None or not user.active or user.locked(clock.now()):
        Hasher.check_pw(candidate, _dummy_hash(user_writes.BCRYPT_ROUNDS).decode())
        return None
    try:
        ok = Hasher.check_pw(candidate, user.password_hash)
    except ValueError:  # a malformed stored hash: treat as a wrong password, never as a pass
        ok = False
    if not ok:
        user_writes.record_failed_login(user.user_id, max_attempts=MAX_FAILED_LOGINS,
                                        lock_minutes=LOCK_MINUTES, url=url)
        return None
    cost = user_writes.hash_cost(user.password_hash)
    stale = (cost is not None and cost < user_writes.BCRYPT_ROUNDS
             and len((password or "").encode()) <= user_writes.MAX_PASSWORD_BYTES)
    user_writes.record_successful_login(user.user_id, url=url,
                                        rehash_password=password if stale else None)
    return user


def viewer_for(user: UserRecord):
    """The Viewer (identity + scope source) for a signed-in user, rebuilt from the database each run."""
    from components.viewer import Viewer

    team_name = user.own_team_name or (", ".join(user.lead_team_names) or None)
    # A role is only usable with its links: an analyst needs their analyst id, a lead a team.
    roles = tuple(r for r in user.roles
                  if not (r == "analyst" and user.analyst_id is None)
                  and not (r == "lead" and not user.lead_team_ids))
    return Viewer(user_id=user.user_id, username=user.username, display_name=user.display_name,
                  # The linked analyst record, whatever the roles: the analyst scope when they have
                  # that role, and the one person a lead never coaches (their own feedback).
                  roles=roles, analyst_id=user.analyst_id,
                  lead_team_ids=user.lead_team_ids if "lead" in user.roles else (),
                  own_team_id=user.own_team_id, team_name=team_name)
