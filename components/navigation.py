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


# Order matters: the first page a person may see is their landing page.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/culture_trends.py", "Culture trends", ":material/insights:", "culture-trends",
             "Insights", ("cio",)),
    PageSpec("pages/coaching.py", "Coaching", ":material/groups:", "coaching", "Insights", ("lead",)),
    PageSpec("pages/my_feedback.py", "My feedback", ":material/person:", "my-feedback", "Insights",
             ("analyst",)),
    PageSpec("pages/admin_data.py", "Data", ":material/database:", "data", "Admin", ("admin",)),
    PageSpec("pages/admin_users.py", "Users", ":material/manage_accounts:", "users", "Admin",
             ("admin",)),
    PageSpec("pages/preferences.py", "My settings", ":material/settings:", "settings", "Account",
             ("analyst", "lead", "cio", "admin")),
)


def pages_for(roles: tuple[str, ...], *, root: Path = PROJECT_ROOT,
              only_existing: bool = True) -> list[PageSpec]:
    """The pages registered for someone with `roles` (the union over their roles), in menu order."""
    return [p for p in PAGES
            if set(p.roles) & set(roles) and (not only_existing or (root / p.path).is_file())]


def grouped(specs: list[PageSpec]) -> dict[str, list[PageSpec]]:
    """Pages by sidebar group, keeping menu order."""
    groups: dict[str, list[PageSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.group, []).append(spec)
    return groups
