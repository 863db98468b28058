"""Database failures on the paths outside a page's own try-block: sign-in and widget callbacks.

Each one shows a sentence for a person (no SQL, no values) and leaves the app usable.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from components import auth, self_assessment_form, signin
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
