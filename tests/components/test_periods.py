"""One meaning of every period preset: the same half-open range on Culture trends, Coaching and
My feedback, with hand-computed starts (calendar months for "Last N months")."""

from __future__ import annotations

import datetime as dt

import pytest

from components import coaching, filters, my_feedback
from metrics import periods

D = dt.date


@pytest.mark.parametrize(("today", "preset", "start"), [
    (D(2026, 11, 20), "90d", D(2026, 8, 23)),
    (D(2026, 11, 20), "6m", D(2026, 6, 1)),
    (D(2026, 11, 20), "12m", D(2025, 12, 1)),
    (D(2026, 11, 20), "24m", D(2024, 12, 1)),
    (D(2026, 11, 20), "36m", D(2023, 12, 1)),
    (D(2026, 11, 20), "ytd", D(2026, 1, 1)),
    (D(2026, 11, 20), "30d", D(2026, 10, 22)),
    (D(2026, 1, 5), "12m", D(2025, 2, 1)),
    (D(2024, 2, 29), "12m", D(2023, 3, 1)),
    (D(2026, 12, 31), "6m", D(2026, 7, 1)),
    (D(2026, 1, 1), "ytd", D(2026, 1, 1)),
])
def test_preset_ranges_are_hand_computed(today, preset, start):
    assert periods.preset_range(preset, today) == (start, today + dt.timedelta(days=1))


def test_unknown_preset_is_refused():
    with pytest.raises(KeyError):
        periods.preset_range("13m", D(2026, 11, 20))


@pytest.mark.parametrize("today", [D(2026, 11, 20), D(2026, 1, 1), D(2024, 2, 29), D(2026, 12, 31),
                                   D(2027, 3, 31)])
@pytest.mark.parametrize("preset", ["90d", "12m", "ytd"])
def test_every_page_selects_the_same_range(today, preset):
    """Coaching, My feedback and the filter bar's preset query the same [start, end); Culture
    trends then trims it to whole weeks (next test). The answers each page counts, edges
    included: tests/views/test_period_everywhere.py."""
    culture = filters.to_filters(filters.FilterState(preset=preset), today)
    lead = coaching.period_for(preset, today).filters
    analyst = my_feedback.period_range(preset, today)
    assert (culture.start, culture.end) == (lead.start, lead.end) == (analyst.start, analyst.end)
    assert (culture.start, culture.end) == periods.preset_range(preset, today)


@pytest.mark.parametrize("today", [D(2026, 11, 20), D(2026, 1, 1), D(2024, 2, 29), D(2027, 3, 31)])
@pytest.mark.parametrize("preset", ["90d", "12m", "ytd"])
def test_the_org_view_is_the_same_period_in_whole_weeks(today, preset):
    """The CIO's view (weeks=True) trims the same preset to whole weeks, up to the last full one,
    so that two links never differ by a few days of answers (docs/PRIVACY.md): "Last 12 months"
    starts in the first week of the same months, "Last 90 days" is the 13 whole weeks before this
    one, and both end at most a week before the personal pages' range."""
    same = periods.preset_range(preset, today)
    org = filters.to_filters(filters.FilterState(preset=preset), today, weeks=True)
    assert org.start.weekday() == 0 and org.end.weekday() == 0
    assert same[1] - dt.timedelta(days=7) <= org.end <= same[1]
    if preset == "12m":
        assert same[0] <= org.start < same[0] + dt.timedelta(days=7)
    elif preset == "90d":
        assert (org.end - org.start).days == 91


def test_coaching_words_follow_the_preset():
    period = coaching.period_for("12m", D(2026, 11, 20))
    assert (period.label, period.phrase) == ("Last 12 months", "in the last 12 months")
    assert coaching.period_for("ytd", D(2026, 11, 20)).phrase == "this year"
    assert coaching.period_for("nonsense", D(2026, 11, 20)).label == "Last 90 days"
