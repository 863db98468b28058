"""Hand email to an SMTP server (STARTTLS, login, timeouts) or, for a dry run, write .eml files."""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from email.message import EmailMessage
from pathlib import Path

from notify.config import SmtpSettings


class MailerError(RuntimeError):
    """Mail could not be handed over; the message says why, for a person reading a cron log."""

    unreachable = False  # True when the server could not be reached or refused the session


class SmtpUnreachable(MailerError):
    """No SMTP session could be opened (down, wrong host/port, TLS or login refused)."""

    unreachable = True


class SmtpMailer:
    """One SMTP session for a run: `with SmtpMailer(settings) as mailer: mailer.send(msg)`."""

    dry_run = False

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "SmtpMailer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise SmtpUnreachable(f"Cannot reach the SMTP server at {s.where}: {_reason(exc)}. "
                              "Nothing was sent; the next run will try again.") from exc
        try:
            smtp.ehlo()
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context(cafile=s.ca_file))
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            _quietly_close(smtp)
            raise SmtpUnreachable(f"The SMTP server at {s.where} refused the login for {s.user!r}. "
                              "Check the SMTP user and password in the secrets.") from exc
        except smtplib.SMTPNotSupportedError as exc:
            _quietly_close(smtp)
            raise SmtpUnreachable(f"The SMTP server at {s.where} does not offer "
                              f"{'STARTTLS' if s.starttls else 'login'}: {_reason(exc)}.") from exc
        except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
            _quietly_close(smtp)
            raise SmtpUnreachable(f"The SMTP session with {s.where} failed: {_reason(exc)}.") from exc
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send one message; returns only once the server accepted it for every recipient."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailerError(f"The SMTP server refused every recipient of {message['Subject']!r}: "
                              f"{', '.join(exc.recipients)}.") from exc
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            _quietly_close(self._smtp)
            self._smtp = None
            raise SmtpUnreachable(f"The connection to {self.settings.where} broke while sending: "
                                  f"{_reason(exc)}. The email stays unsent.") from exc
        except smtplib.SMTPException as exc:
            raise MailerError(f"The SMTP server at {self.settings.where} rejected "
                              f"{message['Subject']!r}: {_reason(exc)}.") from exc
        if refused:
            # Accepted for some recipients only: report it, but the message did go out.
            raise PartialDelivery(f"The SMTP server refused {', '.join(refused)}.")

    def close(self) -> None:
        if self._smtp is not None:
            _quietly_close(self._smtp, polite=True)
            self._smtp = None


class PartialDelivery(MailerError):
    """The server accepted the message for some recipients and refused others."""


class DryRunMailer:
    """Writes each message to `folder/NNN-<subject>.eml` instead of sending it."""

    dry_run = True

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.written: list[Path] = []

    def __enter__(self) -> "DryRunMailer":
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, message: EmailMessage) -> None:
        slug = re.sub(r"[^a-z0-9]+", "-", str(message["Subject"]).lower()).strip("-")[:60] or "message"
        path = self.folder / f"{len(self.written) + 1:03d}-{slug}.eml"
        path.write_bytes(bytes(message))
        self.written.append(path)

    def close(self) -> None:
        return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}".strip()
    return str(exc) or type(exc).__name__


def _quietly_close(smtp: smtplib.SMTP, *, polite: bool = False) -> None:
    try:
        smtp.quit() if polite else smtp.close()
    except (OSError, smtplib.SMTPException):
        try:
            smtp.close()
        except OSError:
            pass
