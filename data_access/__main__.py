"""`python -m data_access`, the documented command line. An entry point only: the commands live
in the `cli` package, above every layer, and no module of data_access imports it."""

from cli.main import main
from data_access.engine import use_short_connections

# A command-line run holds an embedded database file only per unit of work (an import batch),
# so a running app and this command take turns instead of locking each other out.
use_short_connections()
raise SystemExit(main())
