"""Command line of Service Pulse: `python -m data_access --help`."""

from data_access.cli import main

raise SystemExit(main())
