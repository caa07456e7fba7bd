"""Refuse, before any view runs, the request parts no view should have to defend against.

- A body larger than the limit: 413 with a JSON message (`REQUEST_MAX_BYTES`, or
  `UPLOAD_MAX_BYTES` for multipart uploads). Django's own `DATA_UPLOAD_MAX_MEMORY_SIZE` only
  guards form fields; DRF's JSON parser reads the stream without any limit.
- A NUL byte (or another C0 control character but tab) in the path, a query parameter or a
  header: 400 naming it. PostgreSQL rejects NUL in text, and no legitimate client sends one.
- A query parameter that is a whole number beyond 64 bits: 400 naming it. Every integer filter,
  `offset` and `limit` included, is covered here rather than view by view.
"""

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.translation import gettext as _

from app.core.exceptions import ErrorCode, Invalid, error_json

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_INTEGER = re.compile(r"\s*[-+]?\d+\s*")
_INT64 = 2**63 - 1


def _bad(field: str, message: str, status: int = 400) -> JsonResponse:
    # The API's error shape: `detail` is one sentence, `fields` maps an input at fault to its messages.
    if field == "detail":
        return JsonResponse(error_json(message, ErrorCode.PARSE_ERROR), status=status)
    return JsonResponse(error_json(Invalid.default_message, ErrorCode.INVALID, {field: [message]}), status=status)


def _body_limit(request: HttpRequest) -> int:
    if request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
        return settings.UPLOAD_MAX_BYTES
    return settings.REQUEST_MAX_BYTES


def _check_body_size(request: HttpRequest) -> JsonResponse | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _bad("detail", _("The Content-Length header is not a number."))
    limit = _body_limit(request)
    if length > limit:
        message = _("The request body is too large: at most %(limit)s bytes are accepted.") % {"limit": limit}
        return JsonResponse(error_json(message, ErrorCode.BODY_TOO_LARGE), status=413)
    return None


def _check_text(request: HttpRequest) -> JsonResponse | None:
    if _CONTROL.search(request.path_info):
        return _bad("path", _("The address contains a control character."))
    for name, values in request.GET.lists():
        if _CONTROL.search(name):
            return _bad("detail", _("A query parameter name contains a control character."))
        for value in values:
            if _CONTROL.search(value):
                return _bad(name, _("Control characters (such as NUL) are not allowed."))
            if _INTEGER.fullmatch(value) and abs(int(value)) > _INT64:
                return _bad(name, _("This number is too large."))
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and _CONTROL.search(value):
            header = key[5:].replace("_", "-").title()
            return _bad(header, _("Control characters (such as NUL) are not allowed in this header."))
    return None


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        refused = _check_body_size(request) or _check_text(request)
        if refused is None:
            return self.get_response(request)
        # This runs before LocaleMiddleware: say it again in the request's language (refusals only,
        # so that no request that passes pays for reading the language).
        with translation.override(translation.get_language_from_request(request)):
            return _check_body_size(request) or _check_text(request)  # type: ignore[return-value]  # refused
