"""The one settings object: what each variable and secrets key becomes, which values stop with an
error naming themselves, what is clamped, that secrets have no defaults, when it is read again,
and that the README names exactly the variables the code reads."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cli import main
from data_access import settings
from data_access.settings import (AuthOptions, DatabaseOptions, ImportLimits, MailOptions, PoolSettings, Settings,
                                  SettingsError, SmtpSettings, SurveyOptions, Thresholds, from_environment)

ROOT = Path(__file__).resolve().parents[2]
NO_FILE = {"SERVICE_PULSE_SECRETS": "/nonexistent/secrets.toml"}


def _with_secrets(tmp_path, text: str, **env: str) -> Settings:
    path = tmp_path / "secrets.toml"
    path.write_text(text, encoding="utf-8")
    return from_environment({"SERVICE_PULSE_SECRETS": str(path), **env})


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No SERVICE_PULSE_* variable set, and a secrets file of the test's own."""
    for name in settings.ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "secrets.toml"
    monkeypatch.setenv("SERVICE_PULSE_SECRETS", str(path))
    return path


def test_nothing_configured_gives_the_documented_defaults_and_no_secret():
    got = from_environment(NO_FILE)
    assert got == Settings()
    assert got.data_dir == ROOT / "data" and got.demo_responses == 150_000 and got.today is None
    assert got.thresholds == Thresholds(min_responses=5, min_group=5, min_analysts=3, min_colleagues=5)
    assert got.database.pool == PoolSettings(10, 20, 30, 60, 32)
    assert got.imports == ImportLimits(max_file_mb=2048, max_xlsx_mb=200, max_rows=5_000_000)
    assert (got.lock_wait_seconds, got.rollups_enabled, got.auth.cookie_expiry_hours) == (20.0, True, 8.0)
    assert got.mail.quiet_start == dt.time(20, 0) and got.mail.quiet_end == dt.time(7, 0)
    assert (got.surveys.cooldown_days, got.surveys.max_age_days, got.surveys.valid_days) == (7, 14, 14)
    # Secrets: no value of their own anywhere in the code.
    assert (got.database.url, got.auth.cookie_key, got.mail.smtp.password, got.surveys.secret) == (None,) * 4
    for section, name in ((DatabaseOptions, "url"), (AuthOptions, "cookie_key"), (SmtpSettings, "password"),
                          (SurveyOptions, "secret")):
        field = next(f for f in dataclasses.fields(section) if f.name == name)
        assert field.default is None and field.repr is False


def test_secrets_file_fills_in_and_the_environment_wins(tmp_path):
    got = _with_secrets(tmp_path, """
[database]
url = "postgresql+psycopg://reader:pw@db/warehouse"
pool_size = 7
statement_timeout = 0
[auth]
cookie_key = "k-from-the-file"
cookie_expiry_hours = 2
[smtp]
host = "relay.example"
port = 587
starttls = true
password = "mail-pw"
from = "Pulse <p@example>"
[notify]
quiet_hours = "off"
weekend_batching = false
alert_lookback_days = 3
[surveys]
secret = "s-from-the-file"
valid_days = 200
show_analyst = "yes"
""", SERVICE_PULSE_SMTP_PORT="2525", SERVICE_PULSE_COOKIE_KEY="k-from-env", SERVICE_PULSE_POOL_SIZE="")
    assert got.database.url == "postgresql+psycopg://reader:pw@db/warehouse"
    assert got.database.pool == PoolSettings(pool_size=7, statement_timeout_seconds=0)  # "" env: the file's
    assert (got.auth.cookie_key, got.auth.cookie_expiry_hours) == ("k-from-env", 2.0)
    assert got.mail.smtp == SmtpSettings(host="relay.example", port=2525, password="mail-pw", starttls=True,
                                         sender="Pulse <p@example>")
    assert (got.mail.quiet_start, got.mail.quiet_end, got.mail.weekend_batching) == (None, None, False)
    assert got.mail.alert_lookback_days == 3
    assert got.surveys == SurveyOptions(secret="s-from-the-file", valid_days=90, show_analyst=True)  # 200 → 90


@pytest.mark.parametrize("name, value, wanted", [
    ("SERVICE_PULSE_MIN_RESPONSES", "five", "a whole number, like 5"),
    ("SERVICE_PULSE_MIN_COLLEAGUES", "5.5", "a whole number, like 5"),
    ("SERVICE_PULSE_DEMO_RESPONSES", "150k", "a whole number, like 5"),
    ("SERVICE_PULSE_WORK_MEM_MB", "32MB", "a whole number, like 5"),
    ("SERVICE_PULSE_COOKIE_EXPIRY_HOURS", "8h", "a number, like 2.5"),
    ("SERVICE_PULSE_LOCK_WAIT_SECONDS", "inf", "a number, like 2.5"),
    ("SERVICE_PULSE_MAX_IMPORT_MB", "nan", "a number, like 2.5"),
    ("SERVICE_PULSE_SMTP_TIMEOUT", "soon", "a number, like 2.5"),
    ("SERVICE_PULSE_ROLLUPS", "disabled", "true or false (also on/off, yes/no, 1/0)"),
    ("SERVICE_PULSE_SURVEY_SHOW_ANALYST", "maybe", "true or false (also on/off, yes/no, 1/0)"),
    ("SERVICE_PULSE_TODAY", "20.11.2026", "a date written YYYY-MM-DD"),
    ("SERVICE_PULSE_QUIET_HOURS", "8pm-7am", "a time span like 20:00-07:00, or off"),
    ("SERVICE_PULSE_QUIET_HOURS", "22:00", "a time span like 20:00-07:00, or off"),
    # Readable, but outside a range where no nearest value would be the operator's (port 0 → 1 is
    # no mail server): these stop too, with the range.
    ("SERVICE_PULSE_SMTP_PORT", "0", "a port from 1 to 65535"),
    ("SERVICE_PULSE_SMTP_PORT", "65536", "a port from 1 to 65535"),
    ("SERVICE_PULSE_SMTP_PORT", "-25", "a port from 1 to 65535"),
    ("SERVICE_PULSE_SMTP_TIMEOUT", "0", "a number of seconds from 1 to 600"),
    ("SERVICE_PULSE_SMTP_TIMEOUT", "-20", "a number of seconds from 1 to 600"),
    ("SERVICE_PULSE_SMTP_TIMEOUT", "600.5", "a number of seconds from 1 to 600"),
    ("SERVICE_PULSE_ALERT_LOOKBACK_DAYS", "0", "a number of days from 1 to 366"),
    ("SERVICE_PULSE_ALERT_LOOKBACK_DAYS", "-7", "a number of days from 1 to 366"),
    ("SERVICE_PULSE_ALERT_LOOKBACK_DAYS", "367", "a number of days from 1 to 366"),
])
def test_a_value_that_cannot_be_read_stops_with_its_name(name, value, wanted):
    with pytest.raises(SettingsError) as caught:
        from_environment({**NO_FILE, name: value})
    assert str(caught.value) == f"{name} must be {wanted}; the value set there is not."


def test_the_error_never_repeats_the_value():
    """The app shows it before anyone signs in: a password pasted into the wrong variable stays put."""
    with pytest.raises(SettingsError) as caught:
        from_environment({**NO_FILE, "SERVICE_PULSE_SMTP_PORT": "hunter2-the-mail-password"})
    assert "hunter2" not in str(caught.value) and "SERVICE_PULSE_SMTP_PORT" in str(caught.value)


def test_a_bad_value_in_the_secrets_file_names_the_key_and_the_file(tmp_path):
    with pytest.raises(SettingsError) as caught:
        _with_secrets(tmp_path, '[smtp]\nport = "submission"\n')
    assert str(caught.value) == "[smtp] port in secrets.toml must be a whole number, like 5; the value set there is not."
    with pytest.raises(SettingsError, match=r"^\[database\] pool_size in .* must be a whole number, like 5;"):
        _with_secrets(tmp_path, "[database]\npool_size = 2.5\n")
    with pytest.raises(SettingsError, match=r"^\[notify\] weekend_batching in .* must be true or false"):
        _with_secrets(tmp_path, "[notify]\nweekend_batching = 2\n")
    with pytest.raises(SettingsError, match=r"^The secrets file secrets\.toml is not valid TOML: .*line 1"):
        _with_secrets(tmp_path, "[smtp\nport = 25\n")


@pytest.mark.parametrize("name, value, section, field, expected", [
    ("SERVICE_PULSE_MIN_GROUP", "2", "thresholds", "min_group", 5),        # floors: only ever raised
    ("SERVICE_PULSE_MIN_ANALYSTS", "-1", "thresholds", "min_analysts", 3),
    ("SERVICE_PULSE_MIN_ANALYSTS", "4", "thresholds", "min_analysts", 4),
    ("SERVICE_PULSE_MIN_RESPONSES", "0", "thresholds", "min_responses", 1),
    ("SERVICE_PULSE_COOKIE_EXPIRY_HOURS", "1000", "auth", "cookie_expiry_hours", 720.0),
    ("SERVICE_PULSE_COOKIE_EXPIRY_HOURS", "-2", "auth", "cookie_expiry_hours", 0.0),
    ("SERVICE_PULSE_IMPORT_MAX_XLSX_MB", "0", "imports", "max_xlsx_mb", 200),  # a cap of 0 keeps the default
    ("SERVICE_PULSE_MAX_IMPORT_MB", "0", "imports", "max_file_mb", 2048),   # so does the file's
    ("SERVICE_PULSE_MAX_IMPORT_MB", "-5", "imports", "max_file_mb", 2048),
    ("SERVICE_PULSE_MAX_IMPORT_MB", "0.5", "imports", "max_file_mb", 0.5),
    ("SERVICE_PULSE_SURVEY_COOLDOWN_DAYS", "999", "surveys", "cooldown_days", 365),
    ("SERVICE_PULSE_SURVEY_MAX_AGE_DAYS", "0", "surveys", "max_age_days", 1),
    ("SERVICE_PULSE_MAX_OVERFLOW", "-4", "database", "pool", PoolSettings(max_overflow=0)),
])
def test_readable_values_outside_their_range_are_brought_into_it(name, value, section, field, expected):
    assert getattr(getattr(from_environment({**NO_FILE, name: value}), section), field) == expected


def test_the_range_of_a_port_timeout_and_look_back_holds_its_ends(tmp_path):
    ends = from_environment({**NO_FILE, "SERVICE_PULSE_SMTP_PORT": "1", "SERVICE_PULSE_SMTP_TIMEOUT": "600",
                             "SERVICE_PULSE_ALERT_LOOKBACK_DAYS": "366"}).mail
    assert (ends.smtp.port, ends.smtp.timeout, ends.alert_lookback_days) == (1, 600.0, 366)
    other = from_environment({**NO_FILE, "SERVICE_PULSE_SMTP_PORT": "65535", "SERVICE_PULSE_SMTP_TIMEOUT": "1",
                              "SERVICE_PULSE_ALERT_LOOKBACK_DAYS": "1"}).mail
    assert (other.smtp.port, other.smtp.timeout, other.alert_lookback_days) == (65535, 1.0, 1)
    # from the secrets file, the message names the key and the file
    with pytest.raises(SettingsError) as caught:
        _with_secrets(tmp_path, "[smtp]\nport = 587\ntimeout = 0.5\n")
    assert str(caught.value) == ("[smtp] timeout in secrets.toml must be a number of seconds from 1 to 600; "
                                 "the value set there is not.")
    with pytest.raises(SettingsError, match=r"^\[notify\] alert_lookback_days in secrets\.toml must be a number "
                                            r"of days from 1 to 366;"):
        _with_secrets(tmp_path, "[notify]\nalert_lookback_days = 0\n")
    assert _with_secrets(tmp_path, "[smtp]\nport = 587\n").mail.smtp.port == 587


def test_switches_dates_and_plain_values():
    got = from_environment({**NO_FILE, "SERVICE_PULSE_ROLLUPS": " OFF ", "SERVICE_PULSE_TODAY": "2026-11-20",
                            "SERVICE_PULSE_LOCK_WAIT_SECONDS": "-3", "SERVICE_PULSE_DATA_DIR": "/srv/pulse",
                            "SERVICE_PULSE_DEMO_RESPONSES": "4000", "SERVICE_PULSE_MAX_IMPORT_MB": "0.5"})
    assert (got.rollups_enabled, got.today, got.lock_wait_seconds) == (False, dt.date(2026, 11, 20), 0.0)
    assert (got.data_dir, got.demo_responses, got.imports.max_file_mb) == (Path("/srv/pulse"), 4000, 0.5)


def test_read_once_and_again_only_when_something_changed(clean_env, monkeypatch):
    first = settings.current()
    assert settings.current() is first  # kept: nothing parsed twice
    monkeypatch.setenv("SERVICE_PULSE_MIN_GROUP", "9")
    raised = settings.current()
    assert raised.thresholds.min_group == 9 and settings.current() is raised
    clean_env.write_text('[auth]\ncookie_key = "from-the-file"\n', encoding="utf-8")
    assert settings.current().auth.cookie_key == "from-the-file"
    clean_env.write_text('[auth]\ncookie_key = "edited-later-and-longer"\n', encoding="utf-8")
    assert settings.current().auth.cookie_key == "edited-later-and-longer"
    clean_env.unlink()
    monkeypatch.delenv("SERVICE_PULSE_MIN_GROUP")
    assert settings.current() == first


def test_a_bad_value_is_never_kept(clean_env, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_SMTP_PORT", "twenty-five")
    for _ in range(2):  # raised on every read while it is wrong, not once and then forgotten
        with pytest.raises(SettingsError, match="^SERVICE_PULSE_SMTP_PORT must be a whole number"):
            settings.current()
    monkeypatch.setenv("SERVICE_PULSE_SMTP_PORT", "2525")
    assert settings.current().mail.smtp.port == 2525


def test_the_command_line_stops_with_the_sentence(clean_env, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("SERVICE_PULSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "yesterday")
    assert main(["warehouse", "use", "demo"]) == 2
    assert capsys.readouterr().err == ("error: SERVICE_PULSE_TODAY must be a date written YYYY-MM-DD; "
                                       "the value set there is not.\n")
    assert not (tmp_path / "data").exists()


def test_the_app_stops_with_the_sentence_and_shows_nothing_else(clean_env, monkeypatch, tmp_path):
    monkeypatch.setenv("SERVICE_PULSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", f"sqlite:///{tmp_path / 'none.sqlite'}")
    monkeypatch.setenv("SERVICE_PULSE_MIN_GROUP", "five")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Service Pulse cannot start: SERVICE_PULSE_MIN_GROUP must be a whole number, like 5; "
        "the value set there is not."]
    assert not at.text_input and not at.sidebar.markdown  # no sign-in form, no page list
    assert not (tmp_path / "none.sqlite").exists()  # stopped before opening any warehouse


# ---------------------------------------------------------------- the documentation stays true

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / ".streamlit" / "secrets.toml.example"]


def test_every_variable_the_documentation_names_is_read():
    named = {name for doc in DOCUMENTS for name in re.findall(r"SERVICE_PULSE_[A-Z_]*[A-Z]", doc.read_text())}
    assert named and named - set(settings.ENV_NAMES) == set()


def test_every_variable_read_is_in_the_readme():
    """Named in full, or as `_SUFFIX` next to a sibling (`SERVICE_PULSE_POOL_SIZE` / `_MAX_OVERFLOW`)."""
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in settings.ENV_NAMES
               if name not in readme
               and not any(f"`_{name.split('_', 2)[2].split('_', k)[-1]}{end}" in readme
                           for k in range(3) for end in "`=")]
    assert missing == []
