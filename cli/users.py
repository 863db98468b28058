"""`python -m data_access users ...`: add, set-password, disable/enable, link and list app users.

Passwords are read from a prompt (or stdin with --password-stdin), never from the command line,
so they do not end up in shell history or the process list.
"""

from __future__ import annotations

import getpass
import sys

from data_access import config
from data_access.scope import Scope
from data_access.users import demo_password_accounts, list_users
from data_access.writes import InvalidInput
from data_access.writes import users as user_writes

# The CLI runs with direct database access: it acts as an admin.
OPERATOR = Scope("admin")


def _read_password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise InvalidInput("The two passwords differ.")
    return first


def _teams(text: str | None) -> tuple[int, ...]:
    if not text:
        return ()
    try:
        return tuple(int(t) for t in text.split(",") if t.strip())
    except ValueError as exc:
        raise InvalidInput("--teams takes team ids separated by commas, e.g. 1,3") from exc


def _roles(text: str) -> tuple[str, ...]:
    return tuple(r.strip() for r in text.split(",") if r.strip())


def _cmd_add(args) -> int:
    uid = user_writes.add_user(scope=OPERATOR, username=args.username, display_name=args.name,
                               password=_read_password(args), roles=_roles(args.roles),
                               analyst_id=args.analyst, team_ids=_teams(args.teams),
                               email=args.email, url=args.url or config.database_url())
    print(f"Added user '{args.username.strip().lower()}' (id {uid}).")
    return 0


def _cmd_set_password(args) -> int:
    user_writes.set_password(scope=OPERATOR, username=args.username, password=_read_password(args),
                             url=args.url or config.database_url())
    print(f"Password of '{args.username}' replaced; any lockout was lifted.")
    return 0


def _cmd_active(args, active: bool) -> int:
    user_writes.set_active(scope=OPERATOR, username=args.username, active=active,
                           url=args.url or config.database_url())
    print(f"User '{args.username}' {'enabled' if active else 'disabled'}.")
    return 0


def _cmd_link(args) -> int:
    user_writes.set_links(scope=OPERATOR, username=args.username, roles=_roles(args.roles),
                          analyst_id=args.analyst, team_ids=_teams(args.teams),
                          url=args.url or config.database_url())
    print(f"Roles and links of '{args.username}' updated.")
    return 0


def _cmd_list(args) -> int:
    frame = list_users(scope=OPERATOR, url=args.url or config.database_url())
    header = f"{'username':<24} {'name':<26} {'roles':<20} {'analyst':<22} {'leads':<24} state"
    print(header)
    print("-" * len(header))
    for row in frame.iter_rows(named=True):
        state = "active" if row["active"] else "disabled"
        if row["locked_until"] is not None:
            state += f", locked until {row['locked_until']:%Y-%m-%d %H:%M}"
        print(f"{row['username']:<24} {row['display_name'][:26]:<26} {row['roles']:<20} "
              f"{(row['analyst'] or '')[:22]:<22} {(row['teams_led'] or '')[:24]:<24} {state}")
    print(f"{frame.height} user(s).")
    on_demo = demo_password_accounts(scope=OPERATOR, url=args.url or config.database_url())
    if on_demo:
        print(f"{len(on_demo)} account(s) still use the demo's shared password; once real data is "
              "imported they must set their own at their next sign-in, or you set one with: "
              "python -m data_access users set-password USERNAME")
    return 0


def _guarded(func):
    def run(args) -> int:
        try:
            return func(args)
        except InvalidInput as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return run


def register(subparsers, url_arg) -> None:
    """Add the `users` command group to the data_access CLI."""
    users = subparsers.add_parser("users", help="manage who may sign in (bcrypt hashes only)")
    sub = users.add_subparsers(dest="users_command", required=True)

    p = sub.add_parser("add", help="add a user (asks for the password)")
    url_arg(p)
    p.add_argument("username")
    p.add_argument("--name", required=True, help="display name, e.g. 'Ana Lima'")
    p.add_argument("--roles", required=True, help="comma-separated: analyst,lead,cio,admin")
    p.add_argument("--analyst", type=int, help="analyst_id in the warehouse (needed for analyst)")
    p.add_argument("--teams", help="team ids a lead leads (or a CIO is limited to), e.g. 1,3")
    p.add_argument("--email")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(func=_guarded(_cmd_add))

    p = sub.add_parser("set-password", help="replace a user's password (asks for it)")
    url_arg(p)
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(func=_guarded(_cmd_set_password))

    p = sub.add_parser("disable", help="stop a user from signing in")
    url_arg(p)
    p.add_argument("username")
    p.set_defaults(func=_guarded(lambda a: _cmd_active(a, False)))

    p = sub.add_parser("enable", help="let a disabled user sign in again")
    url_arg(p)
    p.add_argument("username")
    p.set_defaults(func=_guarded(lambda a: _cmd_active(a, True)))

    p = sub.add_parser("link", help="replace a user's roles, analyst and teams")
    url_arg(p)
    p.add_argument("username")
    p.add_argument("--roles", required=True, help="comma-separated: analyst,lead,cio,admin")
    p.add_argument("--analyst", type=int)
    p.add_argument("--teams")
    p.set_defaults(func=_guarded(_cmd_link))

    p = sub.add_parser("list", help="list users, roles, links and state")
    url_arg(p)
    p.set_defaults(func=_guarded(_cmd_list))
