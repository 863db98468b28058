"""Period presets with one meaning on every page.

"Last 90 days" is the 90 days ending today; "Last N months" is this calendar month and the N − 1
whole months before it, so a trend's months are never cut; "Year to date" starts on 1 January.
Every range is half-open, [start, end), and ends with today (inclusive). Culture trends, Coaching
and My feedback all pick their periods here (docs/METRICS.md, "Periods"); Culture trends, an org
view under disclosure control, trims them to whole weeks (`closed_weeks`).
"""

from __future__ import annotations

import datetime as dt

LABELS: dict[str, str] = {
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "6m": "Last 6 months",
    "12m": "Last 12 months",
    "24m": "Last 24 months",
    "36m": "Last 36 months",
    "ytd": "Year to date",
}
DAYS = {"30d": 30, "90d": 90}
MONTHS = {"6m": 6, "12m": 12, "24m": 24, "36m": 36}


def months_back(day: dt.date, months: int) -> dt.date:
    """The first day of the calendar month `months` before `day`'s month."""
    total = day.year * 12 + day.month - 1 - months
    return dt.date(total // 12, total % 12 + 1, 1)


def preset_range(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """Half-open [start, end) of a preset ending with `today`; an unknown preset raises KeyError."""
    end = today + dt.timedelta(days=1)
    if preset in DAYS:
        return end - dt.timedelta(days=DAYS[preset]), end
    if preset in MONTHS:
        return months_back(today, MONTHS[preset] - 1), end
    if preset == "ytd":
        return dt.date(today.year, 1, 1), end
    raise KeyError(f"unknown period preset {preset!r}")


def closed_weeks(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """Half-open [start, end) of a preset on an org view: whole weeks only, up to the last full one.

    The week still open is left out until it is over (a few answers in it would otherwise make the
    neighbouring-week check withhold the page), and the start moves forward to a Monday so the
    first month gets no sliver of the month before: "last 90 days" is the 13 weeks before this
    one, "last 12 months" starts on the first Monday of the month 11 months back, "year to date"
    on the year's first Monday. While no whole week of the year has ended, year to date is the
    last whole week (docs/PRIVACY.md).
    """
    end = today - dt.timedelta(days=today.weekday())  # this week's Monday: the open week is left out
    if preset in DAYS:
        return end - dt.timedelta(weeks=-(-DAYS[preset] // 7)), end
    first = preset_range(preset, today)[0]
    start = first + dt.timedelta(days=-first.weekday() % 7)
    return (start, end) if start < end else (end - dt.timedelta(weeks=1), end)


def phrase(preset: str) -> str:
    """Words for a sentence: 'in the last 90 days', 'this year'."""
    return "this year" if preset == "ytd" else f"in the {LABELS[preset].lower()}"
