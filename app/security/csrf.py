"""CSRF failures: a JSON 403 for the API; pages get `HTML_CSRF_FAILURE_VIEW` (Django's by default)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as html_csrf_failure

from app.core.exceptions import ErrorCode, error_json


def csrf_message(reason: str) -> str:
    return _("CSRF check failed (%(reason)s). Send the CSRF token, or use a token.") % {"reason": reason}


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse(error_json(csrf_message(reason), ErrorCode.CSRF_FAILED), status=403)
    view = getattr(settings, "HTML_CSRF_FAILURE_VIEW", "")
    return (import_string(view) if view else html_csrf_failure)(request, reason=reason)
