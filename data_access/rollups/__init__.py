"""Rollups: sufficient statistics kept next to the base tables, so pages never re-aggregate history.

- `sources`: what each rollup holds, as one SELECT over the base tables;
- `maintain`: bulk rebuild and same-transaction incremental upkeep by difference (`maintained(conn, keys)`);
- `state`: the freshness row and whether pages may read the rollups (`status(url)`);
- `reads`: the pages' GROUP BY reads answered from the rollups;
- `check`: recomputation compared with the stored rows; `scheduler_sql`: SQL for a data team.
"""

from data_access.rollups.maintain import (Pending, after_write, before_write, maintained, maintained_here, mark_fresh,
                                          rebuild, start_if_empty)
from data_access.rollups.state import RollupStatus, status, use_rollups

__all__ = ["Pending", "after_write", "before_write", "maintained", "maintained_here", "mark_fresh", "rebuild",
           "start_if_empty", "RollupStatus", "status", "use_rollups"]
