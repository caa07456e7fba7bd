"""The module Lambda enters (Zappa's `app_function`, `app.wsgi.application`), and `runserver` serves.

Everything done for a cold start lives here, in the order it must happen, and nowhere else:
management commands, tests and the shell start Django plainly.

1. The cyclic garbage collector pauses while Django builds its ~100k long-lived objects (modules,
   classes, models, admin, URL patterns): it would walk them again and again as they load.
2. Modules that the cold start imports without using them run their code on the first name read
   from them (app/core/start_up_deferrals.py): the admin package's own
   `__init__`, sqlparse, ssl, subprocess and asyncio. Django's request handling asks asyncio two
   questions on every request (is an event loop running? is this response a coroutine?): until
   asyncio has run, stand-ins answer them as asyncio would (no loop can run before it has).
3. DRF's compat module loads with the optional extras it would import hidden (PyYAML, requests,
   psycopg2's `django.contrib.postgres.fields`, uritemplate, inflection, pygments, markdown),
   none of which this project uses through DRF. They stay importable afterwards. The PostgreSQL
   field mapping of DRF's ModelSerializer stays off for good: the system check
   `core.E001` (app/core/checks.py) fails if a model ever uses a `django.contrib.postgres` field.
4. The admin's registrations wait for the first /admin/ request (`startup.serve()`,
   app/core/admin_site.py), and each domain's URLconf for the first path that reaches it
   (app/urls.py).
5. `simple_history` sets its `__version__` from `importlib.metadata.version()`, which imports
   importlib.metadata (with zipfile, csv, email parsing...) and scans every sys.path entry for
   distributions: it loads here with that call made lazily, on the first use of the string.
6. Django's auth middleware imports `redirect_to_login` from `django.contrib.auth.views` for its
   LoginRequiredMiddleware (unused here), and with it every login, logout and password view and
   their forms: it loads with a stand-in that imports the real function when called. The views
   load as usual wherever else they are imported (the admin's login, the member pages).
7. Once the app is built, what start-up made is frozen (later collections skip it) and the
   collector resumes. The first request still builds long-lived objects (the URL map, the views,
   the serializers and DRF's machinery it imports): the collector pauses again while it is
   served, and what it made is frozen too. (A container that only runs tasks or scheduled
   events, which do not go through the WSGI app, collects as usual.)
"""

import contextlib
import gc
import os
import sys
import types
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from app.core import startup
from app.core.start_up_deferrals import defer_modules_unused_at_start_up

if TYPE_CHECKING:
    from django.core.handlers.wsgi import WSGIHandler

# benchmarks/cold_start.py measures what entering here instead of get_wsgi_application() alone saves
# ("plain" against "project"); docs/performance.md has the latest figures and what each step saved.
gc.disable()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

DRF_EXTRAS_HIDDEN_AT_START_UP = (
    "yaml",
    "requests",
    "django.contrib.postgres",  # DRF imports its `fields` only: the package is hidden, so it is not loaded
    "uritemplate",
    "inflection",
    "pygments",
    "markdown",
)


def load_rest_framework_without_unused_extras() -> None:
    """Import `rest_framework.compat` while its optional extras are hidden (`import name` fails)."""
    if "rest_framework.compat" in sys.modules:
        return
    hidden = [name for name in DRF_EXTRAS_HIDDEN_AT_START_UP if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import rest_framework.compat  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


@contextlib.contextmanager
def stand_in_module(name: str, **names: Any) -> Iterator[None]:
    """While the block imports, module `name` is a stand-in holding `names` only; afterwards the
    real module imports as usual wherever it is asked for."""
    stand_in = types.ModuleType(name)
    stand_in.__dict__.update(names)
    sys.modules[name] = stand_in
    try:
        yield
    finally:
        del sys.modules[name]
        parent, _, child = name.rpartition(".")
        if getattr(sys.modules.get(parent), child, None) is stand_in:
            delattr(sys.modules[parent], child)


def load_simple_history_with_lazy_version() -> None:
    """Import `simple_history` with its `__version__` a lazy string (read from metadata when used)."""
    if "simple_history" in sys.modules or "importlib.metadata" in sys.modules:
        return
    from django.utils.functional import lazy

    def real_version(distribution: str) -> str:
        from importlib.metadata import version

        return version(distribution)

    with stand_in_module("importlib.metadata", version=lazy(real_version, str)):
        import simple_history  # noqa: F401


def load_auth_middleware_without_login_views() -> None:
    """Import `django.contrib.auth.middleware` with its `redirect_to_login` imported on first call."""
    if "django.contrib.auth.middleware" in sys.modules or "django.contrib.auth.views" in sys.modules:
        return

    def redirect_to_login(*args: Any, **kwargs: Any) -> Any:
        from django.contrib.auth.views import redirect_to_login as real

        return real(*args, **kwargs)

    with stand_in_module("django.contrib.auth.views", redirect_to_login=redirect_to_login):
        import django.contrib.auth.middleware  # noqa: F401


class CollectorPausedForFirstRequest:
    """The WSGI app; after its first request, start-up's objects are frozen and the collector resumes."""

    def __init__(self, app: "WSGIHandler") -> None:
        self.app = app
        self.starting = True

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not self.starting:
            return self.app(environ, start_response)
        self.starting = False
        gc.disable()
        try:
            return self.app(environ, start_response)
        finally:
            end_of_start_up()


def end_of_start_up() -> None:
    gc.freeze()
    gc.enable()


try:
    defer_modules_unused_at_start_up()  # first: Django's own imports bind them
    load_rest_framework_without_unused_extras()
    load_simple_history_with_lazy_version()
    startup.serve()
    import django

    django.setup(set_prefix=False)  # get_wsgi_application()'s two steps, with the middleware's import between
    load_auth_middleware_without_login_views()
    from django.core.handlers.wsgi import WSGIHandler

    application = CollectorPausedForFirstRequest(WSGIHandler())
finally:
    end_of_start_up()
