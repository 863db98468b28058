"""One meaning of every period preset: the same half-open range of whole weeks, up to the last full
one, on Culture trends, Coaching and My feedback, with hand-computed edges."""

from __future__ import annotations

import datetime as dt

import pytest

from components import coaching, filters, my_feedback
from metrics import periods

D = dt.date


NOV_16 = D(2026, 11, 16)  # the Monday of Friday 20 Nov 2026's week, still open: every period ends before it


@pytest.mark.parametrize(("today", "preset", "start", "end"), [
    (D(2026, 11, 20), "90d", D(2026, 8, 17), NOV_16),    # the 13 weeks before this one
    (D(2026, 11, 20), "6m", D(2026, 6, 1), NOV_16),      # 1 Jun 2026 is a Monday
    (D(2026, 11, 20), "12m", D(2025, 12, 1), NOV_16),    # so is 1 Dec 2025
    (D(2026, 11, 20), "24m", D(2024, 12, 2), NOV_16),    # 1 Dec 2024 is a Sunday
    (D(2026, 11, 20), "36m", D(2023, 12, 4), NOV_16),    # 1 Dec 2023 is a Friday
    (D(2026, 11, 20), "ytd", D(2026, 1, 5), NOV_16),     # the year's first Monday
    (D(2026, 11, 20), "30d", D(2026, 10, 12), NOV_16),   # 5 weeks
    (D(2026, 1, 5), "12m", D(2025, 2, 3), D(2026, 1, 5)),     # a Monday: last week has just ended
    (D(2024, 2, 29), "12m", D(2023, 3, 6), D(2024, 2, 26)),   # a leap day (Thursday)
    (D(2026, 12, 31), "6m", D(2026, 7, 6), D(2026, 12, 28)),  # 1 Jul 2026 is a Wednesday
    (D(2026, 1, 1), "ytd", D(2025, 12, 22), D(2025, 12, 29)),  # no whole week of 2026 yet: the last one
])
def test_preset_ranges_are_hand_computed(today, preset, start, end):
    assert periods.preset_range(preset, today) == (start, end)


def test_unknown_preset_is_refused():
    with pytest.raises(KeyError):
        periods.preset_range("13m", D(2026, 11, 20))


@pytest.mark.parametrize("today", [D(2026, 11, 20), D(2026, 1, 1), D(2024, 2, 29), D(2026, 12, 31),
                                   D(2027, 3, 31)])
@pytest.mark.parametrize("preset", ["90d", "12m", "ytd"])
def test_every_page_selects_the_same_range(today, preset):
    """Coaching, My feedback and the filter bar (personal and org view alike) query the same
    [start, end). The answers each page counts, edges included: tests/views/test_period_everywhere.py."""
    culture = filters.to_filters(filters.FilterState(preset=preset), today)
    lead = coaching.period_for(preset, today).filters
    analyst = my_feedback.period_range(preset, today)
    org = filters.to_filters(filters.FilterState(preset=preset), today, weeks=True)
    assert (culture.start, culture.end) == (lead.start, lead.end) == (analyst.start, analyst.end) == (org.start, org.end)
    assert (culture.start, culture.end) == periods.preset_range(preset, today)


@pytest.mark.parametrize("today", [D(2026, 11, 20), D(2026, 1, 1), D(2024, 2, 29), D(2027, 3, 31)])
@pytest.mark.parametrize("preset", ["90d", "12m", "ytd"])
def test_every_period_is_whole_weeks_ending_before_this_week(today, preset):
    """Two links never differ by a few days of answers (docs/PRIVACY.md): a period starts on a
    Monday, ends with the last full week, and "Last 12 months" starts in the first week of its
    first month, "Last 90 days" is 13 weeks."""
    start, end = periods.preset_range(preset, today)
    assert start.weekday() == 0 and end == today - dt.timedelta(days=today.weekday())
    first = periods.months_back(today, 11)
    if preset == "12m":
        assert first <= start < first + dt.timedelta(days=7)
    elif preset == "90d":
        assert (end - start).days == 91


def test_coaching_words_follow_the_preset():
    period = coaching.period_for("12m", D(2026, 11, 20))
    assert (period.label, period.phrase) == ("Last 12 months", "in the last 12 months")
    assert coaching.period_for("ytd", D(2026, 11, 20)).phrase == "this year"
    assert coaching.period_for("nonsense", D(2026, 11, 20)).label == "Last 90 days"


def _picked_period_captions(script, monkeypatch) -> list[str]:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-20")
    at = AppTest.from_function(script).run()
    assert not at.exception
    return [c.value.replace("\\", "") for c in at.caption]  # shown as text: markup characters escaped


def test_the_personal_pages_print_the_weeks_they_cover(monkeypatch):
    def my_feedback_picker():
        from components import my_feedback
        my_feedback.period_picker()

    def coaching_picker():
        from components import coaching
        coaching.period_picker("p")

    assert _picked_period_captions(my_feedback_picker, monkeypatch) == [
        "1 Dec 2025 – 15 Nov 2026 (whole weeks, up to the last full one: this week's answers count from next Monday)"]
    assert _picked_period_captions(coaching_picker, monkeypatch) == [
        "17 Aug 2026 – 15 Nov 2026 (whole weeks, up to the last full one)"]


def test_coaching_names_the_weeks_of_its_default_period(monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-20")
    assert coaching.default_period_words() == "the last 90 days (17 Aug 2026 – 15 Nov 2026, whole weeks)"
