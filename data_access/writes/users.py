"""User management writes: add, set password, enable/disable, roles and links, sign-in counters.

Passwords are stored as bcrypt hashes only; the plain text never reaches the database or a log.
Management actions need the admin scope (the CLI acts as admin: it runs with database access).
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from typing import Iterable

import bcrypt
import sqlalchemy as sa

from data_access import clock, config, schema
from data_access.engine import get_engine
from data_access.scope import Scope
from data_access.demo import DEMO_PASSWORD
from data_access.dialect import upsert
from data_access.users import epoch_key, normalise_username, parse_epoch
from data_access.writes import InvalidInput, run_with_retry

U = schema.app_users
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_BYTES = 72  # bcrypt ignores anything longer; refuse rather than truncate silently
BCRYPT_ROUNDS = 12  # demo hashes and the sign-in form's dummy check use the same cost
COMMAND_LINE = "command line"  # the actor recorded for changes made with `python -m data_access users`
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
ROLES = schema.ROLES


def hash_password(password: str) -> str:
    """A bcrypt hash of a password that passed `check_password_rules`."""
    check_password_rules(password)
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode()


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short, too long for bcrypt, or only whitespace."""
    if not password or not password.strip():
        raise InvalidInput("Enter a password.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise InvalidInput(f"The password may be at most {MAX_PASSWORD_BYTES} bytes long.")
    if hmac.compare_digest(password.strip().lower().encode(), DEMO_PASSWORD.encode()):
        raise InvalidInput("That is the demo's shared password, known to everyone: choose your own.")


def hash_cost(password_hash: str) -> int | None:
    """The bcrypt cost written in a hash ("$2b$12$…" → 12), or None when it is not a bcrypt hash."""
    parts = (password_hash or "").split("$")
    return int(parts[2]) if len(parts) > 3 and parts[2].isascii() and parts[2].isdigit() else None


def _check_username(username: str) -> str:
    name = normalise_username(username)
    if not USERNAME_PATTERN.match(name):
        raise InvalidInput("A username is 2–80 characters: lower-case letters, digits, dot, dash or "
                           "underscore, starting with a letter or digit.")
    return name


def _check_links(conn: sa.Connection, roles: Iterable[str], analyst_id: int | None,
                 team_ids: Iterable[int]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    roles = tuple(sorted(set(roles)))
    team_ids = tuple(sorted({int(t) for t in team_ids}))
    if not roles:
        raise InvalidInput("Give the user at least one role.")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise InvalidInput(f"Unknown role(s): {', '.join(sorted(unknown))}.")
    if "analyst" in roles and analyst_id is None:
        raise InvalidInput("An analyst user must be linked to an analyst in the warehouse.")
    if "lead" in roles and not team_ids:
        raise InvalidInput("A team lead must lead at least one team.")
    if analyst_id is not None:
        found = conn.execute(sa.select(schema.analysts.c.analyst_id)
                             .where(schema.analysts.c.analyst_id == analyst_id)).first()
        if found is None:
            raise InvalidInput(f"There is no analyst with id {analyst_id}.")
    if team_ids:
        known = set(conn.execute(sa.select(schema.teams.c.team_id)
                                 .where(schema.teams.c.team_id.in_(team_ids))).scalars())
        missing = sorted(set(team_ids) - known)
        if missing:
            raise InvalidInput(f"Unknown team id(s): {', '.join(map(str, missing))}.")
    return roles, team_ids


def _user_id(conn: sa.Connection, username: str) -> int:
    uid = conn.execute(sa.select(U.c.user_id).where(U.c.username == normalise_username(username))
                       ).scalar_one_or_none()
    if uid is None:
        raise InvalidInput(f"There is no user '{normalise_username(username)}'.")
    return int(uid)


def _write_links(conn: sa.Connection, user_id: int, roles, team_ids) -> None:
    if roles:
        conn.execute(schema.user_roles.insert(), [{"user_id": user_id, "role": r} for r in roles])
    if team_ids:
        conn.execute(schema.user_teams.insert(), [{"user_id": user_id, "team_id": t} for t in team_ids])


def _audit(conn: sa.Connection, actor: str, username: str, action: str, detail: str) -> None:
    conn.execute(schema.user_audit.insert().values(
        changed_at=clock.now(), actor=(actor or COMMAND_LINE)[:80],
        username=normalise_username(username)[:80],
        action=action, detail=detail))


def _describe_links(conn: sa.Connection, roles, analyst_id, team_ids) -> str:
    """Roles, linked analyst and led teams in words (names as they were at the time)."""
    analyst = "none"
    if analyst_id is not None:
        name = conn.execute(sa.select(schema.analysts.c.name)
                            .where(schema.analysts.c.analyst_id == analyst_id)).scalar_one_or_none()
        analyst = f"{name} (#{analyst_id})" if name else f"#{analyst_id}"
    names = dict(conn.execute(sa.select(schema.teams.c.team_id, schema.teams.c.name)
                              .where(schema.teams.c.team_id.in_(list(team_ids)))).all())
    teams = ", ".join(names.get(t, f"#{t}") for t in sorted(team_ids)) or "none"
    return f"roles: {', '.join(sorted(roles)) or 'none'}; analyst: {analyst}; leads: {teams}"


def add_user(*, scope: Scope, username: str, display_name: str, password: str,
             roles: Iterable[str], analyst_id: int | None = None, team_ids: Iterable[int] = (),
             email: str | None = None, url: str | None = None, actor: str = COMMAND_LINE) -> int:
    """Create an active user with a bcrypt-hashed password; returns the new user id."""
    scope.require("admin")
    name = _check_username(username)
    display_name = (display_name or "").strip()
    if not display_name:
        raise InvalidInput("Enter the person's name as it should appear in the app.")
    password_hash = hash_password(password)
    engine = get_engine(url or config.database_url())

    def work(conn: sa.Connection) -> int:
        checked_roles, checked_teams = _check_links(conn, roles, analyst_id, team_ids)
        taken = conn.execute(sa.select(U.c.user_id).where(U.c.username == name)).first()
        if taken is not None:
            raise InvalidInput(f"The username '{name}' is already taken.")
        uid = conn.execute(U.insert().values(
            username=name, display_name=display_name, email=(email or "").strip() or None,
            password_hash=password_hash, analyst_id=analyst_id, active=True, failed_logins=0,
            created_at=clock.now()).returning(U.c.user_id)).scalar_one()
        _write_links(conn, int(uid), checked_roles, checked_teams)
        _audit(conn, actor, name, "added",
               _describe_links(conn, checked_roles, analyst_id, checked_teams))
        return int(uid)

    return run_with_retry(engine, work)


def _revoke(conn: sa.Connection, user_id: int) -> int:
    """Bump the user's session epoch: every session and cookie issued before is void. New epoch."""
    key = epoch_key(user_id)
    current = conn.execute(sa.select(schema.settings.c.value)
                           .where(schema.settings.c.key == key)).scalar_one_or_none()
    epoch = parse_epoch(current) + 1
    upsert(conn, schema.settings, [{"key": key, "value": str(epoch)}], key=["key"])
    return epoch


def revoke_sessions(user_id: int, *, url: str | None = None) -> int:
    """End every sign-in of this user (logout, new password, disabled); returns the new epoch."""
    return run_with_retry(get_engine(url or config.database_url()), lambda conn: _revoke(conn, user_id))


def set_password(*, scope: Scope, username: str, password: str, url: str | None = None,
                 actor: str = COMMAND_LINE) -> None:
    """Replace a user's password (and lift any lockout); their other sessions end."""
    scope.require("admin")
    password_hash = hash_password(password)

    def work(conn: sa.Connection) -> None:
        uid = _user_id(conn, username)
        conn.execute(U.update().where(U.c.user_id == uid)
                     .values(password_hash=password_hash, failed_logins=0, locked_until=None))
        _revoke(conn, uid)
        _audit(conn, actor, username, "password set", "password replaced by an admin")

    run_with_retry(get_engine(url or config.database_url()), work)


def change_own_password(user_id: int, password: str, *, url: str | None = None) -> int:
    """A signed-in person replaces their own password (e.g. the demo's shared one); returns the
    new session epoch (their other sessions and cookies end)."""
    password_hash = hash_password(password)

    def work(conn: sa.Connection) -> int:
        name = conn.execute(sa.select(U.c.username).where(U.c.user_id == user_id)).scalar_one()
        conn.execute(U.update().where(U.c.user_id == user_id)
                     .values(password_hash=password_hash, failed_logins=0, locked_until=None))
        _audit(conn, name, name, "password changed", "changed by the person at sign-in")
        return _revoke(conn, user_id)

    return run_with_retry(get_engine(url or config.database_url()), work)


def set_active(*, scope: Scope, username: str, active: bool, url: str | None = None,
               actor: str = COMMAND_LINE) -> None:
    """Disable (or re-enable) a user; a disabled user cannot sign in and is signed out on next click."""
    scope.require("admin")

    def work(conn: sa.Connection) -> None:
        uid = _user_id(conn, username)
        values: dict = {"active": bool(active)}
        if active:
            values.update(failed_logins=0, locked_until=None)
        else:
            _revoke(conn, uid)
        conn.execute(U.update().where(U.c.user_id == uid).values(**values))
        _audit(conn, actor, username, "enabled" if active else "disabled", "sign-in allowed"
               if active else "sign-in refused, open sessions ended")

    run_with_retry(get_engine(url or config.database_url()), work)


def set_links(*, scope: Scope, username: str, roles: Iterable[str], analyst_id: int | None,
              team_ids: Iterable[int] = (), url: str | None = None, actor: str = COMMAND_LINE) -> None:
    """Replace a user's roles, linked analyst and led teams (one transaction where the engine can)."""
    scope.require("admin")
    engine = get_engine(url or config.database_url())
    checked: dict = {}

    def work(conn: sa.Connection) -> None:
        uid = _user_id(conn, username)
        checked["roles"], checked["teams"] = _check_links(conn, roles, analyst_id, team_ids)
        checked["uid"] = uid
        checked["old"] = _links(conn, uid)
        _clear_links(conn, uid)
        if checked["old"][0] != analyst_id:
            conn.execute(U.update().where(U.c.user_id == uid).values(analyst_id=analyst_id))
        _write_links(conn, uid, checked["roles"], checked["teams"])
        _audit_links(conn, actor, username, checked["old"], analyst_id, checked)

    try:
        run_with_retry(engine, work)
    except sa.exc.IntegrityError as exc:
        if engine.dialect.name != "duckdb":
            raise
        # DuckDB rewrites an update of a key column as delete + insert and checks foreign keys
        # against rows deleted earlier in the same transaction, so relink in committed steps.
        _relink_in_steps(engine, checked["uid"], analyst_id, checked["roles"], checked["teams"],
                         checked["old"], exc)
        with engine.begin() as conn:
            _audit_links(conn, actor, username, checked["old"], analyst_id, checked)


def _audit_links(conn: sa.Connection, actor: str, username: str, old, analyst_id, checked) -> None:
    before = _describe_links(conn, old[1], old[0], old[2])
    after = _describe_links(conn, checked["roles"], analyst_id, checked["teams"])
    if before != after:
        _audit(conn, actor, username, "roles changed", f"{before} → {after}")


def _links(conn: sa.Connection, uid: int) -> tuple[int | None, list[str], list[int]]:
    analyst = conn.execute(sa.select(U.c.analyst_id).where(U.c.user_id == uid)).scalar_one()
    roles = list(conn.execute(sa.select(schema.user_roles.c.role)
                              .where(schema.user_roles.c.user_id == uid)).scalars())
    teams = list(conn.execute(sa.select(schema.user_teams.c.team_id)
                              .where(schema.user_teams.c.user_id == uid)).scalars())
    return analyst, roles, teams


def _clear_links(conn: sa.Connection, uid: int) -> None:
    conn.execute(schema.user_roles.delete().where(schema.user_roles.c.user_id == uid))
    conn.execute(schema.user_teams.delete().where(schema.user_teams.c.user_id == uid))


def _relink_in_steps(engine: sa.Engine, uid: int, analyst_id: int | None, roles, teams, old,
                     cause: Exception) -> None:
    with engine.begin() as conn:
        _clear_links(conn, uid)
    try:
        with engine.begin() as conn:
            conn.execute(U.update().where(U.c.user_id == uid).values(analyst_id=analyst_id))
    except sa.exc.IntegrityError:
        with engine.begin() as conn:
            _write_links(conn, uid, old[1], old[2])
        raise InvalidInput("The linked analyst of this user cannot be changed on the embedded "
                           "database while notes, kudos or actions refer to the user. Disable the "
                           "user and add a new one with the right link instead.") from cause
    with engine.begin() as conn:
        _write_links(conn, uid, roles, teams)


def record_failed_login(user_id: int, *, max_attempts: int, lock_minutes: int,
                        url: str | None = None) -> bool:
    """Count a failed sign-in; lock the account for `lock_minutes` at `max_attempts`. True when locked."""
    now = clock.now()

    def work(conn: sa.Connection) -> bool:
        # Increment in SQL so two concurrent failures both count.
        conn.execute(U.update().where(U.c.user_id == user_id)
                     .values(failed_logins=U.c.failed_logins + 1))
        count = conn.execute(sa.select(U.c.failed_logins).where(U.c.user_id == user_id)).scalar_one()
        if count >= max_attempts:
            conn.execute(U.update().where(U.c.user_id == user_id)
                         .values(locked_until=now + dt.timedelta(minutes=lock_minutes), failed_logins=0))
            return True
        return False

    return run_with_retry(get_engine(url or config.database_url()), work)


def record_successful_login(user_id: int, *, url: str | None = None,
                            rehash_password: str | None = None) -> None:
    """Reset the failed-sign-in counter after a good password; with `rehash_password` (the password
    just verified), store it again at today's bcrypt cost (older hashes were cheaper to check)."""
    new_hash = (bcrypt.hashpw(rehash_password.encode(), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode()
                if rehash_password else None)

    def work(conn: sa.Connection) -> None:
        conn.execute(U.update().where(U.c.user_id == user_id)
                     .where(sa.or_(U.c.failed_logins != 0, U.c.locked_until.is_not(None)))
                     .values(failed_logins=0, locked_until=None))
        if new_hash:
            conn.execute(U.update().where(U.c.user_id == user_id).values(password_hash=new_hash))

    run_with_retry(get_engine(url or config.database_url()), work)
