"""Which warehouse an import lands in: a demo warehouse asks first (real rows next to invented
ones mislead every figure), and the advice is a fresh, empty warehouse."""

from __future__ import annotations

import sqlalchemy as sa

from data_access import bootstrap

DEMO_ORIGINS = ("demo", "mixed")
FRESH_STEPS = (
    "Recommended: a fresh, empty warehouse next to the demo for real data —\n"
    "  on the page: Admin → Users → 'Start with your own data' (you become its first admin), or\n"
    "  1. python -m data_access warehouse new real        (creates it and switches the app to it)\n"
    "  2. python -m data_access users add ADMIN_LOGIN --name \"Your Name\" --roles admin\n"
    "  3. import into it."
)
DEMO_MESSAGE = ("This warehouse holds demo data: imported rows would be mixed with invented ones in every "
                "figure. Nothing was imported.\n" + FRESH_STEPS + "\nTo import into the demo warehouse anyway, "
                "add --into-demo.")


def origin(engine: sa.Engine) -> str:
    """What the warehouse holds (demo, mixed, imported, empty), as the app's badge says it."""
    with engine.connect() as conn:
        return bootstrap.origin_of(conn)


def holds_demo(engine: sa.Engine) -> bool:
    """True when the warehouse holds demo rows (alone or next to imported ones)."""
    return origin(engine) in DEMO_ORIGINS
