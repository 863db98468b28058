"""Culture trends settings: what an admin may type, what is stored, and who may store it."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access import catalogue, schema
from data_access.culture_settings import (Annotation, CultureSettings, as_text, read_culture_settings,
                                          save_culture_settings, settings_from, validate)
from data_access.engine import get_engine
from data_access.scope import Scope, ScopeError

GOOD = {"happiness_target": "40", "benchmark_value": "35.5", "benchmark_source": "Industry benchmark",
        "benchmark_date": "2026-06-30", "hourly_cost": "62,50", "currency": "usd", "hours_per_day": "8",
        "annotations": "2026-10-01 New portal\n\n2026-03-02   Service desk merged  \n"}


def test_valid_input_becomes_typed_settings():
    settings, errors = validate(GOOD)
    assert errors == []
    assert settings == CultureSettings(
        target=40.0, benchmark=35.5, benchmark_source="Industry benchmark", benchmark_date=dt.date(2026, 6, 30),
        hourly_cost=62.5, currency="USD", hours_per_day=8.0,
        annotations=(Annotation(dt.date(2026, 3, 2), "Service desk merged"),
                     Annotation(dt.date(2026, 10, 1), "New portal")))
    assert validate(as_text(settings)) == (settings, [])


def test_empty_input_means_no_target_and_no_cost():
    assert validate({}) == (CultureSettings(), [])
    assert CultureSettings().hours_per_day == 7.5 and CultureSettings().currency == "EUR"


def test_every_bad_field_is_named():
    _, errors = validate({"happiness_target": "140", "benchmark_value": "30", "hourly_cost": "lots",
                          "currency": "euro", "hours_per_day": "0", "benchmark_date": "30.6.2026",
                          "annotations": "2026-13-01 Bad month\n2026-01-05\n" + "2026-01-06 " + "x" * 61})
    assert errors == [
        "Reference value: say where it comes from (source)",
        "Currency: a three-letter code such as EUR or USD, not “EURO”",
        "Hours per work day must lie between 1 and 24",
        "Happiness target must lie between -100 and 100",
        "Reference date: “30.6.2026” is not a date (YYYY-MM-DD)",
        "Cost of an hour: “lots” is not a number",
        "Annotation line 1: “2026-13-01” is not a date (YYYY-MM-DD)",
        "Annotation line 2: a label of 1 to 60 characters after the date",
        "Annotation line 3: a label of 1 to 60 characters after the date",
    ]


def test_too_many_annotations_are_refused():
    text = "\n".join(f"2026-01-{d:02d} change {d}" for d in range(1, 22))
    assert validate({"annotations": text})[1] == ["At most 20 annotations"]


def test_stored_values_are_read_leniently():
    settings = settings_from({"happiness_target": "abc", "hourly_cost": "50", "benchmark_value": "30",
                              "currency": "", "recovery_threshold": "6"})
    # A bad target is dropped on its own; a reference without its source is not drawn.
    assert settings == CultureSettings(hourly_cost=50.0)


def test_only_an_admin_saves_and_the_values_are_read_back(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    engine = get_engine(url)
    schema.create_schema(engine)
    with engine.begin() as conn:
        catalogue.seed_catalogue(conn)
    settings, _ = validate(GOOD)
    with pytest.raises(ScopeError):
        save_culture_settings(engine, scope=Scope(role="cio"), settings=settings)
    assert read_culture_settings(url=url) == CultureSettings()
    save_culture_settings(engine, scope=Scope(role="admin"), settings=settings)
    assert read_culture_settings(url=url) == settings
    save_culture_settings(engine, scope=Scope(role="admin"), settings=CultureSettings(hourly_cost=10.0))
    assert read_culture_settings(url=url) == CultureSettings(hourly_cost=10.0)
