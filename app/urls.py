"""URL map. Each domain owns its routes in `app/<domain>/urls.py`; they all sit under /api/.

Each domain's URLconf (and so its views, serializers and forms) is imported when a path first
reaches it or a name is first reversed, not when this map loads: an API cold start does not pay
for the member pages, nor any request for the admin until /admin/ (app/core/admin_site.py).
"""

from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import include, path

from app.core import errors, views
from app.core.lazy_urls import lazy_include


def schema(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
    # drf-spectacular is imported on first use so that it stays out of the cold start.
    from drf_spectacular.views import SpectacularAPIView  # also loads the real AutoSchema

    return SpectacularAPIView.as_view()(request, *args, **kwargs)


def docs(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
    # The split view serves its start-up script as a file: no inline script, so the CSP holds.
    from drf_spectacular.views import SpectacularSwaggerSplitView

    view = SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="web/swagger_ui.html")
    return view(request, *args, **kwargs)


urlpatterns = [
    # Bookings first: the most frequent requests (slot lists, reservations) then resolve without
    # importing the accounts and store views, nor compiling the other patterns' regexes. No path
    # of one domain is a path of another.
    lazy_include("api/", "app.bookings.urls"),
    path("healthz", views.healthz, name="healthz"),
    lazy_include("admin/", "app.core.admin_urls", namespace="admin"),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the switcher on every page
    path("api/schema/", schema, name="schema"),
    path("api/docs/", docs, name="api-docs"),
    lazy_include("api/", "app.accounts.urls"),
    lazy_include("api/", "app.members.urls"),  # the member across the domains (/api/users/me/)
    lazy_include("api/", "app.store.urls"),
    lazy_include("api/", "app.retreats.urls"),  # retreats: loaded only when a retreat path is asked
    lazy_include("", "app.web.urls"),  # the members' pages, home page included
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = "app.web.errors.not_found"  # HTML outside /api/, JSON inside
handler500 = "app.web.errors.server_error"
