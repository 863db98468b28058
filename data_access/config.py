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


def data_dir() -> Path:
    """Folder for the embedded database and other local state (outside git)."""
    return Path(os.environ.get(DATA_DIR_ENV, PROJECT_ROOT / "data"))


def default_database_url() -> str:
    """The embedded default: a DuckDB file in the data folder."""
    return f"duckdb:///{(data_dir() / 'service_pulse.duckdb').as_posix()}"


def database_url() -> str:
    """The warehouse URL: environment first, then secrets.toml [database] url, then the embedded file."""
    url = os.environ.get(URL_ENV) or _secrets().get("database", {}).get("url")
    return url or default_database_url()


def is_embedded_default(url: str) -> bool:
    """True when the URL is the embedded demo database (first start fills it with demo data)."""
    return url == default_database_url()


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
    """

    pool_size: int = 10
    max_overflow: int = 20
    pool_timeout: int = 30
    statement_timeout_seconds: int = 60


def pool_settings() -> PoolSettings:
    """From SERVICE_PULSE_POOL_SIZE / _MAX_OVERFLOW / _POOL_TIMEOUT / _STATEMENT_TIMEOUT (seconds),
    else secrets.toml [database] pool_size / max_overflow / pool_timeout / statement_timeout."""
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
    )
