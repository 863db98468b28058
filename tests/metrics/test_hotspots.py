"""Hotspot impact: responses × (cell Happiness − scope Happiness), worst first."""

import polars as pl
from polars.testing import assert_frame_equal

from metrics.hotspots import hotspot_impact


def test_hotspot_impact() -> None:
    cells = pl.DataFrame(
        {
            "service": ["A", "A", "B", "B"],
            "channel": ["phone", "email", "phone", "chat"],
            "happy": [8, 2, 10, 0],
            "unhappy": [1, 6, 10, 0],
            "n": [10, 10, 40, 0],
        }
    )
    # scope: happy 20, unhappy 17, n 60 → 100·3/60 = 5.0
    # A/phone 70 → 10·(70 − 5) = 650; A/email −40 → 10·(−45) = −450;
    # B/phone 0 → 40·(0 − 5) = −200; B/chat has no responses → impact 0, Happiness null
    result = hotspot_impact(cells, keys=["service", "channel"])
    assert_frame_equal(
        result.select("service", "channel", "n", "happiness", "impact"),
        pl.DataFrame(
            {
                "service": ["A", "B", "B", "A"],
                "channel": ["email", "phone", "chat", "phone"],
                "n": [10, 40, 0, 10],
                "happiness": [-40.0, 0.0, None, 70.0],
                "impact": [-450.0, -200.0, 0.0, 650.0],
            }
        ),
    )
    assert {"margin", "happiness_low", "happiness_high"} <= set(result.columns)


def test_hotspot_impact_sums_repeated_cells() -> None:
    # the two "A" rows add up to happy 3, unhappy 1, n 4 → 50; scope = 100·(3 − 3)/8 = 0
    # A: 4·(50 − 0) = 200; B: happy 0, unhappy 2, n 4 → −50 → 4·(−50) = −200
    cells = pl.DataFrame(
        {"team": ["A", "B", "A"], "happy": [1, 0, 2], "unhappy": [1, 2, 0], "n": [2, 4, 2]}
    )
    result = hotspot_impact(cells, keys=["team"])
    assert result["team"].to_list() == ["B", "A"]
    assert result["impact"].to_list() == [-200.0, 200.0]


def test_hotspot_impact_empty_scope() -> None:
    cells = pl.DataFrame({"team": ["A"], "happy": [0], "unhappy": [0], "n": [0]})
    assert hotspot_impact(cells, keys=["team"])["impact"].to_list() == [None]
