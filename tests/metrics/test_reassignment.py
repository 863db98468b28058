"""Reassignment cost by bucket 0, 1, 2, 3+."""

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from metrics.reassignment import reassignment_bucket, reassignment_bucket_expr, reassignment_cost


@pytest.mark.parametrize(("count", "label"), [(0, "0"), (1, "1"), (2, "2"), (3, "3+"), (17, "3+")])
def test_reassignment_bucket(count: int, label: str) -> None:
    assert reassignment_bucket(count) == label


def test_reassignment_bucket_expr() -> None:
    df = pl.DataFrame({"reassignment_count": [0, 2, 3, 9, -1]})
    assert df.select(reassignment_bucket_expr())["bucket"].to_list() == ["0", "2", "3+", "3+", None]
    with pytest.raises(ValueError):
        reassignment_bucket(-1)


def test_reassignment_cost() -> None:
    df = pl.DataFrame(
        {
            "reassignment_count": [4, 1, 0, 3, 5],
            "n": [3, 10, 20, 4, 3],
            "happy": [0, 5, 12, 1, 1],
            "unhappy": [2, 2, 2, 2, 2],
            "lost_n": [1, 4, 10, 2, 1],
            "lost_sum": [80.0, 60.0, 50.0, 100.0, 60.0],
        }
    )
    expected = pl.DataFrame(
        {
            "bucket": ["0", "1", "2", "3+"],
            # 3+ rolls up counts 3, 4, 5: n 4 + 3 + 3 = 10, happy 2, unhappy 6, lost 4 / 240
            "n": [20, 10, 0, 10],
            # 0: 100·(12 − 2)/20 = 50; 1: 30; 2: no responses; 3+: 100·(2 − 6)/10 = −40
            "happiness": [50.0, 30.0, None, -40.0],
            # 0: 196·sqrt((0.6 + 0.1 − 0.25)/20) = 196·0.15 = 29.4
            # 1: 196·sqrt(0.061) = 48.408; 3+: 196·sqrt((0.8 − 0.16)/10) = 49.585
            "margin": [29.4, 48.40843, None, 49.58451],
            "happiness_low": [20.6, -18.40843, None, -89.58451],
            "happiness_high": [79.4, 78.40843, None, 9.58451],
            "lost_n": [10, 4, 0, 4],
            # 50/10, 60/4, none, 240/4
            "lost_mean": [5.0, 15.0, None, 60.0],
        }
    )
    assert_frame_equal(reassignment_cost(df), expected, abs_tol=1e-5)


def test_reassignment_cost_without_lost_time_or_rows() -> None:
    empty = pl.DataFrame(
        schema=dict.fromkeys(["reassignment_count", "n", "happy", "unhappy"], pl.Int64)
    )
    result = reassignment_cost(empty)
    assert result["bucket"].to_list() == ["0", "1", "2", "3+"]
    assert result["n"].to_list() == [0, 0, 0, 0]
    assert result["happiness"].null_count() == 4 and result["lost_mean"].null_count() == 4
