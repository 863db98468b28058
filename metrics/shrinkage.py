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
    by: Sequence[str] = (),
) -> pl.DataFrame:
    """Add column ``out``: each row's mean shrunk toward its group's grand mean (normal-normal model).

    The rows sharing the values of ``by`` form a group (no ``by``: the whole frame is one); each
    group is shrunk on its own, as if it were the only frame. The within-row variance σ² is pooled
    from the group's per-row sample variances in column ``var`` (weights nᵢ − 1), or given directly
    as ``sigma2``. The between-row variance τ² is the DerSimonian–Laird moment estimate, floored at
    a tiny positive value. Each row gets w·mean + (1 − w)·grand mean with w = τ²/(τ² + σ²/n); the
    grand mean is the n-weighted mean of the group's rows. Rows with n == 0 get the grand mean; a
    group without any observed row gets nulls. If σ² can be estimated from neither source, rows are
    left unshrunk. Every step is a native window sum, so many small groups cost one pass.
    """
    if var is None and sigma2 is None:
        raise ValueError("shrink_means needs a variance column (var=...) or sigma2=...")
    frame = _group_sums(df, list(by), mean=mean, n=n, var=var, sigma2=sigma2)
    size = pl.col(n).cast(pl.Float64)
    value = pl.col(mean).cast(pl.Float64)
    floor = TAU2_FLOOR_RATIO * pl.col("_s2")
    denominator = pl.col("_w") - pl.col("_w2") / pl.col("_w")
    tau2 = (pl.when((pl.col("_k") < 2) | (denominator <= 0)).then(floor)
            .otherwise(pl.max_horizontal((pl.col("_q") - (pl.col("_k") - 1.0)) / denominator, floor)))
    shrink = tau2 / (tau2 + pl.col("_s2") / size)
    unshrunk = pl.col("_s2").is_null() | (pl.col("_s2") <= 0)  # no σ², or no noise within rows
    estimate = pl.when(unshrunk).then(value).otherwise(shrink * value + (1.0 - shrink) * pl.col("_grand"))
    return frame.with_columns(
        pl.when(pl.col("_n") <= 0).then(pl.lit(None, pl.Float64))
        .when(pl.col("_seen")).then(estimate)
        .otherwise(pl.col("_grand"))
        .alias(out)
    ).drop("_seen", "_v", "_n", "_xn", "_k", "_dof", "_vdof", "_grand", "_s2", "_w", "_wx", "_w2", "_q")


def _group_sums(df: pl.DataFrame, keys: list[str], *, mean: str, n: str, var: str | None,
                sigma2: float | None) -> pl.DataFrame:
    """`df` with what `shrink_means` needs of each row's group, as window sums over its observed
    rows (n > 0, a mean): _n, _k (rows), _grand (n-weighted mean), _s2 (σ²) and, with weights
    n/σ², _w, _w2 (their sum and sum of squares) and _q (weighted squares about their centre)."""

    def total(expr: pl.Expr) -> pl.Expr:
        summed = pl.when(pl.col("_seen")).then(expr).otherwise(0.0).sum()
        return summed.over(keys) if keys else summed

    size = pl.col(n).cast(pl.Float64)
    value = pl.col(mean).cast(pl.Float64)
    spread = (size >= 2) & pl.col("_v").is_not_null()
    pooled = (pl.when(pl.col("_dof") > 0).then(pl.col("_vdof") / pl.col("_dof")) if sigma2 is None
              else pl.lit(sigma2, pl.Float64))
    weight = size / pl.col("_s2")
    return (
        df.with_columns(((size > 0) & value.is_not_null()).alias("_seen"),
                        (pl.col(var).cast(pl.Float64) if var else pl.lit(None, pl.Float64)).alias("_v"))
        .with_columns(total(size).alias("_n"), total(size * value).alias("_xn"), total(pl.lit(1.0)).alias("_k"),
                      total(pl.when(spread).then(size - 1.0).otherwise(0.0)).alias("_dof"),
                      total(pl.when(spread).then((size - 1.0) * pl.col("_v")).otherwise(0.0)).alias("_vdof"))
        .with_columns((pl.col("_xn") / pl.col("_n")).alias("_grand"), pooled.alias("_s2"))
        .with_columns(total(weight).alias("_w"), total(weight * value).alias("_wx"),
                      total(weight * weight).alias("_w2"))
        .with_columns(total(weight * (value - pl.col("_wx") / pl.col("_w")) ** 2).alias("_q"))
    )
