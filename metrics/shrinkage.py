"""Empirical-Bayes shrinkage so small samples are compared fairly with their group."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from metrics.happiness import with_happiness

FALLBACK_PRIOR_STRENGTH = 10.0
"""Pseudo-responses (α + β) of the weak prior used when the group spread cannot be estimated."""

TAU2_FLOOR_RATIO = 1e-6
"""Between-group variance is floored at this share of the within-group variance (never 0)."""


def beta_prior(successes: pl.Series, n: pl.Series) -> tuple[float, float]:
    """Beta prior (α, β) for a rate, fitted by the method of moments to the group's members.

    With pooled rate m = Σk/Σn and Q = Σ nᵢ(pᵢ − m)², the unbiased moment estimate of the
    spread of the true rates is τ² = (Q − (G − 1)·m(1 − m)) / (N − Σnᵢ²/N − (G − 1)), and
    α + β = m(1 − m)/τ² − 1. When τ² cannot be estimated (fewer than two members with data, or
    only single responses) or does not exceed the binomial noise (τ² ≤ 0), we do not claim the
    members are identical; we fall back to a weak prior worth FALLBACK_PRIOR_STRENGTH responses
    centred on m. With no data at all the weak prior is centred on 0.5.
    """
    frame = pl.DataFrame(
        {"k": successes.cast(pl.Float64), "n": n.cast(pl.Float64)}
    ).filter(pl.col("n") > 0)
    total_n = float(frame["n"].sum()) if frame.height else 0.0
    if total_n == 0:
        return FALLBACK_PRIOR_STRENGTH / 2, FALLBACK_PRIOR_STRENGTH / 2
    if (frame["k"] < 0).any() or (frame["k"] > frame["n"]).any():
        raise ValueError("successes must lie between 0 and n")

    pooled = float(frame["k"].sum()) / total_n
    strength = FALLBACK_PRIOR_STRENGTH
    groups = frame.height
    denominator = total_n - float((frame["n"] ** 2).sum()) / total_n - (groups - 1)
    binomial = pooled * (1.0 - pooled)
    if groups >= 2 and denominator > 0 and binomial > 0:
        q = float((frame["n"] * (frame["k"] / frame["n"] - pooled) ** 2).sum())
        tau2 = (q - (groups - 1) * binomial) / denominator
        if tau2 > 0:
            # τ² ≥ m(1 − m) would mean members are all-or-nothing; keep a token prior then.
            strength = max(binomial / tau2 - 1.0, 1e-3)
    return pooled * strength, (1.0 - pooled) * strength


def shrink_happiness(df: pl.DataFrame, *, group_by: Sequence[str] = ()) -> pl.DataFrame:
    """Add ``happiness_shrunk`` = 100·(p̃ − d̃), the 9–10 and 0–6 shares shrunk toward the group.

    Rows are the members (e.g. analysts) of one group, or of several groups named by
    ``group_by`` (e.g. ``["team_id"]``), each shrunk toward its own group. p̃ = (α + happy) /
    (α + β + n) with a beta prior from :func:`beta_prior`, likewise d̃. Members with n == 0 get the
    group's prior value; a group with no responses at all gets null. Raw ``happiness`` (and its
    interval columns) are added first if the frame does not have them yet.
    """
    if "happiness" not in df.columns:
        df = with_happiness(df)
    keys = list(group_by)
    indexed = df.with_row_index("_row")
    parts = indexed.partition_by(keys, maintain_order=True) if keys else [indexed]
    shrunk: list[pl.DataFrame] = []
    for part in parts:
        a_p, b_p = beta_prior(part["happy"], part["n"])
        a_d, b_d = beta_prior(part["unhappy"], part["n"])
        n = pl.col("n").cast(pl.Float64)
        p = (a_p + pl.col("happy").cast(pl.Float64)) / (a_p + b_p + n)
        d = (a_d + pl.col("unhappy").cast(pl.Float64)) / (a_d + b_d + n)
        group_has_data = bool((part["n"] > 0).any())
        shrunk.append(
            part.with_columns(
                (100.0 * (p - d) if group_has_data else pl.lit(None, pl.Float64)).alias(
                    "happiness_shrunk"
                )
            )
        )
    return pl.concat(shrunk).sort("_row").drop("_row")


def shrink_means(
    df: pl.DataFrame,
    *,
    mean: str,
    n: str,
    var: str | None = None,
    out: str,
    sigma2: float | None = None,
) -> pl.DataFrame:
    """Add column ``out``: each row's mean shrunk toward the grand mean (normal-normal model).

    The within-row variance σ² is pooled from the per-row sample variances in column ``var``
    (weights nᵢ − 1), or given directly as ``sigma2``. The between-row variance τ² is the
    DerSimonian–Laird moment estimate, floored at a tiny positive value. Each row gets
    w·mean + (1 − w)·grand mean with w = τ²/(τ² + σ²/n); the grand mean is the n-weighted mean
    of the rows. Rows with n == 0 get the grand mean. If σ² can be estimated from neither
    source, rows are left unshrunk.
    """
    if var is None and sigma2 is None:
        raise ValueError("shrink_means needs a variance column (var=...) or sigma2=...")
    rows = df.select(
        pl.col(mean).cast(pl.Float64).alias("x"),
        pl.col(n).cast(pl.Float64).alias("n"),
        (pl.col(var).cast(pl.Float64) if var else pl.lit(None, pl.Float64)).alias("v"),
    )
    observed = rows.filter((pl.col("n") > 0) & pl.col("x").is_not_null())
    if observed.height == 0:
        return df.with_columns(pl.lit(None, pl.Float64).alias(out))

    total_n = float(observed["n"].sum())
    grand_mean = float((observed["x"] * observed["n"]).sum()) / total_n

    if sigma2 is None:
        with_var = observed.filter((pl.col("n") >= 2) & pl.col("v").is_not_null())
        dof = float((with_var["n"] - 1).sum()) if with_var.height else 0.0
        sigma2 = float(((with_var["n"] - 1) * with_var["v"]).sum()) / dof if dof > 0 else None

    if sigma2 is None:
        weight: pl.Expr = pl.lit(1.0)
    elif sigma2 <= 0:
        weight = pl.lit(1.0)  # no noise within rows: each row's mean is exact
    else:
        tau2 = _between_variance(observed["x"], observed["n"], sigma2)
        weight = tau2 / (tau2 + sigma2 / pl.col(n).cast(pl.Float64))

    value = pl.col(mean).cast(pl.Float64)
    return df.with_columns(
        pl.when((pl.col(n) > 0) & value.is_not_null())
        .then(weight * value + (1.0 - weight) * grand_mean)
        .otherwise(pl.lit(grand_mean))
        .alias(out)
    )


def _between_variance(means: pl.Series, sizes: pl.Series, sigma2: float) -> float:
    """DerSimonian–Laird moment estimate of τ², floored at TAU2_FLOOR_RATIO·σ²."""
    floor = TAU2_FLOOR_RATIO * sigma2
    weights = sizes / sigma2
    sum_w = float(weights.sum())
    centre = float((weights * means).sum()) / sum_w
    q = float((weights * (means - centre) ** 2).sum())
    denominator = sum_w - float((weights**2).sum()) / sum_w
    if means.len() < 2 or denominator <= 0:
        return floor
    return max((q - (means.len() - 1)) / denominator, floor)
