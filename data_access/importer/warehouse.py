"""Which warehouse an import lands in: a demo warehouse asks first (real rows next to invented
ones mislead every figure), and the advice is a fresh, empty warehouse."""

from __future__ import annotations

import sqlalchemy as sa

from data_access import schema

DEMO_ORIGINS = ("demo", "mixed")
FRESH_STEPS = (
    "Recommended: a fresh, empty warehouse for real data —\n"
    "  1. python -m data_access create --url duckdb:///data/service_pulse_real.duckdb\n"
    "  2. set SERVICE_PULSE_DATABASE_URL to that URL (environment or secrets.toml [database] url)\n"
    "  3. python -m data_access users add ADMIN_LOGIN --name \"Your Name\" --roles admin\n"
    "  4. import into it, then restart the app."
)
DEMO_MESSAGE = ("This warehouse holds demo data: imported rows would be mixed with invented ones in every "
                "figure. Nothing was imported.\n" + FRESH_STEPS + "\nTo import into the demo warehouse anyway, "
                "add --into-demo.")


def origin(engine: sa.Engine) -> str | None:
    """The warehouse's data_origin setting (demo, mixed, imported) or None when unset."""
    S = schema.settings
    with engine.connect() as conn:
        return conn.execute(sa.select(S.c.value).where(S.c.key == "data_origin")).scalar_one_or_none()


def holds_demo(engine: sa.Engine) -> bool:
    """True when the warehouse holds demo rows (alone or next to imported ones)."""
    return origin(engine) in DEMO_ORIGINS
