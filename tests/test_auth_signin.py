"""Sign-in through the real app.py in AppTest: the demo password after an import, crafted cookies,
session epochs and lifetime, one landing run per sign-in, and a database that goes down."""

from __future__ import annotations

import io
import sqlite3
import time
import uuid
from pathlib import Path

import bcrypt
import jwt
import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from components import auth, auth_cookie, signin
from data_access import config, demo, schema
from data_access.engine import get_engine
from data_access.scope import Scope
from data_access.users import find_user
from data_access.writes import users as user_writes

ROOT = Path(__file__).resolve().parent.parent
KEY = uuid.uuid4().hex + uuid.uuid4().hex
FORM = ["Username", "Password"]


@pytest.fixture(scope="module")
def demo_sqlite(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("signin") / "demo.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(user_writes, "BCRYPT_ROUNDS", 4)
        demo.generate(get_engine(f"sqlite:///{path}"), responses=1_500, seed=7)
    return path


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("SERVICE_PULSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SERVICE_PULSE_SECRETS", str(tmp_path / "none.toml"))
    monkeypatch.setenv(auth.COOKIE_KEY_ENV, KEY)
    monkeypatch.setattr(user_writes, "BCRYPT_ROUNDS", 4)
    st.cache_data.clear()


def _copy(demo_sqlite: Path, tmp_path: Path, origin: str | None = None) -> str:
    path = tmp_path / f"copy-{uuid.uuid4().hex[:6]}.sqlite"
    with sqlite3.connect(demo_sqlite) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    url = f"sqlite:///{path}"
    if origin:
        _set_origin(url, origin)
    return url


def _set_origin(url: str, origin: str) -> None:
    with get_engine(url).begin() as conn:  # what an import does (data_access/importer/run.py)
        conn.execute(schema.settings.update().where(schema.settings.c.key == "data_origin")
                     .values(value=origin))
    st.cache_data.clear()


def _app(url: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()


def _sign_in(at: AppTest, username: str, password: str = demo.DEMO_PASSWORD) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button(key="FormSubmitter:sign_in-Sign in").click()
    return at.run()


def _change(at: AppTest, new1: str, new2: str | None = None) -> AppTest:
    at.text_input(key="change_password_1").input(new1)
    at.text_input(key="change_password_2").input(new1 if new2 is None else new2)
    at.button(key="FormSubmitter:change_password-Save and sign in").click()
    return at.run()


def _signed_in(at: AppTest) -> str | None:
    viewer = at.session_state["viewer"] if "viewer" in at.session_state else None
    return viewer.username if viewer else None


def _cookie_scripts(at: AppTest) -> list[str]:
    bodies = [getattr(e.proto, "body", "") for e in at.get("html")]
    return [b for b in bodies if "document.cookie" in b]


def _issued_token(at: AppTest) -> str:
    script = next(b for b in _cookie_scripts(at) if f"{auth.COOKIE_NAME}=ey" in b)
    return script.split(f"{auth.COOKIE_NAME}=")[1].split(";")[0]


# ---------------------------------------------------------------- the demo password after an import

def test_demo_password_must_be_replaced_once_real_data_is_in(demo_sqlite, tmp_path, monkeypatch):
    url = _copy(demo_sqlite, tmp_path, origin="imported")
    at = _sign_in(_app(url, monkeypatch), "cio")
    assert not at.exception and _signed_in(at) is None
    assert any("still uses the demo's shared password" in w.value for w in at.warning)
    assert [t.label for t in at.text_input] == ["New password", "Repeat it"]
    at = _change(at, "a brand new secret", "another secret!!")
    assert [e.value for e in at.error] == ["The two passwords differ."] and _signed_in(at) is None
    at = _change(at, demo.DEMO_PASSWORD)
    assert any("demo's shared password, known to everyone" in e.value for e in at.error)
    at = _change(at, "a brand new secret")
    assert not at.exception and _signed_in(at) == "cio"
    stored = find_user("cio", url=url)
    assert bcrypt.checkpw(b"a brand new secret", stored.password_hash.encode())
    assert stored.session_epoch == 1                        # older cookies of cio no longer work
    claims = auth_cookie.decode(_issued_token(at), KEY, max_age_seconds=8 * 3600)
    assert claims is not None and claims.username == "cio" and claims.epoch == 1
    fresh = _sign_in(_app(url, monkeypatch), "cio", "a brand new secret")
    assert _signed_in(fresh) == "cio" and not fresh.warning


def test_demo_password_still_works_on_demo_data(demo_sqlite, tmp_path, monkeypatch):
    at = _sign_in(_app(_copy(demo_sqlite, tmp_path), monkeypatch), "cio")
    assert _signed_in(at) == "cio" and not at.warning


def test_a_session_open_before_the_import_is_not_cut_off(demo_sqlite, tmp_path, monkeypatch):
    url = _copy(demo_sqlite, tmp_path)
    at = _sign_in(_app(url, monkeypatch), "soren.nunez")
    assert _signed_in(at) == "soren.nunez"
    _set_origin(url, "imported")
    at.run()
    assert not at.exception and _signed_in(at) == "soren.nunez"
    assert any("Demo + imported data" in m.value for m in at.sidebar.markdown)   # never "imported"
    other = _sign_in(_app(url, monkeypatch), "soren.nunez")    # a new sign-in must change it
    assert _signed_in(other) is None and other.text_input(key="change_password_1")


# ---------------------------------------------------------------- demo → real on the local demo file

def test_importing_into_the_demo_keeps_everyone_signed_in(tmp_path, monkeypatch):
    """The local demo warehouse, no configured key: after an import the demo's key still works."""
    monkeypatch.delenv(auth.COOKIE_KEY_ENV)
    monkeypatch.delenv("SERVICE_PULSE_DATABASE_URL", raising=False)
    url = config.demo_database_url()
    demo.generate(get_engine(url), responses=1_500, seed=7)
    key_file = auth.demo_key_file()
    key_file.write_text(KEY + "\n")
    key_file.chmod(0o644)                                  # left readable by others
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert key_file.stat().st_mode & 0o777 == 0o600         # tightened, then used
    at = _sign_in(at, "admin")
    assert _signed_in(at) == "admin"
    token = _issued_token(at)
    assert auth_cookie.decode(token, KEY, max_age_seconds=3600).username == "admin"
    _set_origin(url, "imported")
    at.run()
    assert not at.exception and not at.error and _signed_in(at) == "admin"
    assert any("Demo + imported data" in m.value for m in at.sidebar.markdown)
    # The cookie written before the import still signs in (same key for the data folder).
    monkeypatch.setattr(auth_cookie, "browser_cookie", lambda name: token)
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    # It decodes with the same key and names admin, whose demo password must now be replaced.
    assert not again.exception and _signed_in(again) is None
    assert [e.value for e in again.error] == [
        "Please sign in again: this account still uses the demo's shared password, which must be "
        "replaced now."]
    assert [t.label for t in again.text_input] == FORM


def test_a_fresh_warehouse_next_to_the_demo(tmp_path, monkeypatch, capsys):
    import cli

    monkeypatch.delenv(auth.COOKIE_KEY_ENV)
    monkeypatch.delenv("SERVICE_PULSE_DATABASE_URL", raising=False)
    auth.cookie_key(demo=True)                                  # the demo ran here before
    assert cli.main(["warehouse", "new", "real"]) == 0
    out = capsys.readouterr().out
    assert "python -m data_access users add admin --name" in out
    assert config.database_url() == config.local_warehouse_url("real")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception and not at.error                    # the demo's key serves it too
    assert any("users add admin" in i.value for i in at.info)
    with get_engine(config.database_url()).connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.tickets)).scalar_one() == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("first admin password\n"))
    assert cli.main(["users", "add", "first.admin", "--name", "First Admin", "--roles", "admin",
                     "--password-stdin"]) == 0
    at = _sign_in(at, "first.admin", "first admin password")
    assert _signed_in(at) == "first.admin" and not at.exception
    at.sidebar.button(key="sidebar_logout").click()
    at.run()
    assert [t.label for t in at.text_input] == FORM and not at.info   # the hint is gone now
    assert cli.main(["warehouse", "use", "demo"]) == 0
    assert config.database_url() == config.demo_database_url()


def test_the_cli_lists_demo_password_accounts_and_replaces_one(demo_sqlite, tmp_path, monkeypatch,
                                                               capsys):
    import cli

    url = _copy(demo_sqlite, tmp_path, origin="imported")
    with get_engine(url).connect() as conn:
        active = conn.execute(sa.select(sa.func.count()).select_from(schema.app_users)
                              .where(schema.app_users.c.active)).scalar_one()
    assert cli.main(["users", "list", "--url", url]) == 0
    assert f"{active} account(s) still use the demo's shared password" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("cio's own password\n"))
    assert cli.main(["users", "set-password", "cio", "--password-stdin", "--url", url]) == 0
    assert cli.main(["users", "list", "--url", url]) == 0
    assert f"{active - 1} account(s) still use" in capsys.readouterr().out
    at = _sign_in(_app(url, monkeypatch), "cio", "cio's own password")   # no new-password form
    assert _signed_in(at) == "cio" and not at.warning


def test_the_admin_starts_a_fresh_warehouse_and_stays_signed_in(tmp_path, monkeypatch):
    """Users page → fresh warehouse: the admin carries on in the new, empty warehouse."""
    monkeypatch.delenv(auth.COOKIE_KEY_ENV)
    monkeypatch.delenv("SERVICE_PULSE_DATABASE_URL", raising=False)
    demo.generate(get_engine(config.demo_database_url()), responses=1_500, seed=7)
    at = _sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run(), "admin")
    at.switch_page("pages/admin_users.py").run()
    boxes = [t for t in at.text_input if t.label in ("Your new password", "Repeat it")]
    boxes[0].input(demo.DEMO_PASSWORD)
    boxes[1].input(demo.DEMO_PASSWORD)
    at.button(key="FormSubmitter:fresh_warehouse-Create and switch").click()
    at.run()
    assert any("demo's shared password" in e.value for e in at.error)    # refused, nothing made
    assert config.database_url() == config.demo_database_url()
    boxes = [t for t in at.text_input if t.label in ("Your new password", "Repeat it")]
    boxes[0].input("the real admin password")
    boxes[1].input("the real admin password")
    at.button(key="FormSubmitter:fresh_warehouse-Create and switch").click()
    at.run()
    assert not at.exception
    assert config.database_url() == config.local_warehouse_url("real")
    assert _signed_in(at) == "admin"                                       # not locked out
    assert any("now uses the empty warehouse 'real'" in s.value for s in at.success)
    new = find_user("admin")
    assert bcrypt.checkpw(b"the real admin password", new.password_hash.encode())
    assert new.roles == ("admin",)
    with get_engine(config.database_url()).connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.app_users)).scalar_one() == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.responses)).scalar_one() == 0
    assert not any("Demo" in m.value for m in at.sidebar.markdown)


def test_an_account_disabled_meanwhile_cannot_finish_the_change(demo_sqlite, tmp_path, monkeypatch):
    url = _copy(demo_sqlite, tmp_path, origin="imported")
    at = _sign_in(_app(url, monkeypatch), "cio")
    assert at.text_input(key="change_password_1")
    user_writes.set_active(scope=Scope("admin"), username="cio", active=False, url=url)
    at = _change(at, "a brand new secret")
    assert _signed_in(at) is None and [e.value for e in at.error] == [auth.FAILED_MESSAGE]
    assert [t.label for t in at.text_input] == FORM
    assert bcrypt.checkpw(demo.DEMO_PASSWORD.encode(), find_user("cio", url=url).password_hash.encode())
