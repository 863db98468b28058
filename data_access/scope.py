"""Who is looking: the viewer's role and the analysts/teams they may see. Every read takes one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["analyst", "lead", "cio", "admin"]


class ScopeError(PermissionError):
    """Raised when a query is asked for data outside the viewer's scope."""


@dataclass(frozen=True)
class Scope:
    """A viewer's scope. Hashable, so it can key a cache.

    analyst: `analyst_id` is the analyst themself; `team_ids` holds their own team (for the
    unnamed team distribution only). lead: `team_ids` are the teams they lead, `analyst_id` their
    own analyst record when they also work tickets (they never coach themself). cio: `team_ids`
    empty means the whole organisation. admin: no warehouse reads.
    """

    role: Role
    analyst_id: int | None = None
    team_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.role not in ("analyst", "lead", "cio", "admin"):
            raise ScopeError(f"unknown role {self.role!r}")
        if self.role == "analyst" and self.analyst_id is None:
            raise ScopeError("an analyst scope needs the analyst's own id")
        if self.role == "lead" and not self.team_ids:
            raise ScopeError("a team lead scope needs at least one team")
        object.__setattr__(self, "team_ids", tuple(sorted(set(self.team_ids))))

    def require(self, *roles: Role) -> None:
        """Refuse unless this scope has one of `roles`."""
        if self.role not in roles:
            raise ScopeError(f"the {self.role} role may not read this")

    @property
    def names_visible(self) -> bool:
        """Whether analyst names may appear in results for this viewer."""
        return self.role == "lead"
