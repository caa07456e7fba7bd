"""URL map. Each domain owns its routes in `app/<domain>/urls.py`; they all sit under /api/."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from app.core import errors, views


def schema(request, *args, **kwargs):
    # drf-spectacular is imported on first use so that it stays out of the cold start.
    from drf_spectacular.views import SpectacularAPIView  # also loads the real AutoSchema

    return SpectacularAPIView.as_view()(request, *args, **kwargs)


def docs(request, *args, **kwargs):
    # The split view serves its start-up script as a file: no inline script, so the CSP holds.
    from drf_spectacular.views import SpectacularSwaggerSplitView

    view = SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="web/swagger_ui.html")
    return view(request, *args, **kwargs)


# Lazy: the admin shows it in each request's language.
admin.site.site_header = admin.site.site_title = format_lazy(
    gettext_lazy("{organization} administration"), organization=settings.ORGANIZATION
)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the switcher on every page
    path("api/schema/", schema, name="schema"),
    path("api/docs/", docs, name="api-docs"),
    path("api/", include("app.accounts.urls")),
    path("api/", include("app.bookings.urls")),
    path("api/", include("app.store.urls")),
    path("", include("app.web.urls")),  # the members' pages, home page included
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = "app.web.errors.not_found"  # HTML outside /api/, JSON inside
handler500 = "app.web.errors.server_error"
