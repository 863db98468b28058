"""Service Pulse entry point: page config, warehouse check, sign-in, role → pages, navigation.

No data queries here besides looking up the signed-in user; pages do their own scoped reads.
A sign-in renders the landing page once: the cookie is written by a script in the same run,
nothing reports back to the server and reruns it.
"""

import sqlalchemy as sa
import streamlit as st

from components import auth, landing_keeper, navigation, sidebar, signin, survey_entry, warm_up
from data_access import bootstrap, config, file_turns
from data_access.engine import DB_ERRORS, describe_failure, ping
from data_access.settings import SettingsError

if survey_entry.survey_link_present():
    # One page config per run: a requester's survey page is narrow from the first draw to the last
    # (a wide config first, made narrow later, came back wide on the run after "Save").
    survey_entry.page_config()
else:
    # "auto": the sidebar starts open on desktops and closed on phones, where it would cover the page.
    st.set_page_config(page_title="Service Pulse", page_icon="📈", layout="wide",
                       initial_sidebar_state="auto")

# The pages' modules load in the background from the first run on, while the warehouse opens and
# the first person signs in (components/warm_up.py); no data, no session, so a database that is
# down or settings that cannot be read change nothing for it.
warm_up.start()


@st.cache_resource(show_spinner=False)
def _warehouse(url: str) -> sa.Engine:
    """Schema (and, on the embedded default, demo data) once per process; failures are retried."""
    engine = bootstrap.ensure_warehouse(url)
    ping(engine)
    return engine


@st.cache_data(ttl=60, show_spinner=False)
def _data_origin(url: str) -> str:
    return bootstrap.data_origin(_warehouse(url))


def _run(page_navigation) -> None:
    """Run the chosen page. An embedded DuckDB file stays open while any session runs a page and
    is let go when the app is idle or a command-line import asks for its turn (file_turns)."""
    with file_turns.page_run(config.database_url()):
        page_navigation.run()


def _stop_with(message: str, hint: str | None = None) -> None:
    """Show a problem on a page of its own (through st.navigation, so no page file is exposed)."""
    def render() -> None:
        st.title(":material/monitoring: Service Pulse")
        st.error(message)
        if hint:
            st.info(hint)

    _run(st.navigation([st.Page(render, title="Service Pulse", url_path="status", default=True)],
                       position="hidden"))
    st.stop()


HOME_PATH = "home"  # the landing page's internal path; the browser shows it as "/"

try:
    url = config.database_url()  # the first read of the settings: a value they cannot read stops here
except SettingsError as exc:
    st.navigation([st.Page(lambda: st.error(f"Service Pulse cannot start: {exc}"), title="Service Pulse",
                           url_path="status", default=True)], position="hidden").run()
    st.stop()
try:
    with st.spinner("Opening the feedback warehouse… (a first start fills the demo database)"), \
            file_turns.page_run(url):
        origin = _data_origin(url)
except (*DB_ERRORS, OSError) as exc:
    detail = describe_failure(exc)
    _stop_with(f"Service Pulse cannot open its database right now. {detail}",
               "Nothing is lost: reload this page in a minute. If it keeps happening, tell your admin.")

if survey_entry.survey_link_present():
    # A requester answering a survey: the survey page alone, no sign-in, nothing else reachable.
    survey_entry.run(url, demo=origin == "demo" or config.is_local_warehouse(url), runner=_run)
    st.stop()

# The warehouse is open: the CIO's landing view is computed in the background while the first
# person signs in, and kept while people use the app (components/landing_keeper.py).
landing_keeper.note_run(url, signed_in=False)

try:
    settings = auth.cookie_settings(demo=origin == "demo", local=config.is_local_warehouse(url))
except auth.CookieKeyError as exc:
    _stop_with(f"Service Pulse is not configured safely yet: {exc}")

try:  # the sign-in lookup reads the users table: a busy or unreachable warehouse must not crash it
    with file_turns.page_run(url):
        user = signin.signed_in_user(settings, url, origin)
except DB_ERRORS as exc:
    _stop_with(f"Sign-in is not possible right now. {describe_failure(exc)}",
               "Nothing is lost: reload this page in a minute. If it keeps happening, tell your admin.")

if user is None:
    st.session_state.pop("viewer", None)
    login = st.Page(lambda: signin.login_page(url, origin), title="Sign in", icon=":material/login:",
                    url_path="sign-in", default=True)
    # A link to a page (from a digest or a colleague) shows the sign-in form at that same address,
    # so after signing in the person lands where the link pointed instead of "Page not found".
    # Every one of these renders only the sign-in form.
    deep_links = [st.Page(lambda: signin.login_page(url, origin), title="Sign in", url_path=spec.url_path)
                  for spec in navigation.PAGES]
    _run(st.navigation([login, *deep_links], position="hidden"))
    st.stop()

# Rebuilt from the database on every run: whatever the session held before is replaced.
viewer = auth.viewer_for(user)
st.session_state["viewer"] = viewer
landing_keeper.note_run(url)  # someone signed in is using the app
sidebar.identity(viewer, data_origin=origin)

specs = navigation.pages_for(viewer.roles)
if not specs:
    # Still go through st.navigation, so no page file is ever reachable by its own URL.
    nothing = st.Page(lambda: st.info("There are no pages for your role yet. Ask an admin."),
                      title="Welcome", icon=":material/home:", url_path="welcome", default=True)
    _run(st.navigation([nothing]))
    st.stop()
first = navigation.landing(viewer.roles, specs)
# The landing page is the default, served at "/" (Streamlit gives a default page no path of its
# own). Its own address — a digest link or a bookmark to /culture-trends — opens the same page
# through a hidden twin, instead of "Page not found" and the landing page.
pages = {group: [st.Page(s.path, title=s.title, icon=s.icon, url_path=HOME_PATH if s == first else s.url_path,
                         default=(s == first)) for s in group_specs]
         for group, group_specs in navigation.grouped(specs).items()}
if first is not None:
    twin = st.Page(first.path, title=first.title, icon=first.icon, url_path=first.url_path, visibility="hidden")
    pages[next(iter(pages))].append(twin)
# The pages' modules are the warm-up's to load: a signed-in page runs once they are (warm_up.py).
warm_up.wait_for_imports()
_run(st.navigation(pages))
