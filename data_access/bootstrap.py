"""First start: make sure the warehouse has a schema, and fill the embedded default with demo data."""

from __future__ import annotations

import fcntl
import os

import sqlalchemy as sa

from data_access import catalogue, config, demo, schema
from data_access.engine import get_engine

DEMO_RESPONSES_ENV = "SERVICE_PULSE_DEMO_RESPONSES"
DEFAULT_DEMO_RESPONSES = 150_000


def data_origin(engine: sa.Engine) -> str:
    """'demo', 'imported' or 'empty' (what the warehouse holds, for the header badge)."""
    with engine.connect() as conn:
        value = conn.execute(sa.select(schema.settings.c.value)
                             .where(schema.settings.c.key == "data_origin")).scalar_one_or_none()
    return value or "imported"


def ensure_warehouse(url: str | None = None) -> sa.Engine:
    """Create missing tables; on the embedded default, generate demo data the first time."""
    url = url or config.database_url()
    engine = get_engine(url)
    if not config.is_embedded_default(url):
        return engine
    lock_path = config.data_dir() / ".bootstrap.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two first visitors must not both generate
        with engine.begin() as conn:
            schema.create_schema(conn)
            catalogue.seed_catalogue(conn)
            empty = conn.execute(sa.select(sa.func.count()).select_from(schema.tickets)).scalar_one() == 0
        if empty:
            size = int(os.environ.get(DEMO_RESPONSES_ENV, DEFAULT_DEMO_RESPONSES))
            demo.generate(engine, responses=size)
    return engine
