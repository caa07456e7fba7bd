"""Error pages for every path outside /api/: the site's own look, in the reader's language.

The API keeps its JSON answers (app/core/errors.py); these handlers hand /api/ paths (and /healthz)
to it. The 500 page is rendered without the request's context (no user, no session, no database),
so that it shows even when what failed is the database; it keeps the API handler's status and
Retry-After (503 when the database is unreachable).
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from app.core import errors


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/healthz"))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return errors.not_found(request, exception)
    return render(request, "web/not_found.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    answer = errors.server_error(request)
    if _is_api(request):
        return answer
    page = render_to_string(
        "web/server_error.html",
        {"organization": settings.ORGANIZATION, "unavailable": answer.status_code == 503},
    )
    response = HttpResponse(page, status=answer.status_code)
    if answer.has_header("Retry-After"):
        response["Retry-After"] = answer["Retry-After"]
    return response
