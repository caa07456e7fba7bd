"""Error reports e-mailed to ADMINS carry neither secrets nor request bodies."""

import sys

from django.test import RequestFactory, override_settings
from django.views.debug import ExceptionReporter


@override_settings(PAYSAFE_PASSWORD="paysafe-secret-value", SENDINBLUE_API_KEY="xkeysib-secret-value")
def test_error_report_hides_tokens_passwords_and_settings():
    request = RequestFactory().post(
        "/api/auth/token/",
        {"email": "a@example.com", "password": "hunter2-password"},
        HTTP_AUTHORIZATION="Token 0123456789abcdef-token",
    )
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
    for secret in ("hunter2-password", "0123456789abcdef-token", "paysafe-secret-value", "xkeysib-secret-value"):
        assert secret not in report
    assert "RuntimeError" in report  # the report itself is still useful
