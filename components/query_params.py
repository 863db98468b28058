"""URL query parameters, validated: the one place a page turns `?name=value` into a value.

Every parameter is parsed here (integers inside try with a range, ISO dates and months inside a
sane range, names from a fixed set); a value that does not make sense is dropped with a one-line
notice and the page goes on with its default — never an exception. The pure `parse_*` functions
raise ValueError and are tested on their own; `read` applies one to the current URL.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import TypeVar

import streamlit as st

from components.text import literal

T = TypeVar("T")
EARLIEST = dt.date(2000, 1, 1)
MAX_ID = 2**31 - 1          # ids are 32-bit database integers
MAX_RAW = 100               # longer values are not parsed at all
NOTICE = "Some values in the link were not understood and are ignored: "
# ASCII only: "²".isdigit() is true, and int() rejects it; "١٢" (Arabic-Indic digits) int() accepts.
_DIGITS = re.compile(r"[0-9]{1,10}")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")

# The parameters each page reads, for the link-robustness tests and for anyone adding one.
PAGE_PARAMS: dict[str, tuple[str, ...]] = {
    "pages/culture_trends.py": ("period", "from", "to", "type", "channel", "service", "team", "read"),
    "pages/coaching.py": ("tab", "analyst"),
    "pages/preferences.py": ("week_ending", "month"),
    "pages/my_feedback.py": (),
    "pages/admin_data.py": (),
    "pages/admin_users.py": (),
}


def _clean(raw: str) -> str:
    if raw is None or len(raw) > MAX_RAW:
        raise ValueError("missing or too long")
    return raw.strip()


def parse_int(raw: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int:
    """A whole number written with ASCII digits, within [minimum, maximum]."""
    text = _clean(raw)
    if not _DIGITS.fullmatch(text):
        raise ValueError("not a whole number")
    number = int(text)
    if not minimum <= number <= maximum:
        raise ValueError("out of range")
    return number


def parse_date(raw: str, *, earliest: dt.date = EARLIEST, latest: dt.date) -> dt.date:
    """A YYYY-MM-DD date within [earliest, latest]."""
    match = _DATE.fullmatch(_clean(raw))
    if not match:
        raise ValueError("not a YYYY-MM-DD date")
    day = dt.date(*(int(part) for part in match.groups()))  # ValueError for 2026-02-30
    if not earliest <= day <= latest:
        raise ValueError("out of range")
    return day


def parse_month(raw: str, *, earliest: dt.date = EARLIEST, latest: dt.date) -> dt.date:
    """A YYYY-MM month (its first day) within the months of [earliest, latest]."""
    text = _clean(raw)
    if _DATE.fullmatch(text):  # a whole date names its month
        text = text[:7]
    match = _MONTH.fullmatch(text)
    if not match:
        raise ValueError("not a YYYY-MM month")
    month = dt.date(int(match.group(1)), int(match.group(2)), 1)
    if not earliest.replace(day=1) <= month <= latest.replace(day=1):
        raise ValueError("out of range")
    return month


def parse_choice(raw: str, choices: Mapping[str, T]) -> T:
    """One of `choices` by its key, ignoring case and surrounding spaces."""
    text = _clean(raw).lower()
    for key, value in choices.items():
        if key.lower() == text:
            return value
    raise ValueError("not one of the choices")


def read(name: str, parse: Callable[[str], T], default: T, notices: list[str], what: str) -> T:
    """The value of `?name=` parsed by `parse`; `default` when absent or not understood (noted)."""
    if name not in st.query_params:
        return default
    raw = st.query_params.get(name)
    try:
        return parse(raw)
    except (ValueError, TypeError, OverflowError):
        notices.append(f"{what} “{shorten(raw)}”")
        return default


def shorten(raw: object, limit: int = 40) -> str:
    """A bad value cut to a readable length for a notice."""
    text = str(raw)
    return text if len(text) <= limit else text[:limit] + "…"


def show_notice(notices: list[str]) -> None:
    """One warning line naming what the link held that was ignored (values shown as text)."""
    if notices:
        st.warning(NOTICE + literal("; ".join(notices)) + ".", icon=":material/link_off:")
