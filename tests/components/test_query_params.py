"""URL parameters: the validated parsers, the known crashes, and random values fed to every
parameter of every page for every role (AppTest): a notice at most, never an exception."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from components import query_params as qp
from components.query_params import PAGE_PARAMS, parse_choice, parse_date, parse_int, parse_month
from components.text import literal
from data_access import demo
from data_access.engine import get_engine
from tests.pages.roles import PAGE_ROLES, TITLES, page_app, viewer_as

TODAY = dt.date(2026, 11, 20)
ALL_PARAMS = sorted({name for names in PAGE_PARAMS.values() for name in names} | {"digest", "analyst_id"})


# ---------------------------------------------------------------- parsers

@pytest.mark.parametrize("raw, expected", [("1", 1), (" 42 ", 42), ("2147483647", 2**31 - 1)])
def test_parse_int_accepts_ascii_whole_numbers_in_range(raw, expected):
    assert parse_int(raw) == expected


@pytest.mark.parametrize("raw", ["²", "١٢", "0", "-1", "+3", "1.0", "1e3", "", " ", "2147483648",
                                 "9" * 30, "0x10", "1_000", "١"])
def test_parse_int_refuses_everything_else(raw):
    with pytest.raises(ValueError):
        parse_int(raw)


def test_parse_date_range_and_format():
    assert parse_date("2026-11-08", latest=TODAY) == dt.date(2026, 11, 8)
    for raw in ["2099-01-01", "0001-01-01", "1999-12-31", "2026-02-30", "2026-11-21", "20261108",
                "2026-11-08T00:00", "９９９９-01-01", "2026-1-8", ""]:
        with pytest.raises(ValueError):
            parse_date(raw, latest=TODAY)


def test_parse_month_range_and_format():
    assert parse_month("2026-11", latest=TODAY) == dt.date(2026, 11, 1)
    assert parse_month("2026-10-31", latest=TODAY) == dt.date(2026, 10, 1)
    assert parse_month("2000-01", latest=TODAY) == dt.date(2000, 1, 1)
    for raw in ["0001-01", "9999-12", "2026-12", "2026-13", "2026-00", "1999-12", "26-11", "2026/11"]:
        with pytest.raises(ValueError):
            parse_month(raw, latest=TODAY)


def test_parse_choice_ignores_case_only():
    tabs = {"overview": "Overview", "notes": "Notes"}
    assert parse_choice(" NOTES ", tabs) == "Notes"
    with pytest.raises(ValueError):
        parse_choice("note", tabs)


def test_shorten_cuts_long_values():
    assert qp.shorten("x" * 100) == "x" * 40 + "…"


def test_every_page_is_listed():
    assert sorted(PAGE_PARAMS) == sorted({page for page, _ in PAGE_ROLES})


# ---------------------------------------------------------------- pages

@pytest.fixture(scope="module")
def small_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('links') / 'demo.sqlite'}"
    demo.generate(get_engine(url), responses=1500, seed=7, end=TODAY)
    return url


def _rendered(at, page: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title][:1] == [TITLES[page]]


@pytest.mark.parametrize("page, role, params, notice", [
    ("pages/coaching.py", "lead", {"analyst": "²"}, "analyst “²”"),
    ("pages/coaching.py", "lead", {"analyst": "99999999999999999999"}, "analyst “99999999999999999999”"),
    ("pages/coaching.py", "lead", {"tab": "secret"}, "tab “secret”"),
    ("pages/preferences.py", "lead", {"week_ending": "2099-01-01"}, "week ending “2099-01-01”"),
    ("pages/preferences.py", "lead", {"week_ending": "0001-01-01"}, "week ending “0001-01-01”"),
    ("pages/preferences.py", "cio", {"month": "0001-01"}, "month “0001-01”"),
    ("pages/preferences.py", "cio", {"month": "9999-12"}, "month “9999-12”"),
    ("pages/culture_trends.py", "cio", {"period": "custom", "from": "0001-01-01", "to": "9999-12-31"},
     "start date 0001-01-01 (outside 2000 to today)"),
    ("pages/culture_trends.py", "cio", {"team": "²,1e3"}, "team “²”"),
])
def test_known_bad_links_show_a_notice_and_the_page(small_url, monkeypatch, page, role, params, notice):
    at = page_app(small_url, monkeypatch, page, viewer_as(small_url, role), params)
    _rendered(at, page)
    warnings = [w.value for w in at.warning]
    assert any(w.startswith(qp.NOTICE) and literal(notice) in w for w in warnings), warnings


def test_preferences_falls_back_to_last_week_and_last_month(small_url, monkeypatch):
    lead = page_app(small_url, monkeypatch, "pages/preferences.py", viewer_as(small_url, "lead"),
                    {"week_ending": "2099-01-01"})
    assert lead.date_input(key="settings_week_ending").value == dt.date(2026, 11, 19)
    cio = page_app(small_url, monkeypatch, "pages/preferences.py", viewer_as(small_url, "cio"),
                   {"month": "9999-12"})
    assert cio.selectbox(key="settings_month").value == dt.date(2026, 10, 1)


def test_a_good_link_still_works(small_url, monkeypatch):
    at = page_app(small_url, monkeypatch, "pages/preferences.py", viewer_as(small_url, "cio"), {"month": "2026-07"})
    _rendered(at, "pages/preferences.py")
    assert at.selectbox(key="settings_month").value == dt.date(2026, 7, 1)
    assert not at.warning


ODD_VALUES = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789²³¹١٢٣०१९-", min_size=1, max_size=25),
    st.from_regex(r"[0-9]{1,4}-[0-9]{1,2}(-[0-9]{1,2})?", fullmatch=True),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["", " ", "custom", "90d", "analyst", "notes", "2099-01-01", "0001-01-01", "0001-01",
                     "9999-12", "9999-12-31", "2026-02-30", "1,2,3", "%00", "\u202e", "x" * 5000]),
)


@pytest.mark.slow
@pytest.mark.parametrize("page, role", PAGE_ROLES)
def test_random_link_values_never_break_a_page(small_url, monkeypatch, page, role):
    viewer = viewer_as(small_url, role)
    own = PAGE_PARAMS[page] or tuple(ALL_PARAMS)

    @settings(max_examples=6, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(params=st.dictionaries(st.sampled_from(own) | st.sampled_from(ALL_PARAMS), ODD_VALUES,
                                  min_size=1, max_size=4))
    @example(params={name: "²" for name in own})
    @example(params={name: "9" * 400 for name in own})
    def run(params):
        at = page_app(small_url, monkeypatch, page, viewer, params)
        _rendered(at, page)

    run()


def test_pages_read_the_url_only_through_the_validated_layer():
    """`st.query_params` is touched only by components/query_params.py, the filter bar and the
    drill-through's `read` (both parse with the same functions and write the canonical link back)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    # The survey entry reads only its signed link token, which it checks with an HMAC before any
    # use (data_access/surveys/tokens.py); every other parameter goes through the validated layer.
    allowed = {"components/query_params.py", "components/filters.py", "components/drill_link.py",
               "components/survey_entry.py"}
    users = set()
    for path in [root / "app.py", *(root / "pages").glob("*.py"), *(root / "components").glob("*.py")]:
        rel = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "query_params" and \
                    isinstance(node.value, ast.Name) and node.value.id == "st":
                users.add(rel)
    assert users <= allowed, users - allowed
