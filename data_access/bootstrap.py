"""First start: make sure the warehouse has a schema, and fill the embedded default with demo data."""

from __future__ import annotations

import fcntl
from dataclasses import dataclass

import sqlalchemy as sa

from data_access import catalogue, config, demo, rollups, schema, settings
from data_access.engine import get_engine, retrying

ORIGIN_LABELS = {"demo": "Demo", "mixed": "Demo + imported", "imported": "Imported", "empty": "Empty"}


def origin_of(conn: sa.Connection) -> str:
    """'demo', 'mixed' (demo data with imported data added), 'imported' or 'empty'.

    An import writes "imported" into data_origin; when the demo data is still there (its marker
    setting, or for demos made before the marker, the demo's own admin account) it is "mixed".
    """
    S = schema.settings
    stored = dict(conn.execute(sa.select(S.c.key, S.c.value)
                               .where(S.c.key.in_(("data_origin", demo.DEMO_MARKER)))).all())
    value = stored.get("data_origin") or "imported"
    if value != "imported":
        return value if value in ORIGIN_LABELS else "imported"
    if stored.get(demo.DEMO_MARKER):
        return "mixed"
    legacy_demo = conn.execute(sa.select(schema.app_users.c.user_id)
                               .where(schema.app_users.c.username == "admin",
                                      schema.app_users.c.email == "admin@example.com")).first()
    return "mixed" if legacy_demo is not None else "imported"


def data_origin(engine: sa.Engine) -> str:
    """What the warehouse holds, for the header badge and the sign-in rules (see `origin_of`);
    read on a session's first page run, so a transient failure is retried like a page's reads."""
    def read() -> str:
        with engine.connect() as conn:
            return origin_of(conn)
    return retrying(read)


def ensure_warehouse(url: str | None = None) -> sa.Engine:
    """Create missing tables in a local warehouse; the demo file gets demo data the first time."""
    url = url or config.database_url()
    engine = get_engine(url)
    if not config.is_local_warehouse(url):
        return engine
    lock_path = config.data_dir() / ".bootstrap.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two first visitors must not both generate
        with engine.begin() as conn:
            schema.create_schema(conn)
            catalogue.seed_catalogue(conn)
            empty = conn.execute(sa.select(sa.func.count()).select_from(schema.tickets)).scalar_one() == 0
            rollups.start_if_empty(conn)  # a new warehouse keeps its rollups from the first import on
        if empty and config.is_embedded_default(url):
            demo.generate(engine, responses=settings.current().demo_responses)
    return engine


class LocalWarehouseError(ValueError):
    """A local warehouse cannot be created or chosen; the message says why, for a person."""


@dataclass(frozen=True)
class FirstAdmin:
    """The admin account to create in a fresh warehouse (the person who asked for it)."""

    username: str
    display_name: str
    password: str
    email: str | None = None


def create_local_warehouse(name: str, *, switch: bool = True, first_admin: FirstAdmin | None = None,
                           actor: str = "command line") -> str:
    """Create an empty warehouse `name`.duckdb next to the demo (schema only, no demo data), with
    `first_admin` as its first account, and with `switch` point the app at it from its next page
    run. Returns its URL."""
    from data_access.scope import Scope
    from data_access.writes import users as user_writes  # imports demo, like this module

    if first_admin is not None:
        user_writes.check_password_rules(first_admin.password)  # before anything is created
    checked = config.local_warehouse_name(name)
    if checked is None or checked in ("demo", config.DEMO_FILE.removesuffix(".duckdb")):
        raise LocalWarehouseError("A warehouse name is 1-60 characters a-z, 0-9, _ or -, and not 'demo'.")
    path = config.data_dir() / f"{checked}.duckdb"
    if path.exists():
        raise LocalWarehouseError(f"{path.name} already exists in the data folder; switch to it with "
                                  f"`python -m data_access warehouse use {checked}`.")
    url = config.local_warehouse_url(checked)
    ensure_warehouse(url)
    if first_admin is not None:
        user_writes.add_user(scope=Scope("admin"), username=first_admin.username,
                             display_name=first_admin.display_name, password=first_admin.password,
                             roles=["admin"], email=first_admin.email, url=url, actor=actor)
    if switch:
        use_local_warehouse(checked)
    return url


def use_local_warehouse(name: str | None) -> None:
    """Point the app at the local warehouse `name` (None or "demo": back to the demo)."""
    path = config.data_dir() / config.ACTIVE_WAREHOUSE_FILE
    if name in (None, "demo"):
        path.unlink(missing_ok=True)
        return
    checked = config.local_warehouse_name(name)
    if checked is None or not (config.data_dir() / f"{checked}.duckdb").is_file():
        raise LocalWarehouseError(f"There is no warehouse '{name}' in the data folder (create one "
                                  "with `python -m data_access warehouse new NAME`).")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(checked + "\n", encoding="utf-8")
    tmp.replace(path)  # atomic: a page run never reads half a name
