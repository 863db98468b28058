"""Survey tests reuse the notification fixtures: a writable demo copy and a real SMTP server."""

import pytest

from data_access.surveys import ratelimit
from tests.notify.conftest import _demo_template, notify_db, notify_pg_db, smtp_env, smtp_server  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    ratelimit.reset()
    yield
    ratelimit.reset()
