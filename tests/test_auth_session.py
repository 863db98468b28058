"""Sessions through the real app.py in AppTest: crafted cookies, epochs and lifetime, one landing
run per sign-in, a database that goes down at sign-in, and the audit of account changes."""

from __future__ import annotations

import sqlite3
import time
import uuid
from pathlib import Path

import jwt
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from components import auth, auth_cookie, sidebar, signin
from components.viewer import Viewer
from data_access import demo
from data_access.engine import get_engine
from data_access.scope import Scope
from data_access.users import audit_log, find_user
from data_access.writes import users as user_writes

ROOT = Path(__file__).resolve().parent.parent
KEY = uuid.uuid4().hex + uuid.uuid4().hex
FORM = ["Username", "Password"]
HOURS8 = 8 * 3600


@pytest.fixture(scope="module")
def demo_sqlite(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("session") / "demo.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(user_writes, "BCRYPT_ROUNDS", 4)
        demo.generate(get_engine(f"sqlite:///{path}"), responses=1_500, seed=7)
    return path


@pytest.fixture
def url(demo_sqlite, tmp_path, monkeypatch) -> str:
    """A private copy of the demo (sign-ins write counters and epochs)."""
    path = tmp_path / "copy.sqlite"
    with sqlite3.connect(demo_sqlite) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    monkeypatch.setenv("SERVICE_PULSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SERVICE_PULSE_SECRETS", str(tmp_path / "none.toml"))
    monkeypatch.setenv(auth.COOKIE_KEY_ENV, KEY)
    monkeypatch.setattr(user_writes, "BCRYPT_ROUNDS", 4)
    st.cache_data.clear()
    url = f"sqlite:///{path}"
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    return url


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()


def _sign_in(at: AppTest, username: str, password: str = demo.DEMO_PASSWORD) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button(key="FormSubmitter:sign_in-Sign in").click()
    return at.run()


def _signed_in(at: AppTest) -> str | None:
    viewer = at.session_state["viewer"] if "viewer" in at.session_state else None
    return viewer.username if viewer else None


def _with_cookie(monkeypatch, token) -> AppTest:
    monkeypatch.setattr(auth_cookie, "browser_cookie", lambda name: token)
    return _app()


def _token(username: str = "cio", *, iat: float | None = None, epoch: int = 0,
           key: str = KEY) -> str:
    claims = auth_cookie.CookieClaims(username=username, issued_at=iat or time.time() - 60, epoch=epoch)
    return auth_cookie.encode(claims, key, max_age_seconds=HOURS8)


def _issued_token(at: AppTest) -> str:
    bodies = [getattr(e.proto, "body", "") for e in at.get("html")]
    script = next(b for b in bodies if f"{auth.COOKIE_NAME}=ey" in b)
    return script.split(f"{auth.COOKIE_NAME}=")[1].split(";")[0]


# ---------------------------------------------------------------- crafted cookies

def test_a_valid_cookie_signs_in_without_the_form(url, monkeypatch):
    at = _with_cookie(monkeypatch, _token("cio"))
    assert not at.exception and _signed_in(at) == "cio"


@pytest.mark.parametrize("token", [
    pytest.param(lambda: jwt.encode({"username": "cio", "iat": int(time.time()), "epoch": 0,
                                     "exp": int(time.time()) + 99}, KEY, algorithm="HS512"), id="hs512"),
    pytest.param(lambda: jwt.encode({"username": "cio", "iat": int(time.time()), "epoch": 0,
                                     "exp": int(time.time()) + 99}, None, algorithm="none"), id="alg-none"),
    pytest.param(lambda: _token("cio")[:-4] + "AAAA", id="tampered"),
    pytest.param(lambda: _token("cio", key="not the key " * 4), id="other-key"),
    pytest.param(lambda: _token("cio", iat=time.time() - HOURS8 - 5), id="older-than-8-hours"),
    pytest.param(lambda: _token("cio", iat=time.time() + 3600), id="issued-in-the-future"),
    pytest.param(lambda: _token("cio", epoch=7), id="another-epoch"),
    pytest.param(lambda: _token("nobody.here"), id="unknown-user"),
    pytest.param(lambda: jwt.encode({"username": "cio", "exp_date": time.time() + 99}, KEY,
                                    algorithm="HS256"), id="streamlit-authenticator-format"),
    pytest.param(lambda: "not-a-jwt", id="garbage"),
    pytest.param(lambda: "%00%ff\u202e", id="odd-bytes"),
])
def test_every_invalid_cookie_just_shows_the_sign_in_form(url, monkeypatch, token):
    at = _with_cookie(monkeypatch, token())
    assert not at.exception and not at.error
    assert _signed_in(at) is None and [t.label for t in at.text_input] == FORM


def test_sign_out_voids_the_cookie_of_every_browser(url, monkeypatch):
    at = _sign_in(_app(), "cio")
    token = _issued_token(at)
    assert _signed_in(_with_cookie(monkeypatch, token)) == "cio"      # another tab: signed in
    at.sidebar.button(key="sidebar_logout").click()
    at.run()
    assert find_user("cio", url=url).session_epoch == 1
    assert any(f"{auth.COOKIE_NAME}=;" in getattr(e.proto, "body", "") for e in at.get("html"))
    assert _signed_in(_with_cookie(monkeypatch, token)) is None        # the old cookie is void


def test_a_new_password_voids_older_cookies(url, monkeypatch):
    token = _issued_token(_sign_in(_app(), "cio"))
    user_writes.set_password(scope=Scope("admin"), username="cio", password="another password",
                             url=url)
    assert _signed_in(_with_cookie(monkeypatch, token)) is None


def test_a_cookie_sign_in_never_issues_a_longer_cookie(url, monkeypatch):
    issued = time.time() - 7 * 3600
    at = _with_cookie(monkeypatch, _token("cio", iat=issued))
    assert _signed_in(at) == "cio"
    assert not [e for e in at.get("html") if f"{auth.COOKIE_NAME}=ey" in getattr(e.proto, "body", "")]
    assert at.session_state[signin.SIGNED_IN_AT] == pytest.approx(int(issued))


def test_a_session_ends_when_its_sign_in_is_older_than_the_lifetime(url, monkeypatch):
    at = _sign_in(_app(), "soren.nunez")
    at.session_state[signin.SIGNED_IN_AT] = time.time() - HOURS8 - 1
    at.run()
    assert _signed_in(at) is None and [t.label for t in at.text_input] == FORM
    assert [e.value for e in at.error] == [signin.EXPIRED_MESSAGE]


# ---------------------------------------------------------------- one landing run per sign-in

def test_signing_in_renders_the_landing_page_once(url, monkeypatch):
    runs = []
    real = sidebar.identity
    monkeypatch.setattr(sidebar, "identity", lambda viewer, **kw: runs.append(viewer.username)
                        or real(viewer, **kw))
    at = _app()
    assert runs == []
    at = _sign_in(at, "cio")
    assert runs == ["cio"] and at.title[0].value == "Culture trends"
    # Nothing in the page reports back to the server (a custom component would rerun the script
    # as soon as it has written the cookie, interrupting the landing page half-way).
    assert not at.get("component_instance") and not at.get("iframe")
    assert _issued_token(at)


# ---------------------------------------------------------------- database down

def _take_database_away(url: str) -> None:
    Path(url.removeprefix("sqlite:///file:").split("?")[0]).unlink()
    get_engine(url).dispose()


@pytest.fixture
def fragile_url(url, monkeypatch) -> str:
    """The same copy opened read-write only if it exists, so removing the file is an outage."""
    fragile = f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=rw&uri=true"
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", fragile)
    return fragile


def test_the_sign_in_form_survives_a_database_outage(fragile_url):
    at = _app()                                    # the warehouse was reachable at start
    _take_database_away(fragile_url)
    at = _sign_in(at, "cio")
    assert not at.exception and _signed_in(at) is None
    assert len(at.error) == 1 and at.error[0].value.startswith("Sign-in is not possible right now. "
                                                              "The feedback warehouse cannot be reached")


def test_a_signed_in_session_survives_a_database_outage(fragile_url):
    at = _sign_in(_app(), "cio")
    assert _signed_in(at) == "cio"
    _take_database_away(fragile_url)
    at.run()
    assert not at.exception
    assert any(e.value.startswith("Sign-in is not possible right now.") for e in at.error)
    assert any("reload this page in a minute" in i.value for i in at.info)


# ---------------------------------------------------------------- audit of account changes

def test_role_changes_are_audited_and_shown_on_the_users_page(url):
    user_writes.set_links(scope=Scope("admin"), username="cio", roles=["cio", "admin"], analyst_id=None,
                          url=url, actor="admin")
    user_writes.set_active(scope=Scope("admin"), username="cio", active=False, url=url)
    log = audit_log(scope=Scope("admin"), url=url)
    assert log.select("actor", "username", "action", "detail").rows() == [
        ("command line", "cio", "disabled", "sign-in refused, open sessions ended"),
        ("admin", "cio", "roles changed", "roles: cio; analyst: none; leads: none → "
                                          "roles: admin, cio; analyst: none; leads: none")]
    page = AppTest.from_file(str(ROOT / "pages/admin_users.py"), default_timeout=60)
    page.session_state["viewer"] = Viewer(2, "admin", "Sam Admin", ("admin",))
    page.run()
    assert not page.exception
    shown = page.dataframe[1].value
    assert list(shown["action"]) == ["disabled", "roles changed"]
    assert any(e.label.startswith("Changes to accounts") for e in page.expander)
