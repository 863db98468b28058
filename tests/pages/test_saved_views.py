"""Culture trends: "Copy link" gives the filter link; saved views are per person, validated on
opening like any link, and deletable. On the hand-made warehouse of test_culture_trends."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from components.viewer import Viewer
from data_access import saved_views, schema
from data_access.engine import get_engine
from data_access.writes import InvalidInput
from tests.pages.test_culture_trends import CIO, page, warehouse  # noqa: F401  (fixtures)

OTHER_CIO = Viewer(user_id=2, username="cio2", display_name="Sam Lee", roles=("cio",))


@pytest.fixture
def users(warehouse):  # noqa: F811
    with get_engine(warehouse).begin() as conn:
        conn.execute(schema.app_users.insert(), [
            dict(user_id=v.user_id, username=v.username, display_name=v.display_name, password_hash="x",
                 created_at=dt.datetime(2026, 1, 1)) for v in (CIO, OTHER_CIO)])
    return warehouse


def _stored(url: str) -> list[tuple[int, str, str, str]]:
    V = schema.saved_views
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(V.c.user_id, V.c.page, V.c.name, V.c.query)
                                               .order_by(V.c.user_id, V.c.name))]


def _happiness(at) -> str:
    return next(m.value for m in at.metric if m.label == "Happiness")


def test_copy_link_gives_the_current_filter_link(users, page):  # noqa: F811
    at = page(params={"channel": "phone", "period": "90d"})
    assert at.code[0].value == "/culture-trends?period=90d&channel=phone"
    at.multiselect(key="trends_channels").set_value([]).run()
    assert at.code[0].value == "/culture-trends?period=90d"


def test_save_open_and_delete_a_view(users, page):  # noqa: F811
    at = page(params={"channel": "phone"})
    assert _happiness(at) == "-40"
    at.text_input(key="trends_view_name").input("  Phones   only ")
    at.button(key="trends_view_save").click().run()
    assert _stored(users) == [(1, "culture-trends", "Phones only", "channel=phone")]
    assert [s.value for s in at.success] == ["Saved “Phones only”."]

    fresh = page()  # a new session on the plain link
    assert _happiness(fresh) == "+30" and fresh.selectbox(key="trends_view_pick").options == ["Phones only"]
    fresh.selectbox(key="trends_view_pick").select("Phones only").run()
    fresh.button(key="trends_view_open").click().run()
    assert _happiness(fresh) == "-40"
    assert fresh.multiselect(key="trends_channels").value == ["phone"]
    assert fresh.query_params["channel"] in ("phone", ["phone"])

    fresh.selectbox(key="trends_view_pick").select("Phones only").run()
    fresh.button(key="trends_view_delete").click().run()
    assert _stored(users) == []
    assert [s.value for s in fresh.success] == ["Deleted “Phones only”."]


def test_views_are_per_person(users, page):  # noqa: F811
    saved_views.save_view(user_id=1, page="culture-trends", name="Mine", params={"type": "request"},
                          now=dt.datetime(2026, 11, 20), url=users)
    other = page(OTHER_CIO)
    assert "trends_view_pick" not in [s.key for s in other.selectbox] and "No saved views yet." in [c.value for c in other.caption]
    assert saved_views.delete_view(user_id=2, page="culture-trends", name="Mine", url=users) is False
    assert _stored(users) == [(1, "culture-trends", "Mine", "type=request")]


def test_a_tampered_view_is_validated_like_a_link(users, page):  # noqa: F811
    with get_engine(users).begin() as conn:
        conn.execute(schema.saved_views.insert().values(
            user_id=1, page="culture-trends", name="Odd", saved_at=dt.datetime(2026, 11, 1),
            query="channel=fax&channel=phone&team=999&service=%C2%B2&evil=1"))
    at = page()
    at.selectbox(key="trends_view_pick").select("Odd").run()
    at.button(key="trends_view_open").click().run()
    assert not at.exception
    assert at.multiselect(key="trends_channels").value == ["phone"]
    assert at.multiselect(key="trends_teams").value == [] and at.multiselect(key="trends_services").value == []
    assert [w.value for w in at.warning] == [
        "Some values in the link were not understood and are ignored: channel “fax”; service “²”; team “999”."]
    assert "evil" not in at.query_params


def test_names_are_checked():
    assert saved_views.clean_name("  a \t b ") == "a b"
    for bad, message in (("   ", "Give the view a name."), ("x" * 81, "at most 80 characters"),
                         ("a\x00b", "control characters")):
        with pytest.raises(InvalidInput, match=message):
            saved_views.clean_name(bad)


def test_at_most_thirty_views_per_page(users):
    for i in range(saved_views.MAX_VIEWS):
        saved_views.save_view(user_id=1, page="culture-trends", name=f"v{i}", params={}, now=dt.datetime(2026, 11, 1),
                              url=users)
    saved_views.save_view(user_id=1, page="culture-trends", name="v3", params={"type": "incident"},
                          now=dt.datetime(2026, 11, 2), url=users)  # replacing one is fine
    with pytest.raises(InvalidInput, match="30 saved views"):
        saved_views.save_view(user_id=1, page="culture-trends", name="one more", params={},
                              now=dt.datetime(2026, 11, 2), url=users)
    assert ("v3", "type=incident") in saved_views.list_views(user_id=1, page="culture-trends", url=users)


def test_a_database_lost_while_deleting_is_explained(users, page, monkeypatch):
    from data_access.engine import DatabaseUnavailable

    saved_views.save_view(user_id=1, page="culture-trends", name="Mine", params={"type": "request"},
                          now=dt.datetime(2026, 11, 20), url=users)
    at = page()

    def down(**_):
        raise DatabaseUnavailable("The database cannot be reached right now.")

    monkeypatch.setattr(saved_views, "delete_view", down)
    at.selectbox(key="trends_view_pick").select("Mine").run()
    at.button(key="trends_view_delete").click().run()
    assert not at.exception
    assert [w.value for w in at.warning] == ["The database cannot be reached right now."]


def test_a_view_tampered_with_too_many_fields_opens_as_the_plain_link(users, page):
    """More fields than the filters could ever need: read as no filter at all, never a traceback."""
    with get_engine(users).begin() as conn:
        conn.execute(schema.saved_views.insert().values(
            user_id=1, page="culture-trends", name="Long", saved_at=dt.datetime(2026, 11, 1),
            query="&".join(["channel=phone"] * 40)))
    at = page(params={"channel": "phone"})
    at.selectbox(key="trends_view_pick").select("Long").run()
    at.button(key="trends_view_open").click().run()
    assert not at.exception
    assert at.multiselect(key="trends_channels").value == []
    assert _happiness(at) == "+30"


# ---- a view saved while a month's or a factor's responses are open reopens them (`?read=`)

def test_a_view_saved_while_reading_a_month_reopens_its_responses(users, page):  # noqa: F811
    from tests.pages.test_culture_drill import REDACTED, _drill_markdown, _with_comments
    from components.text import literal
    from views.drill import DrillTarget

    _with_comments(users, small_cell=False)
    at = page(params={"channel": "phone", "read": "month-2026-10"})
    assert at.selectbox(key="trends_drill_month").value == DrillTarget("month", month=dt.date(2026, 10, 1))
    assert "The view also reopens the month or factor whose responses are open." in [c.value for c in at.caption]
    at.text_input(key="trends_view_name").input("October phones").run()
    at.button(key="trends_view_save").click().run()
    assert _stored(users) == [(1, "culture-trends", "October phones", "channel=phone&read=month-2026-10")]
    assert at.code[0].value == "/culture-trends?channel=phone&read=month-2026-10"

    fresh = page()  # a new session on the plain link: the hotspot cells, nothing being read
    assert fresh.segmented_control(key="trends_drill_kind").value == "cell"
    assert "read" not in fresh.query_params
    fresh.selectbox(key="trends_view_pick").select("October phones").run()
    fresh.button(key="trends_view_open").click().run()
    assert fresh.session_state["trends_tabs"] == "Read responses"
    assert fresh.segmented_control(key="trends_drill_kind").value == "month"
    assert fresh.selectbox(key="trends_drill_month").value == DrillTarget("month", month=dt.date(2026, 10, 1))
    assert fresh.multiselect(key="trends_channels").value == ["phone"]
    assert fresh.query_params["read"] in ("month-2026-10", ["month-2026-10"])
    # October on the phone: tickets 6..10 (VPN × phone, 5 to 9 Oct), comments on 10, 9, 8 and 6,
    # newest first, analysts' names blanked.
    assert "5 responses, 4 with a comment · newest first" in [c.value for c in fresh.caption]
    assert _drill_markdown(fresh) == [literal(REDACTED[k]) for k in (10, 9, 8, 6)]


def test_a_view_without_responses_being_read_closes_the_open_month(users, page):  # noqa: F811
    from tests.pages.test_culture_drill import _with_comments

    _with_comments(users, small_cell=False)
    saved_views.save_view(user_id=1, page="culture-trends", name="Phones", params={"channel": "phone"},
                          now=dt.datetime(2026, 11, 20), url=users)
    at = page(params={"read": "month-2026-10"})
    assert at.segmented_control(key="trends_drill_kind").value == "month"
    at.selectbox(key="trends_view_pick").select("Phones").run()
    at.button(key="trends_view_open").click().run()
    assert at.segmented_control(key="trends_drill_kind").value == "cell"
    assert "read" not in at.query_params
    assert at.multiselect(key="trends_channels").value == ["phone"]
    assert _happiness(at) == "-40"
