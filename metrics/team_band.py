"""The team band next to an analyst's own figure on My feedback: who counts, the smoothed quantiles
(Harrell–Davis, docs/METRICS.md) and where the analyst sits. Nothing per colleague leaves it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl

from metrics.gaps import percentile_ranks


def whole(expr: pl.Expr) -> pl.Expr:
    """Round a team figure to whole points (halves away from zero) before it leaves for a page."""
    return expr.round(0, mode="half_away_from_zero")


BAND_QUANTILES = (0.25, 0.5, 0.75)
_GRID = np.linspace(0.0, 1.0, 8001)


@lru_cache(maxsize=256)
def _smoothing_weights(count: int, q: float) -> np.ndarray:
    """Harrell–Davis weights of the sorted `count` values for quantile `q`: the Beta(q(count+1),
    (1−q)(count+1)) probability of each of the `count` equal slices of [0, 1] (numerically
    integrated; both shapes exceed 1 from 3 values on, so the density is finite)."""
    a, b = q * (count + 1), (1 - q) * (count + 1)
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0) at the ends: a density of 0 there
        log_density = (0.0 if a == 1 else (a - 1) * np.log(_GRID)) + (0.0 if b == 1 else (b - 1) * np.log1p(-_GRID))
    density = np.exp(log_density - log_density[np.isfinite(log_density)].max())
    cumulative = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2)])
    cumulative /= cumulative[-1]
    return np.diff(np.interp(np.arange(count + 1) / count, _GRID, cumulative))


def band(values: pl.Series | list[float]) -> tuple[float, float, float] | None:
    """The team band (25th, 50th, 75th percentile, whole points) of colleagues' figures.

    Harrell–Davis estimates: each is a weighted mean of *every* sorted value, never one value (an
    odd count's median is one colleague's figure) nor two (with the analyst's own value among them,
    a band over five colleagues and the analyst gave back three colleagues' figures: an attack
    review). Three weighted means of five or more unknown values cannot be solved for any one."""
    ordered = np.sort(np.asarray([v for v in values if v is not None], dtype=float))
    if ordered.size == 0:
        return None
    if ordered.size < 3:  # the density is unbounded at an end; never shown (five colleagues at least)
        return tuple(_whole(np.quantile(ordered, q)) for q in BAND_QUANTILES)  # type: ignore[return-value]
    return tuple(_whole(_smoothing_weights(ordered.size, q) @ ordered) for q in BAND_QUANTILES)  # type: ignore[return-value]


def _whole(value: float) -> float:
    """`whole` for one number: halves away from zero."""
    return float(np.sign(value) * np.floor(abs(value) + 0.5)) + 0.0


def colleague_count(frame: pl.DataFrame) -> int:  # rows that are not the analyst's own
    return int((~frame["is_own"]).sum()) if frame.height else 0


@dataclass(frozen=True)
class Spread:
    """A team's spread of one figure (unnamed) and where the analyst sits in it."""

    analysts: int
    """Colleagues (including the analyst) with enough responses to count."""
    p25: float
    median: float
    p75: float
    own_percentile: float | None
    """0 = lowest in the team, 100 = highest; None when the analyst has too few responses."""


def team_spread(values: pl.DataFrame, *, min_colleagues: int) -> Spread | None:
    """The band (`band`: colleagues' qualified values only) and the own row's percentile among all.

    ``values`` has ``is_own`` (bool) and ``value`` (null = not qualified). Returns None (the
    distribution is suppressed) when fewer than ``min_colleagues`` qualified rows are colleagues
    (the analyst not counted): with fewer, quartiles invert to single colleagues' values.
    """
    qualified = values.filter(pl.col("value").is_not_null())
    if colleague_count(qualified) < min_colleagues:
        return None
    series = qualified["value"].cast(pl.Float64)
    ranks = percentile_ranks(series)
    own_idx = [i for i, own in enumerate(qualified["is_own"].to_list()) if own]
    p25, median, p75 = band(qualified.filter(~pl.col("is_own"))["value"].cast(pl.Float64).to_list())
    return Spread(analysts=qualified.height, p25=float(p25), median=float(median), p75=float(p75),
                  own_percentile=float(ranks[own_idx[0]]) if own_idx else None)
