"""Sign-in for Service Pulse: the branded login form, the re-authentication cookie and lockouts.

streamlit-authenticator (0.4.2) provides the signed re-authentication cookie (JWT, HS256 with
our cookie key), the session-state contract (`authentication_status`, `username`, `name`) and
logout. Its own login widget is not used: it keeps failed-attempt counts in memory only, strips
passwords, answers faster for unknown usernames than for known ones, and gives no hook to
record a failure against an account. So the form below checks the bcrypt hash stored in
`app_users`, counts failures in the database, and then hands the session to the authenticator.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import streamlit as st
import streamlit_authenticator as stauth

from data_access import clock, config
from data_access.engine import DB_ERRORS, describe_failure
from data_access.users import UserRecord, find_user, normalise_username
from data_access.writes import users as user_writes

COOKIE_KEY_ENV = "SERVICE_PULSE_COOKIE_KEY"
COOKIE_EXPIRY_ENV = "SERVICE_PULSE_COOKIE_EXPIRY_HOURS"
COOKIE_NAME = "service_pulse_auth"
DEFAULT_EXPIRY_HOURS = 8.0  # one working day; a stolen laptop does not stay signed in for weeks
MIN_KEY_BYTES = 32
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
# Keys from documentation and examples (ours included): never acceptable outside a demo.
WELL_KNOWN_KEYS = frozenset({
    "some_key", "some_signature_key", "random_signature_key", "abcdef", "secret", "changeme",
    "change-me", "password", "cookie_key", "service-pulse", "servicepulse",
    "replace-me-with-a-long-random-string-of-at-least-32-bytes",
})
FAILED_MESSAGE = ("Sign-in failed: the username or password is not right. After "
                  f"{MAX_FAILED_LOGINS} failed attempts an account is paused for {LOCK_MINUTES} minutes.")
SESSION_FAILS = "_sp_failed_logins"
SESSION_PAUSED_UNTIL = "_sp_login_paused_until"
LOGOUT_REQUESTED = "_sp_logout_requested"
JUST_SIGNED_IN = "_sp_just_signed_in"
LOGIN_MESSAGE = "_sp_login_message"
SIGNED_IN_AT = "_sp_signed_in_at"

# Checked when the username is unknown, so that a wrong username costs as long as a wrong password.
_DUMMY_HASH = bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(rounds=user_writes.BCRYPT_ROUNDS))


class CookieKeyError(RuntimeError):
    """The cookie key is missing or weak; the message tells the operator what to do."""


@dataclass(frozen=True)
class CookieSettings:
    """The re-authentication cookie: its signing key and lifetime."""

    key: str
    expiry_days: float
    name: str = COOKIE_NAME


def _secrets_auth() -> dict:
    return config._secrets().get("auth", {})  # same secrets file the database URL comes from


def cookie_key_problem(key: str) -> str | None:
    """Why `key` is not acceptable as a cookie key, or None when it is fine."""
    if len(key.encode()) < MIN_KEY_BYTES:
        return f"it is shorter than {MIN_KEY_BYTES} bytes"
    if key.strip().lower() in WELL_KNOWN_KEYS:
        return "it is a published example value"
    if len(set(key)) < 8:
        return "it repeats too few different characters to be random"
    return None


def demo_key_file() -> Path:
    """Where the demo's generated cookie key lives (data folder, outside git)."""
    return config.data_dir() / "cookie_key"


def _demo_key() -> str:
    path = demo_key_file()
    if path.is_file():
        key = path.read_text().strip()
        if cookie_key_problem(key) is None:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)  # 48 random bytes → 64 characters
    # Create with 0600 from the start, so the key is never readable by others even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    os.chmod(path, 0o600)
    return key


def cookie_key(*, demo: bool) -> str:
    """The cookie-signing key: env, then secrets `[auth] cookie_key`, then (demo only) a generated file."""
    configured = os.environ.get(COOKIE_KEY_ENV) or _secrets_auth().get("cookie_key")
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
    if demo:
        return _demo_key()
    raise CookieKeyError(
        f"No cookie key is configured. Set {COOKIE_KEY_ENV} or [auth] cookie_key in "
        f".streamlit/secrets.toml to a random value of at least {MIN_KEY_BYTES} bytes "
        f"(python -c \"import secrets; print(secrets.token_urlsafe(48))\").")


def cookie_settings(*, demo: bool) -> CookieSettings:
    """Key and lifetime of the re-authentication cookie (hours from env or `[auth] cookie_expiry_hours`)."""
    hours = os.environ.get(COOKIE_EXPIRY_ENV) or _secrets_auth().get("cookie_expiry_hours")
    try:
        hours = float(hours) if hours is not None else DEFAULT_EXPIRY_HOURS
    except ValueError:
        hours = DEFAULT_EXPIRY_HOURS
    hours = min(max(hours, 0.0), 24.0 * 30)
    return CookieSettings(key=cookie_key(demo=demo), expiry_days=hours / 24.0)


# ---------------------------------------------------------------- credentials check (no UI)

def check_login(username: str, password: str, *, url: str | None = None) -> UserRecord | None:
    """The user when `password` is right and the account is active and not locked; else None.

    Unknown, disabled and locked accounts take the same bcrypt time and give the same answer, so
    the result never tells whether a username exists. A wrong password counts against the account.
    """
    user = find_user(username, url=url) if normalise_username(username) else None
    candidate = (password or "").encode()
    if len(candidate) > user_writes.MAX_PASSWORD_BYTES:
        candidate = candidate[:user_writes.MAX_PASSWORD_BYTES]
    if user is None or not user.active or user.locked(clock.now()):
        bcrypt.checkpw(candidate, _DUMMY_HASH)
        return None
    try:
        ok = bcrypt.checkpw(candidate, user.password_hash.encode())
    except ValueError:  # a malformed stored hash: treat as a wrong password, never as a pass
        ok = False
    if not ok:
        user_writes.record_failed_login(user.user_id, max_attempts=MAX_FAILED_LOGINS,
                                        lock_minutes=LOCK_MINUTES, url=url)
        return None
    user_writes.record_successful_login(user.user_id, url=url)
    return user


def session_paused_until() -> dt.datetime | None:
    """When this browser session may try again after too many failures (None: not paused)."""
    until = st.session_state.get(SESSION_PAUSED_UNTIL)
    if until is not None and until > clock.now():
        return until
    return None


# ---------------------------------------------------------------- streamlit flow

def authenticator(settings: CookieSettings) -> stauth.Authenticate:
    """The streamlit-authenticator object for this run (renders its hidden cookie component once)."""
    # Credentials live in the database; the authenticator only handles cookie and session state.
    authenticator = stauth.Authenticate({"usernames": {}}, settings.name, settings.key,
                                        settings.expiry_days, auto_hash=False)
    # The cookie component is an invisible iframe; keep its empty row from pushing the page down.
    st.html("<style>.stElementContainer:has(iframe[title*='cookie_manager'])"
            "{display:none !important}</style>")
    return authenticator


def _on_submit(url: str | None) -> None:
    """Form callback: check the password, update counters, clear the password field."""
    username = st.session_state.get("login_username", "")
    password = st.session_state.get("login_password", "")
    if session_paused_until():
        return
    if not normalise_username(username) or not password:
        st.session_state[LOGIN_MESSAGE] = "Enter your username and password."
        return
    try:
        user = check_login(username, password, url=url)
    except DB_ERRORS as exc:  # the password was not checked: no failed attempt is counted
        st.session_state[LOGIN_MESSAGE] = f"Sign-in is not possible right now. {describe_failure(exc)}"
        return
    if user is None:
        fails = int(st.session_state.get(SESSION_FAILS, 0)) + 1
        st.session_state[SESSION_FAILS] = fails
        if fails >= MAX_FAILED_LOGINS:
            st.session_state[SESSION_PAUSED_UNTIL] = clock.now() + dt.timedelta(minutes=LOCK_MINUTES)
            st.session_state[SESSION_FAILS] = 0
        st.session_state[LOGIN_MESSAGE] = FAILED_MESSAGE
        return
    st.session_state.pop(SESSION_FAILS, None)
    st.session_state.pop(LOGIN_MESSAGE, None)
    st.session_state["authentication_status"] = True
    st.session_state["username"] = user.username
    st.session_state["name"] = user.display_name
    st.session_state["logout"] = False
    st.session_state[JUST_SIGNED_IN] = True
    st.session_state[SIGNED_IN_AT] = time.time()


def login_page(url: str | None = None) -> None:
    """The sign-in page: Service Pulse branding and a username/password form."""
    left, middle, right = st.columns([1, 2, 1])
    with middle:
        st.title(":material/monitoring: Service Pulse")
        st.caption("Honest, regular customer feedback for the service desk — private where it should be.")
        paused = session_paused_until()
        if paused:
            minutes = max(1, int((paused - clock.now()).total_seconds() // 60) + 1)
            st.error(f"Too many failed sign-in attempts. For your security, sign-in is paused for "
                     f"about {minutes} minute(s). If you forgot your password, ask an admin to set a new one.")
            return
        message = st.session_state.pop(LOGIN_MESSAGE, None)
        # clear_on_submit: the typed password is never kept in the browser after a try.
        with st.form("sign_in", clear_on_submit=True, enter_to_submit=True):
            st.subheader("Sign in")
            st.text_input("Username", key="login_username", autocomplete="username")
            st.text_input("Password", key="login_password", type="password",
                          autocomplete="current-password")
            st.form_submit_button("Sign in", type="primary", on_click=_on_submit, args=(url,),
                                  width="stretch")
        if message:
            st.error(message)


def request_logout() -> None:
    """Button callback: sign out on this run (the script then shows the sign-in page)."""
    st.session_state[LOGOUT_REQUESTED] = True


def _revoked(user: UserRecord, signed_in_at: float | None) -> bool:
    """True when the user's sign-ins were revoked (logout, new password, disabled) after this one."""
    return user.sessions_after is not None and (signed_in_at or 0.0) < user.sessions_after


def signed_in_user(auth: stauth.Authenticate, url: str | None = None) -> UserRecord | None:
    """The signed-in, still active user for this run, or None (handles logout and the cookie).

    A logout is recorded in the database, so the cookie it leaves behind (if the browser had no
    time to delete it) and any other session of the same person no longer sign in.
    """
    if st.session_state.pop(LOGOUT_REQUESTED, False):
        user = find_user(st.session_state.get("username") or "", url=url)
        if user is not None:
            user_writes.revoke_sessions(user.user_id, url=url)
        if st.session_state.get("authentication_status"):
            auth.logout(location="unrendered")  # clears session keys and deletes the cookie
        _forget_session()
        return None
    if not st.session_state.get("authentication_status"):
        token = auth.cookie_controller.get_cookie()
        if token and isinstance(token, dict) and token.get("username"):
            user = find_user(token["username"], url=url)
            lifetime = float(auth.cookie_controller.cookie_model.cookie_expiry_days) * 86_400
            issued_at = float(token.get("exp_date", 0)) - lifetime
            if user is not None and user.active and not user.locked(clock.now()) \
                    and not _revoked(user, issued_at):
                st.session_state["authentication_status"] = True
                st.session_state["username"] = user.username
                st.session_state["name"] = user.display_name
                st.session_state[SIGNED_IN_AT] = issued_at
                return user
        return None
    user = find_user(st.session_state.get("username") or "", url=url)
    if user is None or not user.active or _revoked(user, st.session_state.get(SIGNED_IN_AT)):
        # Disabled, removed or signed out elsewhere while signed in here: end this session now.
        if st.session_state.get("authentication_status"):
            auth.logout(location="unrendered")
        _forget_session()
        return None
    if st.session_state.pop(JUST_SIGNED_IN, False):
        auth.cookie_controller.set_cookie()
    return user


def _forget_session() -> None:
    for key in ("viewer", "authentication_status", "username", "name", JUST_SIGNED_IN, SIGNED_IN_AT):
        st.session_state.pop(key, None)


def viewer_for(user: UserRecord):
    """The Viewer (identity + scope source) for a signed-in user, rebuilt from the database each run."""
    from components.viewer import Viewer

    team_name = user.own_team_name or (", ".join(user.lead_team_names) or None)
    # A role is only usable with its links: an analyst needs their analyst id, a lead a team.
    roles = tuple(r for r in user.roles
                  if not (r == "analyst" and user.analyst_id is None)
                  and not (r == "lead" and not user.lead_team_ids))
    return Viewer(user_id=user.user_id, username=user.username, display_name=user.display_name,
                  roles=roles, analyst_id=user.analyst_id if "analyst" in user.roles else None,
                  lead_team_ids=user.lead_team_ids if "lead" in user.roles else (),
                  own_team_id=user.own_team_id, team_name=team_name)
