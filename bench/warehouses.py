"""Benchmark warehouses of 100k / 1M / 5M demo responses, built once and cached under bench/cache/.

A tier is keyed by engine, size, seed, end date and a fingerprint of the code that shapes the
data (generator, schema, catalogue, dialect), so a change to any of them rebuilds the tier.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa

from bench import replicate
from data_access import config, demo, schema
from data_access.engine import clear_engines, get_engine

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / "cache"
END = dt.date(2026, 11, 20)
TODAY = END.isoformat()  # SERVICE_PULSE_TODAY for every page the benchmark renders
SEED = 7
TIERS = {"2k": 2_000, "100k": 100_000, "1m": 1_000_000, "5m": 5_000_000, "10m": 10_000_000}
GENERATOR_FILES = ("catalogue.py",)  # and every module of the demo package
LAST_GENERATION_CPU = 0.0  # process CPU seconds of the last demo.generate (load-independent view)


def generator_version() -> str:
    """Short hash of what decides a warehouse's content: the generator's source and the schema's DDL.

    The schema enters as the DuckDB DDL it compiles to (tables, columns, indexes), so a new column
    or index rebuilds the tiers, while an edited comment in schema.py does not.
    """
    from duckdb_engine import Dialect

    digest = hashlib.sha256()
    folder = config.PROJECT_ROOT / "data_access"
    for path in [folder / name for name in GENERATOR_FILES] + sorted((folder / "demo").glob("*.py")):
        digest.update(path.read_bytes())
    dialect = Dialect()
    for table in schema.metadata.sorted_tables:
        digest.update(str(sa.schema.CreateTable(table).compile(dialect=dialect)).encode())
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            ddl = sa.schema.CreateIndex(index)
            compiled = ddl.compile(dialect=dialect)
            condition = getattr(index, "_ddl_if", None)
            if condition is None or condition._should_execute(ddl, index, None, compiler=compiled):
                digest.update(str(compiled).encode())  # only indexes DuckDB actually gets
    return digest.hexdigest()[:10]


@dataclass(frozen=True)
class Warehouse:
    """One built tier: where it is and how long building it took."""

    engine: str          # duckdb | sqlite | postgresql
    tier: str
    responses: int
    url: str
    build_seconds: float
    built_at: str
    cached: bool         # True when reused from an earlier run

    def as_dict(self) -> dict:
        return asdict(self)


def _file_url(engine_name: str, path: Path) -> str:
    return f"{engine_name}:///{path.as_posix()}"


def _meta_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".json")


def _generate(url: str, responses: int) -> tuple[float, float]:
    """(seconds of demo.generate, seconds of the DuckDB checkpoint that follows it)."""
    global LAST_GENERATION_CPU
    started, cpu = time.perf_counter(), time.process_time()
    engine = get_engine(url)
    demo.generate(engine, responses=responses, seed=SEED, end=END)
    generated = time.perf_counter()
    LAST_GENERATION_CPU = time.process_time() - cpu
    if engine.dialect.name == "duckdb":
        with engine.connect() as conn:
            conn.execute(sa.text("CHECKPOINT"))
    checkpoint = time.perf_counter() - generated
    engine.dispose()
    clear_engines()
    return generated - started, checkpoint


def file_warehouse(tier: str, engine_name: str = "duckdb", *, rebuild: bool = False,
                   log=print) -> Warehouse:
    """A DuckDB or SQLite file holding `tier`'s demo data, built now unless cached."""
    responses = TIERS[tier]
    ext = {"duckdb": "duckdb", "sqlite": "sqlite"}[engine_name]
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    version = generator_version() + (replicate.fingerprint() if tier in replicate.REPLICATED else "")
    path = CACHE_DIR / f"{engine_name}-{tier}-s{SEED}-{END:%Y%m%d}-{version}.{ext}"
    meta = _meta_path(path)
    if path.exists() and meta.exists() and not rebuild:
        info = json.loads(meta.read_text())
        return Warehouse(engine_name, tier, responses, _file_url(engine_name, path),
                         info["build_seconds"], info["built_at"], cached=True)
    for older in CACHE_DIR.glob(f"{engine_name}-{tier}-s{SEED}-{END:%Y%m%d}-*"):
        older.unlink(missing_ok=True)  # built by an older generator: never used again
    tmp = path.with_name(path.name + ".building")
    for stale in (tmp, Path(str(tmp) + ".wal"), path, Path(str(path) + ".wal"), meta):
        stale.unlink(missing_ok=True)
    log(f"  building {engine_name} {tier} ({responses:,} responses)…")
    if tier in replicate.REPLICATED and engine_name == "duckdb":
        seconds = _replicated(tier, tmp, rebuild, log)
    else:
        seconds, _ = _generate(_file_url(engine_name, tmp), responses)
    os.replace(tmp, path)
    built_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    meta.write_text(json.dumps({"build_seconds": seconds, "built_at": built_at, "responses": responses}))
    log(f"  built in {seconds:.1f} s")
    return Warehouse(engine_name, tier, responses, _file_url(engine_name, path), seconds, built_at,
                     cached=False)


def _replicated(tier: str, tmp: Path, rebuild: bool, log) -> float:
    """Build `tier` as copies of a smaller cached tier (bench/replicate.py); seconds it took."""
    source_tier, copies = replicate.REPLICATED[tier]
    source = file_warehouse(source_tier, "duckdb", rebuild=rebuild, log=log)
    started = time.perf_counter()
    log(f"  {tier} = the {source_tier} warehouse × {copies} (fresh keys for every copy)")
    replicate.replicate(Path(sa.engine.make_url(source.url).database), tmp, copies, log=log)
    return time.perf_counter() - started


def postgres_warehouse(tier: str, server_url: str, *, rebuild: bool = False, log=print) -> Warehouse:
    """A database `sp_bench_<tier>_<version>` on a PostgreSQL server, built now unless present."""
    responses = TIERS[tier]
    name = f"sp_bench_{tier}_s{SEED}_{generator_version()}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": name}).first() is not None
            if exists and rebuild:
                conn.execute(sa.text(f'DROP DATABASE "{name}"'))
                exists = False
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    url = sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    engine = get_engine(url)
    with engine.connect() as conn:
        schema.create_schema(conn)
        conn.commit()
        filled = conn.execute(sa.select(sa.func.count()).select_from(schema.responses)).scalar_one()
    if filled == responses:
        return Warehouse("postgresql", tier, responses, url, float("nan"), "", cached=True)
    if filled:
        schema.metadata.drop_all(engine)
    log(f"  building postgresql {tier} ({responses:,} responses)…")
    seconds, _ = _generate(url, responses)
    with get_engine(url).connect() as conn:
        conn.execute(sa.text("ANALYZE"))
        conn.commit()
    log(f"  built in {seconds:.1f} s")
    return Warehouse("postgresql", tier, responses, url, seconds,
                     dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), cached=False)


def time_generation(responses: int, workdir: Path) -> tuple[float, float]:
    """(generate+load seconds, checkpoint seconds) into a fresh embedded DuckDB file, then removed."""
    path = workdir / f"generation-{responses}.duckdb"
    path.unlink(missing_ok=True)
    try:
        return _generate(_file_url("duckdb", path), responses)
    finally:
        path.unlink(missing_ok=True)
        Path(str(path) + ".wal").unlink(missing_ok=True)
