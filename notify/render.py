"""Digest and alert emails as HTML (inline CSS, no scripts, no images) plus a plain-text part.

Every piece of text that came from a database — comments above all, but also names of people,
teams and services — goes through `html.escape` before it is placed in the HTML.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import TYPE_CHECKING, Iterable

from components import formats
from components.text import inert_links
from metrics.happiness import HAPPY_MIN, UNHAPPY_MAX
from notify.digest import Change, Digest, HappinessFigure, QueueLine, TeamLine, Verbatim

if TYPE_CHECKING:
    from notify.alerts import AlertItem

FONT = "font-family:Segoe UI,Helvetica,Arial,sans-serif;"
INK, MUTED, LINE, ACCENT = "#1f2933", "#52606d", "#d9e2ec", "#1f5fa8"
GOOD, BAD = "#1b7f4c", "#b42318"


# A dot between letters or digits ("evil.example") is where a mail client that links bare domain
# names finds one: an invisible word joiner after it keeps the name readable and unlinked.
_DOMAIN_DOT = re.compile(r"(?<=[^\W_])\.(?=[A-Za-z])")


def plain(value: object) -> str:
    """User text (names, comments, ticket numbers) for an email: shown as typed, but no web or mail
    address or domain name in it becomes a link in the reader's mail client."""
    return _DOMAIN_DOT.sub(".\u2060", inert_links(value))


def esc(value: object) -> str:
    """Text → safe HTML text (quotes too, so it is also safe inside attributes), no address in it
    linked by a mail client (`plain`). The app's own links go through `_link`."""
    return html.escape(plain(value), quote=True)


def esc_multiline(value: str | None) -> str:
    """User text with its line breaks kept, and nothing in it interpreted as HTML."""
    return "<br>".join(esc(line) for line in (value or "").splitlines())


def fmt_figure(fig: HappinessFigure) -> str:
    if fig.value is None:
        return f"{fig.withheld} (n = {fig.n:,})" if fig.n else str(fig.withheld)
    return f"{formats.signed(fig.value)} ± {fig.margin:.0f} (n = {fig.n:,})"


def fmt_change(change: Change | None, previous_label: str) -> str:
    if change is None or change.value is None:
        return f"no fair comparison with {previous_label} (too few responses)"
    verdict = (("a clear rise" if change.value > 0 else "a clear drop") if change.clear
               else "within the margin of error, so no clear change")
    return f"{formats.signed(change.value)} ± {change.margin:.0f} vs {previous_label}: {verdict}"


def fmt_share(successes: int, n: int, interval: tuple[float, float] | None, created: int = 1,
              withheld: bool = False) -> str:
    if not created:
        return "no new items"
    if not n:
        return "none due yet"
    if withheld:
        return f"too few items to show a rate (n = {n:,})"
    low, high = interval or (0.0, 0.0)
    return (f"{successes:,} of {n:,} ({formats.percent(successes / n)}, "
            f"95% range {formats.number(100 * low)}–{formats.percent(high)})")


def _when(ts: dt.datetime) -> str:
    return f"{ts:%a %d %b %H:%M}"


# ---------------------------------------------------------------- HTML building blocks

def _page(title: str, preheader: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{esc(title)}</title></head>"
        f"<body style=\"margin:0;padding:0;background:#f0f4f8;{FONT}color:{INK};\">"
        f"<div style=\"display:none;max-height:0;overflow:hidden;\">{esc(preheader)}</div>"
        "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" "
        "style=\"background:#f0f4f8;\"><tr><td align=\"center\" style=\"padding:16px 8px;\">"
        "<table role=\"presentation\" width=\"640\" cellpadding=\"0\" cellspacing=\"0\" "
        "style=\"width:100%;max-width:640px;background:#ffffff;border:1px solid #d9e2ec;border-radius:6px;\">"
        f"{body}</table></td></tr></table></body></html>\n")


def _row(inner: str, *, pad: str = "16px 24px", style: str = "") -> str:
    return f"<tr><td style=\"padding:{pad};{style}\">{inner}</td></tr>"


def _h2(text: str, note: str = "") -> str:
    extra = f" <span style=\"font-weight:normal;color:{MUTED};font-size:13px;\">{esc(note)}</span>" if note else ""
    return (f"<h2 style=\"margin:0 0 8px 0;font-size:17px;color:{INK};{FONT}\">{esc(text)}{extra}</h2>")


def _link(href: str, text: str) -> str:
    return (f"<a href=\"{html.escape(href, quote=True)}\" target=\"_blank\" rel=\"noopener\" "
            f"style=\"color:{ACCENT};text-decoration:underline;\">{esc(text)}</a>")


def _p(inner_html: str, *, muted: bool = False, size: int = 14) -> str:
    return (f"<p style=\"margin:0 0 8px 0;font-size:{size}px;line-height:1.45;"
            f"color:{MUTED if muted else INK};\">{inner_html}</p>")


def _figure_html(fig: HappinessFigure) -> str:
    if fig.value is None:
        n = f" (n&nbsp;=&nbsp;{fig.n:,})" if fig.n else ""
        return f"<span style=\"color:{MUTED};\">{esc(fig.withheld)}{n}</span>"
    colour = GOOD if fig.value > 0 else BAD if fig.value < 0 else INK
    return (f"<strong style=\"color:{colour};\">{esc(formats.signed(fig.value))}</strong>"
            f" <span style=\"color:{MUTED};\">±&nbsp;{fig.margin:.0f} (n&nbsp;=&nbsp;{fig.n:,})</span>")


def _table(head: Iterable[str], rows: list[list[str]], *, align: tuple[str, ...] = ()) -> str:
    th = "".join(f"<th align=\"{align[i] if i < len(align) else 'left'}\" style=\"padding:6px 8px;"
                 f"border-bottom:2px solid {LINE};font-size:12px;color:{MUTED};text-transform:uppercase;"
                 f"letter-spacing:.03em;\">{esc(h)}</th>" for i, h in enumerate(head))
    body = "".join(
        "<tr>" + "".join(f"<td align=\"{align[i] if i < len(align) else 'left'}\" style=\"padding:6px 8px;"
                         f"border-bottom:1px solid {LINE};font-size:14px;vertical-align:top;\">{cell}</td>"
                         for i, cell in enumerate(r)) + "</tr>"
        for r in rows)
    return ("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" "
            f"style=\"border-collapse:collapse;{FONT}\"><tr>{th}</tr>{body}</table>")


def _quote(v: Verbatim, *, show_state: bool) -> str:
    colour = GOOD if v.score >= HAPPY_MIN else BAD if v.score <= UNHAPPY_MAX else MUTED
    comment = (f"<div style=\"font-size:15px;line-height:1.45;margin:4px 0 6px 0;\">“{esc_multiline(v.comment)}”</div>"
               if v.comment and v.comment.strip() else
               f"<div style=\"font-size:14px;color:{MUTED};margin:4px 0 6px 0;\">(no comment)</div>")
    state = (f" · <strong style=\"color:{BAD if v.state.startswith('OVERDUE') else INK};\">{esc(v.state)}</strong>"
             if show_state and v.state else "")
    return (f"<div style=\"border-left:4px solid {colour};padding:6px 12px;margin:0 0 10px 0;background:#f8fafc;\">"
            f"<div style=\"font-size:13px;color:{MUTED};\"><strong style=\"color:{colour};\">{v.score}/10</strong>"
            f" · {esc(v.analyst)} · ticket {esc(v.ticket_id)} · {esc(v.service)} · {esc(v.channel)}"
            f" · {esc(_when(v.submitted_at))}{state}</div>{comment}"
            f"<div style=\"font-size:13px;\">{_link(v.link, 'Open in Service Pulse')}</div></div>")


def _team_rows(teams: list[TeamLine], total: TeamLine | None, previous_label: str) -> list[list[str]]:
    rows = []
    for t in teams + ([total] if total else []):
        rows.append([_link(t.link, t.name), _figure_html(t.figure), esc(fmt_change(t.change, previous_label))])
    return rows


def _queue_rows(queue: list[QueueLine]) -> list[list[str]]:
    rows = []
    for q in queue:
        overdue = (f"<strong style=\"color:{BAD};\">{q.overdue}</strong>" if q.overdue else "0")
        rows.append([_link(q.link, q.name), str(q.open), overdue, str(q.not_contacted),
                     esc(fmt_share(q.contacted_in_time, q.decided, q.in_time_interval, q.created, q.rate_withheld))])
    return rows


QUEUE_HEAD = ("Team", "Open", "Overdue", "Not yet contacted", "First contact within target")


def _header(d: Digest, subtitle: str) -> str:
    return (_row(f"<div style=\"font-size:12px;color:{MUTED};letter-spacing:.06em;text-transform:uppercase;\">"
                 f"Service Pulse</div><h1 style=\"margin:4px 0 2px 0;font-size:22px;color:{INK};{FONT}\">"
                 f"{esc(d.title)}</h1><div style=\"font-size:14px;color:{MUTED};\">{esc(subtitle)}</div>"
                 f"<div style=\"font-size:13px;margin-top:6px;\">{_link(d.view_in_browser, 'View in browser')}</div>",
                 pad="20px 24px 12px 24px", style=f"border-bottom:3px solid {ACCENT};"))


def _footer(d: Digest) -> str:
    fair = (f"Analysts appear with a figure from {d.min_responses} responses; groups below "
            f"{d.min_group} responses are not shown." if d.kind == "weekly" else
            f"Teams below {d.min_group} responses are not shown; no individual is named.")
    return _row(_p(f"Happiness = % scoring 9–10 minus % scoring 0–6, shown with its 95% margin and n. "
                   f"{fair} You receive this because digests are on in "
                   f"your settings — {_link(d.settings_link, 'change my settings')}.", muted=True, size=12),
                style=f"border-top:1px solid {LINE};background:#f8fafc;")


def digest_html(d: Digest) -> str:
    """The digest as a self-contained HTML email (no scripts, no external resources)."""
    if d.kind == "monthly":
        return _monthly_html(d)
    parts = [_header(d, f"{d.period_label} · for {d.recipient}")]
    parts.append(_row(_h2("Team Happiness") + _table(("Team", "This week", "Change"),
                                                       _team_rows(d.teams, d.total, d.previous_label))))
    if d.praise:
        more = f"; {d.praise_more} more in the app" if d.praise_more else ""
        praise = "".join(_quote(v, show_state=False) for v in d.praise)
        parts.append(_row(_h2("Praise this week", f"9–10 with a comment, ready to forward{more}") + praise))
    else:
        parts.append(_row(_h2("Praise this week") + _p("No 9–10 responses with a comment this week.", muted=True)))
    if d.unhappy_count:
        shown = f"showing the latest {len(d.unhappy)}" if len(d.unhappy) < d.unhappy_count else ""
        unhappy = "".join(_quote(v, show_state=True) for v in d.unhappy)
        parts.append(_row(_h2(f"Unhappy responses this week: {d.unhappy_count}", shown) + unhappy))
    else:
        parts.append(_row(_h2("Unhappy responses this week: 0") +
                          _p("No response scored 0–6 this week.", muted=True)))
    parts.append(_row(_h2("Recovery queue", "now; first-contact rate for this week's items") +
                      _table(QUEUE_HEAD, _queue_rows(d.queue), align=("left", "right", "right", "right", "left"))))
    rows = [[_link(a.link, a.name)] + ([esc(a.team)] if len(d.teams) > 1 else [])
            + [_figure_html(a.week), _figure_html(a.context)] for a in d.analysts]
    head = ("Analyst",) + (("Team",) if len(d.teams) > 1 else ()) + ("This week", "Last 90 days")
    parts.append(_row(_h2("Each analyst's week", f"figures from {d.min_responses} responses") +
                      (_table(head, rows) if rows else _p("No active analysts in your team.", muted=True))))
    parts.append(_footer(d))
    return _page(f"Service Pulse — {d.title}", f"{d.period_label}: team Happiness, praise and follow-ups",
                 "".join(parts))


def _monthly_html(d: Digest) -> str:
    parts = [_header(d, f"{d.period_label} · for {d.recipient}")]
    if d.total:
        parts.append(_row(_h2(d.total.name) +
                          _p(f"Happiness {_figure_html(d.total.figure)}", size=16) +
                          _p(esc(fmt_change(d.total.change, d.previous_label)), muted=True)))
    parts.append(_row(_h2("Teams", "no individual names; small groups not shown") +
                      _table(("Team", d.period_label, "Change"), _team_rows(d.teams, None, d.previous_label))))
    parts.append(_row(_h2("Recovery of unhappy customers", "rates and times only") +
                      _table(QUEUE_HEAD, _queue_rows(d.queue), align=("left", "right", "right", "right", "left"))))
    parts.append(_footer(d))
    return _page(f"Service Pulse — {d.title}", f"{d.period_label}: Happiness by team and recovery",
                 "".join(parts))


# ---------------------------------------------------------------- plain text

def _text_figure(fig: HappinessFigure) -> str:
    return fmt_figure(fig)


def _text_quote(v: Verbatim, *, show_state: bool) -> list[str]:
    head = (f"- {v.score}/10 · {plain(v.analyst)} · ticket {plain(v.ticket_id)} · {plain(v.service)} · "
            f"{v.channel} · {_when(v.submitted_at)}")
    if show_state and v.state:
        head += f" · {v.state}"
    return [head, *_text_comment(v.comment), f"    {v.link}"]


def _text_comment(comment: str | None, indent: str = "    ") -> list[str]:
    lines = plain(comment).strip().splitlines()
    if not lines:
        return [f"{indent}(no comment)"]
    lines[0] = "“" + lines[0]
    lines[-1] = lines[-1] + "”"
    return [indent + line for line in lines]


def _text_queue(queue: list[QueueLine]) -> list[str]:
    return [f"- {plain(q.name)}: {q.open} open, {q.overdue} overdue, {q.not_contacted} not yet contacted; "
            f"first contact within target: {fmt_share(q.contacted_in_time, q.decided, q.in_time_interval, q.created, q.rate_withheld)}"
            f"  {q.link}" for q in queue]


def digest_text(d: Digest) -> str:
    """The digest as plain text (the email's text/plain part)."""
    lines = [f"Service Pulse — {plain(d.title)}", f"{d.period_label} · for {plain(d.recipient)}",
             f"View in browser: {d.view_in_browser}", ""]
    period_word = "This week" if d.kind == "weekly" else d.period_label
    if d.kind == "monthly" and d.total:
        lines += [f"{plain(d.total.name)} Happiness: {_text_figure(d.total.figure)}",
                  f"  change: {fmt_change(d.total.change, d.previous_label)}", ""]
    lines.append("TEAMS" if d.kind == "monthly" else "TEAM HAPPINESS")
    for t in d.teams + ([d.total] if d.total and d.kind == "weekly" else []):
        lines.append(f"- {plain(t.name)} Happiness ({period_word}): {_text_figure(t.figure)}")
        lines.append(f"  change: {fmt_change(t.change, d.previous_label)}")
    lines.append("")
    if d.kind == "weekly":
        lines.append("PRAISE THIS WEEK (9–10 with a comment)")
        for v in d.praise:
            lines += _text_quote(v, show_state=False)
        if not d.praise:
            lines.append("No 9–10 responses with a comment this week.")
        if d.praise_more:
            lines.append(f"... and {d.praise_more} more in the app.")
        lines += ["", f"UNHAPPY RESPONSES THIS WEEK: {d.unhappy_count}"]
        for v in d.unhappy:
            lines += _text_quote(v, show_state=True)
        lines.append("")
    lines.append("RECOVERY QUEUE")
    lines += _text_queue(d.queue)
    if d.kind == "weekly":
        lines += ["", f"EACH ANALYST'S WEEK (figures from {d.min_responses} responses)"]
        for a in d.analysts:
            team = f" ({plain(a.team)})" if len(d.teams) > 1 else ""
            lines.append(f"- {plain(a.name)}{team}: this week: {_text_figure(a.week)}; "
                         f"last 90 days: {_text_figure(a.context)}")
    lines += ["", "Happiness = % scoring 9–10 minus % scoring 0–6, with its 95% margin and n.",
              f"Change your settings: {d.settings_link}"]
    return "\n".join(lines) + "\n"


def digest_subject(d: Digest) -> str:
    return f"Service Pulse {d.kind} digest — {plain(d.title.split(': ', 1)[-1])}, {d.period_label}"


# ---------------------------------------------------------------- alerts

def alert_subject(items: list["AlertItem"]) -> str:
    if len(items) == 1:
        a = items[0]
        return (f"Unhappy customer: ticket {plain(a.ticket_id)} scored {a.score}/10 — "
                f"call back by {a.due_at:%a %d %b %H:%M}")
    return f"{len(items)} unhappy customers to call back — first due {min(a.due_at for a in items):%a %d %b %H:%M}"


def _alert_block_html(a: "AlertItem") -> str:
    factors = ", ".join(a.factors) if a.factors else "none picked"
    care = " · ".join(f"{name} {value}/5" for name, value in a.care) or "not rated"
    comment = (f"“{esc_multiline(a.comment)}”" if a.comment and a.comment.strip()
               else f"<span style=\"color:{MUTED};\">(no comment)</span>")
    rows = [["Ticket", esc(a.ticket_id) + f" · {esc(a.service)} · {esc(a.channel)}"],
            ["Score", f"<strong style=\"color:{BAD};\">{a.score}/10</strong>"],
            ["Analyst", f"{esc(a.analyst)} ({esc(a.team)})"],
            ["Factors", esc(factors)], ["Ratings", esc(care)],
            ["Comment", f"<div style=\"font-size:15px;line-height:1.45;\">{comment}</div>"],
            ["Answered", esc(_when(a.submitted_at))],
            ["Call back by", f"<strong>{esc(_when(a.due_at))}</strong>"]]
    body = "".join(f"<tr><td style=\"padding:4px 12px 4px 0;color:{MUTED};font-size:13px;vertical-align:top;"
                   f"white-space:nowrap;\">{esc(k)}</td><td style=\"padding:4px 0;font-size:14px;\">{v}</td></tr>"
                   for k, v in rows)
    return (f"<div style=\"border-left:4px solid {BAD};padding:8px 12px;margin:0 0 12px 0;background:#fff8f7;\">"
            f"<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" style=\"{FONT}\">{body}</table>"
            f"<div style=\"font-size:13px;margin-top:6px;\">{_link(a.link, 'Open the recovery item')}</div></div>")


def alert_html(items: list["AlertItem"], recipient: str, settings_link: str) -> str:
    intro = ("A customer rated their ticket low. A quick call back within the target time usually turns "
             "the experience around." if len(items) == 1 else
             f"{len(items)} customers rated their tickets low while alerts were paused (quiet hours or weekend).")
    body = (_row(f"<div style=\"font-size:12px;color:{MUTED};letter-spacing:.06em;text-transform:uppercase;\">"
                 f"Service Pulse</div><h1 style=\"margin:4px 0 2px 0;font-size:20px;{FONT}\">"
                 f"{esc(alert_subject(items))}</h1><div style=\"font-size:14px;color:{MUTED};\">for {esc(recipient)}</div>",
                 style=f"border-bottom:3px solid {BAD};")
            + _row(_p(esc(intro)) + "".join(_alert_block_html(a) for a in items))
            + _row(_p(f"You receive alerts for scores at or below your alert threshold — "
                      f"{_link(settings_link, 'change my settings')}.", muted=True, size=12),
                   style=f"border-top:1px solid {LINE};background:#f8fafc;"))
    return _page(alert_subject(items), "A customer needs a call back", body)


def alert_text(items: list["AlertItem"], recipient: str, settings_link: str) -> str:
    lines = [alert_subject(items), f"for {plain(recipient)}", ""]
    for a in items:
        lines += [f"Ticket: {plain(a.ticket_id)} · {plain(a.service)} · {a.channel}",
                  f"Score: {a.score}/10",
                  f"Analyst: {plain(a.analyst)} ({plain(a.team)})",
                  f"Factors: {plain(', '.join(a.factors)) if a.factors else 'none picked'}",
                  f"Ratings: {' · '.join(f'{n} {v}/5' for n, v in a.care) or 'not rated'}",
                  "Comment:", *_text_comment(a.comment, "  "),
                  f"Answered: {_when(a.submitted_at)}",
                  f"Call back by: {_when(a.due_at)}",
                  f"Open: {a.link}", ""]
    lines.append(f"Change your settings: {settings_link}")
    return "\n".join(lines) + "\n"
