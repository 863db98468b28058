"""Survey response rates per channel: answered / invited next to responses / closed tickets,
with Wilson intervals; a channel with too few invitations or tickets shows no share."""

from __future__ import annotations

import polars as pl

from metrics.intervals import wilson_interval


def _share(k: int, n: int, min_n: int) -> tuple[float | None, float | None, float | None]:
    if n < min_n or n == 0:
        return None, None, None
    low, high = wilson_interval(min(k, n), n) or (None, None)
    return min(k, n) / n, low, high


def channel_rate_table(counts: pl.DataFrame, *, min_n: int) -> pl.DataFrame:
    """Rows of `counts` (channel, closed, responses, invited, answered) plus a total row, with
    `survey_rate` (answered / invited) and `response_rate` (responses / closed) and their intervals;
    shares are None below `min_n` in their denominator."""
    cols = ["closed", "responses", "invited", "answered"]
    total = counts.select(pl.lit("All channels").alias("channel"), *[pl.col(c).sum() for c in cols])
    rows = []
    for r in pl.concat([counts.select("channel", *cols), total]).iter_rows(named=True):
        s, s_low, s_high = _share(r["answered"], r["invited"], min_n)
        p, p_low, p_high = _share(r["responses"], r["closed"], min_n)
        rows.append({**r, "survey_rate": s, "survey_low": s_low, "survey_high": s_high,
                     "response_rate": p, "response_low": p_low, "response_high": p_high})
    schema = {"channel": pl.String, **{c: pl.Int64 for c in cols},
              **{c: pl.Float64 for c in ("survey_rate", "survey_low", "survey_high",
                                         "response_rate", "response_low", "response_high")}}
    return pl.DataFrame(rows, schema=schema, orient="row")
