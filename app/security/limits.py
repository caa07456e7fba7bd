"""Counters in the database, shared by every Lambda container and server process.

A limit counts in fixed windows and weighs the previous window in by how much of it still
overlaps the last `seconds` (a sliding-window estimate): a burst that straddles the start of
a window is counted whole, never reset halfway. `hit(scope, ident, seconds)` adds one to the
counter of the current window with a single `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`
(atomic on PostgreSQL and sqlite alike, so simultaneous requests never lose a count). `count`
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
# Rows are kept this long after their window ended: the longest window a rate may use (/day).
_KEEP_SECONDS = 2 * 86400


def _key(scope, ident):
    digest = hashlib.sha256(str(ident).strip().lower().encode()).hexdigest()[:40]
    return f"{scope}:{digest}"[:80]


def _estimate(key, seconds, now, current=None):
    """(weighted count over the last `seconds`, seconds until the current window ends)."""
    start = int(now // seconds) * seconds
    counts = dict(
        LimitCounter.objects.filter(key=key, window_start__in=[start - seconds, start]).values_list(
            "window_start", "count"
        )
    )
    if current is not None:
        counts[start] = current
    overlap = 1 - (now - start) / seconds
    weighted = counts.get(start, 0) + counts.get(start - seconds, 0) * overlap
    return weighted, max(1, math.ceil(start + seconds - now))


def hit(scope, ident, seconds):
    """Count one more for `ident`; return `(weighted count including this one, seconds to wait)`."""
    now = time.time()
    start = int(now // seconds) * seconds
    key = _key(scope, ident)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [key, start, start + seconds])
        current = cursor.fetchone()[0]
    if current == 1:
        # A new window began: drop the rows no window can still need (indexed, few rows).
        LimitCounter.objects.filter(expires__lt=int(now) - _KEEP_SECONDS).delete()
    return _estimate(key, seconds, now, current)


def count(scope, ident, seconds):
    """The weighted count over the last `seconds` and the seconds to wait, without writing."""
    return _estimate(_key(scope, ident), seconds, time.time())
