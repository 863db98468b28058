"""The 1:1 brief: PDF text extracted and checked, non-ASCII names, Markdown that prints comments literally."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports.brief import DEJAVU, Brief, CareRow, TrendPoint, Verbatim, file_stem, to_markdown, to_pdf, transliterate
from tests.markdown_detector import live_markup

BRIEF = Brief(
    analyst="Søren Łukasiewicz-Núñez", team="Service Desk North", period_label="Last 90 days",
    generated_on=dt.date(2026, 11, 20), n=34, happiness=41.2, margin=18.3, happiness_shrunk=35.4,
    team_happiness=30.1, change=-5.0, change_margin=22.0, lost_minutes=12.4,
    trend=tuple(TrendPoint(dt.date(2026, m, 1), 8, 10.0 * m - 60, 10.0 * m - 90, 10.0 * m - 30) for m in range(1, 12)),
    team_trend=tuple(TrendPoint(dt.date(2026, m, 1), 80, 30.0, 20.0, 40.0) for m in range(2, 13)),
    care=(CareRow("Communication", 4.1, 3.9, 30), CareRow("Resolution", 3.25, 3.8, 28)),
    recognition=("4 customers praised speed of service in the last 90 days",),
    coaching=("3 customers said: not solved despite closure (in the last 90 days)",),
    quotes=("Sorted in minutes!",),
    verbatims=(Verbatim("INC00042", dt.date(2026, 11, 2), 3, '=HYPERLINK("x") <b>still</b> *broken*'),),
    follow_ups=("Follow-up on 27 Nov 2026: check the VPN fix",),
)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.skipif(not DEJAVU.is_file(), reason="DejaVu Sans not installed")
def test_pdf_with_embedded_font_has_every_section():
    pdf = to_pdf(BRIEF)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for expected in ("1:1 brief — Søren Łukasiewicz-Núñez", "Service Desk North", "Happiness", "+41 ± 18 (n = 34)",
                     "Happiness, shrunk toward team", "+35", "-5 ± 22", "12 min", "Monthly Happiness", "Communication", "4.10", "3.25",
                     "Recognition: 4 customers praised speed of service", "Coaching: 3 customers said",
                     "Sorted in minutes!", '=HYPERLINK("x") <b>still</b> *broken*', "INC00042",
                     "Follow-up on 27 Nov 2026: check the VPN fix"):
        assert expected in text, expected


def test_pdf_without_the_font_transliterates_safely():
    pdf = to_pdf(BRIEF, font_path=Path("/nonexistent/font.ttf"), compress=False)
    text = _text(pdf)
    assert "1:1 brief - Soren Lukasiewicz-Núñez" in text  # Latin-1 accents kept, others folded
    assert "+41 +/- 18 (n = 34)" in text
    assert b"Sorted in minutes!" in pdf  # uncompressed core-font text is searchable in the raw bytes


def test_not_enough_responses_is_said_plainly():
    small = Brief(analyst="Bo", team="T", period_label="Last 90 days", generated_on=dt.date(2026, 11, 20), n=3,
                  happiness=100.0, margin=0.0, happiness_shrunk=60.0, team_happiness=20.0, enough=False)
    text = _text(to_pdf(small))
    assert "not enough responses yet (n = 3, shown from 5)" in text
    assert "+100" not in text and "shrunk" not in text
    assert "No recurring theme" in text and "None." in text


def test_markdown_quotes_comments_literally():
    md = to_markdown(BRIEF)
    assert md.startswith("# 1:1 brief — Søren Łukasiewicz-Núñez")
    assert "| Happiness | +41 ± 18 (n = 34) |" in md
    assert '> \\=HYPERLINK\\("x"\\) \\<b\\>still\\</b\\> \\*broken\\*' in md  # no live markup survives
    assert "| Communication | 4.10 | 3.90 | 30 |" in md
    assert "- Follow-up on 27 Nov 2026: check the VPN fix" in md
    assert live_markup(md) == []  # the same detector as the pages' hostile-names walk


def test_file_stem_and_transliteration():
    assert file_stem("Søren Núñez", "Last 90 days") == "brief-soren-nunez-last-90-days"
    assert transliterate("Łódź — ±") == "Lódz - +/-"


def test_markdown_brief_of_hostile_names_has_no_live_link_or_image():
    from dataclasses import replace

    from tests.hostile import HOSTILE_NAMES

    for name in HOSTILE_NAMES:
        hostile = replace(BRIEF, analyst=name, team=name, quotes=(name,), follow_ups=(name,),
                          verbatims=tuple(replace(v, ticket_id=name, comment=name) for v in BRIEF.verbatims))
        assert live_markup(to_markdown(hostile)) == [], name


LINKY = "Eve https://evil.example/login at www.evil.example or eve@evil.example"
# What PDF viewers (PDFium in Chrome and Edge, pdf.js) turn into a live link in a page's text.
VIEWER_LINK = re.compile(r"(?i)(https?://|www\.|\w@\w)")


@pytest.mark.parametrize("font_path", [DEJAVU, Path("/nonexistent/font.ttf")], ids=["dejavu", "core-font"])
def test_pdf_text_holds_no_address_a_viewer_would_link(font_path):
    """Names, comments and ticket numbers come from imports and customers: a PDF viewer makes any web
    or mail address it finds in the page text a live link, so none is left whole (issue 12)."""
    if font_path == DEJAVU and not DEJAVU.is_file():
        pytest.skip("DejaVu Sans not installed")
    from dataclasses import replace

    hostile = replace(BRIEF, analyst=LINKY, team=LINKY, quotes=(LINKY,), follow_ups=(LINKY,),
                      verbatims=(Verbatim("INC-https://evil.example/t0", dt.date(2026, 11, 2), 3, LINKY),))
    text = _text(to_pdf(hostile, font_path=font_path))
    assert VIEWER_LINK.findall(text) == []
    if font_path == DEJAVU:  # the joiner has no width: the reader sees the name as typed
        assert "1:1 brief — " + LINKY in text.replace("\u2060", "")
        assert "Monthly Happiness" in text and "+41 ± 18 (n = 34)" in text  # the app's own text unchanged
