"""Settings for sending email: SMTP server, sender, quiet hours, weekend batching, links into the app.

Read from the environment first (SERVICE_PULSE_SMTP_HOST, _PORT, _USER, _PASSWORD, _STARTTLS,
_FROM, _TIMEOUT, _CA_FILE; SERVICE_PULSE_BASE_URL; SERVICE_PULSE_QUIET_HOURS, SERVICE_PULSE_WEEKEND_BATCHING,
SERVICE_PULSE_ALERT_LOOKBACK_DAYS), then from `.streamlit/secrets.toml` sections `[smtp]` and
`[notify]`. The password is never printed.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from data_access.config import secrets_section

ENV_PREFIX = "SERVICE_PULSE_"


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


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
class QuietHours:
    """Alerts are held (not dropped) between `start` and `end` local time, and over weekends if asked."""

    start: dt.time | None = dt.time(20, 0)
    end: dt.time | None = dt.time(7, 0)
    weekend_batching: bool = True

    def is_quiet(self, when: dt.datetime) -> bool:
        """True when an alert created at `when` should wait."""
        if self.weekend_batching and when.weekday() >= 5:
            return True
        if self.start is None or self.end is None or self.start == self.end:
            return False
        t = when.time()
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end  # the window spans midnight

    def next_send_time(self, when: dt.datetime) -> dt.datetime:
        """The first moment at or after `when` that is not quiet (searched in 15-minute steps)."""
        probe = when
        for _ in range(4 * 24 * 4):
            if not self.is_quiet(probe):
                return probe
            probe = (probe + dt.timedelta(minutes=15)).replace(second=0, microsecond=0)
            probe = probe - dt.timedelta(minutes=probe.minute % 15)
        return probe


@dataclass(frozen=True)
class NotifySettings:
    """Everything the digest and alert commands need besides the database."""

    smtp: SmtpSettings = SmtpSettings()
    quiet: QuietHours = QuietHours()
    base_url: str = "http://localhost:8501"
    alert_lookback_days: int = 7

    def link(self, path: str, **params: object) -> str:
        """An absolute link into the app (query values are URL-encoded)."""
        from urllib.parse import urlencode

        query = urlencode({k: v for k, v in params.items() if v is not None})
        return f"{self.base_url.rstrip('/')}/{path.lstrip('/')}" + (f"?{query}" if query else "")


def _parse_time(text: str | None) -> dt.time | None:
    if not text:
        return None
    return dt.time.fromisoformat(text.strip())


def parse_quiet_hours(text: str | None) -> tuple[dt.time | None, dt.time | None]:
    """'20:00-07:00' → (20:00, 07:00); '' or 'off' → no quiet hours."""
    if text is None:
        return dt.time(20, 0), dt.time(7, 0)
    text = text.strip().lower()
    if text in ("", "off", "none", "no"):
        return None, None
    start, _, end = text.partition("-")
    if not end:
        raise ValueError(f"quiet hours must look like 20:00-07:00, not {text!r}")
    return _parse_time(start), _parse_time(end)


def notify_settings() -> NotifySettings:
    """Settings from the environment, then secrets.toml [smtp] / [notify], then defaults."""
    smtp_file = secrets_section("smtp")
    notify_file = secrets_section("notify")

    def pick(env: str, section: dict, key: str, default=None):
        value = os.environ.get(ENV_PREFIX + env)
        if value is None or value == "":
            value = section.get(key, default)
        return value

    smtp = SmtpSettings(
        host=str(pick("SMTP_HOST", smtp_file, "host", "localhost")),
        port=int(pick("SMTP_PORT", smtp_file, "port", 25)),
        user=pick("SMTP_USER", smtp_file, "user") or None,
        password=pick("SMTP_PASSWORD", smtp_file, "password") or None,
        starttls=_truthy(pick("SMTP_STARTTLS", smtp_file, "starttls", False)),
        sender=str(pick("SMTP_FROM", smtp_file, "from", "Service Pulse <service-pulse@localhost>")),
        timeout=float(pick("SMTP_TIMEOUT", smtp_file, "timeout", 20)),
        ca_file=pick("SMTP_CA_FILE", smtp_file, "ca_file") or None,
    )
    start, end = parse_quiet_hours(pick("QUIET_HOURS", notify_file, "quiet_hours", None))
    quiet = QuietHours(start=start, end=end,
                       weekend_batching=_truthy(pick("WEEKEND_BATCHING", notify_file,
                                                     "weekend_batching", True)))
    return NotifySettings(
        smtp=smtp,
        quiet=quiet,
        base_url=str(pick("BASE_URL", notify_file, "base_url", "http://localhost:8501")),
        alert_lookback_days=int(pick("ALERT_LOOKBACK_DAYS", notify_file, "alert_lookback_days", 7)),
    )
