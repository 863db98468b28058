"""The background warm-up imports what the page scripts import, once per process."""

from __future__ import annotations

import sys

from components import warm_up


def test_the_modules_come_from_the_page_scripts_themselves(tmp_path):
    (tmp_path / "a_page.py").write_text("import streamlit as st\nfrom components import coaching as c\n"
                                        "from components.coaching_analyst import analyst_section\n"
                                        "from views.cache import culture\nimport polars\n", encoding="utf-8")
    assert warm_up.page_modules(tmp_path) == ["components", "components.coaching", "components.coaching_analyst",
                                              "views.cache"]
    every = warm_up.page_modules()
    assert {"components.culture_layout", "components.coaching", "components.my_feedback", "views.cache"} <= set(every)


def test_it_runs_once_and_leaves_the_modules_loaded():
    first = warm_up.start()
    assert warm_up.start() is first
    first.join(timeout=60)
    assert not first.is_alive()
    assert all(name in sys.modules for name in warm_up.page_modules())
