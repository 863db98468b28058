"""`python -m data_access digest weekly|monthly` and `python -m data_access alerts send`,
meant for cron or systemd timers. Exit codes: 0 done, 4 some email could not be sent (it stays
unsent and the next run retries), 3 database unreachable (from the main CLI)."""

from __future__ import annotations

import argparse
import logging
import sys

# The cached readers are used outside a Streamlit server here; their "no runtime" notice is noise
# in a cron log. (A filter, because Streamlit resets its loggers' levels.)
logging.getLogger("streamlit.runtime.caching.cache_data_api").addFilter(
    lambda record: "No runtime found" not in record.getMessage())

from cli.dates import iso_date, year_month
from data_access import clock
from data_access import config as da_config
from notify import alerts, send_digests
from notify.config import notify_settings
from notify.mailer import DryRunMailer, SmtpMailer
from notify.outbox import DeliveryReport

EXIT_MAIL_FAILED = 4


def _mailer(args, settings):
    return DryRunMailer(args.dry_run) if args.dry_run else SmtpMailer(settings.smtp)


def _finish(report: DeliveryReport, what: str, dry_run: str | None) -> int:
    if dry_run:
        print(f"{what}: wrote {report.written} email(s) to {dry_run} (dry run: nothing sent, "
              f"nothing recorded); {report.skipped} already sent; {report.failed} could not be built.")
    else:
        print(f"{what}: sent {report.sent}, already sent {report.skipped}, not sent {report.failed}.")
    for error in dict.fromkeys(report.errors):
        print(f"error: {error}", file=sys.stderr)
    return EXIT_MAIL_FAILED if report.failed else 0


def _send(args, build, what: str) -> int:
    """Build the digests for everyone who gets one (`build(now, settings, url, failures)`), send
    or write them, and print one summary line."""
    settings = notify_settings()
    url = args.url or da_config.database_url()
    now = clock.now()
    failures: list[str] = []
    outgoing = build(now, settings, url, failures)
    with _mailer(args, settings) as mailer:
        report = send_digests.send(outgoing, mailer=mailer, now=now, url=url)
    report.add_failures(failures)
    return _finish(report, what, args.dry_run)


def _cmd_weekly(args) -> int:
    week_ending = args.week_ending or send_digests.default_week_ending(clock.today())
    return _send(args, lambda now, settings, url, failures: send_digests.weekly_digest_messages(
        week_ending=week_ending, now=now, settings=settings, url=url, only=args.only, failures=failures),
        f"Weekly digest (week ending {week_ending:%Y-%m-%d})")


def _cmd_monthly(args) -> int:
    month = args.month or send_digests.default_month(clock.today())
    if month > send_digests.default_month(clock.today()):
        print(f"{month:%B %Y} is not over yet: a monthly digest covers a complete month "
              f"(the last one is {send_digests.default_month(clock.today()):%Y-%m}).", file=sys.stderr)
        return 2
    return _send(args, lambda now, settings, url, failures: send_digests.monthly_digest_messages(
        month=month, now=now, settings=settings, url=url, only=args.only, failures=failures),
        f"Monthly digest ({month:%B %Y})")


def _cmd_alerts(args) -> int:
    settings = notify_settings()
    url = args.url or da_config.database_url()
    now = clock.now()
    with _mailer(args, settings) as mailer:
        run = alerts.send_alerts(mailer=mailer, now=now, settings=settings, url=url,
                                 ignore_quiet_hours=args.ignore_quiet_hours)
    if run.created_items:
        print(f"Opened {run.created_items} recovery item(s) for new unhappy responses.")
    if run.held:
        print(f"Quiet time: {run.held} alert(s) held until {run.held_until:%a %d %b %H:%M}.")
        return 0
    return _finish(run.report, "Unhappy-customer alerts", args.dry_run)


def _dry_run_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", metavar="DIR",
                   help="write the emails as .eml files into DIR instead of sending (records nothing)")


def register(subparsers, url_arg) -> None:
    """Add the `digest` and `alerts` sub-commands to the main CLI."""
    digest = subparsers.add_parser("digest", help="email the weekly team-lead or monthly CIO digest")
    kinds = digest.add_subparsers(dest="digest_kind", required=True)
    p = kinds.add_parser("weekly", help="one digest per team lead for the week ending yesterday")
    url_arg(p)
    _dry_run_arg(p)
    p.add_argument("--week-ending", metavar="YYYY-MM-DD", type=iso_date,
                   help="last day of the week (default: yesterday)")
    p.add_argument("--only", metavar="USERNAME", help="only this lead")
    p.set_defaults(func=_cmd_weekly)
    p = kinds.add_parser("monthly", help="the CIO digest for the last complete month (teams only)")
    url_arg(p)
    _dry_run_arg(p)
    p.add_argument("--month", metavar="YYYY-MM", type=year_month, help="the month (default: last complete month)")
    p.add_argument("--only", metavar="USERNAME", help="only this CIO user")
    p.set_defaults(func=_cmd_monthly)

    alert = subparsers.add_parser("alerts", help="unhappy-customer alerts to team leads")
    actions = alert.add_subparsers(dest="alerts_action", required=True)
    p = actions.add_parser("send", help="open recovery items and email leads about new unhappy responses")
    url_arg(p)
    _dry_run_arg(p)
    p.add_argument("--ignore-quiet-hours", action="store_true", help="send even during quiet hours")
    p.set_defaults(func=_cmd_alerts)
