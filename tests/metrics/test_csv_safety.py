"""Formula-safe CSV: cells a spreadsheet would evaluate are turned into plain text."""

import polars as pl
import pytest

from metrics.csv_safety import neutralise_cell, neutralise_formulas, safe_csv_bytes


@pytest.mark.parametrize("raw", ['=HYPERLINK("http://x","y")', "+1 for fast help", "-2 stars", "@channel",
                                 "\tindent", "\rcarriage"])
def test_formula_triggers_get_an_apostrophe(raw):
    assert neutralise_cell(raw) == "'" + raw


@pytest.mark.parametrize("raw", ["Fine", "", None, "a=b", "Zoë fixed it", "'already quoted"])
def test_harmless_text_is_unchanged(raw):
    assert neutralise_cell(raw) == raw


def test_frame_text_columns_are_neutralised_numbers_kept():
    df = pl.DataFrame({"comment": ["=1+1", "ok", None, "-x"], "score": [-5, 3, 0, 1], "share": [-0.5, 1.0, 0.0, 2.0]})
    out = neutralise_formulas(df)
    assert out["comment"].to_list() == ["'=1+1", "ok", None, "'-x"]
    assert out["score"].to_list() == [-5, 3, 0, 1] and out.schema["score"] == pl.Int64
    assert out["share"].to_list() == [-0.5, 1.0, 0.0, 2.0]
    assert neutralise_formulas(df)["comment"].to_list() == [neutralise_cell(v) for v in df["comment"]]


def test_csv_bytes_are_utf8_with_bom_and_quoted():
    data = safe_csv_bytes(pl.DataFrame({"team": ["Zoë's team", "@ops, \"night\""], "n": [3, 4]}))
    text = data.decode("utf-8")
    assert text.startswith("\ufeffteam,n\n")
    assert "Zoë's team,3" in text and '"\'@ops, ""night""",4' in text
