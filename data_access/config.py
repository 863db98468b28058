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


@dataclass(frozen=True)
class Thresholds:
    """Fairness and privacy limits (DESIGN.md: MIN_RESPONSES, MIN_GROUP)."""

    min_responses: int = 5
    min_group: int = 5
    min_analysts: int = 3


def thresholds() -> Thresholds:
    """Thresholds, overridable by SERVICE_PULSE_MIN_RESPONSES / _MIN_GROUP for small deployments."""
    return Thresholds(
        min_responses=int(os.environ.get("SERVICE_PULSE_MIN_RESPONSES", 5)),
        min_group=int(os.environ.get("SERVICE_PULSE_MIN_GROUP", 5)),
        min_analysts=int(os.environ.get("SERVICE_PULSE_MIN_ANALYSTS", 3)),
    )
