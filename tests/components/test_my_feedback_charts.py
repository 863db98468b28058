"""The My feedback chart builders are pure: small frames in, the frame to draw and a Vega-Lite spec out."""

from __future__ import annotations

import datetime as dt

import polars as pl

from components.my_feedback_charts import gap_progress_text, rank_chart, spread_chart
from metrics.self_view import Spread


def test_spread_chart_draws_only_the_band_and_the_analyst():
    spread = Spread(analysts=6, p25=13.0, median=75.0, p75=100.0, own_percentile=10.0)
    frame, spec = spread_chart(spread, 0.0, title="Happiness", domain=(-100, 100), fmt="+.0f")
    assert frame.to_dicts() == [{"row": "Happiness", "p25": 13.0, "median": 75.0, "p75": 100.0,
                                 "analysts": 6, "value": 0.0}]
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "tick", "point"]
    assert spec["layer"][0]["encoding"]["x"]["scale"] == {"domain": [-100, 100]}


def test_rank_chart_leaves_out_hidden_percentiles():
    ranks = pl.DataFrame({"dimension": ["communication", "application"], "self_percentile": [100.0, None],
                          "customer_percentile": [50.0, None]})
    frame, _ = rank_chart(ranks)
    assert sorted(frame.rows()) == [("Communication", "by your customers' rating", 50.0),
                                    ("Communication", "by your self-rating", 100.0)]


def test_gap_progress_counts_dimensions_that_moved_closer_and_apart():
    first, last = dt.datetime(2025, 3, 3, 9), dt.datetime(2025, 9, 1, 9)
    history = pl.DataFrame({
        "assessment_id": [1, 1, 1, 2, 2, 2],
        "submitted_at": [first] * 3 + [last] * 3,
        "dimension": ["communication", "application", "resolution"] * 2,
        "gap": [1.5, -1.0, 0.2, 0.5, -1.2, 0.22],  # closer by 1.0, apart by 0.2, unchanged (< 0.05)
    })
    assert gap_progress_text(history) == (
        "Since your self-assessment of 3 March 2025, your view and your customers' moved closer on 1 of 3 "
        "dimensions and further apart on 1.")
    assert gap_progress_text(history.filter(pl.col("assessment_id") == 1)) is None
