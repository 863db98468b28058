"""Pure chart builders of the analyst's private "My feedback" page (no Streamlit here).

Each builder takes a small frame from the read model (`views.my_feedback`) and returns the frame
to draw and a plain Vega-Lite spec — building and validating Altair objects cost more than all
the page's SQL together at 1M responses. `components.my_feedback` draws them.
"""

from __future__ import annotations

import polars as pl

from components import formats
from metrics import CARE_NAMES
from metrics.gaps import ALIGNED, BLIND_SPOT, HIDDEN_STRENGTH
from metrics.self_view import LABELS, Spread

MINE = "#1f6feb"
TEAM = "#9aa4b2"
LABEL_COLOURS = {BLIND_SPOT: "#d97706", HIDDEN_STRENGTH: "#7c3aed", ALIGNED: "#2da44e"}
DIMENSION_COLOURS = ["#1f6feb", "#8250df", "#1a7f37", "#bf8700"]
Chart = tuple[pl.DataFrame, dict]


def _tip(field: str, title: str, kind: str = "quantitative", fmt: str | None = None) -> dict:
    tip = {"field": field, "title": title, "type": kind}
    if fmt:
        tip["format"] = fmt
    return tip


def _axis_y(order: list[str]) -> dict:
    return {"field": "name", "type": "nominal", "sort": order, "title": None, "axis": {"labelLimit": 160}}


def spread_chart(spread: Spread, own: float | None, *, title: str, domain: tuple[float, float],
                 fmt: str = ".0f") -> Chart:
    """The team's middle half (unnamed) as a bar with its median tick, and the analyst as a dot."""
    frame = pl.DataFrame({"row": [title], "p25": [spread.p25], "median": [spread.median], "p75": [spread.p75],
                          "analysts": [spread.analysts], "value": [own]})
    x_scale = {"domain": list(domain)}
    y = {"field": "row", "type": "nominal", "axis": None}
    team_tip = [_tip("p25", "Team 25th percentile", fmt=fmt), _tip("median", "Team median", fmt=fmt),
                _tip("p75", "Team 75th percentile", fmt=fmt), _tip("analysts", "Colleagues counted")]
    spec = {"layer": [
        {"mark": {"type": "bar", "height": 16, "color": TEAM, "opacity": 0.55, "cornerRadius": 3},
         "encoding": {"x": {"field": "p25", "type": "quantitative", "scale": x_scale, "title": None},
                      "x2": {"field": "p75"}, "y": y, "tooltip": team_tip}},
        {"mark": {"type": "tick", "color": "#1f2328", "stroke": "#ffffff", "strokeWidth": 1, "thickness": 3, "size": 22},
         "encoding": {"x": {"field": "median", "type": "quantitative", "scale": x_scale}, "y": y,
                      "tooltip": team_tip}},
        {"mark": {"type": "point", "filled": True, "size": 160, "color": MINE, "opacity": 1},
         "encoding": {"x": {"field": "value", "type": "quantitative", "scale": x_scale}, "y": y,
                      "tooltip": [_tip("value", f"You ({title})", fmt=fmt)]}},
    ]}
    return frame, spec


def care_profile_chart(frame: pl.DataFrame) -> Chart:
    """Own CARE means with 95% intervals (blue) and the team's mean (grey tick), on the 1–5 scale."""
    data = frame.rename({"dimension": "name"})
    scale = {"domain": [1, 5]}
    tooltip = [_tip("name", "Dimension", "nominal"), _tip("statement", "Customers rate", "nominal"),
               _tip("mean", "Your mean", fmt=".2f"), _tip("low", "95% from", fmt=".2f"),
               _tip("high", "95% to", fmt=".2f"), _tip("n", "Answers"), _tip("team_mean", "Team mean", fmt=".2f")]
    y = _axis_y([LABELS[d] for d in CARE_NAMES])
    spec = {"encoding": {"y": y, "tooltip": tooltip}, "layer": [
        {"mark": {"type": "rule", "color": MINE, "strokeWidth": 3, "opacity": 0.7},
         "encoding": {"x": {"field": "low", "type": "quantitative", "scale": scale}, "x2": {"field": "high"}}},
        {"mark": {"type": "tick", "color": TEAM, "thickness": 3, "size": 22},
         "encoding": {"x": {"field": "team_mean", "type": "quantitative", "scale": scale}}},
        {"mark": {"type": "point", "filled": True, "size": 120, "color": MINE, "opacity": 1},
         "encoding": {"x": {"field": "mean", "type": "quantitative", "scale": scale,
                            "title": "Customer rating (1–5)",
                            "axis": {"values": [1, 2, 3, 4, 5], "format": "d"}}}},
    ]}
    return data, spec


def trend_chart(trend: pl.DataFrame) -> Chart:
    """Own monthly Happiness with 95% error bars over the team's middle-half band (unnamed)."""
    data = trend.with_columns(pl.col("month").cast(pl.Datetime("ms")))
    x = {"field": "month", "type": "temporal", "title": None,
         "axis": {"format": formats.MONTH_AXIS, "tickCount": "month"}}
    scale = {"domain": [-100, 100]}
    team_tip = [_tip("month", "Month", "temporal", "%B %Y"), _tip("band_low", "Team 25th percentile", fmt="+.0f"),
                _tip("band_mid", "Team median", fmt="+.0f"), _tip("band_high", "Team 75th percentile", fmt="+.0f")]
    own_tip = [_tip("month", "Month", "temporal", "%B %Y"), _tip("own_happiness", "Your Happiness", fmt="+.0f"),
               _tip("own_margin", "± margin", fmt=".0f"), _tip("own_n", "Responses")]
    own_only = [{"filter": "isValid(datum.own_happiness)"}]
    spec = {"encoding": {"x": x}, "layer": [
        {"mark": {"type": "area", "color": TEAM, "opacity": 0.28},
         "encoding": {"y": {"field": "band_low", "type": "quantitative", "scale": scale, "title": "Happiness"},
                      "y2": {"field": "band_high"}, "tooltip": team_tip}},
        {"mark": {"type": "line", "color": TEAM, "strokeDash": [4, 3]},
         "encoding": {"y": {"field": "band_mid", "type": "quantitative", "scale": scale}}},
        {"transform": own_only, "mark": {"type": "rule", "color": MINE, "opacity": 0.6, "strokeWidth": 2, "clip": True},
         "encoding": {"y": {"field": "own_happiness_low", "type": "quantitative", "scale": scale},
                      "y2": {"field": "own_happiness_high"}, "tooltip": own_tip}},
        {"transform": own_only,
         "mark": {"type": "line", "color": MINE, "point": {"size": 60, "filled": True, "color": MINE}},
         "encoding": {"y": {"field": "own_happiness", "type": "quantitative", "scale": scale},
                      "tooltip": own_tip}},
    ]}
    return data, spec


def gap_chart(frame: pl.DataFrame) -> Chart:
    """Self-rating (diamond) next to the customers' shrunk mean (dot, with interval), per dimension."""
    data = frame.filter(pl.col("customer_mean").is_not_null() & pl.col("self_rating").is_not_null()).select(
        "name", "statement", "self_rating", "customer_mean", "customer_raw", "low", "high", "n", "gap", "label")
    scale = {"domain": [1, 5]}
    colour = {"field": "label", "type": "nominal", "title": "Reading",
              "scale": {"domain": list(LABEL_COLOURS), "range": list(LABEL_COLOURS.values())},
              "legend": {"orient": "top"}}
    tooltip = [_tip("name", "Dimension", "nominal"), _tip("statement", "Wording", "nominal"),
               _tip("self_rating", "You", fmt=".0f"), _tip("customer_mean", "Customers (shrunk)", fmt=".2f"),
               _tip("customer_raw", "Customers (raw)", fmt=".2f"), _tip("n", "Answers"),
               _tip("gap", "Gap", fmt="+.2f"), _tip("label", "Reading", "nominal")]
    spec = {"encoding": {"y": _axis_y([LABELS[d] for d in CARE_NAMES]), "tooltip": tooltip}, "layer": [
        {"mark": {"type": "rule", "color": MINE, "strokeWidth": 8, "opacity": 0.18},
         "encoding": {"x": {"field": "low", "type": "quantitative", "scale": scale}, "x2": {"field": "high"}}},
        {"mark": {"type": "rule", "strokeWidth": 2, "opacity": 0.6},
         "encoding": {"x": {"field": "self_rating", "type": "quantitative", "scale": scale,
                            "title": "Rating (1–5)", "axis": {"values": [1, 2, 3, 4, 5], "format": "d"}},
                      "x2": {"field": "customer_mean"}, "color": colour}},
        {"mark": {"type": "point", "filled": True, "size": 140, "color": MINE, "opacity": 1},
         "encoding": {"x": {"field": "customer_mean", "type": "quantitative", "scale": scale}}},
        {"mark": {"type": "point", "shape": "diamond", "filled": True, "size": 190, "opacity": 1},
         "encoding": {"x": {"field": "self_rating", "type": "quantitative", "scale": scale}, "color": colour}},
    ]}
    return data, spec


def rank_chart(ranks: pl.DataFrame) -> Chart:
    """Own percentile in the team by self-rating and by customers' rating (no names, no others)."""
    by_self, by_customers = "by your self-rating", "by your customers' rating"
    long = ranks.with_columns(pl.col("dimension").replace_strict(LABELS).alias("name")).unpivot(
        index="name", on=["self_percentile", "customer_percentile"], variable_name="by",
        value_name="percentile").with_columns(
        pl.col("by").replace_strict({"self_percentile": by_self, "customer_percentile": by_customers}))
    long = long.filter(pl.col("percentile").is_not_null())
    x = {"field": "percentile", "type": "quantitative", "scale": {"domain": [0, 100]},
         "title": "Your percentile in the team (0 = lowest, 100 = highest)"}
    spec = {"encoding": {"y": _axis_y([LABELS[d] for d in CARE_NAMES]), "x": x}, "layer": [
        {"mark": {"type": "line", "color": "#d0d7de", "strokeWidth": 2}, "encoding": {"detail": {"field": "name"}}},
        {"mark": {"type": "point", "filled": True, "size": 130, "opacity": 1},
         "encoding": {"color": {"field": "by", "type": "nominal", "title": None,
                                "scale": {"domain": [by_self, by_customers], "range": ["#d97706", MINE]},
                                "legend": {"orient": "top"}},
                      "tooltip": [_tip("name", "Dimension", "nominal"), _tip("by", "Ranked", "nominal"),
                                  _tip("percentile", "Percentile", fmt=".0f")]}},
    ]}
    return long, spec


def gap_history_chart(history: pl.DataFrame) -> Chart:
    """The gap per dimension at each self-assessment, with the 'aligned' zone (±4/3) shaded."""
    data = history.filter(pl.col("gap").is_not_null()).sort("submitted_at").with_columns(
        pl.col("dimension").replace_strict(LABELS).alias("name"),
        pl.col("submitted_at").dt.strftime("%-d %b %Y").alias("when")).select(
        "when", "name", "self_rating", "customer_mean", "n", "gap", "label")
    order = data["when"].unique(maintain_order=True).to_list()
    scale = {"domain": [-4, 4]}
    spec = {"layer": [
        {"data": {"values": [{"low": -4 / 3, "high": 4 / 3}]},
         "mark": {"type": "rect", "color": "#2da44e", "opacity": 0.09},
         "encoding": {"y": {"field": "low", "type": "quantitative", "scale": scale}, "y2": {"field": "high"}}},
        {"data": {"values": [{"y": 0}]}, "mark": {"type": "rule", "color": "#8c959f", "strokeDash": [3, 3]},
         "encoding": {"y": {"field": "y", "type": "quantitative", "scale": scale}}},
        {"mark": {"type": "line", "point": {"size": 70, "filled": True}},
         "encoding": {
             "x": {"field": "when", "type": "ordinal", "sort": order, "title": "Self-assessment",
                   "axis": {"labelAngle": 0}},
             "y": {"field": "gap", "type": "quantitative", "scale": scale, "title": "You − customers"},
             "color": {"field": "name", "type": "nominal", "title": None,
                       "scale": {"domain": [LABELS[d] for d in CARE_NAMES], "range": DIMENSION_COLOURS},
                       "legend": {"orient": "top"}},
             "tooltip": [_tip("when", "Submitted", "nominal"), _tip("name", "Dimension", "nominal"),
                         _tip("self_rating", "You", fmt=".0f"),
                         _tip("customer_mean", "Customers (shrunk)", fmt=".2f"), _tip("n", "Answers"),
                         _tip("gap", "Gap", fmt="+.2f"), _tip("label", "Reading", "nominal")]}},
    ]}
    return data, spec


def gap_progress_text(history: pl.DataFrame) -> str | None:
    """A one-line summary of how the gaps moved from the first to the latest assessment."""
    data = history.filter(pl.col("gap").is_not_null())
    ids = data["assessment_id"].unique(maintain_order=True).to_list()
    if len(ids) < 2:
        return None
    first = dict(data.filter(pl.col("assessment_id") == ids[0]).select("dimension", "gap").iter_rows())
    last = dict(data.filter(pl.col("assessment_id") == ids[-1]).select("dimension", "gap").iter_rows())
    common = [d for d in CARE_NAMES if d in first and d in last]
    if not common:
        return None
    closer = sum(abs(last[d]) < abs(first[d]) - 0.05 for d in common)
    wider = sum(abs(last[d]) > abs(first[d]) + 0.05 for d in common)
    when = data.filter(pl.col("assessment_id") == ids[0])["submitted_at"][0]
    return (f"Since your self-assessment of {when:%-d %B %Y}, your view and your customers' moved "
            f"closer on {closer} of {len(common)} dimensions and further apart on {wider}.")
