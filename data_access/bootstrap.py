"""First start: make sure the warehouse has a schema, and fill the embedded default with demo data."""

from __future__ import annotations

import fcntl
import os

import sqlalchemy as sa

from data_access import catalogue, config, demo, schema
from data_access.engine import get_engine

DEMO_RESPONSES_ENV = "SERVICE_PULSE_DEMO_RESPONSES"
DEFAULT_DEMO_RESPONSES = 150_000


ORIGIN_LABELS = {"demo": "Demo data", "mixed": "Demo + imported data", "imported": "Imported data",
                 "empty": "Empty"}


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
    """What the warehouse holds, for the header badge and the sign-in rules (see `origin_of`)."""
    with engine.connect() as conn:
        return origin_of(conn)


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
        if empty and config.is_embedded_default(url):
            size = int(os.environ.get(DEMO_RESPONSES_ENV, DEFAULT_DEMO_RESPONSES))
            demo.generate(engine, responses=size)
    return engine
