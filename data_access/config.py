"""Typed settings of Service Pulse, read once from the environment and `.streamlit/secrets.toml`."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"

URL_ENV = "SERVICE_PULSE_DATABASE_URL"
DATA_DIR_ENV = "SERVICE_PULSE_DATA_DIR"


def _secrets() -> dict:
    path = Path(os.environ.get("SERVICE_PULSE_SECRETS", SECRETS_FILE))
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def secrets_section(name: str) -> dict:
    """One [section] of secrets.toml (empty when the file or the section is missing)."""
    return _secrets().get(name, {})


MIN_SECRET_BYTES = 32
# Values from documentation and examples (ours included): never acceptable as a key or secret.
PUBLISHED_SECRETS = frozenset({
    "some_key", "some_signature_key", "random_signature_key", "abcdef", "secret", "changeme",
    "change-me", "password", "cookie_key", "survey_secret", "service-pulse", "servicepulse",
    "replace-me-with-a-long-random-string-of-at-least-32-bytes",
})


def weak_secret(value: str) -> str | None:
    """Why `value` cannot serve as a signing key (cookies, survey links), or None when it can."""
    if len(value.encode()) < MIN_SECRET_BYTES:
        return f"it is shorter than {MIN_SECRET_BYTES} bytes"
    if value.strip().lower() in PUBLISHED_SECRETS:
        return "it is a published example value"
    if len(set(value)) < 8:
        return "it repeats too few different characters to be random"
    return None


def data_dir() -> Path:
    """Folder for the embedded database and other local state (outside git)."""
    return Path(os.environ.get(DATA_DIR_ENV, PROJECT_ROOT / "data"))


DEMO_FILE = "service_pulse.duckdb"
# A one-line file in the data folder naming the local warehouse the app opens instead of the demo
# (written by `python -m data_access warehouse new/use`), so switching needs no secrets edit.
ACTIVE_WAREHOUSE_FILE = "active_warehouse"
LOCAL_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


def _local_url(file_name: str) -> str:
    return f"duckdb:///{(data_dir() / file_name).as_posix()}"


def demo_database_url() -> str:
    """The demo warehouse: a DuckDB file in the data folder, filled with demo data on first start."""
    return _local_url(DEMO_FILE)


def local_warehouse_name(name: str) -> str | None:
    """`name` when it is acceptable for a warehouse file in the data folder (a-z, 0-9, _ and -)."""
    name = (name or "").strip().lower()
    if 0 < len(name) <= 60 and set(name) <= LOCAL_NAME_CHARS and name[0].isalnum():
        return name
    return None


def active_local_warehouse() -> str | None:
    """The name of the local warehouse chosen with `warehouse use` (None: the demo)."""
    path = data_dir() / ACTIVE_WAREHOUSE_FILE
    try:
        return local_warehouse_name(path.read_text(encoding="utf-8").strip()) if path.is_file() else None
    except (OSError, UnicodeDecodeError):
        return None


def local_warehouse_url(name: str) -> str:
    """The URL of the local warehouse file `name`.duckdb in the data folder."""
    return _local_url(f"{name}.duckdb")


def default_database_url() -> str:
    """The embedded default: the local warehouse chosen with `warehouse use`, else the demo file."""
    name = active_local_warehouse()
    return local_warehouse_url(name) if name else demo_database_url()


def database_url() -> str:
    """The warehouse URL: environment first, then secrets.toml [database] url, then the embedded file."""
    url = os.environ.get(URL_ENV) or _secrets().get("database", {}).get("url")
    return url or default_database_url()


def is_embedded_default(url: str) -> bool:
    """True when the URL is the embedded demo database (first start fills it with demo data)."""
    return url == demo_database_url()


def is_local_warehouse(url: str) -> bool:
    """True for a DuckDB file directly in the data folder: the demo or a warehouse made next to it."""
    prefix = f"duckdb:///{data_dir().as_posix()}/"
    if not url.startswith(prefix):
        return False
    rest = url[len(prefix):]
    return rest == DEMO_FILE or (rest.endswith(".duckdb")
                                 and local_warehouse_name(rest[:-len(".duckdb")]) is not None)


# Floors the privacy promise rests on: settings may raise these, never lower them.
FLOOR_MIN_GROUP = 5
FLOOR_MIN_ANALYSTS = 3
FLOOR_MIN_COLLEAGUES = 5


@dataclass(frozen=True)
class Thresholds:
    """Fairness and privacy limits (docs/PRIVACY.md).

    min_responses: an analyst's own figure is shown (to them or their lead) from this many up.
    min_group / min_analysts: a figure about people the viewer may not see individually needs at
    least this many responses and distinct analysts. min_colleagues: an analyst's unnamed team
    band needs this many colleagues in the period.
    """

    min_responses: int = 5
    min_group: int = FLOOR_MIN_GROUP
    min_analysts: int = FLOOR_MIN_ANALYSTS
    min_colleagues: int = FLOOR_MIN_COLLEAGUES


def _env_int(name: str, default: int, floor: int) -> int:
    """An integer setting from the environment, never below `floor` (bad values keep the default)."""
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        value = default
    return max(value, floor)


def thresholds() -> Thresholds:
    """Thresholds from SERVICE_PULSE_MIN_RESPONSES / _MIN_GROUP / _MIN_ANALYSTS / _MIN_COLLEAGUES.

    The privacy ones can be raised for a cautious deployment but never lowered below their floors.
    """
    return Thresholds(
        min_responses=_env_int("SERVICE_PULSE_MIN_RESPONSES", 5, 1),
        min_group=_env_int("SERVICE_PULSE_MIN_GROUP", FLOOR_MIN_GROUP, FLOOR_MIN_GROUP),
        min_analysts=_env_int("SERVICE_PULSE_MIN_ANALYSTS", FLOOR_MIN_ANALYSTS, FLOOR_MIN_ANALYSTS),
        min_colleagues=_env_int("SERVICE_PULSE_MIN_COLLEAGUES", FLOOR_MIN_COLLEAGUES, FLOOR_MIN_COLLEAGUES),
    )


@dataclass(frozen=True)
class PoolSettings:
    """Connections to a server warehouse (PostgreSQL): enough for concurrent sessions, bounded waits.

    pool_size connections stay open, max_overflow more may open under load; a session waits at
    most pool_timeout seconds for one. statement_timeout_seconds stops a runaway query (0 = none).
    work_mem_mb is each sort's or hash table's memory on the server (0 = the server's default,
    often 4 MB, at which the org-wide GROUP BYs over a year at 1M answers sort on disk).
    """

    pool_size: int = 10
    max_overflow: int = 20
    pool_timeout: int = 30
    statement_timeout_seconds: int = 60
    work_mem_mb: int = 32


def pool_settings() -> PoolSettings:
    """From SERVICE_PULSE_POOL_SIZE / _MAX_OVERFLOW / _POOL_TIMEOUT / _STATEMENT_TIMEOUT (seconds) /
    _WORK_MEM_MB, else secrets.toml [database] pool_size / max_overflow / pool_timeout /
    statement_timeout / work_mem_mb."""
    given = _secrets().get("database", {})
    defaults = PoolSettings()

    def pick(env: str, key: str, default: int, floor: int) -> int:
        raw = os.environ.get(env, given.get(key, default))
        try:
            return max(int(raw), floor)
        except (TypeError, ValueError):
            return default

    return PoolSettings(
        pool_size=pick("SERVICE_PULSE_POOL_SIZE", "pool_size", defaults.pool_size, 1),
        max_overflow=pick("SERVICE_PULSE_MAX_OVERFLOW", "max_overflow", defaults.max_overflow, 0),
        pool_timeout=pick("SERVICE_PULSE_POOL_TIMEOUT", "pool_timeout", defaults.pool_timeout, 1),
        statement_timeout_seconds=pick("SERVICE_PULSE_STATEMENT_TIMEOUT", "statement_timeout",
                                       defaults.statement_timeout_seconds, 0),
        work_mem_mb=pick("SERVICE_PULSE_WORK_MEM_MB", "work_mem_mb", defaults.work_mem_mb, 0),
    )
