"""Counters in the database, shared by every Lambda container and server process.

A limit is a fixed window: `hit(scope, ident, seconds)` adds one to the counter of the current
window with a single `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` (atomic on PostgreSQL and
sqlite alike, so simultaneous requests never lose a count) and returns the new count. `count`
only reads. Only POSTs call `hit`: a GET never writes. Identities are stored hashed.
"""

import hashlib
import math
import time

from django.db import connection

from app.security.models import LimitCounter

_TABLE = connection.ops.quote_name(LimitCounter._meta.db_table)
_UPSERT = (
    f"INSERT INTO {_TABLE} (key, window_start, expires, count) VALUES (%s, %s, %s, 1) "  # noqa: S608 - our own table
    f"ON CONFLICT (key, window_start) DO UPDATE SET count = {_TABLE}.count + 1 RETURNING count"
)


def _key(scope, ident):
    digest = hashlib.sha256(str(ident).strip().lower().encode()).hexdigest()[:40]
    return f"{scope}:{digest}"[:80]


def _window(seconds, now=None):
    now = time.time() if now is None else now
    start = int(now // seconds) * seconds
    return start, start + seconds


def hit(scope, ident, seconds):
    """Count one more for `ident` in this window of `seconds`; return `(count, seconds_left)`."""
    start, end = _window(seconds)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [_key(scope, ident), start, end])
        count = cursor.fetchone()[0]
    if count == 1:
        # A new window began: drop the windows that are over (indexed, a few rows at a time).
        LimitCounter.objects.filter(expires__lt=int(time.time())).delete()
    return count, max(1, math.ceil(end - time.time()))


def count(scope, ident, seconds):
    """The count of this window and the seconds left in it, without writing."""
    start, end = _window(seconds)
    value = (
        LimitCounter.objects.filter(key=_key(scope, ident), window_start=start).values_list("count", flat=True).first()
    )
    return value or 0, max(1, math.ceil(end - time.time()))


def reset(scope, ident):
    LimitCounter.objects.filter(key=_key(scope, ident)).delete()
