"""Coaching page, analyst detail: figures, trend and CARE vs team, talking points, perception gap,
factors, verbatims with one-click kudos, and the 1:1 brief download.

The figures come ready from the read model (`views.coaching.AnalystDetail`); this module only
renders them. User text (comments) is always shown with st.text or st.dataframe, never as Markdown.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from components import coaching_charts as charts, formats
from components.coaching import (
    BAND_LABELS,
    BRIEF_PICKS_KEY,
    Period,
    analyst_picker,
    current_minute,
    pager,
    period_picker,
)
from components.text import literal
from components.tiles import tile
from components.viewer import current_viewer
from data_access import clock, config
from data_access.scope import Scope
from data_access.writes import InvalidInput, WriteConflict
from data_access.writes.coaching import give_kudos
from reports.brief import Brief, CareRow, TrendPoint, Verbatim, file_stem, to_markdown, to_pdf
from views import cache
from metrics.happiness import HAPPY_MIN
from views.cache import coaching as data
from views.coaching import CARE_LABELS, AnalystDetail, PerceptionGap


DIMENSION_LABELS = {"communication": "Communication", "application": "Application", "resolution": "Resolution",
                    "expectation": "Expectation", "facilitation": "Facilitation", "adaptability": "Adaptability",
                    "teamwork": "Teamwork", "problem_solving": "Problem solving",
                    "client_management": "Client management", "self_management": "Self-management"}


def _url() -> str:
    return config.database_url()


def analyst_section(scope: Scope) -> None:
    """Everything about one analyst for a 1:1: figures, trend, CARE, talking points, verbatims."""
    top = st.columns([2, 3])
    with top[0]:
        analyst = analyst_picker(scope, "coaching_analyst_detail")
    if analyst is None:
        return
    with top[1]:
        period = period_picker("coaching_detail_period")
    detail = data.analyst_detail(scope=scope, analyst_id=int(analyst["analyst_id"]), filters=period.filters,
                                 phrase=period.phrase, url=_url())
    name = detail.analyst["name"]
    _tiles(detail)
    if detail.enough:
        _trend_and_care(detail, period)
    else:  # one line instead of charts drawn from a response or two
        st.info(f"Not enough responses yet for {literal(name)}'s charts: {detail.totals['n']:,} {period.phrase}, "
                f"shown from {detail.min_responses:d}. Their responses are listed below.",
                icon=":material/hourglass_empty:")
    st.subheader("Talking points", divider="gray")
    _talking_points(detail.points)
    st.subheader("Perception gap", divider="gray")
    _perception_gap(name, detail.perception)
    if detail.enough:
        st.subheader("Factors customers mention", divider="gray")
        _factors(detail, period)
    st.subheader("What customers said", divider="gray")
    _verbatims(scope, detail.analyst["analyst_id"], name, period, detail.factors)
    st.subheader("Unhappy responses that were not only theirs", divider="gray")
    _context(detail, period)
    st.subheader("1:1 brief", divider="gray")
    _brief_downloads(scope, detail, period)


def _tiles(detail: AnalystDetail) -> None:
    mine, head, team = detail.totals, detail.headline, detail.team_headline
    change, min_n = detail.change, detail.min_responses
    cols = st.columns(4)
    with cols[0]:
        if detail.enough:
            tile("Happiness", formats.signed(head["happiness"]),
                 formats.margin(head["margin"], mine["n"]), "% scoring 9–10 minus % scoring 0–6")
        else:
            tile("Happiness", formats.NO_VALUE, f"not enough responses yet (n = {mine['n']:,}, shown from {min_n})",
                 "Too few responses for a fair figure")
    with cols[1]:
        shrunk = detail.shrunk["happiness_shrunk"] if (detail.shrunk and detail.enough) else None
        tile("Shrunk (fair)", formats.signed(shrunk),
             "pulled toward the team by sample size" if detail.enough else "not enough responses yet",
             "Empirical-Bayes shrinkage toward the team: use this when comparing with colleagues")
    with cols[2]:
        tile("Team Happiness", formats.signed(team["happiness"]),
             formats.margin(team["margin"], detail.team_totals["n"]) if team["margin"] is not None else "",
             f"{literal(detail.analyst['team_name'])}, same period")
    with cols[3]:
        tile("Change", formats.signed(change.change) if detail.change_shown else formats.NO_VALUE,
             f"± {formats.plus_minus(change.change_margin)}" + (" · clear" if change.is_clear else " · within noise")
             if detail.change_shown else "needs enough responses in both periods",
             "Happiness now minus the period of equal length before, ± its margin")


def _trend_and_care(detail: AnalystDetail, period: Period) -> None:
    name = detail.analyst["name"]
    left, right = st.columns(2)
    with left:
        st.subheader("Trend vs team", divider="gray")
        if detail.trend.filter(pl.col("who") == "Analyst").is_empty():
            st.info(f"No responses for {literal(name)} {period.phrase}.")
        else:
            st.altair_chart(charts.happiness_trend(detail.trend, name), width="stretch")
    with right:
        st.subheader("CARE profile vs team", divider="gray")
        if detail.totals["n"] == 0:
            st.info("No CARE ratings in this period.")
        else:
            st.altair_chart(charts.care_chart(detail.care, name), width="stretch")


def _factors(detail: AnalystDetail, period: Period) -> None:
    name = detail.analyst["name"]
    shares = detail.factor_shares
    if shares.filter(pl.col("analyst_count") > 0).is_empty():
        st.info(f"No factors picked on {literal(name)}'s responses {period.phrase}.")
    else:
        st.altair_chart(charts.factor_chart(shares, name), width="stretch")
        st.caption("Bars: share of this analyst's responses naming the factor; black tick: the team's share.")


def _context(detail: AnalystDetail, period: Period) -> None:
    context = detail.context
    unhappy = int(detail.totals["unhappy"])
    if unhappy == 0 or context.is_empty():
        st.caption(f"No unhappy responses {period.phrase}." if unhappy == 0 else
                   f"None of the {unhappy} unhappy responses {period.phrase} were reassigned or reopened.")
        return
    reassigned = int((context["reassignment_count"] > 0).sum())
    reopened = int(context["reopened"].sum())
    st.caption(f"Of {unhappy} unhappy responses {period.phrase}, {reassigned} came on reassigned tickets "
               f"and {reopened} on reopened ones — part of the story may lie elsewhere.")
    # Written out as text: the table's accessible copy (what a screen reader reads) otherwise carries
    # the raw timestamp with seconds.
    when = pl.col("submitted_at")
    when = when.str.to_datetime(strict=False) if context.schema["submitted_at"] == pl.String else when
    shown = context.with_columns(when.dt.strftime("%-d %b %Y, %H:%M"), pl.col("comment").fill_null(""),
                                 pl.when(pl.col("reopened")).then(pl.lit("yes")).otherwise(pl.lit("no"))
                                 .alias("reopened"))
    st.dataframe(shown.rename({"ticket_id": "Ticket", "submitted_at": "Submitted", "happiness": "Score",
                               "reassignment_count": "Reassignments", "reopened": "Reopened",
                               "comment": "Comment"}), hide_index=True, height=min(38 + 35 * context.height, 300),
                 column_config={"Comment": st.column_config.TextColumn(width="large")})


def _trend_points(detail: AnalystDetail, who: str) -> tuple[TrendPoint, ...]:
    return tuple(TrendPoint(r["month"], r["n"], r["happiness"], r["happiness_low"], r["happiness_high"])
                 for r in detail.trend.filter(pl.col("who") == who).iter_rows(named=True))


def _care_rows(care: pl.DataFrame) -> tuple[CareRow, ...]:
    rows = []
    for dim in CARE_LABELS.values():
        a = care.filter((pl.col("dimension") == dim) & (pl.col("who") == "Analyst"))
        t = care.filter((pl.col("dimension") == dim) & (pl.col("who") == "Team"))
        if a.height and t.height:
            rows.append(CareRow(dim, a["mean"][0], t["mean"][0], a["n"][0]))
    return tuple(rows)


def one_on_one_brief(detail: AnalystDetail, period: Period, follow_ups: tuple[str, ...],
                     picks: tuple[Verbatim, ...]) -> Brief:
    """The 1:1 brief of the analyst's figures, talking points, ticked comments and follow-ups."""
    head, change, points = detail.headline, detail.change, detail.points
    return Brief(
        analyst=detail.analyst["name"], team=detail.analyst["team_name"], period_label=period.label,
        generated_on=clock.today(), n=int(detail.totals["n"]), happiness=head["happiness"], margin=head["margin"],
        happiness_shrunk=detail.shrunk["happiness_shrunk"] if detail.shrunk else None,
        team_happiness=detail.team_headline["happiness"],
        change=change.change if detail.change_shown else None,
        change_margin=change.change_margin if detail.change_shown else None,
        lost_minutes=detail.lost_minutes, enough=detail.enough, min_responses=detail.min_responses,
        trend=_trend_points(detail, "Analyst"), team_trend=_trend_points(detail, "Team"),
        care=_care_rows(detail.care),
        recognition=tuple(p.headline for p in points if p.kind == "recognition"),
        coaching=tuple(p.headline for p in points if p.kind == "coaching"),
        quotes=tuple(q for p in points for q in p.quotes[:1]),
        verbatims=picks, follow_ups=follow_ups,
    )


def _brief_downloads(scope: Scope, detail: AnalystDetail, period: Period) -> None:
    aid, name = detail.analyst["analyst_id"], detail.analyst["name"]
    follow_ups = data.follow_ups(scope=scope, analyst_id=aid, today=clock.today(), now=current_minute(), url=_url())
    picks = tuple(st.session_state.get(BRIEF_PICKS_KEY, {}).get(aid, {}).values())
    brief = one_on_one_brief(detail, period, follow_ups, picks)
    stem = file_stem(name, period.label)
    st.caption("Figures, trend, CARE profile, talking points, the comments you ticked above and open "
               "follow-ups — ready to print.")
    b1, b2, _ = st.columns([2, 1.2, 3])
    with b1:
        st.download_button("Download brief (PDF)", lambda: to_pdf(brief), file_name=f"{stem}.pdf",
                           mime="application/pdf", icon=":material/picture_as_pdf:", type="primary",
                           on_click="ignore", key="coaching_brief_pdf")
    with b2:
        st.download_button("Markdown", lambda: to_markdown(brief), file_name=f"{stem}.md",
                           mime="text/markdown", icon=":material/description:", on_click="ignore",
                           key="coaching_brief_md")


def _talking_points(points) -> None:
    if not points:
        st.info("No factor was picked often enough in this period to suggest a talking point.")
        return
    cols = st.columns(2)
    for kind, col, icon, title in (("recognition", cols[0], ":material/celebration:", "Recognise"),
                                   ("coaching", cols[1], ":material/school:", "Coach")):
        match = [p for p in points if p.kind == kind]
        with col, st.container(border=True):
            st.markdown(f"{icon} **{title}**")
            if not match:
                st.caption("Nothing recurring in this period.")
                continue
            point = match[0]
            st.write(literal(point.headline))
            for quote in point.quotes:
                st.text(f"“{quote}”")
            count = len(set(point.ticket_ids))
            with st.expander(f"Evidence: {count} response{'s' if count != 1 else ''}"):
                st.dataframe(pl.DataFrame({"Ticket": sorted(set(point.ticket_ids))}), hide_index=True, height=180)
            st.button("Show these responses below", key=f"coaching_tp_{kind}", icon=":material/filter_list:",
                      type="tertiary", on_click=_filter_verbatims,
                      args=(point.factor_id, "happy" if kind == "recognition" else "unhappy"))


def _filter_verbatims(factor_id: int | None, band: str) -> None:
    """Point the verbatim list at a talking point's evidence."""
    st.session_state["coaching_vb_factor"] = factor_id
    st.session_state["coaching_vb_band"] = band
    st.session_state["coaching_vb_comment"] = False


def _perception_gap(name: str, perception: PerceptionGap | None) -> None:
    if perception is None:
        st.info(f"{literal(name)}'s self-assessment is private. Analysts can choose to share their latest "
                "self-assessment with their lead; nothing is shown until they do.")
        return

    def fmt(value, pattern: str) -> str:
        return formats.NO_VALUE if value is None else format(value, pattern)

    rows = []
    for row in perception.gaps.iter_rows(named=True):
        dim = row["dimension"]
        rows.append({"Dimension": DIMENSION_LABELS.get(dim, dim), "Self-rating": fmt(row["self_rating"], ".0f"),
                     "Customers (shrunk)": fmt(row["customer_mean"], ".2f"),
                     "Customer view, team percentile": fmt(perception.percentiles.get(dim), ".0f"),
                     "Gap": fmt(row["gap"], "+.2f"), "Reading": row["label"] or "no comparable customer figure"})
    st.caption(f"Shared on {perception.shared_on:%-d %b %Y}. Customer means are shrunk toward the team; "
               "a gap beyond 4/3 of a point is a blind spot (self higher) or a hidden strength (self lower). "
               "Competencies are compared only where a customer rating maps onto them.")
    st.dataframe(pl.DataFrame(rows), hide_index=True, column_config={
        "Customer view, team percentile": st.column_config.TextColumn(
            help="Where customers' (shrunk) rating of this analyst sits among the team's analysts with enough "
                 "responses: 0 lowest, 100 highest")})


def _toggle_pick(aid: int, verbatim: Verbatim, key: str, ticket_key: int) -> None:
    picks = st.session_state.setdefault(BRIEF_PICKS_KEY, {}).setdefault(aid, {})
    if st.session_state.get(key):
        picks[ticket_key] = verbatim
    else:
        picks.pop(ticket_key, None)


def _verbatims(scope: Scope, aid: int, name: str, period: Period, counts: pl.DataFrame) -> None:
    factor_ids = [None] + counts["factor_id"].to_list()
    labels = dict(zip(counts["factor_id"].to_list(), counts["label"].to_list()))
    f1, f2, f3 = st.columns([2, 3, 2])
    band = f1.selectbox("Score", list(BAND_LABELS), format_func=BAND_LABELS.get, key="coaching_vb_band")
    factor = f2.selectbox("Factor", factor_ids, format_func=lambda f: "Any factor" if f is None else labels[f],
                          key="coaching_vb_factor")
    with_comment = f3.toggle("With a comment only", value=True, key="coaching_vb_comment")
    vf = data.VerbatimFilter(band=band, factor_id=factor, with_comment=with_comment)
    page_key = "coaching_vb_page"
    signature = (aid, period.filters, vf)
    if st.session_state.get("coaching_vb_sig") != signature:
        st.session_state["coaching_vb_sig"] = signature
        st.session_state[page_key] = 0
    page = st.session_state.get(page_key, 0)
    rows, total = data.verbatims(scope=scope, analyst_id=aid, filters=period.filters, vf=vf, page=page,
                                 url=_url())
    if total == 0:
        st.info(f"No responses for {literal(name)} match these filters {period.phrase}.")
        return
    pages = (total + data.VERBATIM_PAGE_SIZE - 1) // data.VERBATIM_PAGE_SIZE
    kudos_note = st.text_input("Note to send with kudos (optional)", key="coaching_kudos_note", max_chars=2000,
                               placeholder="e.g. Great save on a tricky one — thank you!")
    picks = st.session_state.get(BRIEF_PICKS_KEY, {}).get(aid, {})
    for row in rows.iter_rows(named=True):
        with st.container(border=True):
            meta, actions = st.columns([5, 2])
            with meta:
                flags = []
                if row["reassignment_count"]:
                    flags.append(f"reassigned {row['reassignment_count']}×")
                if row["reopened"]:
                    flags.append("reopened")
                st.caption(literal(f"Score {row['happiness']} · {row['submitted_at']:%-d %b %Y} · {row['ticket_id']}"
                                     f" · {formats.channel(row['channel'])} · {row['service']}"
                                     + (f" · {', '.join(flags)}" if flags else "")))
                if row["comment"]:
                    st.text(row["comment"])
                else:
                    st.caption("(no comment)")
                if row["factors"]:
                    st.caption(literal(f"Factors: {row['factors']}"))
            with actions:
                _kudos_button(scope, row, kudos_note)
                if row["comment"]:
                    key = f"coaching_pick_{row['ticket_key']}"
                    st.session_state.setdefault(key, row["ticket_key"] in picks)
                    verbatim = Verbatim(row["ticket_id"], row["submitted_at"].date(), row["happiness"], row["comment"])
                    st.checkbox("Include in brief", key=key, on_change=_toggle_pick,
                                args=(aid, verbatim, key, row["ticket_key"]))
    pager(page_key, page, pages, labels=("← Newer", "Older →"),
          caption=f"Page {page + 1} of {pages} · {total:,} responses", key="coaching_vb")


def _kudos_button(scope: Scope, row: dict, note: str) -> None:
    if row["kudos_given"]:
        st.caption(":material/celebration: Kudos sent")
        return
    if row["happiness"] < HAPPY_MIN:
        return
    if st.button("Send kudos", key=f"coaching_kudos_{row['ticket_key']}", icon=":material/celebration:"):
        viewer = current_viewer()
        try:
            give_kudos(url=_url(), scope=scope, user_id=viewer.user_id, ticket_key=row["ticket_key"], note=note)
        except InvalidInput as exc:
            st.error(literal(exc))
            return
        except WriteConflict as exc:
            st.warning(literal(exc))
            return
        cache.clear_cached_reads()
        st.toast("Kudos sent — they will see it on their page.", icon=":material/celebration:")
        st.rerun()
