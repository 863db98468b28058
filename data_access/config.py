"""Where the warehouse is (the configured URL, else a DuckDB file in the data folder) and which
keys are good enough to sign with. The values come from `data_access/settings.py`, the one reader
of the environment and secrets.toml; `thresholds()` and `pool_settings()` are shorthands for it."""

from __future__ import annotations

from pathlib import Path

from data_access import settings
from data_access.settings import PoolSettings, Thresholds  # noqa: F401  (their home is settings)

PROJECT_ROOT = settings.PROJECT_ROOT
URL_ENV = settings.URL_ENV


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
    return settings.current().data_dir


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
    return settings.current().database.url or default_database_url()


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


def thresholds() -> Thresholds:
    """The fairness and privacy thresholds (SERVICE_PULSE_MIN_*), never below their floors."""
    return settings.current().thresholds


def pool_settings() -> PoolSettings:
    """A server warehouse's pool and query limits (SERVICE_PULSE_POOL_SIZE …, or [database])."""
    return settings.current().database.pool
