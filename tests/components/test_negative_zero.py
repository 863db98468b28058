"""Issue 17, problem 2: a rounded change of -0.03 points must not reach a table as "-0.0"."""

import polars as pl

from components.culture_sections import _no_negative_zero


def test_a_change_that_rounds_to_zero_is_a_plain_zero():
    rounded = pl.DataFrame({"change": [-0.03, -0.0, 0.04, None, -1.26]}).select(
        _no_negative_zero(pl.col("change").round(1))).to_series().to_list()
    assert rounded == [0.0, 0.0, 0.0, None, -1.3]
    assert ["%+.1f" % v for v in rounded if v is not None] == ["+0.0", "+0.0", "+0.0", "-1.3"]
