"""The background warm-up imports what the page scripts import, once per process, then freezes what
lives so far out of the garbage collector's walks."""

from __future__ import annotations

import gc
import sys
import time
import weakref

import pytest

from components import warm_up
from tests.test_auth_app import _app, _env  # noqa: F401 (fixture)

DOWN = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"


class _Node:
    """An object in a reference cycle: only the cycle collector can free it."""

    def __init__(self) -> None:
        self.me = self


def test_the_modules_come_from_the_page_scripts_themselves(tmp_path):
    (tmp_path / "a_page.py").write_text("import streamlit as st\nfrom components import coaching as c\n"
                                        "from components.coaching_analyst import analyst_section\n"
                                        "from views.cache import culture\nimport polars\n", encoding="utf-8")
    assert warm_up.page_modules(tmp_path) == ["components", "components.coaching", "components.coaching_analyst",
                                              "views.cache"]
    every = warm_up.page_modules()
    assert {"components.culture_layout", "components.coaching", "components.my_feedback", "views.cache"} <= set(every)


def test_the_landing_pages_modules_come_first_each_module_once(tmp_path):
    (tmp_path / "about.py").write_text("from components import text\n", encoding="utf-8")
    (tmp_path / "coaching.py").write_text("from components import coaching, text\n", encoding="utf-8")
    (tmp_path / "culture_trends.py").write_text("from views import cache\n", encoding="utf-8")
    assert warm_up.page_modules(tmp_path) == ["views", "views.cache", "components", "components.coaching",
                                              "components.text"]
    every = warm_up.page_modules()
    assert every.index("components.culture_layout") < every.index("components.coaching_analyst")
    assert every.index("components.coaching_analyst") < every.index("components.my_feedback")


def test_a_module_that_fails_to_import_is_left_to_its_page(tmp_path, monkeypatch):
    (tmp_path / "sp_warm_broken.py").write_text("raise RuntimeError('half deployed')\n", encoding="utf-8")
    (tmp_path / "sp_warm_fine.py").write_text("VALUE = 42\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    warm_up._import_all(["sp_warm_broken", "sp_warm_missing", "sp_warm_fine"])
    assert "sp_warm_broken" not in sys.modules and "sp_warm_missing" not in sys.modules
    assert sys.modules["sp_warm_fine"].VALUE == 42
    monkeypatch.delitem(sys.modules, "sp_warm_fine")


def test_the_freeze_collects_garbage_first_and_leaves_what_lives_out_of_later_walks():
    garbage = _Node()
    gone = weakref.ref(garbage)
    del garbage
    kept = _Node()
    warm_up.freeze_long_lived()
    assert gone() is None  # collected, not frozen
    assert gc.get_freeze_count() > 0
    walked = {id(o) for o in gc.get_objects()}
    assert id(kept) not in walked
    later = _Node()
    assert id(later) in {id(o) for o in gc.get_objects()}  # what comes after is collected as usual


def test_it_runs_once_and_leaves_the_modules_loaded_and_the_process_frozen():
    first = warm_up.start()
    assert warm_up.start() is first
    first.join(timeout=60)
    assert not first.is_alive()
    assert all(name in sys.modules for name in warm_up.page_modules())
    assert gc.get_freeze_count() > 10_000


def test_the_app_starts_it_even_when_the_database_is_down(monkeypatch):
    started = []
    monkeypatch.setattr(warm_up, "start", lambda: started.append(True))
    at = _app(DOWN, monkeypatch)
    assert started == [True]
    assert not at.exception
    assert any("cannot open its database right now" in e.value for e in at.error)
    assert len(at.text_input) == 0


def test_a_signed_in_page_runs_once_the_warm_up_has_loaded_the_modules(monkeypatch, sqlite_demo_url, _env):
    """Two threads importing pandas at once once gave a chart test "partially initialized module
    'pandas'": a page run waits for the warm-up's imports; the sign-in form does not."""
    from components import navigation

    order = []
    waits = warm_up.wait_for_imports  # still waits: this run may be the first of this test process

    def wait_for_imports(timeout=60.0):
        order.append("waited")
        waits(timeout)

    monkeypatch.setattr(warm_up, "wait_for_imports", wait_for_imports)
    real = navigation.landing

    def landing(*args, **kwargs):
        order.append("landing chosen")
        return real(*args, **kwargs)

    monkeypatch.setattr(navigation, "landing", landing)
    at = _app(sqlite_demo_url, monkeypatch)
    assert order == [] and len(at.text_input) == 2  # the sign-in form: nothing to wait for
    at.text_input(key="login_username").input("cio")
    at.text_input(key="login_password").input("pulse-demo")
    at.button(key="FormSubmitter:sign_in-Sign in").click()
    at.run()
    assert not at.exception
    assert order == ["landing chosen", "waited"]


def test_waiting_for_imports_returns_at_once_when_no_warm_up_started(monkeypatch):
    monkeypatch.setattr(warm_up, "_thread", [])
    monkeypatch.setattr(warm_up, "_imported", warm_up.threading.Event())
    started = time.perf_counter()
    warm_up.wait_for_imports(timeout=30)
    assert time.perf_counter() - started < 1 and not warm_up._imported.is_set()


def test_a_warm_up_that_cannot_start_is_not_waited_for(monkeypatch):
    """No thread left to start one: the run says so, and later page runs do not wait a minute each
    for imports nobody is making (the next run tries to start it again)."""
    monkeypatch.setattr(warm_up, "_thread", [])
    monkeypatch.setattr(warm_up, "_imported", warm_up.threading.Event())
    monkeypatch.setattr(warm_up, "page_modules", lambda: [])

    class NoThreadLeft(warm_up.threading.Thread):
        def start(self):
            raise RuntimeError("can't start new thread")

    monkeypatch.setattr(warm_up.threading, "Thread", NoThreadLeft)
    with pytest.raises(RuntimeError, match="can't start new thread"):
        warm_up.start()
    assert warm_up._thread == []
    started = time.perf_counter()
    warm_up.wait_for_imports(timeout=30)
    assert time.perf_counter() - started < 1
