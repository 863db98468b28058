"""Database failures on the paths outside a page's own try-block: sign-in and widget callbacks.

Each one shows a sentence for a person (no SQL, no values) and leaves the app usable; a transient
one (a busy file, a dropped connection) is first retried by the one retry policy, unseen.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from components import auth, self_assessment_form, signin
from data_access import bootstrap, engine, users
from data_access.engine import get_engine
from data_access.scope import Scope
from data_access.users import find_user
from data_access.writes.self_assessment import submit_self_assessment
from tests.data_access.test_my_feedback import CRAFTED_SELF
from tests.test_auth_app import _app, _env, _sign_in, app_demo_url  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parent.parent
BUSY = sa.exc.OperationalError("SELECT u.password_hash FROM app_users u WHERE u.username = ?", ("cio",),
                               Exception('IO Error: Unique file handle conflict: Database "w" is already attached'))


def _lookup_failing_while(broken: list[bool], real):

    def lookup(*args, **kwargs):
        if broken[0]:
            raise BUSY
        return real(*args, **kwargs)
    return lookup


def test_the_sign_in_lookup_failing_shows_a_page_not_a_traceback(app_demo_url, monkeypatch):
    at = _sign_in(_app(app_demo_url, monkeypatch), "cio")
    assert not at.exception and "viewer" in at.session_state
    broken = [True]
    monkeypatch.setattr(signin, "find_user", _lookup_failing_while(broken, signin.find_user))
    at.run()  # the next run's lookup meets a busy warehouse
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert message.startswith("Sign-in is not possible right now.")
    assert "in use by another program" in message
    assert "password_hash" not in message and "SELECT" not in message
    broken[0] = False
    at.run()  # and the session carries on once it answers again
    assert not at.exception and not at.error and "viewer" in at.session_state


def test_the_sign_in_form_failing_explains_and_counts_no_failed_attempt(app_demo_url, monkeypatch):
    at = _app(app_demo_url, monkeypatch)
    broken = [True]
    monkeypatch.setattr(auth, "find_user", _lookup_failing_while(broken, auth.find_user))
    at = _sign_in(at, "cio")
    assert not at.exception and "viewer" not in at.session_state
    message = " ".join(e.value for e in at.error)
    assert message.startswith("Sign-in is not possible right now.") and "in use by another program" in message
    assert "SELECT" not in message and "password_hash" not in message
    assert signin.SESSION_FAILS not in at.session_state or at.session_state[signin.SESSION_FAILS] == 0
    broken[0] = False
    at = _sign_in(at, "cio")  # the same form works once the warehouse answers again
    assert not at.exception and "viewer" in at.session_state


def test_a_failing_sharing_switch_explains_and_shows_what_is_stored(app_demo_url, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", app_demo_url)
    viewer = auth.viewer_for(find_user("soren.nunez", url=app_demo_url))
    scope = Scope("analyst", analyst_id=viewer.analyst_id, team_ids=(viewer.own_team_id,))
    submit_self_assessment(scope=scope, ratings=CRAFTED_SELF, note="mine", submission_token="db-errors-1",
                           url=app_demo_url)
    at = AppTest.from_file(str(ROOT / "pages" / "my_feedback.py"), default_timeout=90)
    at.session_state["viewer"] = viewer
    at.session_state["my_tab"] = "Self-assessment"
    at.run()
    assert not at.exception
    stored = at.toggle[0].value

    def refuse(**kwargs):
        raise BUSY

    monkeypatch.setattr(self_assessment_form, "set_sharing", refuse)
    at.toggle[0].set_value(not stored).run()
    assert not at.exception
    assert any(e.value.startswith("Sharing was not changed.") and "SELECT" not in e.value for e in at.error)
    assert at.toggle[0].value is stored  # the switch shows what is stored, not the failed change


# ---------------------------------------------------------------- transient failures are retried unseen

MISSING_TABLE = sa.exc.OperationalError("SELECT u.username FROM app_users u", (),
                                        Exception("no such table: app_users"))


class _FlakyEngine:
    """The warehouse's engine, whose first `failures` connections meet `error`."""

    def __init__(self, real: sa.Engine, failures: int, error: Exception = BUSY):
        self.real, self.failures, self.error, self.attempts = real, failures, error, 0

    def connect(self):
        self.attempts += 1
        if self.attempts <= self.failures:
            raise self.error
        return self.real.connect()


def _flaky_users(monkeypatch, url: str, failures: int, error: Exception = BUSY) -> _FlakyEngine:
    flaky = _FlakyEngine(get_engine(url), failures, error)
    monkeypatch.setattr(users, "get_engine", lambda url=None: flaky)
    return flaky


def test_a_busy_file_at_the_sign_in_lookup_is_retried_and_the_page_shows(app_demo_url, monkeypatch):
    at = _sign_in(_app(app_demo_url, monkeypatch), "cio")
    assert not at.exception and at.session_state["viewer"].username == "cio"
    before = engine.RETRIED["busy"]
    flaky = _flaky_users(monkeypatch, app_demo_url, failures=2)
    at.run()  # the run's lookup meets the file-handle conflict twice, then the warehouse answers
    assert not at.exception and [e.value for e in at.error] == []
    assert at.session_state["viewer"].username == "cio" and at.session_state["viewer"].roles == ("cio",)
    assert (flaky.attempts, engine.RETRIED["busy"] - before) == (3, 2)


def test_a_busy_file_when_the_form_is_sent_is_retried_and_signs_in(app_demo_url, monkeypatch):
    at = _app(app_demo_url, monkeypatch)
    flaky = _flaky_users(monkeypatch, app_demo_url, failures=1)
    at = _sign_in(at, "cio")
    assert not at.exception and [e.value for e in at.error] == []
    assert at.session_state["viewer"].username == "cio"
    assert flaky.attempts >= 2  # the form's lookup, retried once, then this run's own lookup
    assert signin.SESSION_FAILS not in at.session_state


def test_a_failure_that_is_not_transient_is_shown_at_once(app_demo_url, monkeypatch):
    at = _sign_in(_app(app_demo_url, monkeypatch), "cio")
    flaky = _flaky_users(monkeypatch, app_demo_url, failures=99, error=MISSING_TABLE)
    at.run()
    assert not at.exception and flaky.attempts == 1  # no waiting for what will not pass
    message = " ".join(e.value for e in at.error)
    assert message.startswith("Sign-in is not possible right now. The feedback warehouse cannot be reached")
    assert "SELECT" not in message


def test_the_empty_warehouse_check_and_the_data_origin_retry_a_busy_file(app_demo_url, monkeypatch):
    flaky = _flaky_users(monkeypatch, app_demo_url, failures=1)
    assert users.has_users(url=app_demo_url) is True and flaky.attempts == 2
    flaky = _FlakyEngine(get_engine(app_demo_url), failures=2)
    assert bootstrap.data_origin(flaky) == "demo" and flaky.attempts == 3
