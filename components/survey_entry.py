"""The way in for people who answer a survey: a link with a signed token, no sign-in.

app.py calls `run()` early when a survey link is in the URL. Only then is the survey page
registered in st.navigation (hidden navigation, no sidebar), and only when the token checks
out; anything else gets a message page. No other page is reachable from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import streamlit as st

from data_access import clock
from data_access.engine import get_engine
from data_access.surveys import links, ratelimit
from data_access.surveys.settings import SurveySecretError, SurveySettings, survey_settings

TOKEN_PARAM = "token"
UNSUBSCRIBE_PARAM = "unsubscribe"
CONTEXT_KEY = "_sp_survey_context"
_CHECKED_KEY = "_sp_survey_checked"
NOT_CONFIGURED = ("Surveys are not switched on for this service desk yet, so this link cannot record "
                  "an answer. Nothing was recorded.")


@dataclass(frozen=True)
class SurveyContext:
    """What the survey page works on in this run: a checked link and the settings."""

    url: str
    checked: links.Checked
    token: str
    settings: SurveySettings


def survey_link_present() -> bool:
    """True when the URL carries a survey or unsubscribe token (even an empty or broken one)."""
    return TOKEN_PARAM in st.query_params or UNSUBSCRIBE_PARAM in st.query_params


def _param(name: str) -> str:
    values = st.query_params.get_all(name)
    return values[0] if len(values) == 1 else ""  # repeated parameters are not a valid link


def _message_page(message: str, runner: Callable, url_path: str = "survey") -> None:
    def render() -> None:
        st.title("Service desk survey")
        st.warning(message, icon=":material/link_off:")

    runner(st.navigation([st.Page(render, title="Survey", url_path=url_path, default=True)],
                         position="hidden"))


def _check(url: str, settings: SurveySettings, token: str, unsubscribe: bool) -> links.Checked:
    """Check the link, counting it against the rate limits once per session and token."""
    engine = get_engine(url)
    remembered = st.session_state.get(_CHECKED_KEY)
    if remembered == (token, unsubscribe):
        # Already counted in this session: re-check signature and expiry without counting again.
        with ratelimit.uncounted():
            return _do_check(engine, settings, token, unsubscribe)
    checked = _do_check(engine, settings, token, unsubscribe)
    st.session_state[_CHECKED_KEY] = (token, unsubscribe)
    return checked


def _do_check(engine, settings: SurveySettings, token: str, unsubscribe: bool) -> links.Checked:
    if unsubscribe:
        return links.check_unsubscribe_link(engine, settings.secret, token)
    return links.check_score_link(engine, settings.secret, token, now=clock.now())


def page_config() -> None:
    """The survey's page config (app.py sets it instead of the app's own when a link is present)."""
    st.set_page_config(page_title="Service desk survey", layout="centered", initial_sidebar_state="collapsed")


def run(url: str, *, demo: bool, runner: Callable) -> None:
    """Serve the survey (or a message) for the link in the URL; never the rest of the app."""
    try:
        settings = survey_settings(demo=demo)
    except SurveySecretError:
        _message_page(NOT_CONFIGURED, runner)
        return
    unsubscribe = UNSUBSCRIBE_PARAM in st.query_params and TOKEN_PARAM not in st.query_params
    token = _param(UNSUBSCRIBE_PARAM if unsubscribe else TOKEN_PARAM)
    try:
        checked = _check(url, settings, token, unsubscribe)
    except links.Refused as exc:
        st.session_state.pop(CONTEXT_KEY, None)
        _message_page(str(exc), runner, "unsubscribe" if unsubscribe else "survey")
        return
    st.session_state[CONTEXT_KEY] = SurveyContext(url, checked, token, settings)
    # Each kind of link has its own page and path, so a rerun can never run the other page. The
    # paths differ from the files' own names: Streamlit would otherwise confuse them with the
    # file-based page of the same name and draw nothing.
    page = (st.Page("pages/survey_unsubscribe.py", title="Survey emails", url_path="unsubscribe", default=True)
            if unsubscribe else st.Page("pages/survey_answer.py", title="Your feedback", url_path="survey", default=True))
    runner(st.navigation([page], position="hidden"))


def current(*, unsubscribe: bool = False) -> SurveyContext | None:
    """The checked link of this run (set by `run` just before the page runs), or None when the
    page was reached any other way (then the page shows nothing but a message)."""
    # A page file run on its own (a fresh server's first request for its path) starts over
    # through app.py, like every other page.
    from components.viewer import _through_app_only

    _through_app_only()
    context = st.session_state.get(CONTEXT_KEY)
    param = UNSUBSCRIBE_PARAM if unsubscribe else TOKEN_PARAM
    if context is None or not context.token or st.query_params.get(param) != context.token:
        st.warning(links.INVALID, icon=":material/link_off:")
        return None
    if (context.checked.claim is None) != unsubscribe:
        st.warning(links.INVALID, icon=":material/link_off:")
        return None
    return context
