"""Fuzzing: schemathesis against the served OpenAPI schema (`/api/schema/`), on a live HTTP server,
as an anonymous visitor, a member and an administrator (token auth).

Every operation gets positive and negative examples, derandomized (the same run every time);
the run fails on any 5xx and on any answer the schema does not describe (status code, media
type, headers, body). Each operation is fuzzed in full by the least privileged caller allowed to
use it, and briefly by the others. Bounded to well under a minute of CPU: see docs/security.md.
"""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from app.accounts.models import AuthToken

pytestmark = pytest.mark.slow

CALLERS = ["anonymous", "member", "admin"]  # from the least privileged


@pytest.fixture
def high_rate_limits(monkeypatch):
    # The limits have tests of their own; at their real rates most of the run would be 429s.
    # Raised, not removed: every throttle still runs (and counts) on every request.
    for scope in list(SimpleRateThrottle.THROTTLE_RATES):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "100000/minute")


@pytest.mark.parametrize("caller", CALLERS)
def test_every_operation_answers_as_documented_and_never_5xx(
    caller, api_server, fuzz_data, paysafe_at_the_edge, high_rate_limits
):
    from tests.fuzz.runner import Budget, fuzz

    def headers_of(who):
        def headers():
            if who == "anonymous":
                return {}
            # A token per operation: logging out (DELETE /api/auth/token/) ends only that operation's.
            return {"Authorization": f"Token {AuthToken.objects.issue(fuzz_data[who])[1]}"}

        return headers

    lower = headers_of(CALLERS[CALLERS.index(caller) - 1]) if caller != "anonymous" else None
    report = fuzz(api_server, caller, headers_of(caller), Budget(full=10, covered=2, refused=2), lower)
    print(report.summary())
    assert report.failures == [], report.summary() + "\n" + "\n".join(report.failures)
    assert report.operations > 50 and report.examples > 250, report.summary()
