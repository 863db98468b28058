"""Bring an opened tab into view: after a click elsewhere on the page opens a tab (Culture trends'
drill-through), the tab bar is scrolled to the top of the window and the opened tab into sight
within the bar, so on a phone (where the bar scrolls sideways and the tabs lie far below the
click) the person sees what opened instead of nothing happening.

Render only: one hidden `st.html` element with a short script, drawn on the run after the click.
"""

from __future__ import annotations

import json

import streamlit as st

HIDDEN_CLASS = "sp-reveal-tab"
_SEQ_KEY = "pulse_reveal_seq"

# Waits (up to ~3 s) until the opened tab is drawn and selected, then scrolls: first the tab into
# sight inside its bar (sideways only), then the whole tab block to the top, below the app header.
# A popover still open (a saved view opened from "Saved views") is closed first: closing it later
# would give the focus back to its button and scroll the window back up to it.
_SCRIPT = """<script>(function () {
  var label = %s, tries = 0, closes = 0;
  function go() {
    if (document.querySelector('[data-testid="stPopoverBody"]') && closes++ < 5) {
      document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', code: 'Escape', keyCode: 27, bubbles: true}));
      setTimeout(go, 150);
      return;
    }
    var tabs = Array.from(document.querySelectorAll('[data-testid="stTabs"] [role="tab"]'));
    var tab = tabs.find(function (t) {
      return t.getAttribute('aria-selected') === 'true' && t.textContent.trim() === label; });
    if (!tab) { if (++tries < 30) { setTimeout(go, 100); } return; }
    var block = tab.closest('[data-testid="stTabs"]'), bar = tab.parentElement;
    while (bar && bar !== block && bar.scrollWidth <= bar.clientWidth + 1) { bar = bar.parentElement; }
    if (bar && bar !== block) {
      var left = tab.getBoundingClientRect().left - bar.getBoundingClientRect().left + bar.scrollLeft;
      bar.scrollLeft = Math.max(0, left - (bar.clientWidth - tab.offsetWidth) / 2);
    }
    block.style.scrollMarginTop = '4.5rem';
    block.scrollIntoView({block: 'start', inline: 'nearest', behavior: 'instant'});
  }
  setTimeout(go, 50);
})(); /* %d */</script>"""


def script(tab_label: str, seq: int) -> str:
    """The script that reveals the tab `tab_label` (`seq` makes each run's element new, so it runs again)."""
    return _SCRIPT % (json.dumps(tab_label), seq)


def reveal_tab(tab_label: str) -> None:
    """Scroll the window to the tab bar with `tab_label` open and that tab into sight; call on the
    run after the click that opened it."""
    seq = st.session_state.get(_SEQ_KEY, 0) + 1
    st.session_state[_SEQ_KEY] = seq
    st.html(f'<span class="{HIDDEN_CLASS}"></span>{script(tab_label, seq)}', unsafe_allow_javascript=True)
    st.html(f"<style>.stElementContainer:has(.{HIDDEN_CLASS}){{display:none !important}}</style>")
