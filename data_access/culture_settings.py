"""The organisation's Culture trends settings: Happiness target, external reference, cost of lost
time, and dated annotations of known changes — stored in the warehouse's `settings` table.

`validate` turns what an admin typed into settings or a list of reasons; `settings_from` reads
stored values leniently (a value that no longer makes sense is left out, never an error).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from data_access import query, schema
from data_access.dialect import upsert
from data_access.scope import Scope

KEYS = ("happiness_target", "benchmark_value", "benchmark_source", "benchmark_date", "hourly_cost",
        "currency", "hours_per_day", "annotations")
DEFAULT_CURRENCY = "EUR"
DEFAULT_HOURS_PER_DAY = 7.5
MAX_ANNOTATIONS = 20
MAX_LABEL = 60
MAX_SOURCE = 80
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Annotation:
    """A known change (a new tool, a reorganisation) drawn on the trends at its date."""

    day: dt.date
    label: str


@dataclass(frozen=True)
class CultureSettings:
    """Everything optional: no target draws no target line, no hourly cost shows hours only."""

    target: float | None = None
    benchmark: float | None = None
    benchmark_source: str = ""
    benchmark_date: dt.date | None = None
    hourly_cost: float | None = None
    currency: str = DEFAULT_CURRENCY
    hours_per_day: float = DEFAULT_HOURS_PER_DAY
    annotations: tuple[Annotation, ...] = field(default_factory=tuple)


# Alike in shape to components.filters._date (parse, note the problem, check the range), not in
# logic: an admin's number with a decimal comma here, a link's date there.
def _number(text: str, what: str, low: float, high: float, errors: list[str]) -> float | None:
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        errors.append(f"{what}: “{text[:20]}” is not a number")
        return None
    if not low <= value <= high:
        errors.append(f"{what} must lie between {low:g} and {high:g}")
        return None
    return value


def _day(text: str, what: str, errors: list[str]) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append(f"{what}: “{text[:20]}” is not a date (YYYY-MM-DD)")
        return None


def _annotations(text: str, errors: list[str]) -> tuple[Annotation, ...]:
    """One annotation per line: `YYYY-MM-DD label`."""
    found: list[Annotation] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        day_text, _, label = line.partition(" ")
        day, label = _day(day_text, f"Annotation line {number}", errors), label.strip()
        if day is None:
            continue
        if not 0 < len(label) <= MAX_LABEL:
            errors.append(f"Annotation line {number}: a label of 1 to {MAX_LABEL} characters after the date")
            continue
        found.append(Annotation(day, label))
    if len(found) > MAX_ANNOTATIONS:
        errors.append(f"At most {MAX_ANNOTATIONS} annotations")
    return tuple(sorted(found, key=lambda a: a.day))


def validate(raw: dict[str, str]) -> tuple[CultureSettings, list[str]]:
    """Settings from the admin's text fields (keys as in `KEYS`), and the reasons they cannot be saved."""
    errors: list[str] = []
    source = (raw.get("benchmark_source") or "").strip()
    benchmark = _number(raw.get("benchmark_value", ""), "Reference value", -100, 100, errors)
    if benchmark is not None and not source:
        errors.append("Reference value: say where it comes from (source)")
    if len(source) > MAX_SOURCE:
        errors.append(f"Reference source: at most {MAX_SOURCE} characters")
    currency = (raw.get("currency") or DEFAULT_CURRENCY).strip().upper()
    if not _CURRENCY.match(currency):
        errors.append(f"Currency: a three-letter code such as EUR or USD, not “{currency[:10]}”")
    hours = _number(raw.get("hours_per_day", ""), "Hours per work day", 1, 24, errors)
    settings = CultureSettings(
        target=_number(raw.get("happiness_target", ""), "Happiness target", -100, 100, errors),
        benchmark=benchmark, benchmark_source=source,
        benchmark_date=_day(raw.get("benchmark_date", ""), "Reference date", errors),
        hourly_cost=_number(raw.get("hourly_cost", ""), "Cost of an hour", 0.01, 100_000, errors),
        currency=currency, hours_per_day=hours or DEFAULT_HOURS_PER_DAY,
        annotations=_annotations(raw.get("annotations", ""), errors))
    return settings, errors


def as_text(settings: CultureSettings) -> dict[str, str]:
    """The stored (and form) text of each setting; `validate(as_text(s))` gives `s` back."""
    def num(value: float | None) -> str:
        return "" if value is None else f"{value:g}"
    return {
        "happiness_target": num(settings.target), "benchmark_value": num(settings.benchmark),
        "benchmark_source": settings.benchmark_source,
        "benchmark_date": settings.benchmark_date.isoformat() if settings.benchmark_date else "",
        "hourly_cost": num(settings.hourly_cost), "currency": settings.currency,
        "hours_per_day": num(settings.hours_per_day),
        "annotations": "\n".join(f"{a.day.isoformat()} {a.label}" for a in settings.annotations),
    }


def settings_from(values: dict[str, str]) -> CultureSettings:
    """Stored values → settings; each invalid value falls back to its default on its own."""
    fine: dict[str, str] = {}
    source = {"benchmark_source": values.get("benchmark_source", "")}
    for key in KEYS:  # a reference value is checked together with its source
        alone = {key: values[key], **(source if key == "benchmark_value" else {})} if key in values else None
        if alone is not None and not validate(alone)[1]:
            fine[key] = values[key]
    return validate(fine)[0]


def read_culture_settings(*, url: str | None = None) -> CultureSettings:
    """The settings as stored now."""
    S = schema.settings
    rows = query.read(lambda conn: conn.execute(sa.select(S.c.key, S.c.value).where(S.c.key.in_(KEYS))).all(),
                      url=url)
    return settings_from(dict(rows))


def save_culture_settings(engine: sa.Engine, *, scope: Scope, settings: CultureSettings) -> None:
    """Store every setting (an empty text clears one); admins only."""
    scope.require("admin")
    rows = [{"key": k, "value": v} for k, v in as_text(settings).items()]
    with engine.begin() as conn:
        upsert(conn, schema.settings, rows, key=["key"])
    query.clear_cached_reads()
