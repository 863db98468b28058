"""My settings: digest and alert preferences for anyone signed in; extra alert recipients (admin);
and a preview of this week's digest for leads (this month's for the CIO)."""

import streamlit as st

from components import query_params
from components.culture_settings_form import culture_settings_form
from components.text import literal
from components.viewer import current_viewer
from data_access import clock, config, notify_reads
from data_access.engine import DB_ERRORS, describe_failure, get_engine
from data_access.writes import InvalidInput
from data_access.writes import notify as notify_writes
from notify.preview import digest_preview_html, recent_months
from notify.send_digests import default_month, default_week_ending

viewer = current_viewer()
if viewer is None:
    st.warning("Please sign in to see this page.")
    st.stop()

st.title("My settings")
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

done = st.session_state.pop("settings_saved", None)
if done:
    st.success(literal(done))

with st.form("settings_mine"):
    st.subheader("Email")
    st.caption("Team leads get a weekly digest, the CIO a monthly one. Sent to:")
    st.text(me["email"] or "no address on file — ask an admin to add one")
    receive = st.toggle("Send me the digest", value=bool(me["receive_digest"]), key="settings_receive_digest")
    own_threshold = st.checkbox(f"Use my own alert threshold (default: alert on scores 0–{recovery.threshold})",
                                value=me["alert_threshold"] is not None, key="settings_own_threshold")
    threshold = st.slider("Alert me about responses scoring at or below", 0, recovery.threshold,
                          value=min(me["alert_threshold"] if me["alert_threshold"] is not None
                                    else recovery.threshold, recovery.threshold),
                          key="settings_alert_threshold",
                          help="Unhappy-customer alerts go to team leads. Scores up to "
                               f"{recovery.threshold} enter the recovery queue either way.")
    if me["extra_recipients"]:
        st.caption("Your alerts are also sent to:")
        st.text(me["extra_recipients"])
    if st.form_submit_button("Save my settings", type="primary"):
        try:
            notify_writes.update_my_preferences(engine, user_id=viewer.user_id, receive_digest=receive,
                                                alert_threshold=threshold if own_threshold else None)
        except InvalidInput as exc:
            st.error(literal(exc))
        except DB_ERRORS as exc:
            st.error(literal(describe_failure(exc)))
        else:
            st.session_state["settings_saved"] = "Your settings are saved."
            st.rerun()

if "admin" in viewer.roles:
    st.subheader("Extra alert recipients")
    try:
        people = notify_reads.all_preferences(scope=viewer.scope("admin"))
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
                saved = notify_writes.set_extra_recipients(engine, scope=viewer.scope("admin"), user_id=who,
                                                           text=text)
            except InvalidInput as exc:
                st.error(literal(exc))
            except DB_ERRORS as exc:
                st.error(literal(describe_failure(exc)))
            else:
                st.session_state["settings_saved"] = f"Saved for {label[who]}: {saved or 'no extra recipients'}."
                st.rerun()

if "admin" in viewer.roles:
    culture_settings_form(engine, viewer.scope("admin"))

preview_role = "lead" if "lead" in viewer.roles else "cio" if "cio" in viewer.roles else None
if preview_role:
    kind = "weekly" if preview_role == "lead" else "monthly"
    st.subheader("Digest preview")
    today = clock.today()
    notices: list[str] = []  # a link's week or month, from a digest's "view in browser"
    if kind == "weekly":
        default = query_params.read("week_ending", lambda raw: query_params.parse_date(raw, latest=today),
                                    default_week_ending(today), notices, "week ending")
    else:
        default = query_params.read("month", lambda raw: query_params.parse_month(raw, latest=today),
                                    default_month(today), notices, "month")
    query_params.show_notice(notices)
    if kind == "weekly":
        period = st.date_input("Week ending", value=default, max_value=clock.today(), key="settings_week_ending")
    else:
        period = st.selectbox("Month", recent_months(default), format_func=lambda d: f"{d:%B %Y}", key="settings_month")
    st.caption("Exactly what the email shows. Comments appear as plain text.")
    try:
        html = digest_preview_html(scope=viewer.scope(preview_role), recipient=viewer.display_name, period=period)
    except DB_ERRORS as exc:
        st.error(literal(describe_failure(exc)))
    else:
        st.iframe(html, height=900)
