"""Argument types for dates on the command line: checked while the arguments are read, so a
wrong one stops with a usage error before any command has done anything."""

from __future__ import annotations

import argparse
import datetime as dt
import re


def iso_date(text: str) -> dt.date:
    """A day written YYYY-MM-DD."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}")


def year_month(text: str) -> dt.date:
    """A month written YYYY-MM, as its first day."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return dt.date.fromisoformat(text + "-01")
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"expected a month as YYYY-MM, got {text!r}")
