"""My settings: the person's own digest and alert choices, extra alert recipients (admin) and a
preview of the digest they receive. The page only signs the person in and calls `render`."""

from __future__ import annotations

import streamlit as st

from components import formats, query_params
from components.culture_settings_form import culture_settings_form
from components.text import literal
from data_access import clock, config, notify_reads
from data_access.engine import DB_ERRORS, describe_failure, get_engine
from data_access.writes import InvalidInput
from data_access.writes import notify as notify_writes
from notify.preview import digest_preview_html, recent_months
from notify.send_digests import default_month, default_week_ending

SAVED_KEY = "settings_saved"


def render(viewer) -> None:
    """The whole My settings page for a signed-in viewer."""
    try:
        engine = get_engine(config.database_url())
        me = notify_reads.user_preferences(viewer.user_id)
        recovery = notify_reads.recovery_settings()
    except DB_ERRORS as exc:
        st.error(literal(describe_failure(exc)))
        st.stop()
    if me is None:
        st.error("Your user record was not found. Ask an admin.")
        st.stop()
    done = st.session_state.pop(SAVED_KEY, None)
    if done:
        st.success(literal(done))
    my_settings_form(engine, viewer, me, recovery.threshold)
    if "admin" in viewer.roles:
        extra_recipients_form(engine, viewer)
        culture_settings_form(engine, viewer.scope("admin"))
    preview_role = "lead" if "lead" in viewer.roles else "cio" if "cio" in viewer.roles else None
    if preview_role:
        digest_preview(viewer, preview_role)
    appearance_note()


def appearance_note() -> None:
    """Where the light / dark choice is: Streamlit's own menu, kept per browser."""
    st.subheader("Appearance")
    st.caption("Light, dark or the same as your device (System): open the ⋮ menu at the top right and pick "
               "one. The choice is kept in this browser; charts follow it.")


# Same try/except shape as components/coaching_actions.py:_write_note, other outcomes: a settings
# write has no version to conflict on and shows a database failure; nothing to share.
def _write(action, success: str) -> None:
    """Run one write; show why it was refused, or reload the page with the success line."""
    try:
        action()
    except InvalidInput as exc:
        st.error(literal(exc))
    except DB_ERRORS as exc:
        st.error(literal(describe_failure(exc)))
    else:
        st.session_state[SAVED_KEY] = success
        st.rerun()


def mail_kinds(roles) -> tuple[str, ...]:
    """What Service Pulse sends a person of these roles (notify/): "weekly" digest and "alerts" to a
    lead, the "monthly" digest to the CIO; nothing to an analyst or admin only."""
    kinds: tuple[str, ...] = ()
    if "lead" in roles:
        kinds += ("weekly", "alerts")
    if "cio" in roles:
        kinds += ("monthly",)
    return kinds


DIGESTS = {"weekly": "a weekly digest of your teams", "monthly": "the monthly digest of the organisation"}


def _digest_caption(kinds: tuple[str, ...]) -> str:
    sent = [DIGESTS[k] for k in DIGESTS if k in kinds] + (["alerts about unhappy users"] if "alerts" in kinds else [])
    return "You receive " + (", ".join(sent[:-1]) + " and " + sent[-1] if len(sent) > 1 else sent[0]) + ". Sent to:"


def my_settings_form(engine, viewer, me: dict, default_threshold: int) -> None:
    """Only the choices that apply to the person's roles: the digest (lead, CIO) and the
    unhappy-customer alert threshold (lead; alerts go to team leads only)."""
    kinds = mail_kinds(viewer.roles)
    st.subheader("Email")
    if not kinds:
        st.caption("Service Pulse sends no email in your role: digests go to team leads and the CIO, "
                   "unhappy-customer alerts to team leads.")
        return
    with st.form("settings_mine"):
        st.caption(literal(_digest_caption(kinds)))
        st.text(me["email"] or "no address on file — ask an admin to add one")
        receive = st.toggle("Send me the digest", value=bool(me["receive_digest"]), key="settings_receive_digest")
        threshold = me["alert_threshold"]
        if "alerts" in kinds:
            threshold = _alert_fields(me, default_threshold)
        if st.form_submit_button("Save my settings", type="primary"):
            _write(lambda: notify_writes.update_my_preferences(
                engine, user_id=viewer.user_id, receive_digest=receive, alert_threshold=threshold),
                "Your settings are saved.")


def _alert_fields(me: dict, default_threshold: int) -> int | None:
    """The lead's own alert threshold (None: the admin's default)."""
    own_threshold = st.checkbox(f"Use my own alert threshold (default: alert on scores 0–{default_threshold})",
                                value=me["alert_threshold"] is not None, key="settings_own_threshold")
    current = me["alert_threshold"] if me["alert_threshold"] is not None else default_threshold
    threshold = st.slider("Alert me about responses scoring at or below", 0, default_threshold,
                          value=min(current, default_threshold), key="settings_alert_threshold",
                          help="Unhappy-customer alerts about your teams. Scores up to "
                               f"{default_threshold} enter the recovery queue either way.")
    if me["extra_recipients"]:
        st.caption("Your alerts are also sent to:")
        st.text(me["extra_recipients"])
    return threshold if own_threshold else None


def extra_recipients_form(engine, viewer) -> None:
    st.subheader("Extra alert recipients")
    admin = viewer.scope("admin")
    try:
        people = notify_reads.all_preferences(scope=admin)
    except DB_ERRORS as exc:
        st.error(literal(describe_failure(exc)))
        st.stop()
    label = {r["user_id"]: f"{r['display_name']} (@{r['username']})" for r in people.iter_rows(named=True)}
    current = {r["user_id"]: r["extra_recipients"] or "" for r in people.iter_rows(named=True)}
    who = st.selectbox("Whose alerts", list(label), format_func=label.get, key="settings_extra_user")
    with st.form("settings_extra"):
        text = st.text_area("Also send their alerts to (comma-separated addresses)", value=current.get(who, ""),
                            key=f"settings_extra_text_{who}")
        if st.form_submit_button("Save recipients"):
            try:
                saved = notify_writes.set_extra_recipients(engine, scope=admin, user_id=who, text=text)
            except InvalidInput as exc:
                st.error(literal(exc))
            except DB_ERRORS as exc:
                st.error(literal(describe_failure(exc)))
            else:
                st.session_state[SAVED_KEY] = f"Saved for {label[who]}: {saved or 'no extra recipients'}."
                st.rerun()


def _period_choice(kind: str):
    """The week or month to preview; a digest's "view in browser" link brings its own."""
    today = clock.today()
    notices: list[str] = []
    if kind == "weekly":
        default = query_params.read("week_ending", lambda raw: query_params.parse_date(raw, latest=today),
                                    default_week_ending(today), notices, "week ending")
    else:
        # Complete months only: the month under way would change every day, and one day's preview
        # minus the next day's would be that day's answers (a page link cannot go there either).
        last = default_month(today)
        default = query_params.read("month", lambda raw: query_params.parse_month(raw, latest=last),
                                    last, notices, "month")
    query_params.show_notice(notices)
    if kind == "weekly":
        return st.date_input("Week ending", value=default, max_value=today, key="settings_week_ending",
                             format=formats.PICKER)
    return st.selectbox("Month", recent_months(default), format_func=lambda d: f"{d:%B %Y}", key="settings_month")


# The email is at least about 470 px wide (its team table); a narrower preview frame (a phone)
# shows it scaled down to fit instead of cut off at the right. Only the preview carries this.
PREVIEW_FIT_CSS = ("<style>@media (max-width: 480px) { html { zoom: 0.74; } } "
                   "@media (max-width: 400px) { html { zoom: 0.66; } } "
                   "@media (max-width: 330px) { html { zoom: 0.56; } }</style>")


def fitted(html: str) -> str:
    """The digest's HTML with the preview's fit-to-width style in its head."""
    return html.replace("</head>", PREVIEW_FIT_CSS + "</head>", 1)


def digest_preview(viewer, role: str) -> None:
    st.subheader("Digest preview")
    period = _period_choice("weekly" if role == "lead" else "monthly")
    st.caption("Exactly what the email shows. Comments appear as plain text.")
    try:
        html = digest_preview_html(scope=viewer.scope(role), recipient=viewer.display_name, period=period)
    except DB_ERRORS as exc:
        st.error(literal(describe_failure(exc)))
    else:
        st.iframe(fitted(html), height=900)
