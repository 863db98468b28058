"""`python -m data_access rollups check | rebuild | sql --dialect …`."""

from __future__ import annotations

import sys
import time

from data_access import config
from data_access.engine import get_engine
from data_access.rollups import maintain
from data_access.rollups.check import check
from data_access.rollups.scheduler_sql import DIALECTS, scheduler_script


def _cmd_check(args) -> int:
    with get_engine(args.url or config.database_url()).connect() as conn:
        lines = check(conn, limit=args.limit)
    if lines:
        print("Rollups differ from the base tables:", file=sys.stderr)
        for line in lines:
            print(f"  {line}", file=sys.stderr)
        return 1
    print("Rollups equal their recomputation from the base tables.")
    return 0


def _cmd_rebuild(args) -> int:
    started = time.perf_counter()
    with get_engine(args.url or config.database_url()).begin() as conn:
        maintain.rebuild(conn)
    print(f"Rollups rebuilt in {time.perf_counter() - started:.1f} s.")
    return 0


def _cmd_sql(args) -> int:
    sys.stdout.write(scheduler_script(args.dialect))
    return 0


def register(sub, url_arg) -> None:
    """Add the `rollups` command group to the data_access CLI."""
    parser = sub.add_parser("rollups", help="check, rebuild or export the summary tables (rollups)")
    rsub = parser.add_subparsers(dest="rollups_command", required=True)
    p = rsub.add_parser("check", help="recompute from the base tables; exit 1 naming differing cells")
    url_arg(p)
    p.add_argument("--limit", type=int, default=50, help="differing cells listed per rollup")
    p.set_defaults(func=_cmd_check)
    p = rsub.add_parser("rebuild", help="recompute every rollup and mark them fresh")
    url_arg(p)
    p.set_defaults(func=_cmd_rebuild)
    p = rsub.add_parser("sql", help="print CREATE + refresh SQL for a data team's scheduler")
    p.add_argument("--dialect", required=True, choices=sorted(DIALECTS))
    p.set_defaults(func=_cmd_sql)
