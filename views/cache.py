"""The app's one caching seam: `st.cache_data` around the warehouse readers, with one TTL.

`data_access` readers know nothing of Streamlit; the command-line tools, cron jobs and the
benchmark call them directly (uncached). Pages, components and read models import the cached
twins from here instead, e.g. ``from views.cache import coaching as data``: a stand-in for the
module (a read model of `views`, or a data_access module) whose readers are cached and whose
other names (query builders, constants, dataclasses) pass straight through.

Entries are keyed by the reader's arguments — the Scope (role, analyst, teams: never the person
signed in) and the filters — and kept in the process for everyone, so one heavy organisation-wide
read is computed once per TTL, not once per session. Arguments are small hashable values, never
frames. A write anywhere in the app (`data_access.query.clear_cached_reads`) empties the cache.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import ModuleType

import streamlit as st

from data_access import query as _query
from data_access import self_assessments as _self_assessments
from data_access import stats as _stats
from data_access import summary as _summary
from data_access import trends as _trends
from data_access.engine import retrying
from data_access.filters import Filters
from data_access.rollups.state import forget_status
from data_access.scope import Scope
from data_access import culture_settings as _culture_settings
from views import coaching as _coaching
from views import culture as _culture
from views import culture_extras as _culture_extras
from views import my_feedback as _my_feedback
from views import survey_rates as _survey_rates

TTL_SECONDS = 600
# The Admin Data page's warehouse counts: an import from the command line (another process,
# which cannot clear this process's cache) shows up within a minute.
SUMMARY_TTL_SECONDS = 60


def cached(fn, *, max_entries: int = 256, ttl: int = TTL_SECONDS):
    """`fn` behind st.cache_data with the app's TTL; a transient database failure inside is
    retried as a whole (reads are idempotent) by the one retry policy, `engine.retrying`."""
    @functools.wraps(fn)
    def read(*args, **kwargs):
        return retrying(lambda: fn(*args, **kwargs))
    return st.cache_data(read, ttl=ttl, max_entries=max_entries, show_spinner=False)


class CachedReads:
    """A data_access module with its named readers cached; every other name passes through."""

    def __init__(self, module: ModuleType, readers: dict[str, int], shared: dict[str, Callable] | None = None):
        """`readers`: name → cache size of the module's readers cached one by one; `shared`: names
        answered by a cached entry built with another reader's (Culture trends' report and extras)."""
        self._module = module
        for name, max_entries in readers.items():
            setattr(self, name, cached(getattr(module, name), max_entries=max_entries))
        for name, reader in (shared or {}).items():
            setattr(self, name, reader)

    def __getattr__(self, name: str):
        return getattr(self._module, name)


stats = CachedReads(_stats, {"response_stats": 512, "ticket_stats": 512, "lost_histogram": 256})
trends = CachedReads(_trends, {"team_names": 64, "service_names": 16, "experience_stats": 512,
                               "analyst_weeks": 128, "factor_counts": 256, "culture_counts": 256,
                               "calibration_inputs": 128})
survey_rates = CachedReads(_survey_rates, {"channel_rate_report": 128})
# Culture trends' report and extras are built together (`culture_page`: the period's cells read
# once for both) and kept as one entry; the page asks for them one after the other.
_culture_page = cached(_culture_extras.culture_page, max_entries=128)
_culture_extras_alone = cached(_culture_extras.culture_extras, max_entries=128)


def _shared(scope: Scope, url: str | None, key: tuple, _compute: Callable[[], object]) -> object:
    """What report builds share (`CellReads.remember`): the service × channel × team pattern of a
    family and period is the same for each of its links, so a click on a team, a channel or a
    service reuses the one its first link worked out, for the period before and the year earlier too."""
    return _compute()


_kept_for_builds = cached(_shared, max_entries=512)


def culture_report(*, scope: Scope, filters: Filters, url: str | None = None) -> _culture.CultureReport:
    """Cached `views.culture.culture_report` (built with its extras)."""
    return _culture_page(scope=scope, filters=filters, url=url, _keep=_kept_for_builds)[0]


def extras_of_page(*, scope: Scope, filters: Filters, url: str | None = None) -> _culture_extras.CultureExtras:
    """Cached `views.culture_extras.culture_extras`: the extras built with the report, or (for a
    report not shown, where the page asks for none) built alone."""
    extras = _culture_page(scope=scope, filters=filters, url=url, _keep=_kept_for_builds)[1]
    return extras if extras is not None else _culture_extras_alone(scope=scope, filters=filters, url=url)


culture = CachedReads(_culture, {}, shared={"culture_report": culture_report})
culture_extras = CachedReads(_culture_extras, {}, shared={"culture_extras": extras_of_page})
culture_settings = CachedReads(_culture_settings, {"read_culture_settings": 8})
coaching = CachedReads(_coaching, {
    "coaching_report": 128, "analyst_detail": 256, "follow_ups": 256, "analyst_notes": 256, "roster": 256,
    "recovery_settings": 16, "verbatims": 256, "recovery_queue": 256, "recovery_history": 256})
self_assessments = CachedReads(_self_assessments, {"self_assessment_history": 256,
                                                   "latest_self_assessment": 256,
                                                   "shared_self_assessment": 512})
my_feedback = CachedReads(_my_feedback, {"my_figures": 256, "my_trend": 256, "my_assessments": 256,
                                         "competency_evidence": 256, "my_verbatims": 256,
                                         "my_recognition": 256})


def _self_view(*, scope: Scope, filters: Filters, url: str | None) -> _my_feedback.SelfView:
    figures = my_feedback.my_figures(scope=scope, filters=filters, url=url)
    return _my_feedback.self_view_for(scope=scope, filters=filters, figures=figures, url=url)


_cached_self_view = cached(_self_view)


def self_view_for(*, scope: Scope, filters: Filters, figures=None, url: str | None = None):
    """Cached `views.my_feedback.self_view_for`, over the same cached `my_figures` the page shows."""
    del figures  # always my_figures(scope, filters, url): keying on a frame would hash its rows
    return _cached_self_view(scope=scope, filters=filters, url=url)


my_feedback.self_view_for = self_view_for

# What the warehouse holds (counts and dates), for the Admin Data page.
warehouse_summary = cached(_summary.summary_of, max_entries=8, ttl=SUMMARY_TTL_SECONDS)


def clear_cached_reads() -> None:
    """Forget every cached read (after a write, so every page shows the new state)."""
    st.cache_data.clear()
    forget_status()


_query.on_write(clear_cached_reads)
