"""CSRF failures: a JSON 403 for the API, Django's page for HTML pages."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as html_csrf_failure


def csrf_failure(request, reason=""):
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"detail": _("CSRF check failed (%(reason)s). Send the CSRF token, or use a token.") % {"reason": reason}},
            status=403,
        )
    return html_csrf_failure(request, reason=reason)
