"""Culture trends for one month as a PDF, for the CIO's monthly digest.

Built from the same read model as the page (`views.culture.culture_report`), so every figure has
passed the same disclosure control: a withheld selection prints only its size, a suppressed team
or hotspot cell prints "—" (`formats.NO_VALUE`) and its n. Figures are written by `components.formats`,
as on the page. Drawn with fpdf2 in the way of the 1:1 brief (`reports.brief`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from fpdf.enums import XPos, YPos

from components import formats
from components.formats import NO_VALUE, channel as channel_label
from metrics.culture import Rate
from reports.brief import DEJAVU, MUTED, _BriefPDF  # the brief's page set-up: fonts, headings, paragraphs
from views.culture import CultureReport
from views.disclosure import SUPPRESSED

def _rate(r: Rate, what: str) -> str:
    if r.share is None:
        return f"{NO_VALUE} (too few {what}, n = {r.n:,})"
    return f"{formats.percent(r.share)} ({r.k:,} of {r.n:,})"


def headline_rows(report: CultureReport) -> list[tuple[str, str]]:
    """(label, value) of the month's headline figures, as the page's tiles show them."""
    h = report.headline
    happiness = (f"{formats.signed(h.happiness)} ± {h.margin:.0f} (n = {h.n:,})" if h.happiness is not None
                 else f"{NO_VALUE} (n = {h.n:,})")
    c = h.change
    change = (f"{formats.signed(c.change)} pts ± {c.change_margin:.0f} "
              f"(before {formats.signed(c.previous)}, n = {c.previous_n:,})"
              if c.change is not None else f"{NO_VALUE} (too few responses before to compare, n = {c.previous_n:,})")
    lost = h.lost
    return [
        ("Happiness", happiness),
        ("Change vs the month before", change),
        ("Unhappy (0–6)", f"{formats.percent(h.unhappy.share)} ({h.unhappy.k:,} of {h.n:,})"),
        ("Lost time per ticket", formats.minutes(lost.mean_minutes)),
        ("Total lost hours", formats.hours(lost.total_hours)),
        ("Response rate",
         f"{formats.percent(h.response_rate.share)} ({h.n:,} responses / {h.tickets:,} closed tickets)"),
        ("Recovery within target", _rate(report.recovery, "recovery items")),
        ("Recognitions given", f"{report.kudos_given or 0:,}"),
    ]


def team_rows(report: CultureReport) -> list[tuple[str, str, str, str]]:
    """(team, Happiness ± margin, n, change) per team; a suppressed team shows "—" and its n."""
    rows = []
    for r in report.teams.iter_rows(named=True):
        shown = r.get("happiness") is not None and not r.get(SUPPRESSED)
        rows.append((str(r["team"]), f"{formats.signed(r['happiness'])} ± {r['margin']:.0f}" if shown else NO_VALUE,
                     f"{int(r['n']):,}", formats.signed(r.get("change")) if shown else NO_VALUE))
    return rows


def hotspot_rows(report: CultureReport, limit: int = 5) -> list[str]:
    """The cells that pull Happiness down most: "Service · Channel: +12 (n = 40, impact -300)"."""
    cells = report.hotspots
    if cells.is_empty():
        return []
    worst = cells.filter(pl.col("impact").is_not_null() & (pl.col("impact") < 0)).sort("impact").head(limit)
    return [f"{r['service']} · {channel_label(r['channel'])}: {formats.signed(r['happiness'])} "
            f"(n = {int(r['n']):,}, impact {r['impact']:+,.0f})" for r in worst.iter_rows(named=True)]


def to_pdf(report: CultureReport, *, month: dt.date, generated_on: dt.date, scope_label: str,
           font_path: Path | None = DEJAVU) -> bytes:
    """One month of Culture trends as an A4 PDF (figures, teams, worst hotspot cells)."""
    pdf = _BriefPDF(font_path)
    title = f"Culture trends — {month:%B %Y}"
    pdf.set_title(pdf.t(title))
    pdf.add_page()
    pdf.font(18, bold=True)
    pdf.cell(0, 10, pdf.t(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.para(f"{scope_label} · teams only, no names · prepared {generated_on.day} {generated_on:%b %Y}",
             colour=MUTED)
    if report.is_empty or report.withheld:
        pdf.heading("Figures")
        pdf.para(f"No figures for this month: {report.headline.n:,} responses, too few (or too close to a "
                 "neighbouring selection) to show without pointing at individual people.")
        return bytes(pdf.output())
    pdf.heading("Figures")
    pdf.figures(headline_rows(report), 60)
    pdf.heading("Teams (Happiness ± 95% margin, responses, change vs the month before)")
    for team, happiness, n, change in team_rows(report):
        pdf.font(10)
        pdf.cell(70, 6, pdf.t(team))
        pdf.cell(35, 6, pdf.t(happiness))
        pdf.cell(25, 6, pdf.t(f"n = {n}"))
        pdf.cell(0, 6, pdf.t(f"change {change}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    hotspots = hotspot_rows(report)
    pdf.heading("Where it hurts most (service × channel)")
    pdf.para("\n".join(hotspots) if hotspots else "No cell with enough responses is below the overall Happiness.")
    pdf.para("Teams and cells with too few responses or analysts show “—”. Happiness = % scoring 9–10 minus "
             "% scoring 0–6.", size=8, colour=MUTED)
    return bytes(pdf.output())
