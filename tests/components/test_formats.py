"""The one home of the number formats (`components.formats`): exact strings, one "no figure" dash."""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
from pathlib import Path

import pytest

from components import formats

ROOT = Path(__file__).resolve().parents[2]
DASH = "\u2014"  # EM DASH: the only "no figure" mark; the en dash "\u2013" is for ranges


def test_the_no_figure_mark_is_the_em_dash():
    assert formats.NO_VALUE == DASH and "\u2013" not in DASH


@pytest.mark.parametrize("fmt", [formats.signed, formats.percent, formats.hours, formats.minutes,
                                 formats.money, formats.number, formats.day, formats.moment, formats.channel])
def test_every_format_writes_the_em_dash_for_no_figure(fmt):
    assert fmt(None) == DASH


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_not_a_number_is_no_figure_either(value):
    assert (formats.signed(value), formats.hours(value), formats.percent(value)) == (DASH, DASH, DASH)


@pytest.mark.parametrize("value, expected", [
    (32.4, "+32"), (-5.2, "-5"), (0.4, "0"), (-0.4, "0"), (0.0, "0"), (1234.0, "+1,234"), (99.5, "+100"),
])
def test_signed_points(value, expected):
    assert formats.signed(value) == expected


def test_signed_points_of_a_column_read_as_signed_does():
    import polars as pl

    values = [32.4, -5.2, 0.4, -0.4, 12.5, 13.5, -99.6, None]
    got = pl.DataFrame({"h": values}, schema={"h": pl.Float64}).select(formats.signed_points(pl.col("h")).alias("h"))["h"]
    assert got.to_list() == ["+32", "-5", "0", "0", "+12", "+14", "-100", None]
    assert got.to_list()[:-1] == [formats.signed(v) for v in values[:-1]]


def test_signed_points_of_nan_or_infinite_is_no_figure_not_an_error():
    import polars as pl

    values = [float("nan"), float("inf"), -float("inf"), 7.6]
    got = pl.DataFrame({"h": values}).select(formats.signed_points(pl.col("h")).alias("h"))["h"]
    assert got.to_list() == [None, None, None, "+8"]
    assert [formats.signed(v) for v in values] == [formats.NO_VALUE] * 3 + ["+8"]


def test_signed_with_decimals_never_shows_minus_zero():
    assert formats.signed(0.123, decimals=2) == "+0.12"
    assert formats.signed(-0.004, decimals=2) == "0.00"


@pytest.mark.parametrize("share, decimals, expected", [
    (0.234, 0, "23%"), (0.0, 0, "0%"), (1.0, 0, "100%"), (0.045, 1, "4.5%"), (0.1234, 1, "12.3%"),
])
def test_percent(share, decimals, expected):
    assert formats.percent(share, decimals) == expected


def test_interval_is_a_range_with_the_en_dash_and_widens_its_digits_when_narrow():
    assert formats.interval(0.16, 0.2) == "95% CI 16–20%"
    assert formats.interval(0.131, 0.139) == "95% CI 13.1–13.9%"  # not "13–14%"
    assert formats.interval(None, 0.2) == "" and formats.interval(0.1, None) == ""


@pytest.mark.parametrize("half_width, n, expected", [
    (4.2, 1234, "± 4 (n = 1,234)"), (0.94, 50_000, "± 0.9 (n = 50,000)"), (None, 7, "n = 7"),
    (0.0, 5, "n = 5, all answers alike, no margin at this size"),
    (math.nan, 7, "n = 7"), (math.inf, 1234, "n = 1,234"), (4.2, None, "± 4"), (4.2, math.nan, "± 4"),
    (None, None, DASH), (math.nan, None, DASH), (math.nan, math.nan, DASH),
])
def test_margin_never_claims_certainty(half_width, n, expected):
    assert formats.margin(half_width, n) == expected


def test_margin_of_nothing_is_the_dash_alone():
    assert formats.margin(math.nan) == DASH and formats.margin(None) == DASH


@pytest.mark.parametrize("half_width, expected", [(6.4, "6"), (0.94, "0.9"), (0.95, "1"), (0.04, "0.0"),
                                                  (None, DASH), (math.nan, DASH)])
def test_plus_minus_keeps_a_decimal_below_one_point(half_width, expected):
    assert formats.plus_minus(half_width) == expected


def test_the_comparison_tiles_share_one_detail_line():
    from components.culture_first_screen import comparison_detail
    from metrics.trends import PeriodChange

    change = PeriodChange(current=40.0, previous=28.4, change=11.6, change_margin=6.2, current_n=1500,
                          previous_n=1204)
    assert comparison_detail(change, "before") == "± 6 · clear change · before +28 (n = 1,204)"
    noise = PeriodChange(current=1.0, previous=0.6, change=0.4, change_margin=0.9, current_n=9000, previous_n=8800)
    assert comparison_detail(noise, "then") == "± 0.9 · within noise · then +1 (n = 8,800)"


# One rule for time amounts: round to a tenth first, keep that tenth only below 10.
@pytest.mark.parametrize("value, expected", [
    (1234.4, "1,234 h"), (0.2, "0.2 h"), (12_345_678.0, "12,345,678 h"), (13.33, "13 h"), (9.97, "10 h"),
    (9.94, "9.9 h"), (10.4, "10 h"), (7.0, "7.0 h"), (-0.04, "0.0 h"),
])
def test_hours(value, expected):
    assert formats.hours(value) == expected


@pytest.mark.parametrize("value, expected", [
    (7.46, "7.5 min"), (42.0, "42 min"), (1250.0, "1,250 min"), (9.96, "10 min"), (9.97, "10 min"),
    (9.94, "9.9 min"), (10.5, "10 min"), (99.5, "100 min"), (0.04, "0.0 min"),
])
def test_minutes(value, expected):
    assert formats.minutes(value) == expected


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_no_figure_has_no_unit_and_no_currency(value):
    assert (formats.minutes(value), formats.hours(value)) == (DASH, DASH)
    assert (formats.money(value, "EUR"), formats.money(value, "EUR", compact=True), formats.money(value)) == \
        (DASH, DASH, DASH)
    assert formats.money(None, "EUR") == DASH


@pytest.mark.parametrize("amount, currency, compact, expected", [
    (12_345.4, "EUR", False, "EUR 12,345"),
    (12_345.4, "", False, "12,345"),
    (1_684_000.0, "EUR", True, "EUR 1.68 M"),
    (685_200.0, "CHF", True, "CHF 685 k"),
    (99_999.0, "EUR", True, "EUR 99,999"),
    (1_684_000.0, "", True, "1.68 M"),
])
def test_money(amount, currency, compact, expected):
    assert formats.money(amount, currency, compact=compact) == expected


def test_dates_read_day_month_year_without_seconds():
    assert formats.day(dt.date(2026, 11, 3)) == "3 Nov 2026"
    assert formats.moment(dt.datetime(2026, 11, 3, 14, 5, 59)) == "3 Nov 2026, 14:05"


def test_the_format_module_loads_neither_streamlit_nor_another_app_layer():
    """Reports and digest e-mails import it: it must stay plain Python."""
    check = ("import sys, components.formats\n"
             "bad = [m for m in sys.modules if m.split('.')[0] in ('streamlit', 'views', 'data_access', 'pages', "
             "'reports', 'notify', 'metrics')]\n"
             "sys.exit(str(bad) if bad else 0)")
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr or done.stdout


def test_a_zero_margin_never_reads_as_certainty():
    from components.formats import plus_minus, signed_with_margin

    assert plus_minus(0.0) == "?" and plus_minus(0.3) == "0.3" and plus_minus(6.4) == "6"
    assert signed_with_margin(100.0, 0.0) == "+100 (all alike)"
    assert signed_with_margin(34.0, 6.2) == "+34 ± 6" and signed_with_margin(-3.0, 0.5) == "-3 ± 0.5"
