"""Settings for sending email: SMTP server, sender, quiet hours, weekend batching, links into the app.

The values (environment SERVICE_PULSE_SMTP_HOST, _PORT, _USER, _PASSWORD, _STARTTLS, _FROM,
_TIMEOUT, _CA_FILE; SERVICE_PULSE_BASE_URL; SERVICE_PULSE_QUIET_HOURS, SERVICE_PULSE_WEEKEND_BATCHING,
SERVICE_PULSE_ALERT_LOOKBACK_DAYS; else `.streamlit/secrets.toml` sections `[smtp]` and `[notify]`)
are read and checked by `data_access/settings.py`; this module gives them their behaviour. The
password is never printed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from data_access import settings
from data_access.settings import MailOptions, SmtpSettings, parse_quiet_hours  # noqa: F401  (home: settings)


@dataclass(frozen=True)
class QuietHours:
    """Alerts are held (not dropped) between `start` and `end` local time, and over weekends if asked."""

    start: dt.time | None = MailOptions.quiet_start
    end: dt.time | None = MailOptions.quiet_end
    weekend_batching: bool = MailOptions.weekend_batching

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
    base_url: str = MailOptions.base_url
    alert_lookback_days: int = MailOptions.alert_lookback_days

    def link(self, path: str, **params: object) -> str:
        """An absolute link into the app (query values are URL-encoded)."""
        from urllib.parse import urlencode

        query = urlencode({k: v for k, v in params.items() if v is not None})
        return f"{self.base_url.rstrip('/')}/{path.lstrip('/')}" + (f"?{query}" if query else "")


def notify_settings() -> NotifySettings:
    """The mail settings of this deployment (environment, then secrets.toml, then defaults)."""
    mail = settings.current().mail
    return NotifySettings(smtp=mail.smtp,
                          quiet=QuietHours(mail.quiet_start, mail.quiet_end, mail.weekend_batching),
                          base_url=mail.base_url, alert_lookback_days=mail.alert_lookback_days)
