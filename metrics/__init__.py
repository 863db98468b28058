"""Service Pulse metrics: pure polars functions for Happiness, intervals, shrinkage and gaps.

The package re-exports its public names below; a test importing the same names from their module
(tests/metrics/test_gaps.py, from metrics.gaps) repeats an import list, not logic.
"""

from metrics.care import CARE_DIMENSIONS, CARE_NAMES, CareDimension, with_care_means
from metrics.gaps import (
    ALIGNED,
    BLIND_SPOT,
    HIDDEN_STRENGTH,
    gap_label,
    perception_gaps,
    percentile_ranks,
)
from metrics.happiness import Z_95, happiness, happiness_margin, with_happiness
from metrics.hotspots import hotspot_impact
from metrics.intervals import mean_interval, t_critical, wilson_interval, with_wilson
from metrics.lost_time import LostTime, lost_time_summary, pareto_share
from metrics.reassignment import (
    REASSIGNMENT_BUCKETS,
    reassignment_bucket,
    reassignment_bucket_expr,
    reassignment_cost,
)
from metrics.shrinkage import beta_prior, shrink_happiness, shrink_means
from metrics.trends import PeriodChange, RollingWindows, period_change, rolling_windows
from metrics.watermelon import WatermelonShare, watermelon_share, with_watermelon

__all__ = [
    "ALIGNED",
    "BLIND_SPOT",
    "CARE_DIMENSIONS",
    "CARE_NAMES",
    "HIDDEN_STRENGTH",
    "REASSIGNMENT_BUCKETS",
    "Z_95",
    "CareDimension",
    "LostTime",
    "PeriodChange",
    "RollingWindows",
    "WatermelonShare",
    "beta_prior",
    "gap_label",
    "happiness",
    "happiness_margin",
    "hotspot_impact",
    "lost_time_summary",
    "mean_interval",
    "pareto_share",
    "perception_gaps",
    "percentile_ranks",
    "period_change",
    "reassignment_bucket",
    "reassignment_bucket_expr",
    "reassignment_cost",
    "rolling_windows",
    "shrink_happiness",
    "shrink_means",
    "t_critical",
    "watermelon_share",
    "wilson_interval",
    "with_care_means",
    "with_happiness",
    "with_watermelon",
    "with_wilson",
]
