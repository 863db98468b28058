"""Keep the CIO's landing view computed while people use the app.

A CIO lands on Culture trends at its default link: the whole organisation, the last twelve months of
whole weeks. It is the heaviest read of the app (about 1.3 s of work on a warehouse of a million
answers, 2.5 s on PostgreSQL), every CIO sees that same link first, and its figures are cached for
everyone with the same scope (`views.cache`). So one background thread per process computes it ahead
of them: as soon as the warehouse is open (the first person is still on the sign-in form), then
again whenever the entry is gone — its TTL ran out, or a write emptied the cache — for as long as
someone signed in has used the app within the last hour (loads of the sign-in form alone, such as
an uptime monitor's, do not count).

It asks the page's own cached readers with the page's own arguments, so the page finds the entry
instead of computing it; a CIO who signs in while it is being computed waits for that computation
(st.cache_data computes a key once at a time) rather than starting a second one. It touches no
session and keeps nothing of its own: the cache holds the figures, under the same disclosure
control as any other entry, and only a viewer with the CIO's scope is ever served them. A warehouse
without a CIO account has nothing to keep warm. On the embedded file it takes its turn like a page
run (`file_turns`), so a command-line import is not kept waiting. A failure is logged and tried
again on the next round. `SERVICE_PULSE_WARM_LANDING=off` switches it off.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from components import warm_up
from data_access import clock, file_turns, settings, users
from data_access.filters import Filters
from data_access.scope import Scope

log = logging.getLogger(__name__)

CHECK_SECONDS = 30.0       # how often the entry is looked for (a look that finds it costs milliseconds)
IDLE_AFTER_SECONDS = 3600.0  # no page run for this long: nobody to keep it warm for


@dataclass
class _Keeper:
    url: str
    seen: float  # time.monotonic() of the latest page run
    thread: threading.Thread | None = None
    cio_checked: float | None = None  # when the warehouse was last asked whether it has a CIO
    has_cio: bool = False


_lock = threading.Lock()
_keeper: list[_Keeper] = []  # the one keeper of this process, once started


def landing_link(scope: Scope | None = None) -> tuple[Scope, Filters]:
    """The link a CIO lands on: what Culture trends shows a fresh session without URL parameters."""
    from components.filters import FilterState, to_filters  # Streamlit widgets: loaded with the pages

    return scope or Scope("cio"), to_filters(FilterState(), clock.today(), weeks=True)


def warm_once(url: str) -> None:
    """Compute the landing view into the shared cache, or find it there (no database work then).
    One entry holds the report and the extras built with it, so asking for the report is enough."""
    from views.cache import culture  # the read models: loaded off the first run's path

    scope, filters = landing_link()
    with file_turns.page_run(url):
        culture.culture_report(scope=scope, filters=filters)


def _cio_present(keeper: _Keeper, now: float) -> bool:
    """Whether an active account holds the CIO role, asked once per `CHECK_SECONDS` × 20 at most."""
    if keeper.cio_checked is None or now - keeper.cio_checked >= CHECK_SECONDS * 20:
        with file_turns.page_run(keeper.url):
            keeper.has_cio = users.has_active_role("cio", url=keeper.url)
        keeper.cio_checked = now
    return keeper.has_cio


def round_of(keeper: _Keeper, now: float) -> bool:
    """One round of the keeper: warm the landing view when someone used the app lately and the
    warehouse has a CIO. Returns whether it looked for the entry."""
    if now - keeper.seen > IDLE_AFTER_SECONDS or not _cio_present(keeper, now):
        return False
    warm_once(keeper.url)
    return True


def _keep(keeper: _Keeper, sleep=time.sleep) -> None:
    warm_up.wait_for_imports()  # the read models load with the pages, never alongside them
    while True:
        try:
            round_of(keeper, time.monotonic())
        except Exception:  # noqa: BLE001 — a database down or busy: the next round tries again
            log.warning("Could not prepare the CIO's landing view; trying again in %.0f s", CHECK_SECONDS,
                        exc_info=True)
        sleep(CHECK_SECONDS)


def note_run(url: str, *, signed_in: bool = True) -> threading.Thread | None:
    """A run of the app against `url` (the warehouse is open): from now on, keep the landing view
    warm. The thread starts once per process, at the first run (the first person is still on the
    sign-in form); after that only a signed-in person's run says the app is in use, so a monitor
    loading the sign-in page now and then does not keep the heaviest read going day and night."""
    if not settings.current().warm_landing:
        return None
    with _lock:
        now = time.monotonic()
        if not _keeper:
            _keeper.append(_Keeper(url, now))
        keeper = _keeper[0]
        if keeper.url != url:  # another warehouse: whether it has a CIO is asked anew
            keeper.url, keeper.cio_checked = url, None
        if signed_in:
            keeper.seen = now
        if keeper.thread is None:
            keeper.thread = threading.Thread(target=_keep, args=(keeper,), name="pulse-landing", daemon=True)
            keeper.thread.start()
        return keeper.thread
