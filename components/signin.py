"""The sign-in flow: the form, the re-authentication cookie, sign-out and the demo password's end.

A session is signed in when `authentication_status` is true; it carries the session epoch it was
made under and when the password was typed. On every run the user is read again: a sign-out
elsewhere or a new password (a new epoch), a disabled account or an expired sign-in ends it.
Once the warehouse holds imported data, the demo's shared password no longer opens a session:
the person sets their own first (a session that was already open carries on).
"""

from __future__ import annotations

import datetime as dt
import hmac
import time

import streamlit as st

from components import auth, auth_cookie
from components.text import literal
from data_access import clock
from data_access.demo import DEMO_PASSWORD
from data_access.engine import DB_ERRORS, describe_failure
from data_access.users import (UserRecord, find_user, has_users, normalise_username,
                               uses_demo_password)
from data_access.writes import InvalidInput
from data_access.writes import users as user_writes

SESSION_FAILS = "_sp_failed_logins"
SESSION_PAUSED_UNTIL = "_sp_login_paused_until"
LOGOUT_REQUESTED = "_sp_logout_requested"
ISSUE_COOKIE = "_sp_issue_cookie"
LOGIN_MESSAGE = "_sp_login_message"
SIGNED_IN_AT = "_sp_signed_in_at"
SESSION_EPOCH = "_sp_session_epoch"
PASSWORD_CHANGE = "_sp_password_change"
CHANGE_WINDOW_SECONDS = 600  # the new-password form stays open this long after the old one was typed
# Warehouses where the demo's shared password must be replaced before a new session starts.
REAL_DATA = ("imported", "mixed")
DEMO_PASSWORD_MESSAGE = ("This account still uses the demo's shared password, and this warehouse now "
                         "holds real data. Choose a password of your own to continue.")
EXPIRED_MESSAGE = "Your sign-in has expired. Please sign in again."


def session_paused_until() -> dt.datetime | None:
    """When this browser session may try again after too many failures (None: not paused)."""
    until = st.session_state.get(SESSION_PAUSED_UNTIL)
    if until is not None and until > clock.now():
        return until
    return None


def _start_session(user: UserRecord, *, signed_in_at: float, epoch: int, issue_cookie: bool) -> None:
    st.session_state["authentication_status"] = True
    st.session_state["username"] = user.username
    st.session_state["name"] = user.display_name
    st.session_state["logout"] = False
    st.session_state[SIGNED_IN_AT] = signed_in_at
    st.session_state[SESSION_EPOCH] = epoch
    if issue_cookie:
        st.session_state[ISSUE_COOKIE] = True


def _forget_session() -> None:
    for key in ("viewer", "authentication_status", "username", "name", ISSUE_COOKIE, SIGNED_IN_AT,
                SESSION_EPOCH):
        st.session_state.pop(key, None)


def _count_failure() -> None:
    fails = int(st.session_state.get(SESSION_FAILS, 0)) + 1
    st.session_state[SESSION_FAILS] = fails
    if fails >= auth.MAX_FAILED_LOGINS:
        st.session_state[SESSION_PAUSED_UNTIL] = clock.now() + dt.timedelta(minutes=auth.LOCK_MINUTES)
        st.session_state[SESSION_FAILS] = 0
    st.session_state[LOGIN_MESSAGE] = auth.FAILED_MESSAGE


def _on_submit(url: str | None, origin: str) -> None:
    """Form callback: check the password, update counters; the password field is cleared."""
    username = st.session_state.get("login_username", "")
    password = st.session_state.get("login_password", "")
    if session_paused_until():
        return
    if not normalise_username(username) or not password:
        st.session_state[LOGIN_MESSAGE] = "Enter your username and password."
        return
    try:
        user = auth.check_login(username, password, url=url)
    except DB_ERRORS as exc:
        st.session_state[LOGIN_MESSAGE] = f"Sign-in is not possible right now. {describe_failure(exc)}"
        return
    if user is None:
        _count_failure()
        return
    st.session_state.pop(SESSION_FAILS, None)
    st.session_state.pop(LOGIN_MESSAGE, None)
    if origin in REAL_DATA and hmac.compare_digest(password.encode(), DEMO_PASSWORD.encode()):
        st.session_state[PASSWORD_CHANGE] = {"user_id": user.user_id, "username": user.username,
                                             "since": time.time()}
        return
    _start_session(user, signed_in_at=time.time(), epoch=user.session_epoch, issue_cookie=True)


def _on_change(url: str | None) -> None:
    """New-password form callback: replace the demo password, then start the session."""
    pending = _pending_change()
    new1 = st.session_state.get("change_password_1", "")
    new2 = st.session_state.get("change_password_2", "")
    if pending is None:
        return
    if new1 != new2:
        st.session_state[LOGIN_MESSAGE] = "The two passwords differ."
        return
    try:
        user = find_user(pending["username"], url=url)
        if user is None or user.user_id != pending["user_id"] or not user.active \
                or user.locked(clock.now()):
            st.session_state.pop(PASSWORD_CHANGE, None)  # disabled or removed meanwhile
            st.session_state[LOGIN_MESSAGE] = auth.FAILED_MESSAGE
            return
        epoch = user_writes.change_own_password(user.user_id, new1, url=url)
    except InvalidInput as exc:
        st.session_state[LOGIN_MESSAGE] = str(exc)
        return
    except DB_ERRORS as exc:
        st.session_state[LOGIN_MESSAGE] = f"The password could not be saved. {describe_failure(exc)}"
        return
    st.session_state.pop(PASSWORD_CHANGE, None)
    _start_session(user, signed_in_at=time.time(), epoch=epoch, issue_cookie=True)


def _pending_change() -> dict | None:
    pending = st.session_state.get(PASSWORD_CHANGE)
    if isinstance(pending, dict) and time.time() - pending.get("since", 0) <= CHANGE_WINDOW_SECONDS:
        return pending
    st.session_state.pop(PASSWORD_CHANGE, None)
    return None


def _password_change_form(url: str | None, message: str | None) -> None:
    pending = _pending_change()
    st.warning(DEMO_PASSWORD_MESSAGE)
    with st.form("change_password", clear_on_submit=True, enter_to_submit=True):
        st.subheader("Set your own password")
        st.text(f"Account: {pending['username']}")
        st.text_input("New password", key="change_password_1", type="password",
                      autocomplete="new-password",
                      help=f"At least {user_writes.MIN_PASSWORD_LENGTH} characters.")
        st.text_input("Repeat it", key="change_password_2", type="password", autocomplete="new-password")
        st.form_submit_button("Save and sign in", type="primary", on_click=_on_change, args=(url,),
                              width="stretch")
    if message:
        st.error(literal(message))


def login_page(url: str | None = None, origin: str = "demo") -> None:
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
        if _pending_change() is not None:
            _password_change_form(url, message)
            return
        # clear_on_submit: the typed password is never kept in the browser after a try.
        with st.form("sign_in", clear_on_submit=True, enter_to_submit=True):
            st.subheader("Sign in")
            st.text_input("Username", key="login_username", autocomplete="username")
            st.text_input("Password", key="login_password", type="password",
                          autocomplete="current-password")
            st.form_submit_button("Sign in", type="primary", on_click=_on_submit, args=(url, origin),
                                  width="stretch")
        if message:
            st.error(literal(message))
        if origin == "empty" and not _has_users(url):
            st.info("This warehouse is new and empty. Whoever runs Service Pulse creates the first "
                    "admin on the server with:  \n`python -m data_access users add admin --name "
                    "\"Your Name\" --roles admin`")


def _has_users(url: str | None) -> bool:
    try:
        return has_users(url=url)
    except DB_ERRORS:
        return True  # the form itself will say what is wrong at the first try


def request_logout() -> None:
    """Button callback: sign out on this run (the script then shows the sign-in page)."""
    st.session_state[LOGOUT_REQUESTED] = True


def _expired(settings: auth.CookieSettings) -> bool:
    if settings.max_age_seconds <= 0:  # no cookie configured: a session lasts as long as the tab
        return False
    return time.time() - float(st.session_state.get(SIGNED_IN_AT) or 0.0) > settings.max_age_seconds


def _from_cookie(settings: auth.CookieSettings, url: str | None, origin: str) -> UserRecord | None:
    """The user a valid re-authentication cookie names, when it is still theirs to use."""
    if st.session_state.get("logout") or settings.max_age_seconds <= 0:
        return None  # this browser signed out: the cookie it loaded with is void
    claims = auth_cookie.decode(auth_cookie.browser_cookie(settings.name), settings.key,
                                max_age_seconds=settings.max_age_seconds)
    if claims is None:
        return None
    user = find_user(claims.username, url=url)
    if user is None or not user.active or user.locked(clock.now()) \
            or claims.epoch != user.session_epoch:
        return None
    if origin in REAL_DATA and uses_demo_password(user.password_hash):
        st.session_state[LOGIN_MESSAGE] = ("Please sign in again: this account still uses the demo's "
                                           "shared password, which must be replaced now.")
        return None
    _start_session(user, signed_in_at=claims.issued_at, epoch=claims.epoch, issue_cookie=False)
    return user


def _sign_out(settings: auth.CookieSettings, url: str | None) -> None:
    """Record the sign-out (a new epoch ends every session and cookie of this person)."""
    user = find_user(st.session_state.get("username") or "", url=url)
    if user is not None:
        user_writes.revoke_sessions(user.user_id, url=url)
    auth_cookie.delete(settings.name)
    _forget_session()
    st.session_state["logout"] = True


def signed_in_user(settings: auth.CookieSettings, url: str | None = None,
                   origin: str = "demo") -> UserRecord | None:
    """The signed-in, still active user for this run, or None (handles sign-out and the cookie).

    Database errors are left to the caller, which shows them as a friendly page.
    """
    if st.session_state.pop(LOGOUT_REQUESTED, False):
        _sign_out(settings, url)
        return None
    if not st.session_state.get("authentication_status"):
        return _from_cookie(settings, url, origin)
    user = find_user(st.session_state.get("username") or "", url=url)
    if user is not None and SESSION_EPOCH not in st.session_state:
        # A session signed in before epochs existed (or set up by a test): adopt the current one.
        st.session_state[SESSION_EPOCH] = user.session_epoch
        st.session_state.setdefault(SIGNED_IN_AT, time.time())
    if user is None or not user.active or user.session_epoch != st.session_state.get(SESSION_EPOCH) \
            or _expired(settings):
        # Disabled, removed, signed out elsewhere, new password, or too old: end this session now.
        if user is not None and user.active and _expired(settings):
            st.session_state[LOGIN_MESSAGE] = EXPIRED_MESSAGE
        auth_cookie.delete(settings.name)
        _forget_session()
        return None
    if st.session_state.pop(ISSUE_COOKIE, False) and settings.max_age_seconds > 0:
        claims = auth_cookie.CookieClaims(username=user.username,
                                          issued_at=float(st.session_state[SIGNED_IN_AT]),
                                          epoch=user.session_epoch)
        auth_cookie.write(settings.name, auth_cookie.encode(claims, settings.key,
                                                            max_age_seconds=settings.max_age_seconds),
                          max_age_seconds=settings.max_age_seconds)
    return user
