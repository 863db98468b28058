"""Which pages each role gets: the one table app.py turns into `st.navigation`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    """A page file, how it is shown, and the roles it is registered for."""

    path: str
    title: str
    icon: str
    url_path: str
    group: str
    roles: tuple[str, ...]


# Menu order. Culture trends is registered for leads too: the page reads with the lead's own
# scope (their teams only) when the viewer is not a CIO.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/coaching.py", "Coaching", ":material/groups:", "coaching", "Insights", ("lead",)),
    PageSpec("pages/culture_trends.py", "Culture trends", ":material/insights:", "culture-trends",
             "Insights", ("cio", "lead")),
    PageSpec("pages/my_feedback.py", "My feedback", ":material/person:", "my-feedback", "Insights",
             ("analyst",)),
    PageSpec("pages/admin_data.py", "Data", ":material/database:", "data", "Admin", ("admin",)),
    PageSpec("pages/admin_users.py", "Users", ":material/manage_accounts:", "users", "Admin",
             ("admin",)),
    PageSpec("pages/preferences.py", "My settings", ":material/settings:", "settings", "Account",
             ("analyst", "lead", "cio", "admin")),
)
# Where each role lands after sign-in (first role in this order that has a page wins).
LANDING: tuple[tuple[str, str], ...] = (
    ("cio", "pages/culture_trends.py"), ("lead", "pages/coaching.py"),
    ("analyst", "pages/my_feedback.py"), ("admin", "pages/admin_data.py"),
    ("admin", "pages/admin_users.py"),
)


def pages_for(roles: tuple[str, ...], *, root: Path = PROJECT_ROOT,
              only_existing: bool = True) -> list[PageSpec]:
    """The pages registered for someone with `roles` (the union over their roles), in menu order."""
    return [p for p in PAGES
            if set(p.roles) & set(roles) and (not only_existing or (root / p.path).is_file())]


def landing(roles: tuple[str, ...], specs: list[PageSpec]) -> PageSpec | None:
    """The page someone with `roles` sees first, among the registered `specs`."""
    by_path = {s.path: s for s in specs}
    for role, path in LANDING:
        if role in roles and path in by_path:
            return by_path[path]
    return specs[0] if specs else None


def grouped(specs: list[PageSpec]) -> dict[str, list[PageSpec]]:
    """Pages by sidebar group, keeping menu order."""
    groups: dict[str, list[PageSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.group, []).append(spec)
    return groups
