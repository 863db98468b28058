"""AppTest of the admin's Culture trends settings on My settings: validated, saved, read back."""

from __future__ import annotations

import datetime as dt

from components.viewer import Viewer
from data_access.culture_settings import Annotation, CultureSettings, read_culture_settings
from tests.notify.test_preferences_page import _app, _lead_viewer

ADMIN = Viewer(user_id=2, username="admin", display_name="Sam Admin", roles=("admin",))


def _fill(at, **values: str) -> None:
    for key, value in values.items():
        widget = at.text_area(key=key) if key == "culture_annotations" else at.text_input(key=key)
        widget.set_value(value)
    next(b for b in at.button if b.label == "Save Culture trends settings").click()
    at.run()
    assert not at.exception, at.exception


def test_admin_sets_target_cost_and_annotations(notify_db, monkeypatch):
    at = _app(monkeypatch, notify_db, ADMIN)
    _fill(at, culture_target="42", culture_hourly_cost="55.5", culture_currency="chf",
          culture_benchmark="36", culture_benchmark_source="Industry benchmark", culture_benchmark_date="2026-06-30",
          culture_annotations="2026-09-01 New portal")
    assert [s.value for s in at.success] == ["Culture trends settings saved."]
    assert read_culture_settings(url=notify_db) == CultureSettings(
        target=42.0, benchmark=36.0, benchmark_source="Industry benchmark", benchmark_date=dt.date(2026, 6, 30),
        hourly_cost=55.5, currency="CHF", annotations=(Annotation(dt.date(2026, 9, 1), "New portal"),))
    # The form shows what is stored.
    assert at.text_input(key="culture_target").value == "42"
    assert at.text_input(key="culture_currency").value == "CHF"


def test_invalid_settings_are_not_saved_and_each_reason_is_shown(notify_db, monkeypatch):
    at = _app(monkeypatch, notify_db, ADMIN)
    _fill(at, culture_target="120", culture_hourly_cost="-3", culture_benchmark="30")
    [error] = at.error
    assert error.value == ("Not saved: Reference value: say where it comes from \\(source\\); "
                           "Happiness target must lie between -100 and 100; "
                           "Cost of an hour must lie between 0.01 and 100000.")
    assert read_culture_settings(url=notify_db) == CultureSettings()


def test_a_lead_does_not_see_the_form(notify_db, monkeypatch):
    at = _app(monkeypatch, notify_db, _lead_viewer(notify_db))
    assert not [s for s in at.subheader if "Culture trends" in s.value]
