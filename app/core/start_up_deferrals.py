"""The modules a served cold start imports without using them, deferred to their first use.

app/wsgi.py calls `defer_modules_unused_at_start_up()` before anything imports Django: in a Lambda
container, each module here then runs its code on the first name read from it
(app/core/deferred_modules.py), not when Django's own modules import it. Elsewhere (runserver, a
threaded WSGI server) nothing is deferred: a container serves one request at a time on one
thread, while a threaded server's first requests could import a deferred package's submodule on
one thread as another runs the package's code, and each would wait for the other. What each
saved is in docs/performance.md; tests/core/test_cold_start_imports.py checks that an API cold
start leaves them unrun.
"""

import collections.abc
import os
import types
from typing import NoReturn

from app.core.deferred_modules import defer, on_first_call

DEFERRED_UNTIL_USED = (
    # Django's database operations import it to split migrations' SQL and to format debug SQL.
    "sqlparse",
    # http.client imports it to define HTTPSConnection: only the payment, e-mail and AWS clients
    # open TLS connections, and the first of them loads it.
    "ssl",
    # django.utils.version imports it to read a development checkout's git changeset.
    "subprocess",
)
# INSTALLED_APPS imports it to find the app's folder and its `models`; its own __init__ brings
# ModelAdmin, the list filters, the admin's forms, widgets and sites (about 40 modules). These
# submodules read nothing from the package and import without running its code.
ADMIN_INDEPENDENT_SUBMODULES = ("apps", "checks", "exceptions", "utils", "models", "views", "views.decorators")
# DRF's schema generator, which DRF's views import and only /api/schema/ runs, imports one function
# from it: with it come the admin's documentation views and their docutils helpers.
ADMIN_DOCS_VIEWS = "django.contrib.admindocs.views"
# asgiref imports this one (it reads nothing from asyncio's own __init__).
ASYNCIO_INDEPENDENT_SUBMODULES = ("coroutines",)


def no_running_event_loop() -> NoReturn:
    """asyncio.get_running_loop() outside any loop (asgiref asks it on every database access)."""
    raise RuntimeError("no running event loop")


def is_coroutine(value: object) -> bool:
    """asyncio.iscoroutine() (Django's handler asks it of every response)."""
    return isinstance(value, (types.CoroutineType, collections.abc.Coroutine))


ASYNCIO_STAND_INS = {"get_running_loop": no_running_event_loop, "iscoroutine": is_coroutine}


def defer_modules_unused_at_start_up() -> None:
    if not os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):  # set by the Lambda runtime in every container
        return
    defer("asyncio", stand_ins=ASYNCIO_STAND_INS, independent=ASYNCIO_INDEPENDENT_SUBMODULES)
    for name in DEFERRED_UNTIL_USED:
        defer(name)
    # Last: finding it imports `django`, which imports the modules above.
    defer("django.contrib.admin", independent=ADMIN_INDEPENDENT_SUBMODULES)
    defer(ADMIN_DOCS_VIEWS, stand_ins={"simplify_regex": on_first_call(ADMIN_DOCS_VIEWS, "simplify_regex")})
