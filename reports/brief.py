"""The 1:1 brief: an analyst's figures, trend, talking points, chosen verbatims and open follow-ups,
as Markdown and as a printable PDF (fpdf2; charts drawn with PDF primitives, no browser needed)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from components import formats
from components.text import inert_links, literal

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
INK = (36, 41, 47)
MUTED = (101, 109, 118)
BLUE = (31, 111, 235)
GREY = (154, 164, 178)
GREEN = (45, 164, 78)
RED = (207, 34, 46)


@dataclass(frozen=True)
class TrendPoint:
    """One month of the analyst's Happiness (None below one response) with its interval."""

    month: dt.date
    n: int
    happiness: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class CareRow:
    """One CARE dimension: the analyst's mean and the team's (1–5), with the analyst's answers."""

    dimension: str
    analyst: float | None
    team: float | None
    n: int


@dataclass(frozen=True)
class Verbatim:
    """A customer comment the lead chose for the 1:1, shown literally."""

    ticket_id: str
    submitted: dt.date
    score: int
    comment: str


@dataclass(frozen=True)
class Brief:
    """Everything the brief shows; plain values so it can be built and tested without a database."""

    analyst: str
    team: str
    period_label: str
    generated_on: dt.date
    n: int
    happiness: float | None
    margin: float | None
    happiness_shrunk: float | None
    team_happiness: float | None
    change: float | None = None
    change_margin: float | None = None
    lost_minutes: float | None = None
    enough: bool = True
    min_responses: int = 5
    trend: tuple[TrendPoint, ...] = ()
    team_trend: tuple[TrendPoint, ...] = ()
    care: tuple[CareRow, ...] = ()
    recognition: tuple[str, ...] = ()
    coaching: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    verbatims: tuple[Verbatim, ...] = ()
    follow_ups: tuple[str, ...] = field(default_factory=tuple)


def headline_figures(b: Brief) -> list[tuple[str, str]]:
    """(label, value) pairs of the brief's key figures, shared by Markdown and PDF."""
    if not b.enough:
        happiness = f"not enough responses yet (n = {b.n:,}, shown from {b.min_responses})"
    else:
        happiness = f"{formats.signed(b.happiness)} ± {b.margin:.0f} (n = {b.n:,})"
    rows = [("Responses", f"{b.n:,}"), ("Happiness", happiness)]
    if b.enough:
        rows.append(("Happiness, shrunk toward team", formats.signed(b.happiness_shrunk)))
    rows.append(("Team Happiness", formats.signed(b.team_happiness)))
    if b.change is not None:
        rows.append(("Change vs previous period", f"{formats.signed(b.change)} ± {b.change_margin:.0f}"))
    if b.lost_minutes is not None:
        rows.append(("Lost time per response", formats.minutes(b.lost_minutes)))
    return rows


def to_markdown(b: Brief) -> str:
    """The brief as Markdown (comments quoted literally, Markdown characters escaped)."""
    lines = [f"# 1:1 brief — {_md(b.analyst)}", "",
             f"{_md(b.team)} · {_md(b.period_label)} · prepared {b.generated_on:%-d %b %Y}", "",
             "## Figures", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in headline_figures(b)]
    if b.care:
        lines += ["", "## CARE profile (mean 1–5)", "", "| Dimension | Analyst | Team | Answers |",
                  "|---|---|---|---|"]
        lines += [f"| {c.dimension} | {formats.number(c.analyst, decimals=2)} | "
                  f"{formats.number(c.team, decimals=2)} | {c.n:,} |" for c in b.care]
    if b.trend:
        lines += ["", "## Monthly Happiness", "", "| Month | Happiness | Interval | n |", "|---|---|---|---|"]
        lines += [f"| {t.month:%b %Y} | {formats.signed(t.happiness)} | "
                  f"{formats.signed(t.low)} … {formats.signed(t.high)} | {t.n:,} |" for t in b.trend]
    lines += ["", "## Talking points", ""]
    points = [("Recognition", p) for p in b.recognition] + [("Coaching", p) for p in b.coaching]
    lines += [f"- **{kind}:** {_md(text)}" for kind, text in points] or ["- No recurring theme in this period."]
    if b.quotes or b.verbatims:
        lines += ["", "## What customers said", ""]
        lines += [f"> {_md(q)}" + "\n" for q in b.quotes]
        lines += [f"> {_md(v.comment)}\n>\n> — {_md(v.ticket_id)}, {v.submitted:%-d %b %Y}, score {v.score}\n"
                  for v in b.verbatims]
    lines += ["", "## Open follow-ups", ""]
    lines += [f"- {_md(f)}" for f in b.follow_ups] or ["- None."]
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    """Customer and warehouse text printed literally in the Markdown brief: the app's one rule
    (components.text.literal), so a Markdown viewer shows no link, image, HTML or formatting."""
    return literal(text)


# ---------------------------------------------------------------- PDF

_TRANSLIT = {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe",
             "—": "-", "–": "-", "…": "...", "“": '"', "”": '"', "‘": "'", "’": "'", "±": "+/-",
             "·": "-", "≤": "<=", "≥": ">=", "−": "-",
             # The core font has no invisible joiner (`inert_links`): a space keeps the address unlinked.
             "\u2060": " "}


def transliterate(text: str) -> str:
    """A Latin-1-safe rendering of `text` for the core PDF font (accents kept where Latin-1 has them)."""
    out = []
    for ch in str(text):
        ch = _TRANSLIT.get(ch, ch)
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append("".join(c for c in plain if not unicodedata.combining(c)) or "?")
    return "".join(out)


class _BriefPDF(FPDF):
    def __init__(self, font_path: Path | None) -> None:
        super().__init__(format="A4")
        self.set_margins(16, 16, 16)
        self.set_auto_page_break(True, margin=16)
        self.unicode = bool(font_path and font_path.is_file())
        if self.unicode:
            self.add_font("Brief", "", str(font_path))
            bold = DEJAVU_BOLD if font_path == DEJAVU and DEJAVU_BOLD.is_file() else font_path
            self.add_font("Brief", "B", str(bold))
            self.family = "Brief"
        else:
            self.family = "Helvetica"

    def t(self, text: str) -> str:
        """Text as printed: names, comments and ticket numbers come from imports and customers,
        and a PDF viewer makes any web or mail address it finds in a page's text a live link."""
        text = inert_links(text)
        return text if self.unicode else transliterate(text)

    def font(self, size: float, bold: bool = False, colour=INK) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*colour)

    def heading(self, text: str) -> None:
        self.ln(3)
        self.font(12, bold=True)
        self.cell(0, 7, self.t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*GREY)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)

    def para(self, text: str, size: float = 10, colour=INK, bold: bool = False) -> None:
        self.font(size, bold=bold, colour=colour)
        self.multi_cell(0, 5, self.t(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def figures(self, rows: list[tuple[str, str]], label_width: float) -> None:
        """(label, value) lines: the label muted in a column `label_width` mm wide, the value bold."""
        for label, value in rows:
            self.font(10, colour=MUTED)
            self.cell(label_width, 6, self.t(label))
            self.font(10, bold=True)
            self.cell(0, 6, self.t(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def to_pdf(b: Brief, *, font_path: Path | None = DEJAVU, compress: bool = True) -> bytes:
    """The brief as an A4 PDF. DejaVu Sans is embedded when present (any name prints right);
    otherwise the core font is used with a safe transliteration."""
    pdf = _BriefPDF(font_path)
    pdf.set_compression(compress)
    pdf.set_title(pdf.t(f"1:1 brief - {b.analyst}"))
    pdf.add_page()
    pdf.font(18, bold=True)
    pdf.cell(0, 10, pdf.t(f"1:1 brief — {b.analyst}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.para(f"{b.team} · {b.period_label} · prepared {b.generated_on:%-d %b %Y}", size=10, colour=MUTED)

    pdf.heading("Figures")
    pdf.figures(headline_figures(b), 85)

    if b.trend:
        pdf.heading("Monthly Happiness (blue: analyst with 95% band, grey: team)")
        _trend_chart(pdf, b.trend, b.team_trend)
    if b.care:
        pdf.heading("CARE profile (mean 1–5; blue: analyst, grey: team)")
        _care_bars(pdf, b.care)

    pdf.heading("Talking points")
    if not (b.recognition or b.coaching):
        pdf.para("No recurring theme in this period.", colour=MUTED)
    for kind, items, colour in (("Recognition", b.recognition, GREEN), ("Coaching", b.coaching, RED)):
        for text in items:
            pdf.para(f"{kind}: {text}", bold=True, colour=colour)
    if b.quotes or b.verbatims:
        pdf.heading("What customers said")
        for quote in b.quotes:
            pdf.para(f"“{quote}”")
            pdf.ln(1)
        for v in b.verbatims:
            pdf.para(f"“{v.comment}”")
            pdf.para(f"{v.ticket_id} · {v.submitted:%-d %b %Y} · score {v.score}", size=8, colour=MUTED)
            pdf.ln(1)
    pdf.heading("Open follow-ups")
    for item in b.follow_ups or ("None.",):
        pdf.para(f"•  {item}" if pdf.unicode else f"-  {item}")
    return bytes(pdf.output())


def _trend_chart(pdf: _BriefPDF, trend: tuple[TrendPoint, ...], team: tuple[TrendPoint, ...] = ()) -> None:
    """A small line chart on −100…100 drawn with lines and rectangles (team line in grey behind)."""
    left, width, height = pdf.l_margin + 10, pdf.w - pdf.l_margin - pdf.r_margin - 12, 42
    if pdf.get_y() + height + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y() + 2

    def y_of(value: float) -> float:
        return top + (100 - max(-100.0, min(100.0, value))) / 200 * height

    pdf.set_draw_color(*GREY)
    pdf.font(7, colour=MUTED)
    for tick in (-100, -50, 0, 50, 100):
        pdf.set_line_width(0.1 if tick else 0.3)
        pdf.line(left, y_of(tick), left + width, y_of(tick))
        pdf.text(pdf.l_margin, y_of(tick) + 1, f"{tick:+d}" if tick else "0")
    step = width / max(len(trend), 1)
    slot = {point.month: i for i, point in enumerate(trend)}
    previous = None
    pdf.set_draw_color(110, 118, 129)
    pdf.set_line_width(0.6)
    for point in team:
        if point.month not in slot or point.happiness is None:
            continue
        current = (left + step * (slot[point.month] + 0.5), y_of(point.happiness))
        if previous:
            pdf.line(*previous, *current)
        previous = current
    previous = None
    for i, point in enumerate(trend):
        x = left + step * (i + 0.5)
        if point.low is not None and point.high is not None:
            pdf.set_fill_color(205, 222, 250)
            pdf.rect(x - step * 0.3, y_of(point.high), step * 0.6, max(y_of(point.low) - y_of(point.high), 0.3),
                     style="F")
        if point.happiness is not None:
            current = (x, y_of(point.happiness))
            pdf.set_draw_color(*BLUE)
            pdf.set_line_width(0.6)
            if previous:
                pdf.line(*previous, *current)
            pdf.set_fill_color(*BLUE)
            pdf.ellipse(current[0] - 0.8, current[1] - 0.8, 1.6, 1.6, style="F")
            previous = current
        pdf.font(6.5, colour=MUTED)
        pdf.text(x - 4, top + height + 4, f"{point.month:%b %y}")
    pdf.set_line_width(0.2)
    pdf.set_y(top + height + 7)


def _care_bars(pdf: _BriefPDF, care: tuple[CareRow, ...]) -> None:
    """Paired horizontal bars per CARE dimension on the 1–5 scale."""
    label_w, bar_w = 32, pdf.w - pdf.l_margin - pdf.r_margin - 52
    for row in care:
        if pdf.get_y() + 10 > pdf.h - pdf.b_margin:
            pdf.add_page()
        y = pdf.get_y()
        pdf.font(9)
        pdf.text(pdf.l_margin, y + 4, pdf.t(row.dimension))
        for offset, value, colour in ((0, row.analyst, BLUE), (4, row.team, GREY)):
            pdf.set_fill_color(240, 242, 245)
            pdf.rect(pdf.l_margin + label_w, y + offset + 0.5, bar_w, 3.2, style="F")
            if value is not None:
                pdf.set_fill_color(*colour)
                pdf.rect(pdf.l_margin + label_w, y + offset + 0.5, bar_w * (value - 1) / 4, 3.2, style="F")
                pdf.font(8, colour=MUTED)
                pdf.text(pdf.l_margin + label_w + bar_w + 2, y + offset + 3.3, f"{value:.2f}")
        pdf.set_y(y + 10)


def file_stem(analyst: str, period_label: str) -> str:
    """A safe file name stem like 'brief-jose-nunez-last-90-days'."""
    plain = unicodedata.normalize("NFKD", transliterate(f"{analyst} {period_label}")).encode("ascii", "ignore").decode()
    slug = "".join(ch.lower() if ch.isalnum() else "-" for ch in plain)
    return "brief-" + "-".join(part for part in slug.split("-") if part)
