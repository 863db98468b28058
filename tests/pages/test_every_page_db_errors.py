"""Every page, for every role it is registered for, when the warehouse does not answer: a sentence
for a person in place of the page (what went wrong, no server name, password or SQL), never a
traceback. The pages' own reads, the forms' directories, the admin pages' summaries alike."""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from data_access import demo
from data_access.engine import get_engine
from tests.pages.roles import PAGE_ROLES, page_app, viewer_as

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def viewers(tmp_path_factory) -> dict:
    """A real viewer of each role, taken from a small demo warehouse (the pages then meet none)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db-errors') / 'demo.sqlite'}"
    demo.generate(get_engine(url), responses=600, seed=7, end=TODAY)
    return {role: viewer_as(url, role) for role in ("cio", "lead", "analyst", "admin")}


def _nobody_listens() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again at once: connecting to it is refused


@pytest.mark.parametrize("page, role", PAGE_ROLES)
def test_every_page_explains_a_warehouse_that_does_not_answer(viewers, monkeypatch, page, role):
    down = f"postgresql+psycopg://pulse:hunter2secret@127.0.0.1:{_nobody_listens()}/pulse"
    at = page_app(down, monkeypatch, page, viewers[role], timeout=60)
    assert not at.exception, [e.value for e in at.exception]
    message = " ".join(e.value for e in at.error)
    assert "The feedback warehouse cannot be reached right now" in message, (page, role, message)
    assert "hunter2secret" not in message and "SELECT" not in message and "127.0.0.1" not in message
