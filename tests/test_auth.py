"""Sign-in: cookie key rules, bcrypt checks, lockout, user management writes and the users CLI."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat

import bcrypt
import pytest
import sqlalchemy as sa

from components import auth
import cli
from data_access import clock, demo, schema
from data_access.engine import get_engine
from data_access.scope import Scope, ScopeError
from data_access.users import find_user, list_users
from data_access.writes import InvalidInput
from data_access.writes import users as user_writes

ADMIN = Scope("admin")
STRONG_KEY = "Zq8v3Lr0pXc7Ew2Nf5Ty1Ub9Ok4Jm6Hs_-Ag"  # 38 characters, varied


@pytest.fixture(autouse=True)
def _fast_hashes(monkeypatch):
    """New hashes in tests use the cheapest bcrypt cost (production uses BCRYPT_ROUNDS = 12)."""
    monkeypatch.setattr(user_writes, "BCRYPT_ROUNDS", 4)


def _people(url: str) -> str:
    with get_engine(url).begin() as conn:
        conn.execute(schema.teams.insert(), [{"team_id": 1, "name": "North"}, {"team_id": 2, "name": "South"}])
        conn.execute(schema.analysts.insert(), [
            {"analyst_id": 1, "name": "Ana Lima", "team_id": 1, "tier": "lead"},
            {"analyst_id": 2, "name": "Bo Chen", "team_id": 1, "tier": "L1"},
            {"analyst_id": 3, "name": "Cy Diaz", "team_id": 2, "tier": "L1"}])
    return url


@pytest.fixture
def users_url(empty_url) -> str:
    """A private warehouse (SQLite and PostgreSQL) with two teams and three analysts, no users."""
    return _people(empty_url)


@pytest.fixture
def sqlite_users_url(empty_sqlite_url) -> str:
    """The same on SQLite only, for checks that do not depend on the database."""
    return _people(empty_sqlite_url)


def _hash_of(url: str, username: str) -> str:
    with get_engine(url).connect() as conn:
        return conn.execute(sa.select(schema.app_users.c.password_hash)
                            .where(schema.app_users.c.username == username)).scalar_one()


# ---------------------------------------------------------------- cookie key

@pytest.fixture
def key_env(monkeypatch, tmp_path):
    monkeypatch.delenv(auth.COOKIE_KEY_ENV, raising=False)
    monkeypatch.delenv(auth.COOKIE_EXPIRY_ENV, raising=False)
    monkeypatch.setenv("SERVICE_PULSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SERVICE_PULSE_SECRETS", str(tmp_path / "no-secrets.toml"))
    return tmp_path


@pytest.mark.parametrize("key, refused_because", [
    ("short-key", "shorter than 32 bytes"),
    ("some_key", "shorter than 32 bytes"),
    ("replace-me-with-a-long-random-string-of-at-least-32-bytes", "published example"),
    ("a" * 40, "too few different characters"),
    ("abababababababababababababababababab", "too few different characters"),
])
def test_weak_cookie_keys_are_refused_outside_the_demo(key_env, monkeypatch, key, refused_because):
    monkeypatch.setenv(auth.COOKIE_KEY_ENV, key)
    with pytest.raises(auth.CookieKeyError, match=refused_because):
        auth.cookie_key(demo=False)


def test_missing_cookie_key_is_refused_outside_the_demo(key_env):
    with pytest.raises(auth.CookieKeyError, match="No cookie key is configured"):
        auth.cookie_key(demo=False)
    assert not auth.demo_key_file().exists()


def test_strong_key_from_env_or_secrets_is_used(key_env, monkeypatch):
    secrets_file = key_env / "secrets.toml"
    secrets_file.write_text(f'[auth]\ncookie_key = "{STRONG_KEY}"\ncookie_expiry_hours = 2\n')
    monkeypatch.setenv("SERVICE_PULSE_SECRETS", str(secrets_file))
    settings = auth.cookie_settings(demo=False)
    assert settings.key == STRONG_KEY and settings.expiry_days == pytest.approx(2 / 24)
    monkeypatch.setenv(auth.COOKIE_KEY_ENV, STRONG_KEY[::-1])
    assert auth.cookie_key(demo=False) == STRONG_KEY[::-1]   # environment wins over secrets


def test_demo_generates_a_private_random_key_once(key_env):
    first = auth.cookie_key(demo=True)
    path = auth.demo_key_file()
    assert len(first.encode()) >= 32 and auth.cookie_key_problem(first) is None
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert auth.cookie_key(demo=True) == first                 # reused, sessions survive a restart
    path.unlink()
    assert auth.cookie_key(demo=True) != first                 # random, not derived from anything


def test_cookie_expiry_is_short_by_default_and_configurable(key_env, monkeypatch):
    monkeypatch.setenv(auth.COOKIE_KEY_ENV, STRONG_KEY)
    assert auth.cookie_settings(demo=False).expiry_days == pytest.approx(8 / 24)
    monkeypatch.setenv(auth.COOKIE_EXPIRY_ENV, "0.5")
    assert auth.cookie_settings(demo=False).expiry_days == pytest.approx(0.5 / 24)


# ---------------------------------------------------------------- user writes

def test_add_user_stores_a_bcrypt_hash_only(users_url):
    uid = user_writes.add_user(scope=ADMIN, username=" Ana.Lima ", display_name="Ana Lima",
                               password="correct horse 1", roles=("lead", "analyst"), analyst_id=1,
                               team_ids=(1,), url=users_url)
    stored = _hash_of(users_url, "ana.lima")
    assert stored.startswith("$2b$") and "correct horse" not in stored
    assert bcrypt.checkpw(b"correct horse 1", stored.encode())
    user = find_user("ANA.LIMA", url=users_url)
    assert (user.user_id, user.roles, user.analyst_id, user.lead_team_ids, user.own_team_id) == \
        (uid, ("lead", "analyst"), 1, (1,), 1)
    with get_engine(users_url).connect() as conn:       # no column anywhere holds the plain text
        for table in (schema.app_users,):
            for row in conn.execute(sa.select(table)).all():
                assert all("correct horse" not in str(v) for v in row)


@pytest.mark.parametrize("kwargs, message", [
    (dict(username="x"), "username is 2–80"),
    (dict(username="bad name!"), "username is 2–80"),
    (dict(password="short"), "at least 10"),
    (dict(password="é" * 40), "at most 72 bytes"),
    (dict(display_name="  "), "name"),
    (dict(roles=()), "at least one role"),
    (dict(roles=("wizard",)), "Unknown role"),
    (dict(roles=("analyst",), analyst_id=None), "linked to an analyst"),
    (dict(roles=("lead",), team_ids=()), "at least one team"),
    (dict(roles=("lead",), team_ids=(99,)), "Unknown team"),
    (dict(roles=("analyst",), analyst_id=42), "no analyst with id 42"),
])
def test_add_user_validation_messages(sqlite_users_url, kwargs, message):
    users_url = sqlite_users_url
    base = dict(username="new.user", display_name="New User", password="long enough pw",
                roles=("analyst",), analyst_id=2, team_ids=(1,))
    with pytest.raises(InvalidInput, match=message):
        user_writes.add_user(scope=ADMIN, url=users_url, **(base | kwargs))
    assert find_user("new.user", url=users_url) is None


def test_duplicate_username_is_refused(users_url):
    user_writes.add_user(scope=ADMIN, username="bo", display_name="Bo", password="long enough pw",
                         roles=("analyst",), analyst_id=2, url=users_url)
    with pytest.raises(InvalidInput, match="already taken"):
        user_writes.add_user(scope=ADMIN, username="BO", display_name="Bo 2", password="long enough pw",
                             roles=("cio",), url=users_url)


def test_set_links_and_listing(users_url):
    user_writes.add_user(scope=ADMIN, username="cy", display_name="Cy Diaz", password="long enough pw",
                         roles=("analyst",), analyst_id=3, url=users_url)
    user_writes.set_links(scope=ADMIN, username="cy", roles=("analyst", "lead"), analyst_id=3,
                          team_ids=(2,), url=users_url)
    row = list_users(scope=ADMIN, url=users_url).row(0, named=True)
    assert (row["username"], row["roles"], row["analyst"], row["teams_led"], row["team_ids"]) == \
        ("cy", "lead, analyst", "Cy Diaz", "South", [2])
    with pytest.raises(ScopeError):
        user_writes.set_links(scope=Scope("cio"), username="cy", roles=("admin",), analyst_id=None,
                              url=users_url)


# ---------------------------------------------------------------- checking a password

@pytest.fixture
def one_user(users_url) -> str:
    user_writes.add_user(scope=ADMIN, username="bo", display_name="Bo Chen", password="right password",
                         roles=("analyst",), analyst_id=2, url=users_url)
    return users_url


def _state(url: str) -> tuple[int, dt.datetime | None]:
    user = find_user("bo", url=url)
    return user.failed_logins, user.locked_until


def test_right_password_signs_in_and_resets_the_counter(one_user):
    assert auth.check_login("bo", "wrong password", url=one_user) is None
    assert _state(one_user)[0] == 1
    assert auth.check_login(" BO ", "right password", url=one_user).username == "bo"
    assert _state(one_user) == (0, None)


def test_five_failures_lock_the_account_even_for_the_right_password(one_user, monkeypatch):
    now = dt.datetime(2026, 11, 20, 12, 0)
    monkeypatch.setattr(clock, "now", lambda: now)
    for _ in range(auth.MAX_FAILED_LOGINS):
        assert auth.check_login("bo", "guess", url=one_user) is None
    assert _state(one_user)[1] == now + dt.timedelta(minutes=auth.LOCK_MINUTES)
    assert auth.check_login("bo", "right password", url=one_user) is None   # locked
    later = now + dt.timedelta(minutes=auth.LOCK_MINUTES, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert auth.check_login("bo", "right password", url=one_user) is not None


def test_admin_password_reset_lifts_the_lock(one_user):
    for _ in range(auth.MAX_FAILED_LOGINS):
        auth.check_login("bo", "guess", url=one_user)
    user_writes.set_password(scope=ADMIN, username="bo", password="a new password", url=one_user)
    assert _state(one_user) == (0, None)
    assert auth.check_login("bo", "right password", url=one_user) is None
    assert auth.check_login("bo", "a new password", url=one_user) is not None


def test_disabled_user_cannot_sign_in(one_user):
    user_writes.set_active(scope=ADMIN, username="bo", active=False, url=one_user)
    assert auth.check_login("bo", "right password", url=one_user) is None
    user_writes.set_active(scope=ADMIN, username="bo", active=True, url=one_user)
    assert auth.check_login("bo", "right password", url=one_user) is not None


def test_unknown_user_costs_a_bcrypt_check_too(one_user, monkeypatch):
    calls = []
    real = bcrypt.checkpw
    monkeypatch.setattr(auth.bcrypt, "checkpw", lambda pw, h: calls.append(h) or real(pw, h))
    assert auth.check_login("nobody", "whatever pw", url=one_user) is None
    assert auth.check_login("bo", "whatever pw", url=one_user) is None
    assert len(calls) == 2 and calls[0] == auth._dummy_hash(user_writes.BCRYPT_ROUNDS)
    # The dummy hash costs as much as a real new one (here the tests' cheap cost).
    assert user_writes.hash_cost(calls[0].decode()) == user_writes.BCRYPT_ROUNDS == 4


def test_concurrent_failures_all_count(one_user):
    from concurrent.futures import ThreadPoolExecutor

    uid = find_user("bo", url=one_user).user_id
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: user_writes.record_failed_login(uid, max_attempts=100, lock_minutes=1,
                                                                url=one_user), range(8)))
    assert _state(one_user)[0] == 8


# ---------------------------------------------------------------- the users CLI

def _cli(monkeypatch, capsys, *argv, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_add_list_set_password_disable(users_url, monkeypatch, capsys):
    code, out, _ = _cli(monkeypatch, capsys, "users", "add", "ana", "--name", "Ana Lima", "--roles",
                        "lead,analyst", "--analyst", "1", "--teams", "1", "--password-stdin",
                        "--url", users_url, stdin="first password\n")
    assert code == 0 and "Added user 'ana'" in out
    assert bcrypt.checkpw(b"first password", _hash_of(users_url, "ana").encode())
    code, out, _ = _cli(monkeypatch, capsys, "users", "list", "--url", users_url)
    assert code == 0 and "ana" in out and "lead, analyst" in out and "North" in out and "active" in out
    code, _, err = _cli(monkeypatch, capsys, "users", "set-password", "ana", "--password-stdin",
                        "--url", users_url, stdin="short\n")
    assert code == 2 and "at least 10" in err
    code, _, _ = _cli(monkeypatch, capsys, "users", "set-password", "ana", "--password-stdin",
                      "--url", users_url, stdin="second password\n")
    assert code == 0 and bcrypt.checkpw(b"second password", _hash_of(users_url, "ana").encode())
    code, out, _ = _cli(monkeypatch, capsys, "users", "disable", "ana", "--url", users_url)
    assert code == 0 and not find_user("ana", url=users_url).active
    code, out, _ = _cli(monkeypatch, capsys, "users", "list", "--url", users_url)
    assert "disabled" in out
    code, _, err = _cli(monkeypatch, capsys, "users", "disable", "ghost", "--url", users_url)
    assert code == 2 and "no user 'ghost'" in err


def test_cli_has_no_password_argument():
    parser = cli.build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["users", "add", "x1", "--name", "X", "--roles", "cio", "--password", "pw"])


def test_demo_users_sign_in_with_the_demo_password(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    demo.generate(get_engine(url), responses=300, seed=7, end=dt.date(2026, 11, 20))
    for username, roles in (("cio", ("cio",)), ("admin", ("admin",))):
        user = auth.check_login(username, demo.DEMO_PASSWORD, url=url)
        assert user is not None and user.roles == roles


def test_roles_without_their_links_give_no_pages(users_url):
    from components.navigation import pages_for

    with get_engine(users_url).begin() as conn:   # as an import or hand edit could leave it
        conn.execute(schema.app_users.insert().values(
            user_id=50, username="half", display_name="Half Set Up", password_hash="x",
            active=True, failed_logins=0, created_at=dt.datetime(2026, 1, 1)))
        conn.execute(schema.user_roles.insert(), [{"user_id": 50, "role": "lead"},
                                                  {"user_id": 50, "role": "analyst"}])
    viewer = auth.viewer_for(find_user("half", url=users_url))
    assert viewer.roles == ()
    assert [p.path for p in pages_for(viewer.roles, only_existing=False)] == []


def test_user_management_on_the_embedded_duckdb(tmp_path):
    url = f"duckdb:///{tmp_path / 'embedded.duckdb'}"
    demo.generate(get_engine(url), responses=300, seed=7, end=dt.date(2026, 11, 20))
    user_writes.add_user(scope=ADMIN, username="duck", display_name="Duck", password="long enough pw",
                         roles=("lead",), team_ids=(1,), url=url)
    user_writes.set_links(scope=ADMIN, username="duck", roles=("analyst",), analyst_id=4, url=url)
    assert (find_user("duck", url=url).roles, find_user("duck", url=url).analyst_id) == (("analyst",), 4)
    assert auth.check_login("duck", "wrong one", url=url) is None
    assert find_user("duck", url=url).failed_logins == 1
    user_writes.set_password(scope=ADMIN, username="duck", password="another long pw", url=url)
    assert auth.check_login("duck", "another long pw", url=url) is not None
    # A lead with notes and kudos: the relink is refused with a clear message, nothing changes.
    lead = find_user("ivan.schmidt", url=url)
    with pytest.raises(InvalidInput, match="cannot be changed"):
        user_writes.set_links(scope=ADMIN, username="ivan.schmidt", roles=("lead", "analyst"),
                              analyst_id=lead.analyst_id + 1, team_ids=lead.lead_team_ids, url=url)
    after = find_user("ivan.schmidt", url=url)
    assert (after.roles, after.analyst_id, after.lead_team_ids) == \
        (lead.roles, lead.analyst_id, lead.lead_team_ids)


def test_account_changes_are_audited_and_epochs_bumped(users_url):
    """SQLite and PostgreSQL: who changed what, in order; sign-out/new password/disable bump the epoch."""
    from data_access.users import audit_log

    user_writes.add_user(scope=ADMIN, username="cy", display_name="Cy Diaz", password="long enough pw",
                         roles=("analyst",), analyst_id=3, url=users_url, actor="root.admin")
    user_writes.set_links(scope=ADMIN, username="cy", roles=("analyst", "lead"), analyst_id=3,
                          team_ids=(2,), url=users_url, actor="root.admin")
    user_writes.set_links(scope=ADMIN, username="cy", roles=("analyst", "lead"), analyst_id=3,
                          team_ids=(2,), url=users_url, actor="root.admin")   # no change: no row
    uid = find_user("cy", url=users_url).user_id
    assert find_user("cy", url=users_url).session_epoch == 0
    assert user_writes.revoke_sessions(uid, url=users_url) == 1
    user_writes.set_password(scope=ADMIN, username="cy", password="another long pw", url=users_url)
    user_writes.set_active(scope=ADMIN, username="cy", active=False, url=users_url, actor="root.admin")
    assert find_user("cy", url=users_url).session_epoch == 3
    log = audit_log(scope=ADMIN, url=users_url)
    assert log.select("actor", "action", "detail").rows()[::-1] == [
        ("root.admin", "added", "roles: analyst; analyst: Cy Diaz (#3); leads: none"),
        ("root.admin", "roles changed", "roles: analyst; analyst: Cy Diaz (#3); leads: none → "
                                        "roles: analyst, lead; analyst: Cy Diaz (#3); leads: South"),
        ("command line", "password set", "password replaced by an admin"),
        ("root.admin", "disabled", "sign-in refused, open sessions ended")]
    assert set(log["username"]) == {"cy"}
    with pytest.raises(ScopeError):
        audit_log(scope=Scope("cio"), url=users_url)
