"""The Coaching read model: scoped reads from `data_access` → formulas from `metrics` → the
figures the Coaching page shows. Components reach these through `views.cache.coaching`.

- `overview`: `CoachingReport`, one row per analyst of the lead's teams (Overview tab).
- `analyst`: `AnalystDetail` of one analyst in a period, and the 1:1 brief's follow-ups.
- `notes`: `AnalystNotes`, the coaching notes and kudos of one analyst.
- The paged lists (verbatims, the recovery queue and an item's history) and the roster are
  the `data_access` readers themselves: rows shown as they are, no figures to compute.

A lead sees named analysts of their own teams only: each entry point that names an analyst
checks it once (`data_access.coaching.check_analyst`), and every query carries the same rule
in SQL (`data_access.scoping.lead_sees`), so a forged id returns nothing.
"""

from data_access.coaching import QUEUE_PAGE_SIZE, recovery_history, recovery_queue, recovery_settings
from data_access.coaching_analyst import VERBATIM_PAGE_SIZE, VerbatimFilter, verbatims
from views.coaching.analyst import CARE_LABELS, AnalystDetail, PerceptionGap, analyst_detail, follow_ups
from views.coaching.notes import AnalystNotes, analyst_notes
from views.coaching.overview import CoachingReport, coaching_report, overview_periods, roster

__all__ = ["CARE_LABELS", "QUEUE_PAGE_SIZE", "VERBATIM_PAGE_SIZE", "AnalystDetail", "AnalystNotes",
           "CoachingReport", "PerceptionGap", "VerbatimFilter", "analyst_detail", "analyst_notes",
           "coaching_report", "follow_ups", "overview_periods", "recovery_history", "recovery_queue",
           "recovery_settings", "roster", "verbatims"]
