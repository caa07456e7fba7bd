"""The admin, registered on a served process's first /admin/ request instead of at start-up.

Django's AdminConfig imports every app's `admin.py` in `ready()`: the ModelAdmins, their forms,
the services they call, simple_history's admin, the staff exports... about 40 modules that an API
or member-page cold start never uses (benchmarks/cold_start.py; docs/performance.md). Here that
discovery runs in `ready()` as before for management commands, tests and the shell, and in a
process started by app/wsgi.py (`startup.SERVING`) when the `admin/` URLs are first resolved or
reversed (app/core/admin_urls.py, which app/urls.py includes lazily). The system checks, the
admin's own, run after discovery in every process that runs them.
"""

from django.contrib.admin.apps import SimpleAdminConfig

from app.core import startup

_discovered = False


def discover() -> None:
    """Import every app's `admin` module once, in INSTALLED_APPS order (app.staff extends the others)."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    from django.conf import settings
    from django.contrib import admin
    from django.utils.text import format_lazy
    from django.utils.translation import gettext_lazy

    # Lazy: the admin shows it in each request's language.
    admin.site.site_header = admin.site.site_title = format_lazy(
        gettext_lazy("{organization} administration"), organization=settings.ORGANIZATION
    )
    admin.autodiscover()


class AdminConfig(SimpleAdminConfig):
    """`django.contrib.admin`, discovering the apps' admin modules now or on first use."""

    def ready(self) -> None:
        super().ready()  # the admin's system checks
        if not startup.SERVING:
            discover()
