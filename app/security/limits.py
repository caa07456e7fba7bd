"""Counters in the database, shared by every Lambda container and server process.

A limit counts in fixed windows and weighs the previous window in by how much of it still
overlaps the last `seconds` (a sliding-window estimate): a burst that straddles the start of
a window is counted whole, never reset halfway. `hit(scope, ident, seconds)` adds one to the
counter of the current window with a single `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`
(atomic on PostgreSQL and sqlite alike, so simultaneous requests never lose a count). `usage`
only reads. Only POSTs call `hit`: a GET never writes. Identities are stored hashed.
"""

import hashlib
import math
import time

from django.db import connection
from django.db.models import Q

from app.security.models import LimitCounter

_TABLE = connection.ops.quote_name(LimitCounter._meta.db_table)
_UPSERT = (
    f"INSERT INTO {_TABLE} (key, window_start, expires, count) VALUES (%s, %s, %s, 1) "  # noqa: S608 - our own table
    f"ON CONFLICT (key, window_start) DO UPDATE SET count = {_TABLE}.count + 1 RETURNING count"
)
# Rows are kept this long after their window ended: the longest window a rate may use (/day).
_KEEP_SECONDS = 2 * 86400


def _digest(ident: object, length: int) -> str:
    return hashlib.sha256(str(ident).strip().lower().encode()).hexdigest()[:length]


def _key(scope: str, ident: object) -> str:
    """`scope:digest`; for a pair `(first, second)`, `scope:digest1:digest2`, so that every key of
    one `first` (an account's counters from every client) can be found by its prefix."""
    if isinstance(ident, tuple):
        first, second = ident
        return f"{scope}:{_digest(first, 24)}:{_digest(second, 24)}"[:80]
    return f"{scope}:{_digest(ident, 40)}"[:80]


class Usage:
    """The counts of the current and previous windows of one key, seen at `now`."""

    def __init__(self, current: int, previous: int, start: int, seconds: int, now: float) -> None:
        self.current, self.previous, self.start, self.seconds, self.now = current, previous, start, seconds, now

    @property
    def weighted(self) -> float:
        """The current window plus the share of the previous one that still overlaps the last period."""
        return self.current + self.previous * (1 - (self.now - self.start) / self.seconds)

    def wait(self, limit: int) -> int:
        """Seconds, with no further hit, until `weighted` is at most `limit - 1` (room for one more)."""
        room = limit - 1
        if self.current > room:  # only the next window can make room, as this one slides out
            share = 1 - room / self.current
            moment = self.start + self.seconds + share * self.seconds
        elif self.previous > 0 and self.weighted > room:
            moment = self.start + (1 - (room - self.current) / self.previous) * self.seconds
        else:
            return 0
        return max(1, math.ceil(moment - self.now))


def _usage(key: str, seconds: int, now: float, current: int | None = None) -> Usage:
    start = int(now // seconds) * seconds
    rows = LimitCounter.objects.filter(key=key, window_start__in=[start - seconds, start])
    counts = dict(rows.values_list("window_start", "count"))
    if current is not None:
        counts[start] = current
    return Usage(counts.get(start, 0), counts.get(start - seconds, 0), start, seconds, now)


def hit(scope: str, ident: object, seconds: int) -> Usage:
    """Count one more for `ident` in windows of `seconds`; return the `Usage` including this hit."""
    now = time.time()
    start = int(now // seconds) * seconds
    key = _key(scope, ident)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [key, start, start + seconds])
        current = cursor.fetchone()[0]
    if current == 1:
        # A new window began: drop the rows no window can still need (indexed, few rows).
        LimitCounter.objects.filter(expires__lt=int(now) - _KEEP_SECONDS).delete()
    return _usage(key, seconds, now, current)


def usage(scope: str, ident: object, seconds: int) -> Usage:
    """The `Usage` of `ident` now, without writing."""
    return _usage(_key(scope, ident), seconds, time.time())


def forget(scope: str, ident: object) -> None:
    """Delete the counters of `ident`; for `scope`'s pairs, every pair whose first member is `ident`."""
    pairs = Q(key__startswith=f"{scope}:{_digest(ident, 24)}:")
    LimitCounter.objects.filter(Q(key=_key(scope, ident)) | pairs).delete()
