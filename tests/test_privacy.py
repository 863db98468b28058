"""The privacy rules of docs/PRIVACY.md, case by case: roles × pages × tricks, on SQLite and PostgreSQL.

Each case is one row of a table (id → function). Data-layer cases call the readers directly with
the scope a viewer would have, or with a forged/widened one; navigation and page cases drive the
real app with AppTest. Every case runs against the shared demo warehouse on both databases
(read-only) unless it must write, in which case it generates its own small warehouse.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from components.navigation import PAGES, pages_for
from components.viewer import Viewer
from data_access import demo, schema, stats
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope, ScopeError
from data_access.users import list_users
from data_access.writes import users as user_writes

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 20)
YEAR = Filters(dt.date(2025, 11, 20), dt.date(2026, 11, 21))
T, R, A = schema.tickets, schema.responses, schema.analysts


# ---------------------------------------------------------------- facts read straight from SQL

@dataclass(frozen=True)
class World:
    """Who is who in a demo warehouse, read with raw SQL (independent of the code under test)."""

    url: str
    team: int                 # the team of `analyst` and `lead`
    other_team: int
    analyst: int              # an analyst (not the lead) in `team`
    analyst_user: str
    lead_analyst: int         # the lead's own analyst id
    lead_user: str
    other_analyst: int        # an analyst in `other_team`
    team_analysts: frozenset[int]

    def analyst_scope(self) -> Scope:
        return Scope("analyst", analyst_id=self.analyst, team_ids=(self.team,))

    def lead_scope(self) -> Scope:
        return Scope("lead", team_ids=(self.team,))

    def count(self, *conds) -> int:
        stmt = (sa.select(sa.func.count()).select_from(R.join(T, T.c.ticket_key == R.c.ticket_key))
                .where(R.c.submitted_at >= dt.datetime(2025, 11, 20),
                       R.c.submitted_at < dt.datetime(2026, 11, 21), *conds))
        with get_engine(self.url).connect() as conn:
            return int(conn.execute(stmt).scalar_one())


def _world(url: str) -> World:
    U, UR, UT = schema.app_users, schema.user_roles, schema.user_teams
    with get_engine(url).connect() as conn:
        lead_user, lead_analyst, team = conn.execute(
            sa.select(U.c.username, U.c.analyst_id, UT.c.team_id)
            .select_from(U.join(UT, UT.c.user_id == U.c.user_id).join(UR, UR.c.user_id == U.c.user_id))
            .where(UR.c.role == "lead").order_by(UT.c.team_id).limit(1)).one()
        members = set(conn.execute(sa.select(A.c.analyst_id).where(A.c.team_id == team)).scalars())
        analyst_user, analyst = conn.execute(
            sa.select(U.c.username, U.c.analyst_id)
            .select_from(U.join(A, A.c.analyst_id == U.c.analyst_id))
            .where(A.c.team_id == team, A.c.analyst_id != lead_analyst)
            .order_by(A.c.analyst_id).limit(1)).one()
        other_team, other_analyst = conn.execute(
            sa.select(A.c.team_id, A.c.analyst_id).where(A.c.team_id != team)
            .order_by(A.c.team_id, A.c.analyst_id).limit(1)).one()
    return World(url, int(team), int(other_team), int(analyst), analyst_user, int(lead_analyst),
                 lead_user, int(other_analyst), frozenset(int(m) for m in members))


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture
def world(demo_url) -> World:
    return _world(demo_url)


# ---------------------------------------------------------------- data-layer cases

def analyst_sees_only_own_responses(w: World):
    got = stats.response_stats(scope=w.analyst_scope(), filters=YEAR, url=w.url)
    assert int(got["n"][0]) == w.count(T.c.analyst_id == w.analyst)
    assert w.count(T.c.analyst_id == w.analyst) < w.count(T.c.team_id == w.team)


def analyst_team_distribution_is_unnamed(w: World):
    with pytest.raises(ScopeError):
        stats.response_stats(scope=w.analyst_scope(), filters=YEAR, by=("analyst_id",),
                             own_only=False, url=w.url)
    team = stats.response_stats(scope=w.analyst_scope(), filters=YEAR, own_only=False, url=w.url)
    assert "analyst_id" not in team.columns
    assert int(team["n"][0]) == w.count(T.c.team_id == w.team)


def analyst_team_members_have_no_ids(w: World):
    from views import my_feedback

    figures = my_feedback.my_figures(scope=w.analyst_scope(), filters=YEAR, url=w.url)
    for frame in (figures.stats, figures.customers):
        assert not {"analyst_id", "name", "analyst"} & set(frame.columns)
    assert figures.n == w.count(T.c.analyst_id == w.analyst)


def analyst_cannot_widen_with_filters(w: World):
    widened = Filters(YEAR.start, YEAR.end, team_ids=(w.other_team,))
    got = stats.response_stats(scope=w.analyst_scope(), filters=widened, url=w.url)
    assert got.height == 0 or int(got["n"][0] or 0) == 0


def analyst_comments_are_own_only(w: World):
    from views import my_feedback

    frame, total = my_feedback.my_verbatims(scope=w.analyst_scope(), filters=YEAR, page_size=500,
                                            url=w.url)
    own_with_comment = w.count(T.c.analyst_id == w.analyst, R.c.comment.is_not(None), R.c.comment != "")
    assert total == own_with_comment
    with get_engine(w.url).connect() as conn:
        own_ids = set(conn.execute(sa.select(T.c.ticket_id).where(T.c.analyst_id == w.analyst)).scalars())
    if "ticket_id" in frame.columns:
        assert set(frame["ticket_id"].to_list()) <= own_ids


def analyst_sees_only_shared_notes_about_them(w: World):
    from views import my_feedback

    N = schema.coaching_notes
    got = my_feedback.my_recognition(scope=w.analyst_scope(), url=w.url)
    with get_engine(w.url).connect() as conn:
        shared = set(conn.execute(sa.select(N.c.body).where(N.c.analyst_id == w.analyst,
                                                            N.c.shared_with_analyst.is_(True))).scalars())
        private = set(conn.execute(sa.select(N.c.body).where(sa.or_(
            N.c.analyst_id != w.analyst, N.c.shared_with_analyst.is_(False)))).scalars())
    assert set(got.notes["body"].to_list()) == shared
    assert not (set(got.notes["body"].to_list()) - shared) & private
    with get_engine(w.url).connect() as conn:
        own_open = conn.execute(sa.select(sa.func.count()).select_from(schema.recovery_items)
                                .where(schema.recovery_items.c.analyst_id == w.analyst,
                                       schema.recovery_items.c.resolved_at.is_(None))).scalar_one()
    assert got.recovery.height == own_open


def lead_my_feedback_reader_refuses_lead_scope(w: World):
    from views import my_feedback

    with pytest.raises(ScopeError):
        my_feedback.my_figures(scope=w.lead_scope(), filters=YEAR, url=w.url)


def lead_sees_named_figures_of_own_team_only(w: World):
    got = stats.response_stats(scope=w.lead_scope(), filters=YEAR, by=("analyst_id",), url=w.url)
    assert set(got["analyst_id"].to_list()) <= w.team_analysts
    assert int(got["n"].sum()) == w.count(T.c.team_id == w.team)


def lead_other_team_filter_returns_nothing(w: World):
    forged = Filters(YEAR.start, YEAR.end, team_ids=(w.other_team,))
    got = stats.response_stats(scope=w.lead_scope(), filters=forged, by=("analyst_id",), url=w.url)
    assert got.height == 0


def lead_other_team_analyst_is_refused(w: World):
    from data_access import coaching, coaching_analyst
    from views import coaching as coaching_view

    with pytest.raises(ScopeError):
        coaching.check_analyst(w.lead_scope(), w.other_analyst, url=w.url)
    with pytest.raises(ScopeError):  # the read model checks once, before any figure is read
        coaching_view.analyst_detail(scope=w.lead_scope(), analyst_id=w.other_analyst, filters=YEAR,
                                     phrase="this year", url=w.url)
    # The SQL itself also filters: the raw query for a forged id returns no rows.
    stmt = coaching_analyst.verbatims_query(scope=w.lead_scope(), analyst_id=w.other_analyst, filters=YEAR,
                                            vf=coaching_analyst.VerbatimFilter(), limit=50, offset=0)
    with get_engine(w.url).connect() as conn:
        assert conn.execute(stmt).all() == []


def lead_shared_self_assessment_of_other_team_is_refused(w: World):
    from data_access import self_assessments
    from views import coaching as coaching_view

    with pytest.raises(ScopeError):  # the Analyst tab (perception gap included) refuses the analyst
        coaching_view.analyst_detail(scope=w.lead_scope(), analyst_id=w.other_analyst, filters=YEAR,
                                     phrase="this year", url=w.url)
    assert self_assessments.shared_self_assessment(scope=w.lead_scope(), analyst_id=w.other_analyst,
                                                   url=w.url) is None


def forged_scopes_are_refused(w: World):
    with pytest.raises(ScopeError):
        Scope("analyst")                       # an analyst scope without the analyst
    with pytest.raises(ScopeError):
        Scope("lead")                          # a lead of no team
    with pytest.raises(ScopeError):
        Scope("superuser")                     # not a role at all
    viewer = Viewer(9, "someone", "Some One", ("analyst",), analyst_id=w.analyst, own_team_id=w.team)
    with pytest.raises(PermissionError):
        viewer.scope("lead")                   # a role the person does not have


def cio_has_no_per_analyst_grain(w: World):
    with pytest.raises(ScopeError):
        stats.response_stats(scope=Scope("cio"), filters=YEAR, by=("analyst_id",), url=w.url)
    with pytest.raises(ScopeError):
        stats.ticket_stats(scope=Scope("cio"), filters=YEAR, by=("analyst_id",), url=w.url)


def cio_report_has_no_analyst_names_and_suppresses_small_groups(w: World):
    from views import culture

    report = culture.culture_report(scope=Scope("cio"), filters=YEAR, url=w.url)
    with get_engine(w.url).connect() as conn:
        names = set(conn.execute(sa.select(A.c.name)).scalars())
    frames = [report.trend, report.mood_mix, report.watermelon_trend, report.hotspots, report.factors,
              report.reassignment, report.lost_by_channel, report.lost_by_service, report.calibration,
              report.teams, *report.compare.values()]
    for frame in frames:
        assert "analyst_id" not in frame.columns
        for col in frame.columns:
            if frame[col].dtype == pl.String:
                assert not set(frame[col].drop_nulls().to_list()) & names, col
    # Below the minimum group size a cell may be listed, but never with a figure.
    for frame in (report.hotspots, report.teams, report.trend):
        small = frame.filter(pl.col("n") < 5) if frame.height else frame
        if small.height:
            assert small["happiness"].null_count() == small.height
            assert small["margin"].null_count() == small.height
    if report.teams.height:
        assert report.teams.filter(pl.col("n") < 5)["suppressed"].all()


def cio_self_assessment_reads_are_refused(w: World):
    from data_access import self_assessments

    with pytest.raises(ScopeError):
        self_assessments.shared_self_assessment(scope=Scope("cio"), analyst_id=w.analyst, url=w.url)
    with pytest.raises(ScopeError):
        self_assessments.self_assessment_history(scope=Scope("cio"), url=w.url)


def admin_reads_no_feedback(w: World):
    from views import my_feedback
    from views import culture

    with pytest.raises(ScopeError):
        stats.response_stats(scope=Scope("admin"), filters=YEAR, url=w.url)
    with pytest.raises(ScopeError):
        culture.culture_report(scope=Scope("admin"), filters=YEAR, url=w.url)
    with pytest.raises(ScopeError):
        my_feedback.my_figures(scope=Scope("admin"), filters=YEAR, url=w.url)


def non_admins_cannot_manage_users(w: World):
    for scope in (w.analyst_scope(), w.lead_scope(), Scope("cio")):
        with pytest.raises(ScopeError):
            list_users(scope=scope, url=w.url)
        with pytest.raises(ScopeError):
            user_writes.add_user(scope=scope, username="sneaky.admin", display_name="Sneaky",
                                 password="a-long-password", roles=("admin",), url=w.url)
    with get_engine(w.url).connect() as conn:
        assert conn.execute(sa.select(schema.app_users.c.user_id)
                            .where(schema.app_users.c.username == "sneaky.admin")).first() is None


DATA_CASES = {f.__name__: f for f in (
    analyst_sees_only_own_responses, analyst_team_distribution_is_unnamed,
    analyst_team_members_have_no_ids, analyst_cannot_widen_with_filters, analyst_comments_are_own_only,
    analyst_sees_only_shared_notes_about_them, lead_my_feedback_reader_refuses_lead_scope,
    lead_sees_named_figures_of_own_team_only,
    lead_other_team_filter_returns_nothing, lead_other_team_analyst_is_refused,
    lead_shared_self_assessment_of_other_team_is_refused, forged_scopes_are_refused,
    cio_has_no_per_analyst_grain, cio_report_has_no_analyst_names_and_suppresses_small_groups,
    cio_self_assessment_reads_are_refused, admin_reads_no_feedback, non_admins_cannot_manage_users,
)}


@pytest.mark.parametrize("case", list(DATA_CASES))
def test_data_layer(case, world):
    DATA_CASES[case](world)


# ---------------------------------------------------------------- self-assessment sharing (writes)

@pytest.fixture
def writable_world(empty_url) -> World:
    """A private small demo warehouse (SQLite and PostgreSQL) the test may write into."""
    demo.generate(get_engine(empty_url), responses=600, seed=7, end=TODAY)
    return _world(empty_url)


def test_lead_sees_self_assessment_only_while_shared(writable_world):
    from data_access.self_assessments import shared_self_assessment
    from data_access.writes.self_assessment import set_sharing, submit_self_assessment
    from views import coaching as coaching_view

    w = writable_world
    ratings = {d: 4 for d in schema.ASSESSMENT_DIMENSIONS}
    submit_self_assessment(scope=w.analyst_scope(), ratings=ratings, note="my private reflection",
                           submission_token=uuid.uuid4().hex, url=w.url)

    def seen_by_lead():
        st.cache_data.clear()
        return shared_self_assessment(scope=w.lead_scope(), analyst_id=w.analyst, url=w.url)

    assert seen_by_lead() is None                                  # private by default
    set_sharing(scope=w.analyst_scope(), shared=True, url=w.url)
    shared = seen_by_lead()
    assert shared is not None and shared.ratings["communication"] == 4
    other_lead = Scope("lead", team_ids=(w.other_team,))
    with pytest.raises(ScopeError):                                # another team's lead: refused
        coaching_view.analyst_detail(scope=other_lead, analyst_id=w.analyst, filters=YEAR, phrase="this year",
                                     url=w.url)
    assert shared_self_assessment(scope=other_lead, analyst_id=w.analyst, url=w.url) is None
    set_sharing(scope=w.analyst_scope(), shared=False, url=w.url)
    assert seen_by_lead() is None                                  # unsharing hides it again


# ---------------------------------------------------------------- navigation: which pages exist

ALL_PATHS = {p.path for p in PAGES}
EXPECTED_PAGES = {
    ("analyst",): {"pages/my_feedback.py", "pages/preferences.py"},
    ("lead", "analyst"): {"pages/coaching.py", "pages/culture_trends.py", "pages/my_feedback.py",
                          "pages/preferences.py"},
    ("cio",): {"pages/culture_trends.py", "pages/preferences.py"},
    ("admin",): {"pages/admin_data.py", "pages/admin_users.py", "pages/preferences.py"},
}


@pytest.mark.parametrize("roles", list(EXPECTED_PAGES), ids=lambda r: "+".join(r))
def test_pages_registered_per_role(roles):
    got = {p.path for p in pages_for(roles, only_existing=False)}
    assert got == EXPECTED_PAGES[roles]
    assert not (ALL_PATHS - got) & got


# ---------------------------------------------------------------- the app, signed in, with tricks

def _app(url: str, monkeypatch, username: str | None, tmp_path) -> AppTest:
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY.isoformat())
    monkeypatch.setenv("SERVICE_PULSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SERVICE_PULSE_COOKIE_KEY", "k" * 8 + uuid.uuid4().hex + uuid.uuid4().hex)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    if username:
        # What the sign-in form leaves behind on the server after a good password.
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
        at.session_state["name"] = username
    return at


def _main_titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def _needs(*paths: str) -> None:
    missing = [p for p in paths if not (ROOT / p).is_file()]
    if missing:
        pytest.skip(f"page not built yet: {', '.join(missing)}")


def test_signed_out_sees_only_the_sign_in_form(demo_url, monkeypatch, tmp_path):
    at = _app(demo_url, monkeypatch, None, tmp_path)
    at.run()
    # No page file is registered: the addresses of the pages exist only to show the sign-in form
    # there (so a link survives the sign-in); none of them runs a page file.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(str(ROOT / "pages/culture_trends.py"))
    assert not at.exception
    assert "viewer" not in at.session_state
    assert [t.label for t in at.text_input] == ["Username", "Password"]


@pytest.mark.parametrize("page_path", sorted(ALL_PATHS))
def test_page_reached_without_navigation_still_needs_a_sign_in(page_path, demo_url, monkeypatch, tmp_path):
    _needs(page_path)
    at = _app(demo_url, monkeypatch, None, tmp_path)
    at.switch_page(str(ROOT / page_path)).run()   # a page file run on its own, without app.py
    assert not at.exception
    # The page sends the run back through app.py, which shows the sign-in form and nothing else.
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert len(at.metric) == 0 and len(at.dataframe) == 0
    assert not {"Coaching", "Culture trends", "My feedback", "Users", "Data", "My settings"} & set(_main_titles(at))


@pytest.mark.parametrize("target", ["pages/coaching.py", "pages/culture_trends.py",
                                    "pages/admin_users.py", "pages/admin_data.py"])
def test_analyst_switch_page_to_forbidden_page_is_refused(target, demo_url, monkeypatch, tmp_path):
    _needs("pages/my_feedback.py")
    w = _world(demo_url)
    at = _app(demo_url, monkeypatch, w.analyst_user, tmp_path)
    at.run()
    with pytest.raises(ValueError, match="Could not find"):
        at.switch_page(str(ROOT / target))
    at.run()
    assert not at.exception
    titles = _main_titles(at)
    assert "My feedback" in titles
    assert not {"Coaching", "Culture trends", "Users", "Data"} & set(titles)


def test_session_state_viewer_tampering_is_overwritten(demo_url, monkeypatch, tmp_path):
    _needs("pages/my_feedback.py", "pages/culture_trends.py")
    w = _world(demo_url)
    at = _app(demo_url, monkeypatch, w.analyst_user, tmp_path)
    at.run()
    # A forged viewer: the analyst pretends to be CIO and a lead of another team.
    at.session_state["viewer"] = Viewer(1, "cio", "Boss", ("cio", "lead", "analyst"),
                                        analyst_id=w.other_analyst, lead_team_ids=(w.other_team,),
                                        own_team_id=w.other_team)
    with pytest.raises(ValueError):                     # still not registered for this person
        at.switch_page(str(ROOT / "pages/culture_trends.py"))
    at.run()
    assert not at.exception
    viewer = at.session_state["viewer"]
    assert viewer.username == w.analyst_user and viewer.roles == ("analyst",)
    assert viewer.analyst_id == w.analyst and viewer.lead_team_ids == ()
    assert "Culture trends" not in _main_titles(at)


def test_query_params_do_not_change_whose_feedback_is_shown(demo_url, monkeypatch, tmp_path):
    _needs("pages/my_feedback.py")
    w = _world(demo_url)
    plain = _app(demo_url, monkeypatch, w.analyst_user, tmp_path)
    plain.run()
    st.cache_data.clear()
    tricked = _app(demo_url, monkeypatch, w.analyst_user, tmp_path)
    for key, value in {"analyst_id": w.other_analyst, "analyst": w.other_analyst,
                       "team": w.other_team, "team_id": w.other_team, "user": "cio",
                       "role": "cio"}.items():
        tricked.query_params[key] = str(value)
    tricked.run()
    assert not tricked.exception and not plain.exception
    assert tricked.session_state["viewer"].analyst_id == w.analyst

    shown = _rendered_strings(tricked)
    assert shown == _rendered_strings(plain)               # the parameters changed nothing at all
    assert any("Happiness" in text for text in shown)      # and the page did show figures
    others = _analyst_names(demo_url, A.c.analyst_id != w.analyst)
    assert _shows_any(tricked, others) == set()


def test_page_file_run_directly_refuses_the_wrong_role(demo_url, monkeypatch, tmp_path):
    _needs("pages/culture_trends.py")
    w = _world(demo_url)
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", demo_url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY.isoformat())
    at = AppTest.from_file(str(ROOT / "pages/culture_trends.py"), default_timeout=90)
    at.session_state["viewer"] = Viewer(7, w.analyst_user, "An Analyst", ("analyst",),
                                        analyst_id=w.analyst, own_team_id=w.team)
    at.run()
    assert not at.exception
    assert any("not available for your role" in e.value for e in at.error)
    assert at.metric.len == 0 if hasattr(at.metric, "len") else len(at.metric) == 0


@pytest.mark.parametrize("admin_page", ["pages/admin_users.py", "pages/admin_data.py"])
def test_admin_pages_refuse_non_admins(admin_page, demo_url, monkeypatch, tmp_path):
    _needs(admin_page)
    w = _world(demo_url)
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", demo_url)
    at = AppTest.from_file(str(ROOT / admin_page), default_timeout=90)
    at.session_state["viewer"] = Viewer(3, w.lead_user, "A Lead", ("lead", "analyst"),
                                        analyst_id=w.lead_analyst, lead_team_ids=(w.team,),
                                        own_team_id=w.team)
    at.run()
    assert any("not available for your role" in e.value for e in at.error)
    assert len(at.dataframe) == 0 and len(at.metric) == 0


def test_disabled_user_is_signed_out_on_next_run(writable_world, monkeypatch, tmp_path):
    _needs("pages/my_feedback.py")
    w = writable_world
    at = _app(w.url, monkeypatch, w.analyst_user, tmp_path)
    at.run()
    assert at.session_state["viewer"].username == w.analyst_user
    user_writes.set_active(scope=Scope("admin"), username=w.analyst_user, active=False, url=w.url)
    at.run()
    assert "viewer" not in at.session_state
    assert [t.label for t in at.text_input] == ["Username", "Password"]


def test_comment_markup_is_shown_literally_on_my_feedback(writable_world, monkeypatch, tmp_path):
    _needs("pages/my_feedback.py")
    w = writable_world
    nasty = "<script>alert('x')</script> **bold** [link](http://evil.example) <b>hi</b>"
    with get_engine(w.url).begin() as conn:
        key = conn.execute(sa.select(R.c.ticket_key).select_from(R.join(T, T.c.ticket_key == R.c.ticket_key))
                           .where(T.c.analyst_id == w.analyst).order_by(R.c.submitted_at.desc())
                           .limit(1)).scalar_one()
        conn.execute(R.update().where(R.c.ticket_key == key)
                     .values(comment=nasty, submitted_at=dt.datetime(2026, 11, 10, 9, 30)))
    at = _app(w.url, monkeypatch, w.analyst_user, tmp_path)
    at.run()
    from components import my_feedback as view

    voices = next(t for t in view.TABS if "say" in t.lower())    # the comments tab runs when open
    at.session_state["my_tab"] = voices
    at.run()
    assert not at.exception
    for md in at.markdown:
        assert "<script>" not in md.value and "**bold**" not in md.value
    as_text = [e.value for e in at.text] + [e.value for e in at.code]
    in_frames = [str(v) for df in at.dataframe for v in df.value.to_numpy().ravel()]
    assert any(nasty in v for v in as_text + in_frames), "the comment is shown, literally"


# ---------------------------------------------------------------- page cases: what is on screen

def _rendered_strings(at: AppTest) -> list[str]:
    """Every piece of text the page shows: headings, text, alerts, metrics, tables, widget options."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "code", "info",
                 "warning", "error", "success"):
        out += [str(e.value) for e in getattr(at, kind)]
    for m in at.metric:
        out += [str(m.label), str(m.value)]
    for df in at.dataframe:
        frame = df.value
        out += [str(c) for c in frame.columns] + [str(v) for v in frame.to_numpy().ravel()]
    for box in list(at.selectbox) + list(at.multiselect):
        out += [str(o) for o in box.options]
    return out


def _analyst_names(url: str, *conds) -> set[str]:
    with get_engine(url).connect() as conn:
        return set(conn.execute(sa.select(A.c.name).where(*conds)).scalars())


def _shows_any(at: AppTest, names: set[str]) -> set[str]:
    shown = "\n".join(_rendered_strings(at))
    return {n for n in names if n in shown}


def test_cio_culture_trends_shows_no_analyst_names(demo_url, monkeypatch, tmp_path):
    _needs("pages/culture_trends.py")
    at = _app(demo_url, monkeypatch, "cio", tmp_path)
    at.run()
    assert not at.exception
    assert "Culture trends" in _main_titles(at)
    assert len(at.metric) or len(at.dataframe)               # the page did show figures
    assert _shows_any(at, _analyst_names(demo_url)) == set()


def test_lead_coaching_with_forged_analyst_in_session_state(demo_url, monkeypatch, tmp_path):
    _needs("pages/coaching.py")
    w = _world(demo_url)
    at = _app(demo_url, monkeypatch, w.lead_user, tmp_path)
    at.run()
    # Tampering: another team's analyst id put into the page's own keys, on the Analyst tab.
    at.session_state["coaching_analyst"] = w.other_analyst
    at.session_state["coaching_analyst_detail"] = w.other_analyst
    at.session_state["coaching_tab"] = "Analyst"
    at.run()
    assert not at.exception
    pickers = [b for b in at.selectbox if b.label == "Analyst"]
    assert pickers and all(b.value in w.team_analysts for b in pickers)   # the forged id was not used
    other_names = _analyst_names(demo_url, A.c.team_id != w.team)
    assert _shows_any(at, other_names) == set()
    assert _shows_any(at, _analyst_names(demo_url, A.c.team_id == w.team))   # own team, named


def test_lead_coaching_with_forged_query_params(demo_url, monkeypatch, tmp_path):
    _needs("pages/coaching.py")
    w = _world(demo_url)
    at = _app(demo_url, monkeypatch, w.lead_user, tmp_path)
    for key in ("analyst_id", "analyst", "coaching_analyst"):
        at.query_params[key] = str(w.other_analyst)
    at.query_params["team"] = str(w.other_team)
    at.query_params["team_id"] = str(w.other_team)
    at.run()
    assert not at.exception
    assert "Coaching" in _main_titles(at)
    assert _shows_any(at, _analyst_names(demo_url, A.c.team_id != w.team)) == set()


def test_lead_culture_trends_is_limited_to_own_team(demo_url, monkeypatch, tmp_path):
    _needs("pages/culture_trends.py")
    w = _world(demo_url)
    at = _app(demo_url, monkeypatch, w.lead_user, tmp_path)
    at.run()
    at.switch_page(str(ROOT / "pages/culture_trends.py"))
    at.query_params["team"] = str(w.other_team)
    at.run()
    assert not at.exception
    with get_engine(demo_url).connect() as conn:
        other_team_names = set(conn.execute(sa.select(schema.teams.c.name)
                                            .where(schema.teams.c.team_id != w.team)).scalars())
    shown = "\n".join(_rendered_strings(at))
    assert not {n for n in other_team_names if n in shown}
    me = at.session_state["viewer"].display_name                  # in the sidebar, by design
    assert _shows_any(at, _analyst_names(demo_url) - {me}) == set()   # trends never name people


def test_comment_markup_is_shown_literally_on_coaching(writable_world, monkeypatch, tmp_path):
    _needs("pages/coaching.py")
    w = writable_world
    nasty = "<img src=x onerror=alert(1)> # Heading *stars* `code` <script>steal()</script>"
    with get_engine(w.url).begin() as conn:
        key = conn.execute(sa.select(R.c.ticket_key).select_from(R.join(T, T.c.ticket_key == R.c.ticket_key))
                           .where(T.c.analyst_id == w.analyst).order_by(R.c.submitted_at.desc())
                           .limit(1)).scalar_one()
        conn.execute(R.update().where(R.c.ticket_key == key)
                     .values(comment=nasty, submitted_at=dt.datetime(2026, 11, 12, 10, 0)))  # in the last full week
    at = _app(w.url, monkeypatch, w.lead_user, tmp_path)
    at.run()
    at.session_state["coaching_analyst"] = w.analyst
    at.session_state["coaching_tab"] = "Analyst"
    at.run()
    assert not at.exception
    assert [b.value for b in at.selectbox if b.label == "Analyst"] == [w.analyst]
    for md in list(at.markdown) + list(at.caption):
        assert "<script>" not in md.value and "<img" not in md.value
    as_text = [e.value for e in at.text] + [e.value for e in at.code]
    in_frames = [str(v) for df in at.dataframe for v in df.value.to_numpy().ravel()]
    assert any(nasty in v for v in as_text + in_frames), "the comment is shown, literally"
