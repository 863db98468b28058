"""Coaching page, analyst detail: figures, trend and CARE vs team, talking points, perception gap,
factors, verbatims with one-click kudos, and the 1:1 brief download.

User text (comments) is always shown with st.text or st.dataframe, never as Markdown.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from components import coaching_charts as charts, formats
from components.coaching import (
    BAND_LABELS,
    BRIEF_PICKS_KEY,
    Period,
    analyst_picker,
    current_minute,
    period_picker,
)
from components.text import literal
from components.tiles import fmt_happiness, tile
from components.viewer import current_viewer
from data_access import clock, config
from data_access.scope import Scope
from data_access.writes import InvalidInput, WriteConflict
from data_access.writes.coaching import give_kudos
from metrics import CARE_NAMES, period_change, shrink_happiness, with_happiness
from metrics.coaching import care_gaps, customer_percentiles, talking_points, with_shrunk_care
from reports.brief import Brief, CareRow, TrendPoint, Verbatim, file_stem, to_markdown, to_pdf
from views import cache
from views.cache import coaching as data


DIMENSION_LABELS = {"communication": "Communication", "application": "Application", "resolution": "Resolution",
                    "expectation": "Expectation", "facilitation": "Facilitation", "adaptability": "Adaptability",
                    "teamwork": "Teamwork", "problem_solving": "Problem solving",
                    "client_management": "Client management", "self_management": "Self-management"}


def _url() -> str:
    return config.database_url()


def analyst_section(scope: Scope) -> None:
    """Everything about one analyst for a 1:1: figures, trend, CARE, talking points, verbatims."""
    url = _url()
    top = st.columns([2, 3])
    with top[0]:
        analyst = analyst_picker(scope, "coaching_analyst_detail")
    if analyst is None:
        return
    with top[1]:
        period = period_picker("coaching_detail_period")
    aid, name = int(analyst["analyst_id"]), analyst["name"]
    min_n = config.thresholds().min_responses
    mine, team = data.monthly_stats(scope=scope, analyst_id=aid, filters=period.filters, url=url)
    previous, _ = data.monthly_stats(scope=scope, analyst_id=aid, filters=period.filters.previous(), url=url)
    sums = [c for c in mine.columns if c != "month"]
    mine_total = _total(mine, sums)
    team_total = _total(team, sums)
    prev_total = _total(previous, sums)
    team_members = with_shrunk_care(data.team_analyst_stats(scope=scope, analyst_id=aid, filters=period.filters,
                                                            url=url))
    shrunk_frame = shrink_happiness(team_members) if not team_members.is_empty() else team_members
    me = shrunk_frame.filter(pl.col("analyst_id") == aid)
    me_row = me.row(0, named=True) if me.height else None
    headline = with_happiness(pl.DataFrame([mine_total])).row(0, named=True)
    team_head = with_happiness(pl.DataFrame([team_total])).row(0, named=True)
    change = period_change(mine_total, prev_total)
    enough = mine_total["n"] >= min_n
    change_ok = enough and prev_total["n"] >= min_n and change.change is not None

    cols = st.columns(4)
    with cols[0]:
        if enough:
            tile("Happiness", fmt_happiness(headline["happiness"]),
                 f"± {headline['margin']:.0f} (n = {mine_total['n']:,})", "% scoring 9–10 minus % scoring 0–6")
        else:
            tile("Happiness", "–", f"not enough responses yet (n = {mine_total['n']}, shown from {min_n})",
                 "Too few responses for a fair figure")
    with cols[1]:
        shrunk = me_row["happiness_shrunk"] if (me_row and enough) else None
        tile("Shrunk (fair)", fmt_happiness(shrunk),
             "pulled toward the team by sample size" if enough else "not enough responses yet",
             "Empirical-Bayes shrinkage toward the team: use this when comparing with colleagues")
    with cols[2]:
        tile("Team Happiness", fmt_happiness(team_head["happiness"]),
             f"± {team_head['margin']:.0f} (n = {team_total['n']:,})" if team_head["margin"] is not None else "",
             f"{literal(analyst['team_name'])}, same period")
    with cols[3]:
        tile("Change", fmt_happiness(change.change) if change_ok else "–",
             f"± {change.change_margin:.0f}" + (" · clear" if change.is_clear else " · within noise")
             if change_ok else "needs enough responses in both periods",
             "Happiness now minus the period of equal length before, ± its margin")

    trend = charts.trend_frame(mine, team)
    care = charts.care_profile(pl.DataFrame([mine_total]), pl.DataFrame([team_total]))
    if enough:
        _trend_and_care(trend, care, name)
    else:  # one line instead of charts drawn from a response or two
        st.info(f"Not enough responses yet for {literal(name)}'s charts: {mine_total['n']} {period.phrase}, "
                f"shown from {min_n}. Their responses are listed below.", icon=":material/hourglass_empty:")

    counts = data.factor_counts(scope=scope, analyst_id=aid, filters=period.filters, url=url)
    evidence = data.factor_evidence(scope=scope, analyst_id=aid, filters=period.filters, url=url)
    points = talking_points(counts, evidence, period_label=period.phrase)
    st.subheader("Talking points", divider="gray")
    _talking_points(points)

    st.subheader("Perception gap", divider="gray")
    _perception_gap(scope, aid, name, me_row, shrunk_frame)

    if enough:
        _factors(counts, mine_total, team_total, name, period)

    st.subheader("What customers said", divider="gray")
    _verbatims(scope, aid, name, period, counts)

    st.subheader("Unhappy responses that were not only theirs", divider="gray")
    context = data.unhappy_context(scope=scope, analyst_id=aid, filters=period.filters, url=url)
    unhappy = int(mine_total["unhappy"])
    if unhappy == 0:
        st.caption(f"No unhappy responses {period.phrase}.")
    elif context.is_empty():
        st.caption(f"None of the {unhappy} unhappy responses {period.phrase} were reassigned or reopened.")
    else:
        reassigned = int((context["reassignment_count"] > 0).sum())
        reopened = int(context["reopened"].sum())
        st.caption(f"Of {unhappy} unhappy responses {period.phrase}, {reassigned} came on reassigned tickets "
                   f"and {reopened} on reopened ones — part of the story may lie elsewhere.")
        shown = context.with_columns(pl.col("comment").fill_null(""),
                                     pl.when(pl.col("reopened")).then(pl.lit("yes")).otherwise(pl.lit("no"))
                                     .alias("reopened"))
        st.dataframe(shown.rename({"ticket_id": "Ticket", "submitted_at": "Submitted", "happiness": "Score",
                                   "reassignment_count": "Reassignments", "reopened": "Reopened",
                                   "comment": "Comment"}), hide_index=True, height=min(38 + 35 * context.height, 300),
                     column_config={"Submitted": st.column_config.DatetimeColumn(format=formats.TABLE_MOMENT),
                                    "Comment": st.column_config.TextColumn(width="large")})

    st.subheader("1:1 brief", divider="gray")
    follow_ups = _follow_ups(scope, aid, url)
    brief = Brief(
        analyst=name, team=analyst["team_name"], period_label=period.label, generated_on=clock.today(),
        n=int(mine_total["n"]), happiness=headline["happiness"], margin=headline["margin"],
        happiness_shrunk=me_row["happiness_shrunk"] if me_row else None, team_happiness=team_head["happiness"],
        change=change.change if change_ok else None, change_margin=change.change_margin if change_ok else None,
        lost_minutes=(mine_total["lost_sum"] / mine_total["lost_n"]) if mine_total["lost_n"] else None,
        enough=enough, min_responses=min_n,
        trend=tuple(TrendPoint(r["month"], r["n"], r["happiness"], r["happiness_low"], r["happiness_high"])
                    for r in trend.filter(pl.col("who") == "Analyst").iter_rows(named=True)),
        team_trend=tuple(TrendPoint(r["month"], r["n"], r["happiness"], r["happiness_low"], r["happiness_high"])
                         for r in trend.filter(pl.col("who") == "Team").iter_rows(named=True)),
        care=tuple(CareRow(dim, a["mean"], t["mean"], a["n"]) for dim, a, t in _care_pairs(care)),
        recognition=tuple(p.headline for p in points if p.kind == "recognition"),
        coaching=tuple(p.headline for p in points if p.kind == "coaching"),
        quotes=tuple(q for p in points for q in p.quotes[:1]),
        verbatims=tuple(st.session_state.get(BRIEF_PICKS_KEY, {}).get(aid, {}).values()),
        follow_ups=tuple(follow_ups),
    )
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


def _trend_and_care(trend: pl.DataFrame, care: pl.DataFrame, name: str) -> None:
    """The analyst's monthly Happiness and CARE profile beside the team's (enough responses only)."""
    left, right = st.columns(2)
    with left:
        st.subheader("Trend vs team", divider="gray")
        st.altair_chart(charts.happiness_trend(trend, name), width="stretch")
    with right:
        st.subheader("CARE profile vs team", divider="gray")
        if care.filter((pl.col("who") == "Analyst") & (pl.col("n") > 0)).is_empty():
            st.info("No CARE ratings in this period.")
        else:
            st.altair_chart(charts.care_chart(care, name), width="stretch")


def _factors(counts: pl.DataFrame, mine_total: dict, team_total: dict, name: str, period: Period) -> None:
    st.subheader("Factors customers mention", divider="gray")
    shares = charts.factor_frame(counts, int(mine_total["n"]), int(team_total["n"]))
    if shares.filter(pl.col("analyst_count") > 0).is_empty():
        st.info(f"No factors picked on {literal(name)}'s responses {period.phrase}.")
    else:
        st.altair_chart(charts.factor_chart(shares, name), width="stretch")
        st.caption("Bars: share of this analyst's responses naming the factor; black tick: the team's share.")


def _total(frame: pl.DataFrame, sums: list[str]) -> dict:
    if frame.is_empty():
        return {c: 0 for c in sums}
    return frame.select(pl.col(sums).sum()).row(0, named=True)


def _care_pairs(care: pl.DataFrame):
    for dim in charts.CARE_LABELS.values():
        a = care.filter((pl.col("dimension") == dim) & (pl.col("who") == "Analyst"))
        t = care.filter((pl.col("dimension") == dim) & (pl.col("who") == "Team"))
        if a.height and t.height:
            yield dim, a.row(0, named=True), t.row(0, named=True)


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


def _perception_gap(scope: Scope, aid: int, name: str, me_row: dict | None, team: pl.DataFrame) -> None:
    shared = data.shared_self_assessment(scope=scope, analyst_id=aid, url=_url())
    if shared is None:
        st.info(f"{literal(name)}'s self-assessment is private. Analysts can choose to share their latest "
                "self-assessment with their lead; nothing is shown until they do.")
        return
    customer = {d: (me_row or {}).get(f"{d}_shrunk") for d in CARE_NAMES}
    gaps = care_gaps(shared.ratings, customer)
    order = list(CARE_NAMES) + [d for d in gaps["dimension"].to_list() if d not in CARE_NAMES]
    gaps = gaps.with_columns(pl.col("dimension").replace_strict(
        {d: i for i, d in enumerate(order)}, return_dtype=pl.Int64).alias("_o")).sort("_o").drop("_o")
    percentile = customer_percentiles(team, aid, min_responses=config.thresholds().min_responses)

    def fmt(value, pattern: str) -> str:
        return "–" if value is None else format(value, pattern)

    rows = []
    for row in gaps.iter_rows(named=True):
        dim = row["dimension"]
        rows.append({"Dimension": DIMENSION_LABELS.get(dim, dim), "Self-rating": fmt(row["self_rating"], ".0f"),
                     "Customers (shrunk)": fmt(row["customer_mean"], ".2f"),
                     "Customer view, team percentile": fmt(percentile.get(dim), ".0f"),
                     "Gap": fmt(row["gap"], "+.2f"), "Reading": row["label"] or "no comparable customer figure"})
    st.caption(f"Shared on {shared.submitted_at:%-d %b %Y}. Customer means are shrunk toward the team; "
               "a gap beyond 4/3 of a point is a blind spot (self higher) or a hidden strength (self lower). "
               "Competencies are compared only where a customer rating maps onto them.")
    st.dataframe(pl.DataFrame(rows), hide_index=True, column_config={
        "Customer view, team percentile": st.column_config.TextColumn(
            help="Where customers' (shrunk) rating of this analyst sits among the team's analysts with enough "
                 "responses: 0 lowest, 100 highest")})


def _follow_ups(scope: Scope, aid: int, url: str) -> list[str]:
    notes = data.coaching_notes(scope=scope, analyst_id=aid, url=url)
    today, now = clock.today(), current_minute()
    items = [f"Follow-up on {r['follow_up_on']:%-d %b %Y}: {r['body']}"
             for r in notes.filter(pl.col("follow_up_on") >= today).sort("follow_up_on").iter_rows(named=True)]
    settings = data.recovery_settings(url=url)
    queue, total, _ = data.recovery_queue(scope=scope, threshold=settings.threshold,
                                          since=dt.datetime.combine(today - dt.timedelta(days=89), dt.time()),
                                          now=now, target_hours=settings.target_hours, analyst_id=aid, url=url)
    items += [f"Recovery call for {r['ticket_id']} (score {r['happiness']}, due {r['due_at']:%-d %b, %H:%M})"
              for r in queue.iter_rows(named=True)]
    if total > queue.height:
        items.append(f"… and {total - queue.height} more open recovery items")
    return items


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
    p1, p2, p3 = st.columns([1, 2, 1])
    if p1.button("← Newer", disabled=page == 0, key="coaching_vb_prev"):
        st.session_state[page_key] = page - 1
        st.rerun()
    p2.caption(f"Page {page + 1} of {pages} · {total:,} responses")
    if p3.button("Older →", disabled=page + 1 >= pages, key="coaching_vb_next"):
        st.session_state[page_key] = page + 1
        st.rerun()


def _kudos_button(scope: Scope, row: dict, note: str) -> None:
    if row["kudos_given"]:
        st.caption(":material/celebration: Kudos sent")
        return
    if row["happiness"] < 9:
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
