"""CSRF failures: a JSON 403 for the API; pages get `HTML_CSRF_FAILURE_VIEW` (Django's by default)."""

from django.conf import settings
from django.http import JsonResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as html_csrf_failure

from app.core.exceptions import ErrorCode, error_json


def csrf_failure(request, reason=""):
    if request.path_info.startswith("/api/"):
        message = _("CSRF check failed (%(reason)s). Send the CSRF token, or use a token.") % {"reason": reason}
        return JsonResponse(error_json(message, ErrorCode.CSRF_FAILED), status=403)
    view = getattr(settings, "HTML_CSRF_FAILURE_VIEW", "")
    return (import_string(view) if view else html_csrf_failure)(request, reason=reason)
