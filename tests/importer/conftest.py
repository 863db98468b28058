"""Importer tests run on a pinned "today" near the sample files' answers (October 2026), so the
recovery window (14 days before the import) holds their unhappy answers."""

import pytest

PINNED_TODAY = "2026-10-15"


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_TODAY", PINNED_TODAY)
    return PINNED_TODAY
