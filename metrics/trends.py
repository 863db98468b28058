"""Now versus before: change in Happiness between two periods, and the rolling 90-day windows."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from metrics.happiness import happiness, happiness_margin


@dataclass(frozen=True)
class PeriodChange:
    """Happiness now and before, the change, and the 95% margin of that change."""

    current: float | None
    previous: float | None
    change: float | None
    change_margin: float | None
    current_n: int
    previous_n: int

    @property
    def is_clear(self) -> bool:
        """True when the change is larger than its margin (not explained by sampling noise)."""
        return (
            self.change is not None
            and self.change_margin is not None
            and abs(self.change) > self.change_margin
        )


def period_change(current: Mapping[str, int], previous: Mapping[str, int]) -> PeriodChange:
    """Change in Happiness from ``previous`` to ``current`` (each a row with happy/unhappy/n)."""
    now = happiness(current["happy"], current["unhappy"], current["n"])
    before = happiness(previous["happy"], previous["unhappy"], previous["n"])
    now_margin = happiness_margin(current["happy"], current["unhappy"], current["n"])
    before_margin = happiness_margin(previous["happy"], previous["unhappy"], previous["n"])
    change: float | None = None
    change_margin: float | None = None
    if (
        now is not None
        and before is not None
        and now_margin is not None
        and before_margin is not None
    ):
        change = now - before
        change_margin = math.hypot(now_margin, before_margin)  # independent samples
    return PeriodChange(
        current=now,
        previous=before,
        change=change,
        change_margin=change_margin,
        current_n=current["n"],
        previous_n=previous["n"],
    )


class RollingWindows(NamedTuple):
    """Inclusive date bounds of the current window and the equally long one before it."""

    current_start: date
    current_end: date
    previous_start: date
    previous_end: date


def rolling_windows(today: date, days: int = 90) -> RollingWindows:
    """The last ``days`` days ending today (inclusive) and the ``days`` days just before them."""
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    current_start = today - timedelta(days=days - 1)
    previous_end = current_start - timedelta(days=1)
    return RollingWindows(
        current_start=current_start,
        current_end=today,
        previous_start=previous_end - timedelta(days=days - 1),
        previous_end=previous_end,
    )
