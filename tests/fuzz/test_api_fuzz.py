"""Fuzzing: schemathesis against the served OpenAPI schema, on a live server, anonymous and as a member.

Every operation gets positive and negative examples (derandomized: the same run every time);
the run fails on any 5xx and on any answer the schema does not describe (status code, media
type, headers, body). Bounded to well under a minute on a 2-core machine: see docs/security.md.
"""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from app.accounts.models import AuthToken

EXAMPLES = 12  # per operation the caller may use
EXAMPLES_WHEN_REFUSED = 2  # 401/403 before any input is read: a couple check that the refusal is documented


@pytest.fixture
def no_rate_limits(monkeypatch):
    # The limits have tests of their own; here they would turn most of the run into 429s.
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)


@pytest.mark.parametrize("caller", ["anonymous", "member"])
def test_every_operation_answers_as_documented_and_never_5xx(
    caller, api_server, fuzz_data, paysafe_at_the_edge, no_rate_limits
):
    from tests.fuzz.runner import fuzz

    def headers():
        if caller == "anonymous":
            return {}
        # A token per operation: logging out (DELETE /api/auth/token/) ends only that operation's.
        return {"Authorization": f"Token {AuthToken.objects.issue(fuzz_data[caller])[1]}"}

    report = fuzz(api_server, caller, headers, EXAMPLES, EXAMPLES_WHEN_REFUSED)
    print(report.summary())
    assert report.failures == [], report.summary() + "\n" + "\n".join(report.failures)
    assert report.operations > 50 and report.examples > 300, report.summary()
