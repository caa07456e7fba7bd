"""Races for the PostgreSQL helper processes (tests/*/pg_*_race.py): actions started at one moment.

Each action runs in its own thread, so with its own database connection (closed when it is done),
and all of them wait at one barrier before they start, so that they really run at the same time.
"""

import threading
from collections.abc import Callable
from typing import Any


def at_once(actions: list[Callable[[], Any]]) -> list[Any]:
    """Run `actions` at the same moment; their results, in the order of `actions`."""
    from django.db import connection

    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[index] = action()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, action)) for index, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def buying(member: Any, line: dict[str, Any], **checkout_options: Any) -> Callable[[], str]:
    """An action: `member` checks out `line` with the local test gateway's approved card; its order's
    status, or the error's code when the checkout is refused."""

    def buy() -> str:
        from app.core.exceptions import DomainError
        from app.store.services.checkout import checkout

        try:
            return str(checkout(member, [line], single_use_token="test-visa", **checkout_options).order.status)
        except DomainError as error:
            return str(error.code)

    return buy
