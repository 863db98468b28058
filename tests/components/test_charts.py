"""Chart builders: valid Vega-Lite, interval bands where promised, n in every tooltip."""

import datetime as dt

import altair as alt
import polars as pl
import pytest

from components import charts
from metrics.culture import happiness_mix, monthly_happiness
from metrics.reassignment import reassignment_cost

MONTHS = [dt.date(2026, m, 1) for m in (1, 2, 3)]
STATS = pl.DataFrame({
    "month": MONTHS * 2, "ticket_type": ["incident"] * 3 + ["request"] * 3,
    "sla_met": [True, False, True, True, False, True],
    "n": [40, 50, 60, 30, 35, 45], "happy": [20, 25, 30, 20, 20, 30], "unhappy": [8, 10, 9, 3, 4, 5],
    "lost_n": [30, 40, 50, 20, 25, 30], "lost_sum": [900.0, 1200.0, 1000.0, 300.0, 500.0, 450.0],
    "sla_met_n": [40, 0, 60, 30, 0, 45], "sla_met_unhappy": [8, 0, 9, 3, 0, 5],
})


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def _tooltip_fields(spec: dict) -> set[str]:
    fields = set()
    for layer in _layers(spec):
        tips = layer.get("encoding", {}).get("tooltip", [])
        fields |= {t.get("field") for t in (tips if isinstance(tips, list) else [tips])}
    return fields


def _mark(layer: dict) -> str:
    mark = layer["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def test_happiness_trend_has_band_line_and_n():
    spec = charts.happiness_trend(monthly_happiness(STATS)).to_dict()
    marks = [_mark(layer) for layer in _layers(spec)]
    assert "area" in marks and "line" in marks
    band = next(layer for layer in _layers(spec) if _mark(layer) == "area")
    assert band["encoding"]["y"]["field"] == "happiness_low" and band["encoding"]["y2"]["field"] == "happiness_high"
    assert {"n", "happiness", "margin"} <= _tooltip_fields(spec)
    assert spec["width"] == "container"


def test_compare_lines_are_selectable_from_the_legend():
    data = monthly_happiness(STATS, series="ticket_type").rename({"ticket_type": "series"})
    spec = charts.happiness_compare(data, "series", title="Ticket type").to_dict()
    params = [p for layer in _layers(spec) for p in layer.get("params", [])] + spec.get("params", [])
    assert any(p["select"]["type"] == "point" and p.get("bind") == "legend" for p in params)
    assert "n" in _tooltip_fields(spec)


def test_mood_mix_and_watermelon_trend_carry_n():
    assert "n" in _tooltip_fields(charts.mood_mix(happiness_mix(STATS)).to_dict())
    from metrics.culture import watermelon_trend
    spec = charts.watermelon_trend(watermelon_trend(STATS)).to_dict()
    assert "sla_met_n" in _tooltip_fields(spec)
    assert any(_mark(layer) == "area" for layer in _layers(spec))


def test_hotspot_heatmap_is_clickable_and_diverging():
    cells = pl.DataFrame({"service_id": [1, 1, 2], "service": ["Email", "Email", "VPN"],
                          "channel": ["email", "phone", "phone"], "channel_label": ["Email", "Phone", "Phone"],
                          "n": [10, 20, 40], "happiness": [10.0, 50.0, -20.0], "margin": [5.0, 6.0, 7.0],
                          "impact": [-100.0, 300.0, -1500.0]})
    spec = charts.hotspot_heatmap(cells).to_dict()
    assert spec["params"][0]["name"] == "cell"
    assert spec["params"][0]["select"]["fields"] == ["service_id", "channel"]
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domainMid"] == 0 and scale["domain"] == [-1500.0, 1500.0]
    assert {"n", "impact"} <= _tooltip_fields(spec)
    # Services are listed busiest first.
    assert spec["encoding"]["y"]["sort"] == ["VPN", "Email"]


def test_reassignment_lost_time_and_calibration_charts():
    reass = reassignment_cost(pl.DataFrame({"reassignment_count": [0, 1, 3], "n": [50, 20, 6],
                                            "happy": [30, 8, 1], "unhappy": [5, 6, 3],
                                            "lost_n": [40, 15, 5], "lost_sum": [400.0, 600.0, 900.0]}))
    for chart in (charts.reassignment_happiness(reass), charts.reassignment_lost(reass)):
        assert "n" in _tooltip_fields(chart.to_dict())
    lost = pl.DataFrame({"channel_label": ["Phone", "Email"], "total_hours": [120.0, None],
                         "mean_minutes": [30.0, None], "tickets": [240, 3], "lost_n": [50, 2]})
    spec = charts.lost_hours_bars(lost, "channel_label", "Channel").to_dict()
    assert "lost_n" in _tooltip_fields(spec)
    cal = pl.DataFrame({"dimension": ["Communication"] * 3, "analysts": [10] * 3,
                        "label": ["blind spot", "aligned", "hidden strength"], "count": [2, 7, 1],
                        "share": [0.2, 0.7, 0.1], "order": [0, 1, 2]})
    assert "analysts" in _tooltip_fields(charts.calibration_bars(cal).to_dict())


@pytest.mark.parametrize("builder", ["happiness_trend", "mood_mix"])
def test_builders_accept_empty_frames(builder):
    empty = {"happiness_trend": monthly_happiness(STATS.head(0)), "mood_mix": happiness_mix(STATS.head(0))}[builder]
    assert isinstance(getattr(charts, builder)(empty), (alt.LayerChart, alt.Chart))


def test_compared_happiness_charts_share_one_y_range():
    from components.culture_charts import happiness_domain, trend_with_marks

    trend = pl.DataFrame({"month": [dt.date(2026, 1, 1), dt.date(2026, 2, 1)], "n": [40, 50],
                          "happiness": [30.0, 34.0], "margin": [8.0, 7.0], "happiness_low": [22.0, 27.0],
                          "happiness_high": [38.0, 41.0]})
    compare = trend.with_columns(pl.lit("Phone").alias("series"), pl.col("happiness_low") - 20)
    # Lowest value 2 (compare band) - 5 = -3 → -10; highest 41 + 5 = 46 → 50; the target 45 fits inside.
    domain = happiness_domain(trend, compare, also=(45.0, None))
    assert domain == [-10.0, 50.0]
    # One value 25: 20 … 30 is narrower than 20 points, so widened by 10 on each side.
    assert happiness_domain(pl.DataFrame({"happiness": [25.0]})) == [10.0, 40.0]
    assert happiness_domain(pl.DataFrame({"happiness": [30.0]})) == [20.0, 40.0]
    assert happiness_domain(pl.DataFrame()) == [-100.0, 100.0]
    for chart in (trend_with_marks(trend, domain=domain, target=45.0),
                  charts.happiness_compare(compare, "series", title="Channel", domain=domain)):
        spec = chart.to_dict()
        scales = [layer["encoding"]["y"]["scale"] for layer in spec["layer"]
                  if "scale" in layer.get("encoding", {}).get("y", {})]
        assert scales == [{"domain": [-10.0, 50.0]}]


def test_work_days_bars_one_band_per_month_with_money_in_the_tooltip():
    from components.culture_charts import work_days_bars

    months = pl.DataFrame({"month": [dt.date(2026, 9, 1), dt.date(2026, 10, 1)], "total_hours": [75.0, 150.0],
                           "days": [10.0, 20.0], "cost": [4500.0, 9000.0]})
    spec = work_days_bars(months, currency="EUR").to_dict()
    assert spec["encoding"]["x"]["type"] == "ordinal" and spec["encoding"]["x"]["timeUnit"] == "yearmonth"
    assert spec["encoding"]["y"]["field"] == "days"
    assert [t["title"] for t in spec["encoding"]["tooltip"]] == ["Month", "Work days lost", "Hours lost",
                                                                 "Cost (EUR)"]
    assert [t["title"] for t in work_days_bars(months).to_dict()["encoding"]["tooltip"]] == [
        "Month", "Work days lost", "Hours lost"]


def test_annotations_drawn_only_within_the_charted_months():
    from components.culture_charts import annotation_marks

    months = pl.DataFrame({"month": [dt.date(2026, 1, 1), dt.date(2026, 3, 1)]})
    notes = [(dt.date(2025, 12, 31), "Before"), (dt.date(2026, 2, 9), "New portal"), (dt.date(2026, 3, 31), "End"),
             (dt.date(2026, 4, 1), "After")]
    spec = annotation_marks(months, notes).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [r["label"] for r in rows] == ["New portal", "End"]
    assert annotation_marks(months, [(dt.date(2027, 1, 1), "Later")]) is None


def test_annotations_on_month_bands_stand_on_their_month_and_only_where_a_bar_is():
    from components.culture_charts import with_annotations, work_days_bars

    months = pl.DataFrame({"month": [dt.date(2026, 1, 1), dt.date(2026, 3, 1)], "days": [2.0, 3.0],
                           "total_hours": [15.0, 22.5], "cost": [None, None]},
                          schema_overrides={"cost": pl.Float64})
    notes = [(dt.date(2026, 2, 9), "No bar in February"), (dt.date(2026, 3, 16), "New portal")]
    spec = with_annotations(work_days_bars(months), months, notes, banded=True).to_dict()
    bars, marks = spec["layer"]
    rule = marks["layer"][0]
    assert rule["encoding"]["x"] == {"field": "month", "timeUnit": "yearmonth", "type": "ordinal"}
    assert bars["encoding"]["x"]["timeUnit"] == "yearmonth" and bars["encoding"]["x"]["type"] == "ordinal"
    rows = spec["datasets"][marks["data"]["name"]]
    assert [r["label"] for r in rows] == ["New portal"]
    plain = with_annotations(work_days_bars(months), months, [(dt.date(2026, 2, 9), "February")], banded=True)
    assert plain.to_dict()["mark"]["type"] == "bar"  # nothing to draw: the chart as it was


def _values(spec: dict) -> list[dict]:
    return next(iter(spec["datasets"].values()))


def test_a_month_not_shown_breaks_the_compare_lines_instead_of_joining_them():
    # March and May are hidden for the incidents line, May for the requests line.
    shown = pl.DataFrame({
        "month": [dt.date(2026, 2, 1), dt.date(2026, 4, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1),
                  dt.date(2026, 4, 1), dt.date(2026, 6, 1), dt.date(2026, 6, 1)],
        "series": ["Incidents", "Incidents", "Requests", "Requests", "Requests", "Requests", "Incidents"],
        "n": [40, 41, 30, 31, 32, 33, 42], "happiness": [10.0, 12.0, 20.0, 21.0, 22.0, 23.0, 14.0],
        "margin": [5.0] * 7, "happiness_low": [5.0, 7.0, 15.0, 16.0, 17.0, 18.0, 9.0],
        "happiness_high": [15.0, 17.0, 25.0, 26.0, 27.0, 28.0, 19.0]})
    rows = _values(charts.happiness_compare(shown, "series", title="Ticket type").to_dict())
    by = {(r["series"], r["month"][:7]): r["happiness"] for r in rows}
    assert len(rows) == 10  # five months from February to June, two lines
    assert by[("Incidents", "2026-03")] is None and by[("Incidents", "2026-05")] is None
    assert by[("Requests", "2026-05")] is None and by[("Requests", "2026-03")] == 21.0
    assert by[("Incidents", "2026-04")] == 12.0
    # Vega-Lite's default for lines breaks the path at an empty value (it does not filter it out).
    spec = charts.happiness_compare(shown, "series", title="Ticket type").to_dict()
    assert all(layer["mark"].get("invalid") in (None, "break-paths-show-path-domains")
               for layer in _layers(spec) if isinstance(layer["mark"], dict))


def test_the_trend_breaks_at_a_hidden_month_and_keeps_the_months_it_has():
    from components.culture_charts import trend_with_marks

    trend = pl.DataFrame({"month": [dt.date(2025, 12, 1), dt.date(2026, 2, 1)], "n": [40, 50],
                          "happiness": [30.0, 34.0], "margin": [4.0, 4.0], "happiness_low": [26.0, 30.0],
                          "happiness_high": [34.0, 38.0]})
    rows = _values(trend_with_marks(trend, domain=[0, 60]).to_dict())
    assert [(r["month"][:7], r["happiness"]) for r in rows] == [("2025-12", 30.0), ("2026-01", None),
                                                               ("2026-02", 34.0)]
    assert charts.with_month_gaps(trend.head(1)).height == 1  # one month: nothing to break
