"""DRF's session authentication, with its CSRF refusal in the API's words and with its own code.

DRF checks the CSRF token of a session-authenticated write itself (its views are exempt from
Django's middleware) and refuses with an untranslated "CSRF Failed" permission error; this says
the same as the pages' JSON CSRF failure (`app.security.csrf`), in the reader's language, with
`code: csrf_failed` so that a client can tell it from a real lack of permission.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from rest_framework import authentication, exceptions

from app.core.exceptions import ErrorCode
from app.security.csrf import csrf_message


class CsrfFailed(exceptions.PermissionDenied):
    default_code = ErrorCode.CSRF_FAILED


class SessionAuthentication(authentication.SessionAuthentication):
    def enforce_csrf(self, request: HttpRequest) -> None:
        def dummy_get_response(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
            return HttpResponse()

        check = authentication.CSRFCheck(dummy_get_response)  # DRF's check, which returns the reason
        check.process_request(request)
        reason = check.process_view(request, dummy_get_response, (), {})
        if reason:
            raise CsrfFailed(csrf_message(str(reason)))
