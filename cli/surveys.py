"""`python -m data_access surveys send [--dry-run DIR]`: invite requesters of newly closed
tickets (meant for cron, e.g. every 15 minutes). Exit codes: 0 done, 2 not configured (survey
secret), 4 some email could not be sent (it stays unsent and the next run retries)."""

from __future__ import annotations

import sys

from data_access import bootstrap, clock
from data_access import config as da_config
from data_access.engine import get_engine
from data_access.surveys.settings import SurveySecretError, survey_settings
from notify.config import notify_settings
from notify.mailer import DryRunMailer, SmtpMailer
from notify.survey_mail import send_surveys

EXIT_NOT_CONFIGURED = 2
EXIT_MAIL_FAILED = 4


def _cmd_send(args) -> int:
    engine = get_engine(args.url or da_config.database_url())
    try:
        local = da_config.is_local_warehouse(args.url or da_config.database_url())
        settings = survey_settings(demo=local or bootstrap.data_origin(engine) == "demo")
    except SurveySecretError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NOT_CONFIGURED
    notify = notify_settings()
    mailer = DryRunMailer(args.dry_run) if args.dry_run else SmtpMailer(notify.smtp)
    with mailer:
        run = send_surveys(engine, mailer, now=clock.now(), settings=settings, notify=notify)
    if args.dry_run:
        print(f"Surveys: wrote {run.written} email(s) to {args.dry_run} (dry run: nothing sent, nothing "
              "recorded; links of tickets not yet invited are previews and only work once a real run sends them).")
        return 0
    print(f"Surveys: {run.created} new invitation(s); sent {run.sent}, not sent {run.failed}, "
          f"left to a parallel run {run.skipped}.")
    for error in dict.fromkeys(run.errors):
        print(f"error: {error}", file=sys.stderr)
    return EXIT_MAIL_FAILED if run.failed else 0


def register(subparsers, url_arg) -> None:
    """Add the `surveys` sub-command to the main CLI."""
    surveys = subparsers.add_parser("surveys", help="survey invitations to requesters of closed tickets")
    actions = surveys.add_subparsers(dest="surveys_action", required=True)
    p = actions.add_parser("send", help="invite newly closed tickets and send pending invitations")
    url_arg(p)
    p.add_argument("--dry-run", metavar="DIR",
                   help="write the emails as .eml files into DIR instead of sending (records nothing)")
    p.set_defaults(func=_cmd_send)
