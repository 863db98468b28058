"""`python -m data_access import folder DIR`: import every new export dropped into a folder.

Safe to run from cron while the app serves: one run at a time (a lock file), files still being
written are left for the next run, a file's SHA-256 is recorded so the same file is never
imported twice, tickets go before responses, and each processed file moves to DIR/done/ with its
report (and rejected rows) beside it; a file that cannot be imported moves to DIR/failed/ with
the reason. Saved mappings (*.toml in DIR, with a `pattern = "glob"` line) apply by file name.
"""

from __future__ import annotations

import fcntl
import fnmatch
import hashlib
import shutil
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from data_access import clock, config, schema
from data_access.engine import get_engine
from data_access.importer import presets, report
from data_access.importer.longformat import AmbiguousQuestions, detect_columns
from data_access.importer.mapping_file import SavedMapping, load_mapping
from data_access.importer.reader import ImportFileError, open_source
from data_access.importer.run import ImportInterrupted, plan_import, run_import
from data_access.importer.validate import AmbiguousDates
from data_access.importer.warehouse import DEMO_MESSAGE, holds_demo

SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".parquet"}
HASH_KEY = "import_sha256:"  # settings key prefix: one row per imported file
KIND_ORDER = {"tickets": 0, "responses": 1}


@dataclass
class FileOutcome:
    """What happened to one dropped file."""

    name: str
    status: str  # imported | rejected rows | already imported | failed | not settled
    detail: str


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _mappings(folder: Path) -> tuple[list[tuple[str, SavedMapping]], list[FileOutcome]]:
    """(pattern, mapping) for every saved mapping in the folder that names a pattern, and a
    failed outcome for each mapping file that cannot be read (it stays where it is)."""
    out, broken = [], []
    for path in sorted(folder.glob("*.toml")):
        try:
            pattern = tomllib.loads(path.read_text(encoding="utf-8")).get("pattern")
            if isinstance(pattern, str) and pattern:
                out.append((pattern, load_mapping(path)))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, ImportFileError) as exc:
            broken.append(FileOutcome(path.name, "failed", f"saved mapping not used: {exc}"))
    return out, broken


def detect_kind(path: Path) -> str | None:
    """tickets or responses, from the header (a long-format survey is responses)."""
    header = open_source(path).header
    long = any(p.long_columns and detect_columns(header, p.long_columns) is not None
               for p in presets.load_presets().values())
    if long or presets.detect_preset("responses", header):
        return "responses"
    return "tickets" if presets.detect_preset("tickets", header) else None


def _already(conn: sa.Connection, digest: str) -> str | None:
    S = schema.settings
    return conn.execute(sa.select(S.c.value).where(S.c.key == HASH_KEY + digest)).scalar_one_or_none()


def _move(path: Path, target_dir: Path) -> Path:
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    if target.exists():
        target = target_dir / f"{path.stem}-{clock.now():%Y%m%d%H%M%S}{path.suffix}"
    shutil.move(str(path), target)
    return target


def _plan_for(path: Path, saved: list[tuple[str, SavedMapping]]):
    chosen = next((m for pattern, m in saved if fnmatch.fnmatch(path.name, pattern)), SavedMapping())
    kind = chosen.kind or detect_kind(path)
    if kind not in KIND_ORDER:
        raise ImportFileError("Neither a tickets nor a responses file (no preset matches its header); "
                              "add a saved mapping with a pattern for it.")
    return kind, chosen


def import_folder(engine: sa.Engine, folder: Path, *, settle_seconds: float = 60.0) -> list[FileOutcome]:
    """Import every new file in `folder` (tickets first); see the module docstring."""
    saved, outcomes = _mappings(folder)
    queue = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
                       and not p.name.startswith(".")):
        if time.time() - path.stat().st_mtime < settle_seconds:
            outcomes.append(FileOutcome(path.name, "not settled", "modified moments ago; next run"))
            continue
        try:
            kind, chosen = _plan_for(path, saved)
        except ImportFileError as exc:
            outcomes.append(_fail(folder, path, str(exc)))
            continue
        queue.append((KIND_ORDER[kind], path.name, path, kind, chosen))
    for _, _, path, kind, chosen in sorted(queue, key=lambda q: q[:2]):
        outcomes.append(_one_file(engine, folder, path, kind, chosen))
    return outcomes


def _fail(folder: Path, path: Path, reason: str) -> FileOutcome:
    moved = _move(path, folder / "failed")
    moved.with_name(moved.name + ".error.txt").write_text(reason + "\n", encoding="utf-8")
    return FileOutcome(path.name, "failed", reason.splitlines()[0])


def _one_file(engine: sa.Engine, folder: Path, path: Path, kind: str, chosen: SavedMapping) -> FileOutcome:
    digest = file_hash(path)
    with engine.connect() as conn:
        earlier = _already(conn, digest)
    if earlier:
        moved = _move(path, folder / "done")
        return FileOutcome(path.name, "already imported", f"same content as {earlier}; moved to {moved.parent.name}/")
    try:
        result = run_import(engine, plan_import(path, kind, **chosen.plan_kwargs()))
    except (ImportFileError, AmbiguousDates, AmbiguousQuestions) as exc:
        return _fail(folder, path, str(exc))
    except ImportInterrupted as exc:
        return FileOutcome(path.name, "failed", f"{exc} (left in place; the next run retries it)")
    with engine.begin() as conn:
        conn.execute(schema.settings.insert().values(
            key=HASH_KEY + digest, value=f"{path.name}, run {result.run_id}, {clock.now():%Y-%m-%d %H:%M}"))
    moved = _move(path, folder / "done")
    moved.with_name(moved.name + ".report.md").write_text(report.report_markdown(result), encoding="utf-8")
    for part, suffix in ((result, ""), (result.responses, "-responses")):
        if part is not None and part.rejected:
            moved.with_name(f"{moved.name}{suffix}.rejects.csv").write_bytes(report.rejects_csv(part))
    counts = ", ".join(f"{k} {v:,}" for k, v in report.summary_rows(result))
    return FileOutcome(path.name, "rejected rows" if result.any_rejected else "imported", f"{kind}: {counts}")


def register(sub, url_arg) -> None:
    p = sub.add_parser("folder", help="import every new file of a drop folder (for cron)")
    p.add_argument("dir", type=Path)
    p.add_argument("--settle-seconds", type=float, default=60.0,
                   help="leave files modified more recently than this for the next run (default 60)")
    p.add_argument("--into-demo", action="store_true", help="allow importing into a demo warehouse")
    url_arg(p)
    p.set_defaults(func=_cmd_folder)


def _cmd_folder(args) -> int:
    if not args.dir.is_dir():
        print(f"error: {args.dir} is not a folder", file=sys.stderr)
        return 2
    engine = get_engine(args.url or config.database_url())
    if not args.into_demo and holds_demo(engine):
        print(f"error: {DEMO_MESSAGE}", file=sys.stderr)
        return 2
    with (args.dir / ".import.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("Another import of this folder is running; nothing to do.")
            return 0
        outcomes = import_folder(engine, args.dir, settle_seconds=args.settle_seconds)
    for o in outcomes:
        print(f"{o.name}: {o.status} — {o.detail}")
    if not outcomes:
        print("No new files.")
    if any(o.status == "failed" for o in outcomes):
        return 2
    return 1 if any(o.status == "rejected rows" for o in outcomes) else 0
