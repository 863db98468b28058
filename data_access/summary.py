"""A one-screen summary of what a warehouse holds (for the CLI and the admin page)."""

from __future__ import annotations

import sqlalchemy as sa

from data_access import schema
from data_access.bootstrap import origin_of
from data_access.engine import get_engine

COUNTED = ["teams", "analysts", "services", "tickets", "responses", "response_factors",
           "self_assessments", "coaching_notes", "recovery_items", "kudos", "app_users"]


def warehouse_summary(engine: sa.Engine) -> dict:
    """Row counts per table, the period covered and what the data is (demo or imported)."""
    out: dict = {"backend": engine.dialect.name, "tables": {}}
    with engine.connect() as conn:
        for name in COUNTED:
            table = schema.metadata.tables[name]
            out["tables"][name] = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        r = schema.responses
        first, last = conn.execute(sa.select(sa.func.min(r.c.submitted_at), sa.func.max(r.c.submitted_at))).one()
        out["first_response"], out["last_response"] = first, last
        out["origin"] = origin_of(conn)  # demo, mixed (demo + imported), imported or empty
    tickets = out["tables"]["tickets"]
    out["response_rate"] = out["tables"]["responses"] / tickets if tickets else None
    return out


def format_summary(info: dict) -> str:
    """The summary as plain text lines."""
    lines = [f"Service Pulse warehouse ({info['backend']}, {info.get('origin') or 'unknown'} data)"]
    for name, count in info["tables"].items():
        lines.append(f"  {name:<18} {count:>12,}")
    if info["first_response"]:
        lines.append(f"  responses from {info['first_response']:%Y-%m-%d} to {info['last_response']:%Y-%m-%d}")
    if info["response_rate"] is not None:
        lines.append(f"  response rate      {info['response_rate']:>12.1%}")
    return "\n".join(lines)


def summary_of(url: str) -> dict:
    """`warehouse_summary` of the warehouse at `url` (the Admin Data page caches it briefly)."""
    return warehouse_summary(get_engine(url))
