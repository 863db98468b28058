"""Shared helpers for importer tests: seed a private warehouse, import a file, read back what landed."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from data_access import catalogue, schema
from data_access.engine import get_engine
from data_access.importer.run import ImportResult, plan_import, run_import

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def ready(url: str) -> sa.Engine:
    """The engine of an empty test warehouse with the factor catalogue and settings seeded."""
    engine = get_engine(url)
    with engine.begin() as conn:
        catalogue.seed_catalogue(conn)
    return engine


def do_import(url: str, kind: str, path, **kw) -> ImportResult:
    """Plan and run one import (keyword arguments split between plan and run)."""
    run_kw = {k: kw.pop(k) for k in ("dry_run", "batch_rows", "progress") if k in kw}
    return run_import(get_engine(url), plan_import(path, kind, **kw), **run_kw)


def landed_tickets(url: str) -> list[tuple]:
    """Every ticket with names resolved, ordered by ticket_id."""
    t, a, tm, s = schema.tickets, schema.analysts, schema.teams, schema.services
    stmt = (sa.select(t.c.ticket_id, t.c.ticket_type, t.c.channel, s.c.name, t.c.priority, t.c.opened_at,
                      t.c.resolved_at, a.c.name, tm.c.name, t.c.reassignment_count, t.c.reopened, t.c.sla_met,
                      t.c.first_contact_resolution, t.c.handle_minutes, t.c.requester)
            .select_from(t.join(a, a.c.analyst_id == t.c.analyst_id).join(tm, tm.c.team_id == t.c.team_id)
                         .join(s, s.c.service_id == t.c.service_id))
            .order_by(t.c.ticket_id))
    with get_engine(url).connect() as conn:
        rows = [tuple(r) for r in conn.execute(stmt)]
    return [r[:13] + (None if r[13] is None else round(r[13], 3),) + r[14:] for r in rows]


def landed_responses(url: str) -> list[tuple]:
    """Every response with its ticket_id and sorted factor codes, ordered by ticket_id."""
    t, r, rf, f = schema.tickets, schema.responses, schema.response_factors, schema.factors
    with get_engine(url).connect() as conn:
        rows = conn.execute(sa.select(t.c.ticket_id, r.c.ticket_key, r.c.happiness, r.c.communication,
                                      r.c.application, r.c.resolution, r.c.expectation, r.c.lost_minutes,
                                      r.c.comment, r.c.submitted_at)
                            .select_from(r.join(t, t.c.ticket_key == r.c.ticket_key))
                            .order_by(t.c.ticket_id)).all()
        codes: dict[int, list[str]] = {}
        for key, code in conn.execute(sa.select(rf.c.ticket_key, f.c.code)
                                      .select_from(rf.join(f, f.c.factor_id == rf.c.factor_id))
                                      .order_by(f.c.code)):
            codes.setdefault(key, []).append(code)
    return [(row[0], *row[2:], tuple(codes.get(row[1], ()))) for row in rows]


def count(url: str, table: sa.Table) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
