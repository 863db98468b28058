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


def test_impact_within_each_week_is_hotspot_impact_of_that_week_to_the_last_bit():
    import numpy as np
    from polars.testing import assert_frame_equal

    from metrics.hotspots import hotspot_impact, impact_within

    rng = np.random.default_rng(5)
    rows = 400
    n = rng.integers(0, 9, rows)
    happy = np.minimum(n, rng.integers(0, 9, rows))
    unhappy = np.minimum(n - happy, rng.integers(0, 9, rows))
    cells = pl.DataFrame({"service_id": rng.integers(1, 6, rows), "channel": rng.choice(["email", "phone", "chat"], rows),
                          "week": rng.integers(1, 12, rows), "happy": happy, "unhappy": unhappy, "n": n})
    cells = cells.vstack(pl.DataFrame({"service_id": [9], "channel": ["email"], "week": [99], "happy": [0],
                                       "unhappy": [0], "n": [0]}, schema=cells.schema))  # a week without answers
    keys = ["service_id", "channel", "week"]
    one_pass = impact_within(cells, keys=["service_id", "channel"], by="week").sort(keys)
    week_by_week = pl.concat([hotspot_impact(week, keys=keys).select(*keys, "impact")
                              for week in cells.partition_by("week")]).sort(keys)
    assert_frame_equal(one_pass, week_by_week, check_exact=True)
    assert one_pass.filter(pl.col("week") == 99)["impact"].to_list() == [None]
    assert one_pass["impact"].null_count() == 1 and one_pass.height > 100
