"""Every deployment setting in one typed, frozen object: the only reader of the process
environment and of `.streamlit/secrets.toml`.

`current()` builds the `Settings` once and keeps them with a fingerprint (the variables below, the
secrets file's mtime, size and inode); it builds anew only when that changes, so parsing happens
once per deployment, an edited secrets.toml counts from the next page run, and a test that sets a
variable sees it at once, with no reset hook to forget.

The environment wins over secrets.toml; an empty variable counts as unset. A value that cannot be
read stops with `SettingsError` naming the variable or key (`settings_values.py` reads one value);
a readable one outside its range is brought into it (the privacy thresholds only ever rise above
their floors), except where the nearest value would only be a guess — the SMTP port and timeout
and the alerts' look-back are refused outside their range, with the range in the message. Secrets (database URL,
cookie key, SMTP password, survey secret) have no default: unset is None. What admins change in
the app (recovery rules, Culture trends target) lives in the warehouse's settings table instead.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

# SettingsError and parse_quiet_hours are used by other modules through this one, their home.
from data_access.settings_values import (SettingsError, as_bool, as_date, as_float, as_int,  # noqa: F401
                                         as_quiet_hours, at_least, between, cap, parse_quiet_hours, within)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"

SECRETS_ENV = "SERVICE_PULSE_SECRETS"  # another secrets file (tests, several instances)
URL_ENV = "SERVICE_PULSE_DATABASE_URL"
DATA_DIR_ENV = "SERVICE_PULSE_DATA_DIR"
COOKIE_KEY_ENV = "SERVICE_PULSE_COOKIE_KEY"
COOKIE_EXPIRY_ENV = "SERVICE_PULSE_COOKIE_EXPIRY_HOURS"
SURVEY_SECRET_ENV = "SERVICE_PULSE_SURVEY_SECRET"
LOCK_WAIT_ENV = "SERVICE_PULSE_LOCK_WAIT_SECONDS"
ROLLUPS_ENV = "SERVICE_PULSE_ROLLUPS"

# Floors the privacy promise rests on: settings may raise these, never lower them.
FLOOR_MIN_GROUP = 5
FLOOR_MIN_ANALYSTS = 3
FLOOR_MIN_COLLEAGUES = 5


@dataclass(frozen=True)
class Thresholds:
    """Fairness and privacy limits (docs/PRIVACY.md): an analyst's own figure needs min_responses;
    a figure about people the viewer may not see individually needs min_group responses by
    min_analysts distinct analysts; an analyst's unnamed team band needs min_colleagues."""

    min_responses: int = 5
    min_group: int = FLOOR_MIN_GROUP
    min_analysts: int = FLOOR_MIN_ANALYSTS
    min_colleagues: int = FLOOR_MIN_COLLEAGUES


@dataclass(frozen=True)
class PoolSettings:
    """A server warehouse's pool: pool_size open, max_overflow more under load, pool_timeout s of
    waiting; statement_timeout_seconds stops a runaway query (0 = none); work_mem_mb per sort or
    hash on PostgreSQL (0 = the server's, often 4 MB, where a year's org-wide GROUP BY spills)."""

    pool_size: int = 10
    max_overflow: int = 20
    pool_timeout: int = 30
    statement_timeout_seconds: int = 60
    work_mem_mb: int = 32


@dataclass(frozen=True)
class DatabaseOptions:
    """The configured warehouse (None: the data folder's own DuckDB file) and its pool."""

    url: str | None = field(default=None, repr=False)  # may carry a password
    pool: PoolSettings = PoolSettings()


@dataclass(frozen=True)
class AuthOptions:
    """The configured cookie key (None: not configured) and how long a sign-in lasts."""

    cookie_key: str | None = field(default=None, repr=False)
    cookie_expiry_hours: float = 8.0  # one working day; a stolen laptop does not stay signed in


@dataclass(frozen=True)
class ImportLimits:
    """Caps of one import: the file, an .xlsx's unpacked parts (MB of 1024²), the data rows."""

    max_file_mb: float = 2048
    max_xlsx_mb: int = 200
    max_rows: int = 5_000_000


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to hand mail over to the organisation's SMTP relay."""

    host: str = "localhost"
    port: int = 25
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    sender: str = "Service Pulse <service-pulse@localhost>"
    timeout: float = 20.0
    ca_file: str | None = None  # a private CA to trust for STARTTLS (internal relays)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class MailOptions:
    """Digests and alerts: the relay, quiet hours (None: none), weekend batching, links, look-back."""

    smtp: SmtpSettings = SmtpSettings()
    quiet_start: dt.time | None = dt.time(20, 0)
    quiet_end: dt.time | None = dt.time(7, 0)
    weekend_batching: bool = True
    base_url: str = "http://localhost:8501"
    alert_lookback_days: int = 7


@dataclass(frozen=True)
class SurveyOptions:
    """Survey invitations: the configured secret (None: not configured) and who is asked when."""

    secret: str | None = field(default=None, repr=False)
    cooldown_days: int = 7
    max_age_days: int = 14
    valid_days: int = 14
    show_analyst: bool = False


@dataclass(frozen=True)
class Settings:
    """What the operator configured for this deployment, read and checked in one go."""

    data_dir: Path = PROJECT_ROOT / "data"
    database: DatabaseOptions = DatabaseOptions()
    auth: AuthOptions = AuthOptions()
    thresholds: Thresholds = Thresholds()
    imports: ImportLimits = ImportLimits()
    mail: MailOptions = MailOptions()
    surveys: SurveyOptions = SurveyOptions()
    lock_wait_seconds: float = 20.0  # how long transient database failures are retried
    rollups_enabled: bool = True  # False: reads always go to the base tables
    warm_landing: bool = True  # keep the CIO's landing view computed while the app is in use
    today: dt.date | None = None  # a pinned date (tests, benchmark); None: the calendar
    demo_responses: int = 150_000  # the demo warehouse's size on first start


# ---------------------------------------------------------------- reading raw values

# Every variable read anywhere (the fingerprint covers exactly these).
ENV_NAMES = tuple(f"SERVICE_PULSE_{name}" for name in (
    "SECRETS", "DATABASE_URL", "DATA_DIR", "DEMO_RESPONSES", "TODAY", "ROLLUPS", "LOCK_WAIT_SECONDS", "POOL_SIZE",
    "MAX_OVERFLOW", "POOL_TIMEOUT", "STATEMENT_TIMEOUT", "WORK_MEM_MB", "MIN_RESPONSES", "MIN_GROUP", "MIN_ANALYSTS",
    "MIN_COLLEAGUES", "COOKIE_KEY", "COOKIE_EXPIRY_HOURS", "MAX_IMPORT_MB", "IMPORT_MAX_XLSX_MB", "IMPORT_MAX_ROWS",
    "SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS", "SMTP_FROM", "SMTP_TIMEOUT",
    "SMTP_CA_FILE", "BASE_URL", "QUIET_HOURS", "WEEKEND_BATCHING", "ALERT_LOOKBACK_DAYS", "SURVEY_SECRET",
    "SURVEY_COOLDOWN_DAYS", "SURVEY_MAX_AGE_DAYS", "SURVEY_VALID_DAYS", "SURVEY_SHOW_ANALYST", "WARM_LANDING"))


class _Source:
    """The environment snapshot and the parsed secrets file one `Settings` is built from."""

    def __init__(self, env: dict[str, str | None], secrets: dict, secrets_path: Path):
        self.env, self.secrets, self.secrets_path = env, secrets, secrets_path

    def raw(self, name: str, key: str | None = None) -> tuple[object, str] | None:
        """(value, where it came from) for env `SERVICE_PULSE_<name>`, else secrets `section.key`."""
        env_name = "SERVICE_PULSE_" + name
        value = self.env[env_name]  # KeyError: a variable missing from ENV_NAMES
        if value is not None and value.strip():
            return value, env_name
        if key is not None:
            section, _, item = key.partition(".")
            value = self.secrets.get(section, {}).get(item)
            if value is not None and value != "":
                return value, f"[{section}] {item} in {self.secrets_path.name}"
        return None

    def text(self, name: str, key: str | None = None, default: str | None = None) -> str | None:
        return self.value(name, key, default, lambda value, where: str(value))

    def value(self, name: str, key: str | None, default, parse):
        found = self.raw(name, key)
        return default if found is None else parse(*found)


# ---------------------------------------------------------------- building the object

def _thresholds(src: _Source) -> Thresholds:
    d = Thresholds()
    return Thresholds(
        min_responses=src.value("MIN_RESPONSES", None, d.min_responses, at_least(as_int, 1)),
        min_group=src.value("MIN_GROUP", None, d.min_group, at_least(as_int, FLOOR_MIN_GROUP)),
        min_analysts=src.value("MIN_ANALYSTS", None, d.min_analysts, at_least(as_int, FLOOR_MIN_ANALYSTS)),
        min_colleagues=src.value("MIN_COLLEAGUES", None, d.min_colleagues, at_least(as_int, FLOOR_MIN_COLLEAGUES)),
    )


def _database(src: _Source) -> DatabaseOptions:
    d = PoolSettings()
    pool = PoolSettings(
        pool_size=src.value("POOL_SIZE", "database.pool_size", d.pool_size, at_least(as_int, 1)),
        max_overflow=src.value("MAX_OVERFLOW", "database.max_overflow", d.max_overflow, at_least(as_int, 0)),
        pool_timeout=src.value("POOL_TIMEOUT", "database.pool_timeout", d.pool_timeout, at_least(as_int, 1)),
        statement_timeout_seconds=src.value("STATEMENT_TIMEOUT", "database.statement_timeout",
                                            d.statement_timeout_seconds, at_least(as_int, 0)),
        work_mem_mb=src.value("WORK_MEM_MB", "database.work_mem_mb", d.work_mem_mb, at_least(as_int, 0)),
    )
    return DatabaseOptions(url=src.text("DATABASE_URL", "database.url"), pool=pool)


def _auth(src: _Source) -> AuthOptions:
    return AuthOptions(
        cookie_key=src.text("COOKIE_KEY", "auth.cookie_key"),
        cookie_expiry_hours=src.value("COOKIE_EXPIRY_HOURS", "auth.cookie_expiry_hours",
                                      AuthOptions.cookie_expiry_hours, within(as_float, 0.0, 24.0 * 30)),
    )


def _imports(src: _Source) -> ImportLimits:
    d = ImportLimits()
    return ImportLimits(
        max_file_mb=src.value("MAX_IMPORT_MB", None, d.max_file_mb, cap(d.max_file_mb, as_float)),
        max_xlsx_mb=src.value("IMPORT_MAX_XLSX_MB", None, d.max_xlsx_mb, cap(d.max_xlsx_mb)),
        max_rows=src.value("IMPORT_MAX_ROWS", None, d.max_rows, cap(d.max_rows)),
    )


def _mail(src: _Source) -> MailOptions:
    d, s = MailOptions(), SmtpSettings()
    smtp = SmtpSettings(
        host=src.text("SMTP_HOST", "smtp.host", s.host),
        port=src.value("SMTP_PORT", "smtp.port", s.port, between(as_int, 1, 65535, "a port from 1 to 65535")),
        user=src.text("SMTP_USER", "smtp.user"),
        password=src.text("SMTP_PASSWORD", "smtp.password"),
        starttls=src.value("SMTP_STARTTLS", "smtp.starttls", s.starttls, as_bool),
        sender=src.text("SMTP_FROM", "smtp.from", s.sender),
        timeout=src.value("SMTP_TIMEOUT", "smtp.timeout", s.timeout,
                          between(as_float, 1.0, 600.0, "a number of seconds from 1 to 600")),
        ca_file=src.text("SMTP_CA_FILE", "smtp.ca_file"),
    )
    start, end = src.value("QUIET_HOURS", "notify.quiet_hours", (d.quiet_start, d.quiet_end), as_quiet_hours)
    return MailOptions(
        smtp=smtp, quiet_start=start, quiet_end=end,
        weekend_batching=src.value("WEEKEND_BATCHING", "notify.weekend_batching", d.weekend_batching, as_bool),
        base_url=src.text("BASE_URL", "notify.base_url", d.base_url),
        alert_lookback_days=src.value("ALERT_LOOKBACK_DAYS", "notify.alert_lookback_days", d.alert_lookback_days,
                                      between(as_int, 1, 366, "a number of days from 1 to 366")),
    )


def _surveys(src: _Source) -> SurveyOptions:
    d = SurveyOptions()
    return SurveyOptions(
        secret=src.text("SURVEY_SECRET", "surveys.secret"),
        cooldown_days=src.value("SURVEY_COOLDOWN_DAYS", "surveys.cooldown_days", d.cooldown_days,
                                within(as_int, 0, 365)),
        max_age_days=src.value("SURVEY_MAX_AGE_DAYS", "surveys.max_age_days", d.max_age_days, within(as_int, 1, 365)),
        valid_days=src.value("SURVEY_VALID_DAYS", "surveys.valid_days", d.valid_days, within(as_int, 1, 90)),
        show_analyst=src.value("SURVEY_SHOW_ANALYST", "surveys.show_analyst", d.show_analyst, as_bool),
    )


def _read_secrets(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:  # the file's name only: the app shows this before anyone signs in
        raise SettingsError(f"The secrets file {path.name} cannot be read ({exc.strerror}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"The secrets file {path.name} is not valid TOML: {exc}.") from None


def from_environment(env: dict[str, str | None]) -> Settings:
    """Settings from a snapshot of the variables in ENV_NAMES (missing ones count as unset) and
    the secrets file it names (SERVICE_PULSE_SECRETS, else .streamlit/secrets.toml)."""
    env = {name: env.get(name) for name in ENV_NAMES}
    path = Path(env[SECRETS_ENV] or SECRETS_FILE)
    src = _Source(env, _read_secrets(path), path)
    d = Settings()
    return Settings(
        data_dir=Path(src.text("DATA_DIR") or d.data_dir),
        database=_database(src), auth=_auth(src), thresholds=_thresholds(src), imports=_imports(src),
        mail=_mail(src), surveys=_surveys(src),
        lock_wait_seconds=src.value("LOCK_WAIT_SECONDS", None, d.lock_wait_seconds, at_least(as_float, 0.0)),
        rollups_enabled=src.value("ROLLUPS", None, d.rollups_enabled, as_bool),
        warm_landing=src.value("WARM_LANDING", None, d.warm_landing, as_bool),
        today=src.value("TODAY", None, d.today, as_date),
        demo_responses=src.value("DEMO_RESPONSES", None, d.demo_responses, at_least(as_int, 0)),
    )


# ---------------------------------------------------------------- read once, kept while unchanged

_kept: tuple[tuple, Settings] | None = None
# The fingerprint reads os.environ's own table (`_data`, which setenv and monkeypatch update):
# os.environ.get raises and catches a KeyError per unset name, some 20 times slower.
try:
    _TABLE, _KEYS = os.environ._data, tuple(map(os.environ.encodekey, ENV_NAMES))
except AttributeError:
    _TABLE, _KEYS = os.environ, ENV_NAMES


def _fingerprint() -> tuple:
    env = tuple(map(_TABLE.get, _KEYS))
    try:
        info = os.stat(env[0] or SECRETS_FILE)  # ENV_NAMES[0] is SERVICE_PULSE_SECRETS
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
    except OSError:
        stamp = None
    return env, stamp


def current() -> Settings:
    """The settings now: built on first use and again only when a variable or the secrets file
    changed. Raises SettingsError (naming the variable) while a value cannot be read."""
    global _kept
    key = _fingerprint()
    kept = _kept
    if kept is None or kept[0] != key:
        kept = (key, from_environment({name: os.environ.get(name) for name in ENV_NAMES}))
        _kept = kept  # one tuple swapped in whole: safe for the sessions' threads
    return kept[1]
