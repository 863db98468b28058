"""Who may sign in: app users with their roles, the analyst they are and the teams they lead.

Reads for sign-in are not cached (a disabled account or a new password must take effect at once);
the admin listing requires the admin scope.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import bcrypt

import polars as pl
import sqlalchemy as sa

from data_access import query, schema
from data_access.demo import DEMO_PASSWORD
from data_access.scope import Role, Scope

U = schema.app_users
ROLE_ORDER: tuple[Role, ...] = ("cio", "lead", "analyst", "admin")


def epoch_key(user_id: int) -> str:
    """The settings key holding this user's session epoch (a counter bumped by sign-out and a new
    password: a session or cookie made under an older epoch no longer signs in)."""
    return f"session_epoch:{int(user_id)}"


def parse_epoch(value: str | None) -> int:
    """The stored epoch as an integer (missing or unreadable: 0)."""
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0


def normalise_username(username: str) -> str:
    """Usernames are compared trimmed and lower-case."""
    return (username or "").strip().lower()


@dataclass(frozen=True)
class UserRecord:
    """One app user as sign-in needs it (the hash never leaves the auth component)."""

    user_id: int
    username: str
    display_name: str
    email: str | None
    password_hash: str
    active: bool
    failed_logins: int
    locked_until: dt.datetime | None
    roles: tuple[Role, ...]
    analyst_id: int | None
    own_team_id: int | None
    own_team_name: str | None
    lead_team_ids: tuple[int, ...]
    lead_team_names: tuple[str, ...]
    session_epoch: int = 0  # sessions and cookies issued under another epoch are void

    def locked(self, now: dt.datetime) -> bool:
        """True while a lockout after failed sign-ins is running."""
        return self.locked_until is not None and self.locked_until > now


def user_query(username: str) -> sa.Select:
    """The SELECT of one user with their analyst's team (exposed for dialect tests)."""
    A, T = schema.analysts, schema.teams
    return (sa.select(U.c.user_id, U.c.username, U.c.display_name, U.c.email, U.c.password_hash,
                      U.c.active, U.c.failed_logins, U.c.locked_until, U.c.analyst_id,
                      A.c.team_id.label("own_team_id"), T.c.name.label("own_team_name"))
            .select_from(U.outerjoin(A, A.c.analyst_id == U.c.analyst_id)
                         .outerjoin(T, T.c.team_id == A.c.team_id))
            .where(U.c.username == normalise_username(username)))


def find_user(username: str, *, url: str | None = None) -> UserRecord | None:
    """The user signed in as `username` (any case), or None when there is no such user.

    Every page run of a signed-in session starts here, outside any page's cached reads: a
    transient failure (a busy file, a dropped connection) is retried by the one retry policy."""
    if not normalise_username(username):
        return None
    return query.read(lambda conn: _read_user(conn, username), url=url)


def _read_user(conn: sa.Connection, username: str) -> UserRecord | None:
    row = conn.execute(user_query(username)).mappings().first()
    if row is None:
        return None
    roles = set(conn.execute(sa.select(schema.user_roles.c.role)
                             .where(schema.user_roles.c.user_id == row["user_id"])).scalars())
    teams = conn.execute(sa.select(schema.teams.c.team_id, schema.teams.c.name)
                         .select_from(schema.user_teams.join(
                             schema.teams, schema.teams.c.team_id == schema.user_teams.c.team_id))
                         .where(schema.user_teams.c.user_id == row["user_id"])
                         .order_by(schema.teams.c.team_id)).all()
    epoch = conn.execute(sa.select(schema.settings.c.value)
                         .where(schema.settings.c.key == epoch_key(row["user_id"]))
                         ).scalar_one_or_none()
    return UserRecord(
        user_id=int(row["user_id"]), username=row["username"], display_name=row["display_name"],
        email=row["email"], password_hash=row["password_hash"], active=bool(row["active"]),
        failed_logins=int(row["failed_logins"] or 0), locked_until=row["locked_until"],
        roles=tuple(r for r in ROLE_ORDER if r in roles),
        analyst_id=row["analyst_id"], own_team_id=row["own_team_id"],
        own_team_name=row["own_team_name"],
        lead_team_ids=tuple(int(t) for t, _ in teams), lead_team_names=tuple(n for _, n in teams),
        session_epoch=parse_epoch(epoch))


def has_users(*, url: str | None = None) -> bool:
    """Whether anyone at all may sign in (a fresh warehouse has nobody until the first admin)."""
    return query.read(lambda conn: conn.execute(sa.select(U.c.user_id).limit(1)).first() is not None, url=url)


def has_active_role(role: Role, *, url: str | None = None) -> bool:
    """Whether an active account holds `role` (the app keeps a CIO's landing view warm only then)."""
    R = schema.user_roles
    stmt = (sa.select(R.c.user_id).select_from(R.join(U, U.c.user_id == R.c.user_id))
            .where(R.c.role == role, U.c.active.is_(True)).limit(1))
    return query.read(lambda conn: conn.execute(stmt).first() is not None, url=url)


def _user_rows(conn: sa.Connection) -> tuple[list, list, list]:
    """Every user (with the analyst they are), every role row, every team led: one snapshot."""
    A = schema.analysts
    users = conn.execute(
        sa.select(U.c.user_id, U.c.username, U.c.display_name, U.c.email, U.c.active,
                  U.c.failed_logins, U.c.locked_until, U.c.analyst_id,
                  A.c.name.label("analyst_name"))
        .select_from(U.outerjoin(A, A.c.analyst_id == U.c.analyst_id))
        .order_by(U.c.username)).mappings().all()
    roles = conn.execute(sa.select(schema.user_roles.c.user_id, schema.user_roles.c.role)).all()
    teams = conn.execute(sa.select(schema.user_teams.c.user_id, schema.teams.c.team_id, schema.teams.c.name)
                         .select_from(schema.user_teams.join(
                             schema.teams, schema.teams.c.team_id == schema.user_teams.c.team_id))
                         .order_by(schema.teams.c.name)).all()
    return users, roles, teams


def list_users(*, scope: Scope, url: str | None = None) -> pl.DataFrame:
    """All app users for the admin page: roles, linked analyst and teams, state (admin only)."""
    scope.require("admin")
    users, roles, teams = query.read(_user_rows, url=url)
    role_map: dict[int, list[str]] = {}
    for uid, role in roles:
        role_map.setdefault(uid, []).append(role)
    team_map: dict[int, list[tuple[int, str]]] = {}
    for uid, team_id, name in teams:
        team_map.setdefault(uid, []).append((int(team_id), name))
    rows = [{
        "user_id": u["user_id"], "username": u["username"], "display_name": u["display_name"],
        "email": u["email"],
        "roles": ", ".join(r for r in ROLE_ORDER if r in role_map.get(u["user_id"], [])),
        "analyst": u["analyst_name"], "teams_led": ", ".join(n for _, n in team_map.get(u["user_id"], [])),
        "active": bool(u["active"]), "failed_logins": int(u["failed_logins"] or 0),
        "locked_until": u["locked_until"], "analyst_id": u["analyst_id"],
        "team_ids": [t for t, _ in team_map.get(u["user_id"], [])],
    } for u in users]
    return pl.DataFrame(rows, schema={
        "user_id": pl.Int64, "username": pl.String, "display_name": pl.String, "email": pl.String,
        "roles": pl.String, "analyst": pl.String, "teams_led": pl.String, "active": pl.Boolean,
        "failed_logins": pl.Int64, "locked_until": pl.Datetime("us"), "analyst_id": pl.Int64,
        "team_ids": pl.List(pl.Int64)})


def analyst_directory(*, scope: Scope, url: str | None = None) -> pl.DataFrame:
    """Analysts and their team, to link an app user to a person (admin only)."""
    scope.require("admin")
    A, T = schema.analysts, schema.teams
    return query.frame(sa.select(A.c.analyst_id, A.c.name, T.c.team_id, T.c.name.label("team"))
                       .select_from(A.join(T, T.c.team_id == A.c.team_id)).order_by(A.c.name), url=url,
                       schema={"analyst_id": pl.Int64, "name": pl.String, "team_id": pl.Int64, "team": pl.String})


def team_directory(*, scope: Scope, url: str | None = None) -> pl.DataFrame:
    """Teams (id, name), to say which teams a lead leads (admin only)."""
    scope.require("admin")
    T = schema.teams
    return query.frame(sa.select(T.c.team_id, T.c.name).order_by(T.c.name), url=url,
                       schema={"team_id": pl.Int64, "name": pl.String})


@functools.lru_cache(maxsize=64)
def uses_demo_password(password_hash: str) -> bool:
    """True when a stored hash is of the demo's shared password (all demo accounts share one hash,
    so this costs one bcrypt check per distinct hash and process)."""
    try:
        return bcrypt.checkpw(DEMO_PASSWORD.encode(), (password_hash or "").encode())
    except ValueError:
        return False


def demo_password_accounts(*, scope: Scope, url: str | None = None) -> list[str]:
    """Usernames of active accounts still on the demo's shared password (admin only).

    Only a warehouse that holds demo data can have them (nobody may choose that password), so a
    real warehouse costs no bcrypt work here; the demo accounts share one hash, checked once.
    """
    from data_access.bootstrap import origin_of  # bootstrap imports the demo generator

    scope.require("admin")

    def accounts(conn: sa.Connection) -> list:
        if origin_of(conn) not in ("demo", "mixed"):
            return []
        return conn.execute(sa.select(U.c.username, U.c.password_hash).where(U.c.active)
                            .order_by(U.c.username)).all()
    rows = query.read(accounts, url=url)
    return [name for name, password_hash in rows if uses_demo_password(password_hash)]


def audit_log(*, scope: Scope, url: str | None = None, limit: int = 200) -> pl.DataFrame:
    """The latest changes to accounts (who, when, what), newest first (admin only)."""
    scope.require("admin")
    A = schema.user_audit
    return query.frame(sa.select(A.c.changed_at, A.c.actor, A.c.username, A.c.action, A.c.detail)
                       .order_by(A.c.changed_at.desc(), A.c.audit_id.desc()).limit(limit), url=url,
                       schema={"changed_at": pl.Datetime("us"), "actor": pl.String, "username": pl.String,
                               "action": pl.String, "detail": pl.String})
