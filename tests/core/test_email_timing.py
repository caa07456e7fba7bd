"""Answers that must not tell whether an account exists take the same time, however slow e-mail is.

A live server (a real WSGI server in a thread) and a Sendinblue stand-in on loopback that takes
PROVIDER_DELAY seconds to answer: the e-mail goes out after the response, so the answer for a
known address comes as fast as for an unknown one, and the e-mail is still sent.
"""

import time

import pytest
import requests

from tests.conftest import make_user
from tests.integrations.recording_server import sendinblue_on

PROVIDER_DELAY = 2.0


def timed_post(url, payload):
    started = time.monotonic()
    response = requests.post(url, json=payload, timeout=30)
    return response, time.monotonic() - started


def wait_for(predicate, seconds=15):
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)
    return predicate()


@pytest.mark.parametrize(
    ("path", "active"),
    [("/api/password/reset/", True), ("/api/users/resend-activation/", False)],
)
def test_known_and_unknown_addresses_answer_alike_when_the_provider_is_slow(
    live_server, transactional_db, settings, path, active
):
    make_user(email="known@example.com", is_active=active)
    with sendinblue_on(settings, timeout=10) as provider:
        provider.reply(201, {"messageId": "<1@relay>"}, delay=PROVIDER_DELAY)
        known, known_seconds = timed_post(live_server.url + path, {"email": "known@example.com"})
        unknown, unknown_seconds = timed_post(live_server.url + path, {"email": "nobody@example.com"})

        assert known.status_code == unknown.status_code == 200
        assert known.json() == unknown.json()  # same words either way
        assert known_seconds < PROVIDER_DELAY, "the answer waited for the e-mail provider"
        assert abs(known_seconds - unknown_seconds) < PROVIDER_DELAY / 2
        # The e-mail itself still went out, to the known address only.
        assert wait_for(lambda: len(provider.requests) == 1)
        assert provider.requests[0].json["to"][0]["email"] == "known@example.com"
