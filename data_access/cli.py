"""Command-line entry: schema, demo data, summary; feature modules add their own sub-commands."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys

import sqlalchemy as sa

from data_access import catalogue, config, rollups, schema
from data_access.engine import DB_ERRORS, describe_failure, get_engine

# Modules that contribute sub-commands through a `register(subparsers)` function.
FEATURE_COMMANDS: list[str] = ["data_access.users_cli", "notify.cli", "data_access.importer.cli",
                               "data_access.warehouse_cli", "data_access.rollups.cli",
                               "notify.survey_cli"]


def _url_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="database URL (default: SERVICE_PULSE_DATABASE_URL, "
                                      "secrets.toml, or the embedded DuckDB file)")


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
    end = dt.date.fromisoformat(args.end) if args.end else None
    result = demo.generate(engine, responses=args.responses, seed=args.seed, end=end)
    print(f"Generated {result.responses:,} responses on {result.tickets:,} tickets for "
          f"{result.analysts} analysts in {result.seconds:.1f} s. "
          f"Demo sign-ins use the password '{demo.DEMO_PASSWORD}' (demo database only).")
    return 0


def _cmd_summary(args) -> int:
    from data_access.summary import format_summary, warehouse_summary

    print(format_summary(warehouse_summary(get_engine(args.url or config.database_url()))))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data_access",
                                     description="Service Pulse warehouse tools")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("create", help="create the schema in a database (safe to repeat)")
    _url_arg(p)
    p.set_defaults(func=_cmd_create)
    p = sub.add_parser("generate", help="fill a database with deterministic demo data")
    _url_arg(p)
    p.add_argument("--responses", type=int, default=150_000, help="survey responses to generate")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    p.add_argument("--end", help="last day of the data, YYYY-MM-DD (default: today)")
    p.add_argument("--replace", action="store_true", help="drop existing data first")
    p.set_defaults(func=_cmd_generate)
    p = sub.add_parser("summary", help="print what a database holds")
    _url_arg(p)
    p.set_defaults(func=_cmd_summary)
    for module in FEATURE_COMMANDS:
        importlib.import_module(module).register(sub, _url_arg)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DB_ERRORS as exc:
        print(f"error: {describe_failure(exc)}", file=sys.stderr)
        return 3
