"""Sections of the analyst's private "My feedback" page: widgets that draw the read model's figures.

Figures come from `views.my_feedback` (through the caching seam `views.cache`); the charts are
built in `components.my_feedback_charts`. Customer comments and notes are shown as text
(st.text / st.dataframe), never as Markdown or HTML.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from components import formats
from components.filters import period_caption
from components.text import literal
from components.my_feedback_charts import (
    care_profile_chart,
    gap_chart,
    gap_history_chart,
    gap_progress_text,
    rank_chart,
    spread_chart,
    trend_chart,
)
from components.tiles import tile
from components.tables import moment_columns, readable
from data_access import clock, config
from data_access.filters import Filters
from data_access.scope import Scope
from metrics import CARE_NAMES
from metrics import periods
from metrics.csv_safety import safe_csv_bytes
from metrics.gaps import ALIGNED, BLIND_SPOT, HIDDEN_STRENGTH
from metrics.self_view import GAP_EXPLANATIONS, LABELS, Spread
from views.cache import my_feedback as reads
from views.my_feedback import SCORE_BANDS, MyFigures, SelfView, care_profile, gap_table

PERIODS = {k: periods.LABELS[k] for k in ("90d", "6m", "12m", "ytd")}
PAGE_SIZE = 10
TABS = ["My figures", "Self vs customers", "Self-assessment", "What customers say"]
REMINDER_DAYS = 90
BAND_LABELS = {"all": "All", "unhappy": "0–6", "neutral": "7–8", "happy": "9–10"}


# --- period and reminder --------------------------------------------------------------------

def period_range(preset: str, today: dt.date) -> Filters:
    """The half-open period of a preset, whole weeks up to the last full one, as on every page
    (metrics.periods)."""
    return Filters(*periods.preset_range(preset if preset in PERIODS else "12m", today))


def period_picker(key: str = "my_period") -> Filters:
    """A small period choice for the analyst's own figures (default: last 12 months)."""
    today = clock.today()
    picker, note = st.columns([1, 3], vertical_alignment="bottom")
    preset = picker.selectbox("Period", list(PERIODS), index=2, format_func=PERIODS.get, key=key,
                              help="Your figures, comparison and comments cover this period. "
                                   "The monthly trend always shows the last 12 months.")
    period = period_range(preset, today)
    note.caption(literal(period_caption(period.start, period.end,
                                        ": this week's answers count from next Monday")))
    return period




def reminder(latest, today: dt.date | None = None) -> None:
    """Nudge toward a self-assessment when there is none or the last is older than 90 days."""
    today = today or clock.today()
    if latest is None:
        st.info("You have not filled in a self-assessment yet. It takes about three minutes and "
                "shows you how your view of your work compares with your customers' view — "
                "see the **Self-assessment** tab.", icon=":material/edit_note:")
        return
    days = (today - latest.submitted_at.date()).days
    if days > REMINDER_DAYS:
        st.info(f"Your last self-assessment was {days} days ago. A fresh one keeps the comparison "
                "with your customers meaningful — see the **Self-assessment** tab.",
                icon=":material/update:")


# --- my figures ----------------------------------------------------------------------------------

def _position_text(spread: Spread | None, what: str) -> str:
    if spread is None:
        return _too_few_colleagues(f"Team comparison for {what}")
    if spread.own_percentile is None:
        return (f"Middle half of your team: {spread.p25:.0f} to {spread.p75:.0f} "
                f"({spread.analysts} colleagues with enough responses).")
    return (f"You are at the {_ordinal(spread.own_percentile)} percentile of your team "
            f"(0 = lowest, 100 = highest; you and {spread.analysts - 1} colleagues with enough responses).")


def _too_few_colleagues(what: str) -> str:
    """The one short line shown where the unnamed team figures are withheld."""
    return (f"{what} is hidden: it needs at least {config.thresholds().min_colleagues} colleagues "
            "with enough responses, so that nobody's own figure can be read from it.")


def _ordinal(value: float) -> str:
    n = int(round(value))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _render(chart: tuple[pl.DataFrame, dict], height: int) -> None:
    # Plain Vega-Lite specs (not Altair objects): building and validating Altair charts cost
    # more than all the page's SQL together at 1M responses.
    frame, spec = chart
    st.vega_lite_chart(frame, spec, height=height)


def _tiles(figures: MyFigures) -> None:
    """The four headline tiles: Happiness, the 9–10 and 0–6 shares, CARE average, lost time."""
    row, lost_mean = figures.headline, figures.lost_mean
    cols = st.columns(4)
    with cols[0]:
        tile("Happiness", formats.signed(row["happiness"]), formats.margin(row["margin"], figures.n),
             "% of your customers scoring 9–10 minus % scoring 0–6 (range −100 to +100), "
             "with its 95% margin of error.")
    with cols[1]:
        tile("Scored 9–10 · 0–6", f"{row['pct_happy']:.0f}% · {row['pct_unhappy']:.0f}%",
             f"n = {figures.n:,}",
             "Share of your responses in each group; 7–8 count in the total only.")
    with cols[2]:
        average = figures.care_average
        tile("CARE average", formats.number(average, decimals=2),
             "mean of the four dimensions, 1–5", "Average of your customers' four CARE ratings.")
    with cols[3]:
        hours = lost_mean * figures.tickets / 60 if lost_mean is not None else None
        tile("Lost time per ticket", formats.minutes(lost_mean),
             f"≈ {hours:,.0f} h over {figures.tickets:,} tickets (n = {int(row['lost_n']):,})"
             if hours is not None else
             f"not enough answers yet (n = {int(row['lost_n'])}, shown from {figures.min_responses})"
             if int(row["lost_n"]) else "nobody answered this question yet",
             "Customers' own estimate of work time lost, per response that answered; total = mean × "
             "your closed tickets in the period.")


def _spreads(figures: MyFigures) -> None:
    """Where the analyst sits in the team's (unnamed) spread of Happiness and of lost time."""
    st.markdown("##### Where you are in your team's spread")
    if figures.happiness_spread or figures.lost_spread:
        st.caption("Grey bar: the middle half of your team (25th to 75th percentile), tick: the median, "
                   "blue dot: you. No colleague is named or shown individually.")
    left, right = st.columns(2)
    with left:
        st.markdown("**Happiness**")
        if figures.happiness_spread:
            _render(spread_chart(figures.happiness_spread, figures.headline["happiness"], title="Happiness",
                                 domain=(-100, 100), fmt="+.0f"), 70)
        st.caption(_position_text(figures.happiness_spread, "Happiness"))
    with right:
        st.markdown("**Lost time per ticket (minutes, lower is better)**")
        spread, lost_mean = figures.lost_spread, figures.lost_mean
        if spread and lost_mean is not None and spread.own_percentile is not None:
            top = max(spread.p75, lost_mean) * 1.25 + 1
            _render(spread_chart(spread, lost_mean, title="Minutes", domain=(0, top)), 70)
        st.caption(_position_text(spread, "lost time") if lost_mean is not None
                   else "Your customers have not estimated lost time in this period.")


def figures_section(figures: MyFigures) -> None:
    """Headline tiles, the team spread and the CARE profile for the chosen period."""
    if not figures.enough:
        st.info(f"Not enough responses yet for this period — you have {figures.n} and your figures "
                f"appear from {figures.min_responses}. Every survey your customers answer counts; "
                "try a longer period in the meantime.", icon=":material/hourglass_top:")
        return
    _tiles(figures)
    _spreads(figures)
    st.markdown("##### CARE profile")
    profile = care_profile(figures)
    team_shown = profile.height and profile["team_mean"].is_not_null().any()
    st.caption("Blue: your customers' mean rating with its 95% interval"
               + (" · grey tick: your team's mean." if team_shown else ". " + _too_few_colleagues("Your team's mean")))
    _render(care_profile_chart(profile), 230)

# --- trend -----------------------------------------------------------------------------------------

def trend_section(trend: pl.DataFrame, min_responses: int) -> None:
    """My Happiness month by month, with the team band behind it."""
    st.markdown("##### My trend, last 12 months")
    if trend.is_empty() or trend["own_n"].sum() == 0:
        st.info("No responses in the last 12 months yet — your trend appears here as they arrive.")
        return
    no_band = trend["band_low"].is_null().all()
    st.caption(f"Blue: your monthly Happiness with its 95% interval (months with at least {min_responses} "
               "responses)" + ("." if no_band else " · grey band: the middle half of your team, dashed: its median."))
    if no_band:
        st.caption(_too_few_colleagues("The team band"))
    if trend["own_happiness"].is_null().all():
        st.info(f"No single month has {min_responses} responses yet, so there is no monthly point to "
                "show — your period figures above use all of them together.")
        if no_band:
            return
    _render(trend_chart(trend), 300)


# --- self vs customers -----------------------------------------------------------------------------

def _gap_readings(frame: pl.DataFrame, min_responses: int) -> None:
    """The gap chart and table, and a kind word about each blind spot and hidden strength."""
    if frame["customer_mean"].is_null().all():
        st.info(f"Not enough customer ratings in this period yet (each dimension needs "
                f"{min_responses} answers). Try a longer period.", icon=":material/hourglass_top:")
        return
    _render(gap_chart(frame), 260)
    st.caption("◆ your own rating · ● your customers' mean (shrunk), pale bar: its 95% interval · "
               "the line between them is coloured by the reading.")
    table = frame.select(
        pl.col("name").alias("Dimension"), pl.col("self_rating").alias("You"),
        pl.col("customer_mean").round(2).alias("Customers"),
        pl.concat_str([pl.col("low").round(1).cast(pl.String), pl.lit("–"),
                       pl.col("high").round(1).cast(pl.String)]).alias("Raw 95% interval"),
        pl.col("customer_raw").round(2).alias("Raw mean"), pl.col("n").alias("Answers"),
        pl.col("gap").round(2).alias("Gap"), pl.col("label").alias("Reading"))
    st.dataframe(table, hide_index=True, column_config={
        "Gap": st.column_config.NumberColumn(format="%+.2f"),
        "Customers": st.column_config.NumberColumn(help="Shrunk toward your team's average")})
    for label in (BLIND_SPOT, HIDDEN_STRENGTH):
        dims = frame.filter(pl.col("label") == label)["name"].to_list()
        if not dims:
            continue
        meaning, action = GAP_EXPLANATIONS[label]
        with st.container(border=True):
            st.markdown(f"**{label.capitalize()}: {', '.join(dims)}**")
            st.write(meaning)
            st.markdown(f":material/lightbulb: *Something to try:* {action}")
    if not frame.filter(pl.col("label").is_in([BLIND_SPOT, HIDDEN_STRENGTH])).height:
        meaning, action = GAP_EXPLANATIONS[ALIGNED]
        st.success(f"{meaning} {action}", icon=":material/balance:")


def _competencies(view: SelfView, scope: Scope, filters: Filters) -> None:
    """The six competencies: the analyst's own rating next to related customer evidence."""
    st.markdown("##### Your competencies, with related customer evidence")
    evidence = reads.competency_evidence(scope=scope, filters=filters)
    mine_now = view.latest.ratings
    st.dataframe(evidence.select(
        pl.col("competency").replace_strict(LABELS).alias("Competency"),
        pl.col("competency").replace_strict(mine_now, default=None, return_dtype=pl.Int64).alias("You"),
        pl.col("evidence").alias("Related customer evidence"),
        pl.col("value").fill_null("not enough answers yet").alias("In this period"),
        pl.col("n").alias("Answers")), hide_index=True,
        column_config={"Related customer evidence": st.column_config.TextColumn(width="large")})
    st.caption("Evidence that relates to each competency — a conversation starter, not a measurement of it.")


def _ranks(view: SelfView) -> None:
    """Own percentile in the team by self-rating and by customers' rating (or why it is hidden)."""
    st.markdown("##### Your place in the team: by your own rating and by your customers'")
    if view.ranks["self_percentile"].is_null().all() and view.ranks["customer_percentile"].is_null().all():
        st.caption(_too_few_colleagues("This comparison") + " It counts colleagues with a self-assessment "
                   "and enough customer ratings.")
        return
    _render(rank_chart(view.ranks), 240)
    st.caption("Percentiles only (0 = lowest, 100 = highest in your team); colleagues' answers count "
               "anonymously and nobody is named. Dots far apart mean your self-view and your customers' "
               "view place you differently within the team.")


def _gap_moves(view: SelfView) -> None:
    """How the gap per dimension moved from one self-assessment to the next."""
    st.markdown("##### How the gap has moved")
    history = view.gap_history
    if history.filter(pl.col("gap").is_not_null())["assessment_id"].n_unique() < 2:
        st.caption("With two or more self-assessments (and enough customer ratings around each), you will "
                   "see here how your view and your customers' view move over time.")
        return
    _render(gap_history_chart(history), 280)
    summary = gap_progress_text(history)
    if summary:
        st.caption(summary + " Green zone: aligned. Customer view: the three months up to each "
                             "self-assessment.")


def gap_section(view: SelfView, figures: MyFigures, scope: Scope, filters: Filters) -> None:
    """Self vs customers: the gap per dimension, ranks in the team, and how the gap has moved."""
    if view.latest is None:
        st.info("Fill in your first self-assessment (next tab) to see how your view of your work "
                "compares with your customers' view.", icon=":material/edit_note:")
        return
    st.caption(f"Your self-assessment of {view.latest.submitted_at:%-d %B %Y} next to your customers' "
               "ratings in the chosen period. The customers' figure is gently pulled toward your team's "
               "average when there are few answers, so a handful of responses cannot swing it. A gap of "
               "more than 1⅓ points (a third of the 1–5 scale) is worth a look; anything smaller counts "
               "as aligned.")
    _gap_readings(gap_table(view, figures), figures.min_responses)
    _competencies(view, scope, filters)
    _ranks(view)
    _gap_moves(view)

# --- what customers say about me --------------------------------------------------------------------

def verbatims_section(scope: Scope, filters: Filters) -> None:
    """My customers' comments, literally, filterable and paginated."""
    st.markdown("##### What customers say about me")
    cols = st.columns([1.2, 2, 1], vertical_alignment="bottom")
    band = cols[0].selectbox("Score", list(SCORE_BANDS), format_func=BAND_LABELS.get, key="my_verbatim_band")
    search = cols[1].text_input("Contains", key="my_verbatim_search", max_chars=100,
                                placeholder="a word in the comment")
    _, total = reads.my_verbatims(scope=scope, filters=filters, band=band, search=search, page=1, page_size=PAGE_SIZE)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = int(cols[2].number_input("Page", min_value=1, max_value=pages, value=1, step=1,
                                    key=f"my_verbatim_page_{band}_{search}"))
    if total == 0:
        st.info("No comments match in this period." if (search or band != "all")
                else "No comments from your customers in this period yet.")
        return
    rows, _ = reads.my_verbatims(scope=scope, filters=filters, band=band, search=search, page=page,
                           page_size=PAGE_SIZE)
    first = (page - 1) * PAGE_SIZE + 1
    st.caption(f"Comments {first:,}–{first + rows.height - 1:,} of {total:,}, newest first, exactly as written.")
    for item in rows.iter_rows(named=True):
        with st.container(border=True):
            care = "CARE " + "/".join(formats.NO_VALUE if item[d] is None else str(item[d]) for d in CARE_NAMES) \
                if any(item[d] is not None for d in CARE_NAMES) else ""
            st.text(f"{item['submitted_at']:%-d %b %Y} · {item['ticket_id']} · score {item['happiness']}/10"
                    f" · {formats.channel(item['channel'])} · {item['service']}" + (f" · {care}" if care else ""),
                    width="stretch")
            st.text(item["comment"], width="stretch")


def recognition_section(scope: Scope) -> None:
    """Kudos from my lead, coaching notes shared with me, and my open recovery items (read-only)."""
    recognition = reads.my_recognition(scope=scope)
    st.markdown("##### Kudos from your lead")
    if recognition.kudos.is_empty():
        st.caption("No kudos yet — they appear here when your lead highlights a response.")
    else:
        st.dataframe(recognition.kudos.select(
            pl.col("given_at").dt.date().alias("Date"), pl.col("given_by").alias("From"),
            pl.col("note").fill_null("").alias("Note"), pl.col("ticket_id").alias("Ticket"),
            pl.col("happiness").alias("Score"), pl.col("comment").fill_null("").alias("Customer said")),
            hide_index=True, column_config={"Customer said": st.column_config.TextColumn(width="large"),
                                            "Date": st.column_config.DateColumn(format="D MMM YYYY")})
    st.markdown("##### Coaching notes shared with you")
    if recognition.notes.is_empty():
        st.caption("Nothing shared yet. Your lead decides which notes to share with you.")
    else:
        for note in recognition.notes.iter_rows(named=True):
            with st.container(border=True):
                follow = f" · follow-up on {note['follow_up_on']:%-d %b %Y}" if note["follow_up_on"] else ""
                st.text(f"{note['created_at']:%-d %b %Y} · {note['author'] or 'your lead'}{follow}")
                st.text(note["body"], width="stretch")
    st.markdown("##### Your open recovery items")
    if recognition.recovery.is_empty():
        st.caption("No open recovery items. When a customer is unhappy, your lead follows up and it shows here.")
    else:
        st.caption("Unhappy responses your lead is following up. Read-only here; your lead updates them.")
        shown = readable(recognition.recovery.select(
            pl.col("ticket_id").alias("Ticket"), pl.col("submitted_at").alias("Response"),
            pl.col("happiness").alias("Score"), pl.col("due_at").alias("First contact due"),
            pl.col("status").alias("Status")))
        st.dataframe(shown, hide_index=True, column_config=moment_columns(shown))


def responses_csv(scope: Scope, filters: Filters) -> bytes:
    """My responses in the period as CSV bytes, with spreadsheet formulas neutralised."""
    return safe_csv_bytes(reads.my_responses_export(scope=scope, filters=filters))


def download_section(scope: Scope, filters: Filters) -> None:
    """Download my own responses in the period as a formula-safe CSV (built only when clicked)."""
    st.download_button("Download my responses (CSV)", data=lambda: responses_csv(scope, filters),
                       file_name=f"my-feedback-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv",
                       mime="text/csv", icon=":material/download:", key="my_feedback_csv",
                       help="Every response on your tickets in the chosen period, with comments. Cells that "
                            "a spreadsheet would run as a formula are neutralised.")
