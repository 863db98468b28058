"""`python -m data_access warehouse ...`: a fresh, empty warehouse next to the demo, and switching.

The demo stays as it is; `warehouse new real` creates `real.duckdb` in the same data folder and
points the app at it (through a one-line file there), so real data never mixes with demo rows.
The cookie key that served the demo keeps signing people in until the admin sets their own.
"""

from __future__ import annotations

import os
import sys

from data_access import bootstrap, config

FIRST_STEPS = """\
Next steps:
  1. Create the first admin (asks for a password):
       python -m data_access users add admin --name "Your Name" --roles admin
  2. Import your exports, e.g.:
       python -m data_access import tickets tickets.csv
  3. Sign in as that admin. Set your own cookie key when you can (SERVICE_PULSE_COOKIE_KEY or
     [auth] cookie_key in .streamlit/secrets.toml); until then the demo's key keeps working.
Back to the demo at any time: python -m data_access warehouse use demo"""


def _switch_to(name: str | None) -> None:
    path = config.data_dir() / config.ACTIVE_WAREHOUSE_FILE
    if name is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(name + "\n", encoding="utf-8")
    tmp.replace(path)  # atomic: a page run never reads half a name


def _warn_if_overridden() -> None:
    if os.environ.get(config.URL_ENV) or config._secrets().get("database", {}).get("url"):
        print(f"note: {config.URL_ENV} or [database] url in secrets.toml is set and wins over "
              "this choice; remove it for the app to use the local warehouse.", file=sys.stderr)


def _cmd_new(args) -> int:
    name = config.local_warehouse_name(args.name)
    if name is None or name in ("demo", config.DEMO_FILE.removesuffix(".duckdb")):
        print("error: a warehouse name is 1-60 characters a-z, 0-9, _ or -, and not 'demo'.",
              file=sys.stderr)
        return 2
    url = config.local_warehouse_url(name)
    path = config.data_dir() / f"{name}.duckdb"
    if path.exists():
        print(f"error: {path.name} already exists in the data folder; switch to it with "
              f"`python -m data_access warehouse use {name}`.", file=sys.stderr)
        return 2
    bootstrap.ensure_warehouse(url)  # schema and catalogue only: no demo data outside the demo file
    if not args.no_switch:
        _switch_to(name)
    print(f"Created an empty warehouse '{name}' ({path.name} in the data folder, next to the demo)"
          + ("." if args.no_switch else " and switched the app to it."))
    _warn_if_overridden()
    print(FIRST_STEPS)
    return 0


def _cmd_use(args) -> int:
    if args.name == "demo":
        _switch_to(None)
        print("The app uses the demo warehouse again.")
        _warn_if_overridden()
        return 0
    name = config.local_warehouse_name(args.name)
    if name is None or not (config.data_dir() / f"{name}.duckdb").is_file():
        print(f"error: there is no warehouse '{args.name}' in the data folder "
              "(create one with `python -m data_access warehouse new NAME`).", file=sys.stderr)
        return 2
    _switch_to(name)
    print(f"The app uses the warehouse '{name}' from its next page run.")
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
