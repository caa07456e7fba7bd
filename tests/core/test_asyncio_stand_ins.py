"""The stand-ins for asyncio (app/core/start_up_deferrals.py) answer as asyncio itself does, before asyncio has run."""

import asyncio
import collections.abc

import pytest

from app.core.start_up_deferrals import ASYNCIO_STAND_INS


async def a_coroutine_function() -> None:
    return None


async def an_async_generator():  # type: ignore[no-untyped-def]
    yield 1


def a_generator():  # type: ignore[no-untyped-def]
    yield 1


class AwaitableCoroutine(collections.abc.Coroutine):
    """A coroutine that is not a native one: asyncio counts it as a coroutine."""

    def send(self, value):  # type: ignore[no-untyped-def]
        raise StopIteration

    def throw(self, *args):  # type: ignore[no-untyped-def]
        raise StopIteration

    def __await__(self):  # type: ignore[no-untyped-def]
        return iter(())


def test_no_event_loop_runs_outside_asyncio_and_the_stand_in_says_so_in_the_same_words():
    with pytest.raises(RuntimeError) as real:
        asyncio.get_running_loop()
    with pytest.raises(RuntimeError) as stand_in:
        ASYNCIO_STAND_INS["get_running_loop"]()
    assert str(stand_in.value) == str(real.value)


@pytest.mark.parametrize(
    "make",
    [a_coroutine_function, an_async_generator, a_generator, AwaitableCoroutine, object, lambda: None, lambda: "text"],
)
def test_the_coroutine_question_gets_asyncios_answer(make):
    value = make()
    try:
        assert ASYNCIO_STAND_INS["iscoroutine"](value) is asyncio.iscoroutine(value)
    finally:
        if hasattr(value, "close"):
            value.close()
