"""`python -m data_access import tickets|responses FILE --preset …` for scheduled loads.

Exit codes: 0 all rows landed (or were unchanged), 1 some rows were rejected, 2 the file could not
be imported at all, 3 the database could not be reached (from the main CLI).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data_access import config
from data_access.engine import get_engine
from data_access.importer import presets, report
from data_access.importer.reader import ImportFileError
from data_access.importer.run import ImportInterrupted, plan_import, run_import
from data_access.importer.scores import SCALES
from data_access.importer.validate import AmbiguousDates


def register(subparsers, url_arg) -> None:
    """Add the `import` sub-command to the main CLI."""
    p = subparsers.add_parser("import", help="import a tickets or responses export (CSV, Excel, Parquet)")
    p.add_argument("kind", choices=["tickets", "responses"])
    p.add_argument("file", type=Path)
    p.add_argument("--preset", choices=sorted(presets.load_presets()),
                   help="export layout (default: detected from the header)")
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help="map a field to a column of the file (repeatable)")
    p.add_argument("--scale", choices=sorted(SCALES), help="survey score scale (default: the preset's)")
    order = p.add_mutually_exclusive_group()
    order.add_argument("--day-first", dest="date_order", action="store_const", const="day",
                       help="read 03/04/2025 as 3 April")
    order.add_argument("--month-first", dest="date_order", action="store_const", const="month",
                       help="read 03/04/2025 as March 4")
    p.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
    p.add_argument("--report", type=Path, help="write the Markdown report here (default: print a summary)")
    p.add_argument("--rejects-csv", type=Path, help="write the rejected rows as CSV here")
    p.add_argument("--batch-rows", type=int, default=100_000, help=argparse.SUPPRESS)
    url_arg(p)
    p.set_defaults(func=_cmd_import)


def _cmd_import(args) -> int:
    mapping = {}
    for item in args.map:
        field, _, column = item.partition("=")
        mapping[field.strip()] = column.strip()
    try:
        plan = plan_import(args.file, args.kind, preset=args.preset, mapping=mapping or None,
                           scale=args.scale, date_order=args.date_order)
        engine = get_engine(args.url or config.database_url())
        result = run_import(engine, plan, dry_run=args.dry_run, batch_rows=args.batch_rows)
    except (ImportFileError, AmbiguousDates) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ImportInterrupted as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    text = report.report_markdown(result)
    if args.report:
        args.report.write_text(text, encoding="utf-8")
    if args.rejects_csv:
        args.rejects_csv.write_bytes(report.rejects_csv(result))
    counts = ", ".join(f"{k} {v:,}" for k, v in report.summary_rows(result))
    print(f"{'Dry run: ' if args.dry_run else ''}{args.kind} from {args.file.name} "
          f"(preset {result.preset}): {counts} in {result.seconds:.1f} s")
    for what, names in result.created.items():
        if names:
            print(f"  created {what}: {', '.join(names)}")
    if result.rejected and not args.report:
        for line, col, reason in result.rejects.head(20).select("line", "column", "reason").iter_rows():
            print(f"  line {line}: {col or '-'}: {reason}")
        if result.rejected > 20:
            print(f"  … {result.rejected - 20:,} more (use --report or --rejects-csv)")
    return 1 if result.rejected else 0
