"""How one raw value of a setting is read: parsed from text (or a TOML value), checked, and
clamped or refused. Every failure is a `SettingsError` naming where the value came from (the
variable, or the secrets file's key) and what it must be, never the value itself.

`data_access/settings.py` says which settings exist and reads them with these.
"""

from __future__ import annotations

import datetime as dt
import functools
import math


class SettingsError(RuntimeError):
    """A setting that cannot be read; the message names the variable (or secrets key) and the fix."""


def refused(where: str, wanted: str) -> SettingsError:
    # The value itself is not repeated: the app shows this before anyone signs in, and a secret
    # pasted into the wrong variable must not end up on that page.
    return SettingsError(f"{where} must be {wanted}; the value set there is not.")


def as_number(value: object, where: str, kind: type) -> int | float:
    """A whole number (kind int) or a finite number (float) from text or a TOML number."""
    if not isinstance(value, bool) and not (kind is int and isinstance(value, float)):
        try:
            number = kind(value.strip() if isinstance(value, str) else value)
            if kind is int or math.isfinite(number):
                return number
        except (TypeError, ValueError):
            pass
    raise refused(where, "a whole number, like 5" if kind is int else "a number, like 2.5")


as_int = functools.partial(as_number, kind=int)
as_float = functools.partial(as_number, kind=float)


def as_bool(value: object, where: str) -> bool:
    text = str(value).strip().lower()
    if isinstance(value, bool) or text in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        return value if isinstance(value, bool) else text in ("1", "true", "yes", "on")
    raise refused(where, "true or false (also on/off, yes/no, 1/0)")


def as_date(value: object, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise refused(where, "a date written YYYY-MM-DD") from None


def parse_quiet_hours(text: str) -> tuple[dt.time | None, dt.time | None]:
    """'20:00-07:00' → (20:00, 07:00); '' or 'off' → no quiet hours."""
    text = text.strip().lower()
    if text in ("", "off", "none", "no"):
        return None, None
    start, _, end = text.partition("-")
    if not end:
        raise ValueError(f"quiet hours must look like 20:00-07:00, not {text!r}")
    return dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())


def as_quiet_hours(value: object, where: str) -> tuple[dt.time | None, dt.time | None]:
    try:
        return parse_quiet_hours(str(value))
    except ValueError:
        raise refused(where, "a time span like 20:00-07:00, or off") from None


def at_least(parse, floor):
    return lambda value, where: max(parse(value, where), floor)


def within(parse, low, high):
    return lambda value, where: min(max(parse(value, where), low), high)


def cap(default, parse=as_int):
    """An import cap: a non-positive value keeps the default (it cannot mean "import nothing")."""
    return lambda value, where: number if (number := parse(value, where)) > 0 else default


def between(parse, low, high, wanted: str):
    """A value that must lie in [low, high], refused (naming where it came from) outside it: for a
    port, a timeout or a look-back the nearest allowed value would be a guess, not the operator's."""
    def read(value: object, where: str):
        if not low <= (number := parse(value, where)) <= high:
            raise refused(where, wanted)
        return number
    return read
