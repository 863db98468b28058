"""Empirical-Bayes shrinkage: beta-binomial for shares, normal-normal for means."""

import polars as pl
import pytest
from polars.testing import assert_series_equal

from metrics.shrinkage import beta_prior, shrink_happiness, shrink_means


def test_beta_prior_method_of_moments() -> None:
    # 4 members × 10 responses, 2/4/6/8 successes → pooled m = 20/40 = 0.5
    # Q = Σ 10·(p − 0.5)² = 10·(0.09 + 0.01 + 0.01 + 0.09) = 2.0
    # τ² = (Q − 3·0.25) / (40 − 400/40 − 3) = 1.25 / 27 = 0.046296
    # α + β = 0.25 / τ² − 1 = 5.4 − 1 = 4.4 → α = β = 2.2
    alpha, beta = beta_prior(pl.Series([2, 4, 6, 8]), pl.Series([10, 10, 10, 10]))
    assert alpha == pytest.approx(2.2)
    assert beta == pytest.approx(2.2)


def test_beta_prior_no_extra_spread_falls_back_to_weak_prior() -> None:
    # identical rates 5/10 and 5/10: Q = 0 ≤ binomial noise → α + β = 10 around 0.5
    assert beta_prior(pl.Series([5, 5]), pl.Series([10, 10])) == (5.0, 5.0)


def test_beta_prior_single_member_and_no_data() -> None:
    # one member, 3 of 4 → not estimable → weak prior centred on 0.75: α = 7.5, β = 2.5
    assert beta_prior(pl.Series([3]), pl.Series([4])) == (7.5, 2.5)
    # nobody answered → weak prior centred on 0.5
    assert beta_prior(pl.Series([0, 0]), pl.Series([0, 0])) == (5.0, 5.0)


def test_shrink_happiness_hand_computed() -> None:
    # happy 2/4/6/8 and unhappy 8/6/4/2 of 10 each → both priors Beta(2.2, 2.2)
    # member 1: p̃ = (2.2 + 2) / 14.4 = 0.291667, d̃ = (2.2 + 8) / 14.4 = 0.708333
    #           → 100·(4.2 − 10.2) / 14.4 = −41.6667 (raw −60); member 4 mirrors it at +41.6667
    # members 2 and 3: 100·(6.2 − 8.2) / 14.4 = −13.8889 (raw −20) and +13.8889
    df = pl.DataFrame(
        {"happy": [2, 4, 6, 8], "unhappy": [8, 6, 4, 2], "n": [10, 10, 10, 10]}
    )
    result = shrink_happiness(df)
    assert_series_equal(result["happiness"], pl.Series("happiness", [-60.0, -20.0, 20.0, 60.0]))
    assert_series_equal(
        result["happiness_shrunk"],
        pl.Series("happiness_shrunk", [-41.666667, -13.888889, 13.888889, 41.666667]),
        abs_tol=1e-6,
    )


def test_shrink_happiness_small_sample_moves_most() -> None:
    # a team with real spread, one analyst with 2 responses (both 9–10) and one with 200
    df = pl.DataFrame(
        {
            "analyst": ["tiny", "big", "a", "b", "c", "d"],
            "happy": [2, 150, 20, 30, 10, 25],
            "unhappy": [0, 20, 15, 5, 25, 10],
            "n": [2, 200, 50, 50, 50, 50],
        }
    )
    result = shrink_happiness(df)
    # team value the shrinkage pulls toward: pooled shares 237/402 and 95/402 → 35.3234…
    team = 100.0 * (237 - 95) / 402
    rows = {row["analyst"]: row for row in result.iter_rows(named=True)}
    tiny, big = rows["tiny"], rows["big"]
    assert tiny["happiness"] == 100.0
    assert team < tiny["happiness_shrunk"] < tiny["happiness"]
    assert team < big["happiness_shrunk"] < big["happiness"]
    # the 2-response analyst travels most of the way to the team; the 200-response one barely moves
    assert (tiny["happiness"] - tiny["happiness_shrunk"]) > 0.5 * (tiny["happiness"] - team)
    assert (big["happiness"] - big["happiness_shrunk"]) < 0.1 * (big["happiness"] - team)


def test_shrink_happiness_per_group_and_empty_rows() -> None:
    df = pl.DataFrame(
        {
            "team": ["x", "x", "y", "x"],
            "happy": [5, 5, 0, 0],
            "unhappy": [5, 5, 0, 0],
            "n": [10, 10, 0, 0],
        }
    )
    result = shrink_happiness(df, group_by=["team"])
    # team x: both priors fall back to Beta(5, 5) (no spread) → members 100·(10 − 10)/20 = 0;
    # the member with no responses gets the prior value 100·(0.5 − 0.5) = 0.
    # team y has no responses at all → null. Row order is kept.
    assert result["team"].to_list() == ["x", "x", "y", "x"]
    assert result["happiness_shrunk"].to_list() == [0.0, 0.0, None, 0.0]


def test_shrink_means_hand_computed() -> None:
    # means 3, 4, 5 with n = 10 and within variance 1 each → σ² = 1, grand mean 4
    # weights n/σ² = 10; Q = 10·(1 + 0 + 1) = 20; τ² = (20 − 2) / (30 − 300/30) = 0.9
    # w = 0.9 / (0.9 + 1/10) = 0.9 → 4 + 0.9·(x − 4) = 3.1, 4.0, 4.9; a row with n = 0 gets 4
    df = pl.DataFrame(
        {"mean": [3.0, 4.0, 5.0, None], "n": [10, 10, 10, 0], "var": [1.0, 1.0, 1.0, None]}
    )
    result = shrink_means(df, mean="mean", n="n", var="var", out="shrunk")
    assert_series_equal(
        result["shrunk"], pl.Series("shrunk", [3.1, 4.0, 4.9, 4.0]), abs_tol=1e-9
    )


def test_shrink_means_no_spread_pulls_to_grand_mean() -> None:
    # means 3.9, 4.0, 4.1 with n = 10, σ² = 1: Q = 10·(0.01 + 0 + 0.01) = 0.2 < 2 → τ² floored
    # → w ≈ 0 and every row lands on the grand mean 4.0
    df = pl.DataFrame({"mean": [3.9, 4.0, 4.1], "n": [10, 10, 10]})
    result = shrink_means(df, mean="mean", n="n", out="shrunk", sigma2=1.0)
    assert result["shrunk"].to_list() == pytest.approx([4.0, 4.0, 4.0], abs=1e-4)


def test_shrink_means_small_rows_move_more() -> None:
    df = pl.DataFrame(
        {"mean": [5.0, 5.0, 3.0, 4.0, 2.5], "n": [2, 200, 40, 40, 40], "var": [0.5] * 5}
    )
    result = shrink_means(df, mean="mean", n="n", var="var", out="shrunk")
    grand = (5 * 2 + 5 * 200 + 3 * 40 + 4 * 40 + 2.5 * 40) / 322
    small, large = result["shrunk"][0], result["shrunk"][1]
    assert grand < small < 5.0 and grand < large < 5.0
    assert (5.0 - small) > 10 * (5.0 - large)


def test_shrink_means_needs_a_variance() -> None:
    with pytest.raises(ValueError):
        shrink_means(pl.DataFrame({"m": [1.0], "n": [1]}), mean="m", n="n", out="s")


def test_shrink_means_by_group_shrinks_each_group_on_its_own() -> None:
    # Team a is the hand-computed frame above (3.1, 4.0, 4.9, and 4.0 for n = 0), interleaved with
    # team b, whose rows carry no variance (σ² unknown: left as they are), and team c, whose one row
    # has no answers (no grand mean: null). Rows keep their order.
    df = pl.DataFrame({
        "team": ["a", "b", "a", "c", "b", "a", "a"],
        "mean": [3.0, 7.0, 4.0, None, 2.0, 5.0, None],
        "n": [10, 3, 10, 0, 1, 10, 0],
        "var": [1.0, None, 1.0, None, None, 1.0, None],
    })
    result = shrink_means(df, mean="mean", n="n", var="var", out="shrunk", by=["team"])
    assert result["team"].to_list() == df["team"].to_list()
    assert result["shrunk"].to_list() == pytest.approx([3.1, 7.0, 4.0, None, 2.0, 4.9, 4.0], abs=1e-9)
    assert result.columns == [*df.columns, "shrunk"]
