"""`python -m data_access warehouse ...`: a fresh, empty warehouse next to the demo, and switching.

The demo stays as it is; `warehouse new real` creates `real.duckdb` in the same data folder and
points the app at it (through a one-line file there), so real data never mixes with demo rows.
The cookie key that served the demo keeps signing people in until the admin sets their own.
"""

from __future__ import annotations

import sys

from data_access import bootstrap, config, settings

FIRST_STEPS = """\
Next steps:
  1. Create the first admin (asks for a password):
       python -m data_access users add admin --name "Your Name" --roles admin
  2. Import your exports, e.g.:
       python -m data_access import tickets tickets.csv
  3. Sign in as that admin. The sign-in key in the data folder (the demo's) keeps working until
     you set your own: SERVICE_PULSE_COOKIE_KEY or [auth] cookie_key in .streamlit/secrets.toml.
Back to the demo at any time: python -m data_access warehouse use demo"""


def _warn_if_overridden() -> None:
    if settings.current().database.url:
        print(f"note: {config.URL_ENV} or [database] url in secrets.toml is set and wins over "
              "this choice; remove it for the app to use the local warehouse.", file=sys.stderr)


def _cmd_new(args) -> int:
    try:
        bootstrap.create_local_warehouse(args.name, switch=not args.no_switch)
    except bootstrap.LocalWarehouseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    name = config.local_warehouse_name(args.name)
    print(f"Created an empty warehouse '{name}' ({name}.duckdb in the data folder, next to the demo)"
          + ("." if args.no_switch else " and switched the app to it."))
    _warn_if_overridden()
    print(FIRST_STEPS)
    return 0


def _cmd_use(args) -> int:
    try:
        bootstrap.use_local_warehouse(args.name)
    except bootstrap.LocalWarehouseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("The app uses the demo warehouse again." if args.name == "demo"
          else f"The app uses the warehouse '{args.name}' from its next page run.")
    _warn_if_overridden()
    return 0


def register(subparsers, url_arg) -> None:
    """Add the `warehouse` command group to the data_access CLI."""
    del url_arg  # these commands work on the local data folder only
    group = subparsers.add_parser("warehouse", help="a fresh empty warehouse next to the demo; switch")
    sub = group.add_subparsers(dest="warehouse_command", required=True)
    p = sub.add_parser("new", help="create an empty local warehouse and switch the app to it")
    p.add_argument("name", nargs="?", default="real", help="file name without .duckdb (default: real)")
    p.add_argument("--no-switch", action="store_true", help="create it but keep the app where it is")
    p.set_defaults(func=_cmd_new)
    p = sub.add_parser("use", help="switch the app to a local warehouse ('demo' for the demo)")
    p.add_argument("name")
    p.set_defaults(func=_cmd_use)
