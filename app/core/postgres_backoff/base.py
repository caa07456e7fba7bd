"""Django's PostgreSQL backend, with a back-off after a connection the server refused.

While the database is down (a restart, a fail-over), every request would try to connect again at
once; clients retrying fast make hundreds of attempts a second, PostgreSQL's connection slots fill
with backends starting and exiting, and the app cannot reconnect after the database is back (a
connection storm, docs/security.md). So, for `DB_CONNECT_BACKOFF_SECONDS` after a refused
connection, this process answers without trying: the same OperationalError, so the same 503
`database_unavailable` (app/core/errors.py). Per process (a Lambda container): no shared state.
"""

import time
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base
from psycopg2 import OperationalError  # type: ignore[import-untyped]  # the driver requirements.txt pins (psycopg 3 is not installed)

_retry_after = 0.0  # monotonic time before which this process does not try to connect


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        global _retry_after
        if time.monotonic() < _retry_after:
            raise OperationalError("not connecting: the database refused a connection a moment ago")
        try:
            return super().get_new_connection(conn_params)
        except OperationalError:
            _retry_after = time.monotonic() + settings.DB_CONNECT_BACKOFF_SECONDS
            raise
