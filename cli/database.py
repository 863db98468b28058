"""Warehouse commands: create the schema, fill a demo warehouse, print what a warehouse holds."""

from __future__ import annotations

import sys

import sqlalchemy as sa

from cli.dates import iso_date
from data_access import catalogue, config, rollups, schema
from data_access.engine import get_engine


def _cmd_create(args) -> int:
    engine = get_engine(args.url or config.database_url())
    with engine.begin() as conn:
        schema.create_schema(conn)
        catalogue.seed_catalogue(conn)
        rollups.start_if_empty(conn)
    print(f"Schema ready in {engine.url.render_as_string(hide_password=True)}")
    return 0


def _cmd_generate(args) -> int:
    from data_access import demo

    engine = get_engine(args.url or config.database_url())
    with engine.begin() as conn:
        schema.create_schema(conn)
        has_data = conn.execute(sa.select(sa.func.count()).select_from(schema.tickets)).scalar_one()
    if has_data and not args.replace:
        print("The database already holds tickets; use --replace to drop everything and regenerate.",
              file=sys.stderr)
        return 2
    if has_data:
        schema.metadata.drop_all(engine)
    result = demo.generate(engine, responses=args.responses, seed=args.seed, end=args.end)
    print(f"Generated {result.responses:,} responses on {result.tickets:,} tickets for "
          f"{result.analysts} analysts in {result.seconds:.1f} s. "
          f"Demo sign-ins use the password '{demo.DEMO_PASSWORD}' (demo database only).")
    return 0


def _cmd_summary(args) -> int:
    from data_access.summary import format_summary, warehouse_summary

    print(format_summary(warehouse_summary(get_engine(args.url or config.database_url()))))
    return 0


def register(sub, url_arg) -> None:
    p = sub.add_parser("create", help="create the schema in a database (safe to repeat)")
    url_arg(p)
    p.set_defaults(func=_cmd_create)
    p = sub.add_parser("generate", help="fill a database with deterministic demo data")
    url_arg(p)
    p.add_argument("--responses", type=int, default=150_000, help="survey responses to generate")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    p.add_argument("--end", type=iso_date, help="last day of the data, YYYY-MM-DD (default: today)")
    p.add_argument("--replace", action="store_true", help="drop existing data first")
    p.set_defaults(func=_cmd_generate)
    p = sub.add_parser("summary", help="print what a database holds")
    url_arg(p)
    p.set_defaults(func=_cmd_summary)
