"""Render each page through AppTest, cold (caches cleared) and warm, as the role it is built for.

The viewers are picked from the warehouse itself: the CIO, the lead of the team with the most
responses, and the analyst with the most responses. A page file that does not exist yet is
reported as "not available yet" instead of failing the run.
"""

from __future__ import annotations

import os
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bench.warehouses import TODAY
from data_access import config, schema
from data_access.engine import get_engine

PROJECT_ROOT = config.PROJECT_ROOT
RENDER_TIMEOUT = 300


@dataclass(frozen=True)
class PageSpec:
    """A page to measure: its script and the role it is measured as."""

    name: str
    path: Path
    role: str


PAGES = (
    PageSpec("Culture trends", PROJECT_ROOT / "pages" / "culture_trends.py", "cio"),
    PageSpec("Coaching", PROJECT_ROOT / "pages" / "coaching.py", "lead"),
    PageSpec("My feedback", PROJECT_ROOT / "pages" / "my_feedback.py", "analyst"),
)


@dataclass
class Timing:
    """Seconds of repeated runs, summarised as median / min / max.

    `cpu` holds the process CPU seconds of the same runs (all threads, DuckDB's included): on a
    shared machine it shows the work done, which wall-clock time hides behind other people's load.
    """

    runs: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.runs else None

    def as_dict(self) -> dict:
        return {"median": self.median, "min": min(self.runs, default=None),
                "max": max(self.runs, default=None), "runs": self.runs,
                "cpu_median": statistics.median(self.cpu) if self.cpu else None, "cpu": self.cpu}

    def add(self, wall: float, cpu: float) -> None:
        self.runs.append(wall)
        self.cpu.append(cpu)


@dataclass
class PageResult:
    """What rendering one page as one viewer measured."""

    page: str
    role: str
    viewer: str = ""
    status: str = "ok"            # ok | not available yet | error
    detail: str = ""
    first_render: float | None = None   # includes importing the page's modules once
    cold: Timing = field(default_factory=Timing)
    warm: Timing = field(default_factory=Timing)
    charts: int = 0
    sql_in_render: Timing = field(default_factory=Timing)  # time spent inside SQL during cold renders
    statements: list = field(default_factory=list)          # captured by bench.floor
    floor: Timing = field(default_factory=Timing)

    def as_dict(self) -> dict:
        cold, floor = self.cold.median, self.floor.median
        best = (min(self.cold.runs) / min(self.floor.runs)) if self.cold.runs and self.floor.runs else None
        return {"page": self.page, "role": self.role, "viewer": self.viewer, "status": self.status,
                "detail": self.detail, "first_render": self.first_render, "cold": self.cold.as_dict(),
                "warm": self.warm.as_dict(), "charts": self.charts,
                "sql_in_render": self.sql_in_render.as_dict(), "floor": self.floor.as_dict(),
                "cold_over_floor": (cold / floor) if cold and floor else None,
                "cold_over_floor_best": best,
                "statements": len(self.statements)}


def bench_viewers(url: str) -> dict:
    """role → Viewer: the CIO, the lead of the largest team, the analyst with the most responses."""
    from components.viewer import Viewer

    u, ur, ut, a, t, r, tm = (schema.app_users, schema.user_roles, schema.user_teams, schema.analysts,
                              schema.tickets, schema.responses, schema.teams)
    with get_engine(url).connect() as conn:
        def viewer_for(user_id: int) -> Viewer:
            row = conn.execute(sa.select(u.c.user_id, u.c.username, u.c.display_name, u.c.analyst_id)
                               .where(u.c.user_id == user_id)).one()
            roles = tuple(conn.execute(sa.select(ur.c.role).where(ur.c.user_id == user_id)
                                       .order_by(ur.c.role)).scalars())
            lead_teams = tuple(conn.execute(sa.select(ut.c.team_id).where(ut.c.user_id == user_id)
                                            .order_by(ut.c.team_id)).scalars())
            own_team = team_name = None
            if row.analyst_id is not None:
                own_team, team_name = conn.execute(
                    sa.select(a.c.team_id, tm.c.name).join(tm, tm.c.team_id == a.c.team_id)
                    .where(a.c.analyst_id == row.analyst_id)).one()
            return Viewer(user_id=row.user_id, username=row.username, display_name=row.display_name,
                          roles=roles, analyst_id=row.analyst_id, lead_team_ids=lead_teams,
                          own_team_id=own_team, team_name=team_name)

        cio = conn.execute(sa.select(ur.c.user_id).where(ur.c.role == "cio").order_by(ur.c.user_id)
                           .limit(1)).scalar_one()
        per_team = sa.func.count().label("n")
        largest_team = conn.execute(
            sa.select(t.c.team_id, per_team).select_from(r.join(t, r.c.ticket_key == t.c.ticket_key))
            .join(ut, ut.c.team_id == t.c.team_id)  # only teams that have a lead
            .group_by(t.c.team_id).order_by(per_team.desc(), t.c.team_id).limit(1)).first()[0]
        lead = conn.execute(sa.select(ut.c.user_id).join(ur, ur.c.user_id == ut.c.user_id)
                            .where(ut.c.team_id == largest_team, ur.c.role == "lead")
                            .order_by(ut.c.user_id).limit(1)).scalar_one()
        per_analyst = sa.func.count().label("n")
        busiest = conn.execute(
            sa.select(u.c.user_id, per_analyst).select_from(r.join(t, r.c.ticket_key == t.c.ticket_key))
            .join(u, u.c.analyst_id == t.c.analyst_id).join(ur, ur.c.user_id == u.c.user_id)
            .where(ur.c.role == "analyst")
            .group_by(u.c.user_id).order_by(per_analyst.desc(), u.c.user_id).limit(1)).first()[0]
        return {"cio": viewer_for(cio), "lead": viewer_for(lead), "analyst": viewer_for(busiest)}


@contextmanager
def pinned_env(url: str):
    """Point the app at `url` with today pinned to the data's end date (restored afterwards)."""
    saved = {k: os.environ.get(k) for k in (config.URL_ENV, "SERVICE_PULSE_TODAY")}
    os.environ[config.URL_ENV] = url
    os.environ["SERVICE_PULSE_TODAY"] = TODAY
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def clear_caches() -> None:
    """What 'cold' means here: the app's read caches emptied (engine pool kept)."""
    from views.cache import clear_cached_reads

    clear_cached_reads()  # st.cache_data and the rollups' freshness check


def new_session(spec: PageSpec, viewer):
    """An AppTest session of the page signed in as `viewer` (one per page, like one browser tab)."""
    from streamlit.testing.v1 import AppTest

    from components.viewer import VIEWER_KEY

    at = AppTest.from_file(str(spec.path), default_timeout=RENDER_TIMEOUT)
    at.session_state[VIEWER_KEY] = viewer
    return at


def render_once(at) -> tuple[float, float]:
    """(wall seconds, process CPU seconds) of one full run of the page script in its session."""
    started, cpu = time.perf_counter(), time.process_time()
    at.run()
    return time.perf_counter() - started, time.process_time() - cpu


def _problems(at) -> str:
    found = [getattr(e, "message", None) or getattr(e, "value", None) or str(e) for e in at.exception]
    found += [f"error: {e.value}" for e in at.error]
    return "; ".join(str(f)[:300] for f in found)


def _chart_count(at) -> int:
    try:
        return sum(len(at.get(kind)) for kind in ("vega_lite_chart", "arrow_vega_lite_chart"))
    except Exception:  # element type names differ across Streamlit versions
        return 0


def measure_page(spec: PageSpec, viewer, url: str, runs: int, recorder=None, replay=None) -> PageResult:
    """Cold and warm renders of one page; `recorder` (bench.floor) captures the SQL of cold runs.

    With `replay` (statements → wall and CPU seconds), the floor is measured right after each cold render, so
    each pair of figures meets the same load on a shared machine.
    """
    result = PageResult(spec.name, spec.role, viewer.username if viewer else "")
    if not spec.path.exists():
        result.status, result.detail = "not available yet", f"{spec.path.relative_to(PROJECT_ROOT)} missing"
        return result
    with pinned_env(url):
        clear_caches()
        at = new_session(spec, viewer)
        result.first_render = render_once(at)[0]
        problem = _problems(at)
        if problem:
            result.status, result.detail = "error", problem
        result.charts = _chart_count(at)
        for i in range(runs):
            clear_caches()
            if recorder is not None:
                recorder.start(keep=(i == 0))
            result.cold.add(*render_once(at))
            if recorder is not None:
                result.sql_in_render.runs.append(recorder.stop())
                result.statements = recorder.captured
                if replay is not None and result.statements:
                    result.floor.add(*replay(result.statements))
        for _ in range(runs):
            result.warm.add(*render_once(at))
    return result
