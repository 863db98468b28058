"""Watermelon share: unhappy responses on tickets that met the SLA."""

import polars as pl
import pytest

from metrics.watermelon import WatermelonShare, watermelon_share, with_watermelon


def test_watermelon_share() -> None:
    # 3 of 10 SLA-met responses scored 0–6 → 0.3, Wilson 0.107789 … 0.603227
    result = watermelon_share(3, 10)
    assert result.share == 0.3
    assert result.low == pytest.approx(0.107789, abs=1e-6)
    assert result.high == pytest.approx(0.603227, abs=1e-6)
    assert result.n == 10


def test_watermelon_share_edges() -> None:
    assert watermelon_share(0, 0) == WatermelonShare(share=None, low=None, high=None, n=0)
    # 0 of 10: low exactly 0, high 0.38416 / 1.38416 = 0.277540
    none_unhappy = watermelon_share(0, 10)
    assert (none_unhappy.share, none_unhappy.low) == (0.0, 0.0)
    assert none_unhappy.high == pytest.approx(0.277540, abs=1e-6)


def test_with_watermelon() -> None:
    df = pl.DataFrame({"sla_met_unhappy": [3, 0], "sla_met_n": [10, 0]})
    result = with_watermelon(df)
    assert result["watermelon_rate"].to_list() == [0.3, None]
    assert result["watermelon_high"][0] == pytest.approx(0.603227, abs=1e-6)
