"""Survey settings: environment first, then `.streamlit/secrets.toml` section `[surveys]`, then
defaults, as read and checked by `data_access/settings.py`. The signing secret never has a default
outside the demo.

SERVICE_PULSE_SURVEY_SECRET          signs the links (≥ 32 bytes, random); refused when short/missing
SERVICE_PULSE_SURVEY_COOLDOWN_DAYS   at most one survey per requester in this many days (7)
SERVICE_PULSE_SURVEY_MAX_AGE_DAYS    tickets resolved longer ago than this are not surveyed (14)
SERVICE_PULSE_SURVEY_VALID_DAYS      how long a link records answers (14)
SERVICE_PULSE_SURVEY_SHOW_ANALYST    show the first name of who handled the ticket (false)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from data_access import config, secret_files, settings

SECRET_ENV = settings.SURVEY_SECRET_ENV
MIN_SECRET_BYTES = config.MIN_SECRET_BYTES


class SurveySecretError(RuntimeError):
    """The survey secret is missing or weak; the message tells the operator what to do."""


@dataclass(frozen=True)
class SurveySettings:
    """Who is asked, how often, and for how long a link works."""

    secret: str = field(repr=False)
    cooldown_days: int = settings.SurveyOptions.cooldown_days
    max_age_days: int = settings.SurveyOptions.max_age_days
    valid_days: int = settings.SurveyOptions.valid_days
    show_analyst: bool = settings.SurveyOptions.show_analyst


def secret_problem(value: str) -> str | None:
    """Why `value` cannot sign survey links, or None when it is fine."""
    return config.weak_secret(value)


def demo_secret_file() -> Path:
    return config.data_dir() / "survey_secret"


def _demo_secret() -> str:
    path = demo_secret_file()
    value = secret_files.read_private(path, "survey secret", SurveySecretError)
    if value and secret_problem(value) is None:
        return value
    return secret_files.create_private(path)


def survey_secret(*, demo: bool) -> str:
    """The link-signing secret: env, then `[surveys] secret`; for the data folder's own warehouses
    only (`demo`: the demo, or a local warehouse next to it), a generated one kept in that folder."""
    configured = settings.current().surveys.secret
    if configured:
        problem = secret_problem(str(configured))
        if problem is None:
            return str(configured)
        if not demo:
            raise SurveySecretError(f"The survey secret is refused because {problem}. Set {SECRET_ENV} "
                                    f"to a random value of at least {MIN_SECRET_BYTES} bytes, e.g. the "
                                    "output of: python -c \"import secrets; print(secrets.token_urlsafe(48))\"")
    if demo:
        return _demo_secret()
    raise SurveySecretError(f"No survey secret is configured. Set {SECRET_ENV} (or [surveys] secret in "
                            f".streamlit/secrets.toml) to a random value of at least {MIN_SECRET_BYTES} bytes.")


def survey_settings(*, demo: bool = False) -> SurveySettings:
    """All survey settings; raises SurveySecretError when the secret is unusable."""
    given = settings.current().surveys
    return SurveySettings(secret=survey_secret(demo=demo), cooldown_days=given.cooldown_days,
                          max_age_days=given.max_age_days, valid_days=given.valid_days,
                          show_analyst=given.show_analyst)
