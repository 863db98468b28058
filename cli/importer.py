"""`python -m data_access import tickets|responses FILE …`, `import folder DIR` and
`import close-stale` for scheduled, unattended loads.

Exit codes: 0 every row landed, was unchanged or was skipped on purpose (open tickets, unanswered
surveys); 1 some rows were rejected (they are in quarantine); 2 the file could not be imported at
all (nothing written) or needs a choice (ambiguous questions, dates, the demo warehouse); 3 the
database could not be reached (from the main CLI).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data_access import config
from data_access.engine import get_engine
from data_access.importer import presets, report
from data_access.importer.longformat import AmbiguousQuestions
from data_access.importer.mapping_file import SavedMapping, load_mapping, mapping_toml
from data_access.importer.reader import ImportFileError
from data_access.importer.run import ImportInterrupted, plan_import, run_import
from data_access.importer.scores import SCALES
from data_access.importer.validate import AmbiguousDates
from data_access.importer.warehouse import DEMO_MESSAGE, holds_demo


def _file_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--preset", choices=sorted(presets.load_presets()),
                   help="export layout (default: detected from the header)")
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help="map a field to a column of the file, or (long-format surveys) to a question; repeatable")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", dest="constants",
                   help="a constant for a field the file lacks, e.g. --set ticket_type=incident")
    p.add_argument("--value", action="append", default=[], metavar="FIELD:SOURCE=TARGET",
                   help='map a value, e.g. --value "channel:Social Media=social"; repeatable')
    p.add_argument("--mapping", type=Path, metavar="FILE.toml", help="reuse a saved mapping (flags win over it)")
    p.add_argument("--save-mapping", type=Path, metavar="FILE.toml", help="write everything chosen to this file")
    p.add_argument("--scale", choices=sorted(SCALES), help="survey score scale (default: the preset's)")
    order = p.add_mutually_exclusive_group()
    order.add_argument("--day-first", dest="date_order", action="store_const", const="day",
                       help="read 03/04/2025 as 3 April")
    order.add_argument("--month-first", dest="date_order", action="store_const", const="month",
                       help="read 03/04/2025 as March 4")
    p.add_argument("--into-demo", action="store_true",
                   help="allow importing into a warehouse that holds demo data (better: a fresh one)")
    p.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
    p.add_argument("--report", type=Path, help="write the Markdown report here (default: print a summary)")
    p.add_argument("--rejects-csv", type=Path, help="write the rejected rows (original columns + line, column, reason)")
    p.add_argument("--batch-rows", type=int, default=100_000, help=argparse.SUPPRESS)


def register(subparsers, url_arg) -> None:
    """Add the `import` sub-commands to the main CLI."""
    p = subparsers.add_parser("import", help="import exports (CSV, Excel, Parquet), a drop folder, or close stale recovery items")
    sub = p.add_subparsers(dest="import_kind", required=True)
    for kind in ("tickets", "responses"):
        k = sub.add_parser(kind, help=f"import a {kind} export")
        k.add_argument("file", type=Path)
        _file_options(k)
        if kind == "tickets":
            k.add_argument("--with-responses", action="store_true",
                           help="the file also carries each ticket's survey answer: land both in one pass")
        url_arg(k)
        k.set_defaults(func=_cmd_import, kind=kind)
    from data_access.importer import folder, stale

    folder.register(sub, url_arg)
    stale.register(sub, url_arg)


def _pairs(items: list[str], flag: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ImportFileError(f"{flag} {item!r} is not FIELD=VALUE.")
        out[key.strip()] = value.strip()
    return out


def flags_mapping(args) -> SavedMapping:
    """The choices given as flags (a saved mapping file first, the flags on top)."""
    values: dict[str, dict[str, str]] = {}
    for item in args.value:
        head, sep, target = item.rpartition("=")
        fld, colon, source = head.partition(":")
        if not sep or not colon or not fld.strip():
            raise ImportFileError(f"--value {item!r} is not FIELD:SOURCE=TARGET.")
        values.setdefault(fld.strip(), {})[source.strip()] = target.strip()
    given = SavedMapping(kind=args.kind, preset=args.preset, mapping=_pairs(args.map, "--map"), scale=args.scale,
                         date_order=args.date_order, constants=_pairs(args.constants, "--set"), value_maps=values,
                         with_responses=getattr(args, "with_responses", False))
    return load_mapping(args.mapping).merged(given) if args.mapping else given


def _cmd_import(args) -> int:
    try:
        chosen = flags_mapping(args)
        engine = get_engine(args.url or config.database_url())
        if not args.dry_run and not args.into_demo and holds_demo(engine):
            print(f"error: {DEMO_MESSAGE}", file=sys.stderr)
            return 2
        plan = plan_import(args.file, args.kind, **chosen.plan_kwargs())
        if args.save_mapping:
            args.save_mapping.write_text(mapping_toml(plan), encoding="utf-8")
        result = run_import(engine, plan, dry_run=args.dry_run, batch_rows=args.batch_rows)
    except (ImportFileError, AmbiguousDates, AmbiguousQuestions) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ImportInterrupted as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    print_result(result, args.file.name, report_path=args.report, rejects_path=args.rejects_csv)
    return 1 if result.any_rejected else 0


def print_result(result, file_name: str, *, report_path: Path | None = None, rejects_path: Path | None = None) -> None:
    """The CLI's summary (and the report files when asked for)."""
    if report_path:
        report_path.write_text(report.report_markdown(result), encoding="utf-8")
    if rejects_path:
        rejects_path.write_bytes(report.rejects_csv(result))
        if result.responses is not None and result.responses.rejected:
            rejects_path.with_name(rejects_path.stem + "-responses.csv").write_bytes(report.rejects_csv(result.responses))
    for part in [result] + ([result.responses] if result.responses is not None else []):
        counts = ", ".join(f"{k} {v:,}" for k, v in report.summary_rows(part))
        print(f"{'Dry run: ' if part.dry_run else ''}{part.kind} from {file_name} "
              f"(preset {part.preset}): {counts} in {part.seconds:.1f} s")
        for line in report.notes(part):
            print(f"  {line}")
        for what, names in part.created.items():
            if names:
                print(f"  created {what}: {', '.join(names)}")
        if part.rejected and not report_path:
            for line, col, reason in part.rejects.head(20).select("line", "column", "reason").iter_rows():
                print(f"  line {line}: {col or '-'}: {reason}")
            if part.rejected > 20:
                print(f"  … {part.rejected - 20:,} more (use --report or --rejects-csv)")
