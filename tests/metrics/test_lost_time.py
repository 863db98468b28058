"""Lost time summary and the Pareto share on crafted histograms."""

import polars as pl
import pytest

from metrics.lost_time import LostTime, lost_time_summary, pareto_share


def test_lost_time_summary() -> None:
    # 4 answers totalling 120 minutes → mean 30; 30 tickets in scope → 30 * 30 / 60 = 15 hours
    assert lost_time_summary(4, 120.0, 30) == LostTime(mean_minutes=30.0, total_hours=15.0, n=4)


def test_lost_time_summary_nobody_answered() -> None:
    assert lost_time_summary(0, 0.0, 30) == LostTime(mean_minutes=None, total_hours=None, n=0)


def test_lost_time_summary_rejects_negative() -> None:
    with pytest.raises(ValueError):
        lost_time_summary(-1, 0.0, 3)


# 20 responses: one lost 100 min, two lost 50, five lost 10, twelve lost nothing.
# Total 100 + 100 + 50 = 250 minutes. Listed out of order, the 10-minute bucket split in two.
HISTOGRAM = pl.DataFrame(
    {"lost_minutes": [10, 0, 50, 100, 10], "count": [2, 12, 2, 1, 3]}
)


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        # 80% = 200 min: 100 (1 response) + 2 × 50 → exactly 3 responses → 3 / 20
        (0.8, 0.15),
        # 50% = 125 min: 100 + 25 more at 50 each = 0.5 response → 1.5 / 20
        (0.5, 0.075),
        # 90% = 225 min: 200 (3 responses) + 25 at 10 each = 2.5 → 5.5 / 20
        (0.9, 0.275),
        # 100%: every response with minutes > 0 → (1 + 2 + 5) / 20
        (1.0, 0.4),
    ],
)
def test_pareto_share(share: float, expected: float) -> None:
    assert pareto_share(HISTOGRAM, share) == pytest.approx(expected, abs=1e-12)


def test_pareto_share_default_is_80_percent() -> None:
    assert pareto_share(HISTOGRAM) == pytest.approx(0.15, abs=1e-12)


def test_pareto_share_single_bucket() -> None:
    # 10 responses each losing 30 min: 80% of minutes needs 80% of responses
    assert pareto_share(pl.DataFrame({"lost_minutes": [30], "count": [10]})) == pytest.approx(0.8)


def test_pareto_share_nothing_lost() -> None:
    assert pareto_share(pl.DataFrame({"lost_minutes": [0], "count": [7]})) is None
    empty = pl.DataFrame(schema={"lost_minutes": pl.Int64, "count": pl.Int64})
    assert pareto_share(empty) is None


def test_pareto_share_rejects_bad_share() -> None:
    with pytest.raises(ValueError):
        pareto_share(HISTOGRAM, 0.0)
