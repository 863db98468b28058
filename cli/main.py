"""The app-wide command line, `python -m data_access` (or `python -m cli`): one parser, one
sub-command module per room of the app, imported normally."""

from __future__ import annotations

import argparse
import sys

from cli import database, digests, importer, rollups, surveys, users, warehouse
from data_access.engine import DB_ERRORS, describe_failure
from data_access.settings import SettingsError

# Each module adds its sub-commands through `register(subparsers, url_arg)`, in help order.
COMMAND_MODULES = (database, users, digests, importer, warehouse, rollups, surveys)


def _url_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="database URL (default: SERVICE_PULSE_DATABASE_URL, "
                                      "secrets.toml, or the embedded DuckDB file)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data_access",
                                     description="Service Pulse warehouse tools")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(sub, _url_arg)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DB_ERRORS as exc:
        print(f"error: {describe_failure(exc)}", file=sys.stderr)
        return 3
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
