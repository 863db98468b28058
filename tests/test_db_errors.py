"""Database failures on the paths outside a page's own try-block: sign-in and widget callbacks.

Each one shows a sentence for a person (no SQL, no values) and leaves the app usable; a transient
one (a busy file, a dropped connection) is first retried by the one retry policy, unseen.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from components import auth, self_assessment_form, signin
from data_access import bootstrap, engine, query, users
from data_access import culture_settings, notify_reads, saved_views
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

    def __getattr__(self, name: str):
        return getattr(self.real, name)


def _flaky_reads(monkeypatch, url: str, failures: int, error: Exception = BUSY) -> _FlakyEngine:
    """Every read through the query executor (`query.frame`, `query.read`) meets `flaky`."""
    flaky = _FlakyEngine(get_engine(url), failures, error)
    monkeypatch.setattr(query, "get_engine", lambda url=None: flaky)
    return flaky


def test_a_busy_file_at_the_sign_in_lookup_is_retried_and_the_page_shows(app_demo_url, monkeypatch):
    at = _sign_in(_app(app_demo_url, monkeypatch), "cio")
    assert not at.exception and at.session_state["viewer"].username == "cio"
    before = engine.RETRIED["busy"]
    flaky = _flaky_reads(monkeypatch, app_demo_url, failures=2)
    at.run()  # the run's lookup meets the file-handle conflict twice, then the warehouse answers
    assert not at.exception and [e.value for e in at.error] == []
    assert at.session_state["viewer"].username == "cio" and at.session_state["viewer"].roles == ("cio",)
    assert engine.RETRIED["busy"] - before == 2 and flaky.attempts > 3  # then the page's own reads
    assert at.title[0].value == "Culture trends"


def test_a_busy_file_when_the_form_is_sent_is_retried_and_signs_in(app_demo_url, monkeypatch):
    at = _app(app_demo_url, monkeypatch)
    flaky = _flaky_reads(monkeypatch, app_demo_url, failures=1)
    at = _sign_in(at, "cio")
    assert not at.exception and [e.value for e in at.error] == []
    assert at.session_state["viewer"].username == "cio"
    assert flaky.attempts >= 2  # the form's lookup, retried once, then this run's own lookup
    assert signin.SESSION_FAILS not in at.session_state


def test_a_failure_that_is_not_transient_is_shown_at_once(app_demo_url, monkeypatch):
    at = _sign_in(_app(app_demo_url, monkeypatch), "cio")
    flaky = _flaky_reads(monkeypatch, app_demo_url, failures=99, error=MISSING_TABLE)
    at.run()
    assert not at.exception and flaky.attempts == 1  # no waiting for what will not pass
    message = " ".join(e.value for e in at.error)
    assert message.startswith("Sign-in is not possible right now. The feedback warehouse cannot be reached")
    assert "SELECT" not in message


def test_the_empty_warehouse_check_and_the_data_origin_retry_a_busy_file(app_demo_url, monkeypatch):
    flaky = _flaky_reads(monkeypatch, app_demo_url, failures=1)
    assert users.has_users(url=app_demo_url) is True and flaky.attempts == 2
    flaky = _FlakyEngine(get_engine(app_demo_url), failures=2)
    assert bootstrap.data_origin(flaky) == "demo" and flaky.attempts == 3


@pytest.mark.parametrize("read, expected", [
    (lambda url: users.find_user("cio", url=url).roles, ("cio",)),
    (lambda url: users.list_users(scope=Scope("admin"), url=url).height > 5, True),
    (lambda url: len(users.demo_password_accounts(scope=Scope("admin"), url=url)) > 5, True),
    (lambda url: notify_reads.recovery_settings(url=url).threshold, 6),
    (lambda url: culture_settings.read_culture_settings(url=url).annotations, ()),
    (lambda url: saved_views.list_views(user_id=1, page="culture-trends", url=url), []),
    (lambda url: notify_reads.sent_notifications(("no-such-key",), url=url), set()),
], ids=["find_user", "list_users", "demo_password_accounts", "recovery_settings", "culture_settings",
        "saved_views", "sent_notifications"])
def test_readers_outside_the_page_cache_retry_a_busy_file(app_demo_url, monkeypatch, read, expected):
    """Readers a form, an admin page or the alert run call directly (not through views.cache)
    go through the query executor too: a file-handle conflict is retried, then they answer."""
    flaky = _flaky_reads(monkeypatch, app_demo_url, failures=2)
    assert read(app_demo_url) == expected
    assert flaky.attempts == 3


def test_the_survey_pages_reads_retry_a_busy_file(app_demo_url):
    """A requester's follow-up form and link check read through the query executor as well."""
    from data_access.surveys import answers

    flaky = _FlakyEngine(get_engine(app_demo_url), failures=2)
    factors, saved = answers.followup_state(flaky, ticket_key=-1)
    assert (len(factors), factors[0], saved, flaky.attempts) == (13, (1, "Speed of service", "positive"), None, 3)
    flaky = _FlakyEngine(get_engine(app_demo_url), failures=1)
    assert query.read(lambda conn: answers.invitation(conn, -1), engine=flaky) is None and flaky.attempts == 2
