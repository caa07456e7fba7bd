"""A page of a list that grows with the data, without counting the whole list.

Django's Paginator counts every row (`SELECT COUNT(*)`) to say "page 1 of 100": on /sessions/
that count walks every upcoming slot on each request, work that grows with the data while the page
shows 20. This page reads one row more than it shows instead, which is enough for "Earlier" and
"Later"; web/pages.html then says "Page 3" without a total. Lists bounded by one member's rows
(reservations, orders) keep Django's Paginator and its total.
"""

from collections.abc import Sequence
from typing import Any


class UncountedPage:
    """What web/pages.html reads of a Django `Page`, for a page read with one row to spare."""

    num_pages = None  # web/pages.html: no total to say

    def __init__(self, rows: Sequence[Any], number: int, size: int) -> None:
        self.object_list = list(rows[:size])
        self.number = number
        self._more = len(rows) > size

    @property
    def paginator(self) -> "UncountedPage":  # the template asks the page's paginator for its total
        return self

    def has_next(self) -> bool:
        return self._more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def uncounted_page(rows: Any, size: int, asked: str | None) -> UncountedPage:
    """Page `asked` (1 when missing or not a positive number) of the query set `rows`."""
    try:
        number = max(int(asked or 1), 1)
    except ValueError:
        number = 1
    number = min(number, 10**6)  # a huge page number must not make a huge OFFSET overflow SQLite
    start = (number - 1) * size
    return UncountedPage(list(rows[start : start + size + 1]), number, size)
