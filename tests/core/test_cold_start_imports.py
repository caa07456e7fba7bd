"""A cold start loads what serving an API list needs, and no client that only some requests use."""

import json

import pytest

from tests.core.subprocess_env import run_python

SCRIPT = """
import gc, io, json, sys
import django
from app.wsgi import application  # what Lambda enters (zappa_settings.json's app_function)
from django.core.management import call_command
call_command("migrate", verbosity=0)
status = []
environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/timeslots/", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "443",
           "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "https", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr}
b"".join(application(environ, lambda s, h, e=None: status.append(s)))
heavy = ["sib_api_v3_sdk", "boto3", "botocore", "requests", "yaml", "psycopg2", "drf_spectacular.openapi",
         "drf_spectacular.utils", "storages", "fpdf"]
print(json.dumps({"status": status[0], "loaded": [name for name in heavy if name in sys.modules],
                  "gc_enabled": gc.isenabled(), "frozen_at_start_up": gc.get_freeze_count()}))
"""


def served(tmp_path, **extra):
    """A served process's settings, as a deployed stage has them, with a sqlite database of its own."""
    return {
        "DEBUG": "False",
        "SECRET_KEY": "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **extra,
    }


@pytest.fixture(scope="module")
def served_list(tmp_path_factory):
    """One served process's answer to an API list, and what it had loaded then (SCRIPT)."""
    result = run_python(["-c", SCRIPT], **served(tmp_path_factory.mktemp("served")))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_serving_an_api_list_loads_no_payment_email_aws_or_schema_client(served_list):
    assert served_list["status"].startswith("200")
    assert served_list["loaded"] == []


@pytest.mark.slow
def test_the_garbage_collector_runs_again_once_start_up_is_done(served_list):
    """app/wsgi.py pauses it for the cold start, then freezes start-up objects and resumes it."""
    answer = served_list
    assert answer["gc_enabled"] is True
    assert answer["frozen_at_start_up"] > 50_000  # Django, DRF, the models and the admin

    command = run_python(["manage.py", "shell", "-c", "import gc; print(gc.isenabled())"], DEBUG="True")
    assert command.returncode == 0, command.stderr
    assert command.stdout.strip().splitlines()[-1] == "True"


LAZY_ADMIN_SCRIPT = """
import io, json, sys
from app.wsgi import application

def get(path):
    status = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "443",
               "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "https", "HTTP_X_FORWARDED_PROTO": "https",
               "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr}
    b"".join(application(environ, lambda s, h, e=None: status.append(s)))
    return status[0]

admin_modules = ["app.accounts.admin", "app.bookings.admin", "app.store.admin", "app.staff.admin",
                 "app.security.admin", "simple_history.admin", "django.contrib.auth.admin"]
api = get("/api/timeslots/")
deferred = ["app.web.views", "importlib.metadata", "django_filters", "whitenoise.middleware", "app.accounts.views",
            "app.retreats.views", "app.retreats.services", "app.retreats.store_hooks", "app.retreats.admin",
            # the bookings rules and the e-mail delivery load with the first request that uses them
            "app.bookings.services.reservations", "app.bookings.services.slots", "app.bookings.services.batches",
            "app.bookings.services.periods", "app.bookings.services.workplaces", "app.bookings.services.attendance",
            "app.bookings.services.staff_bookings", "app.core.email_delivery",
            # the waiting list's and the calendar feed's views load with the first path that reaches them
            "app.bookings.waitlist_views", "app.bookings.feed",
            # the admin package's own __init__ (ModelAdmin, filters, sites) runs on the first name read from it
            "django.contrib.admin.options", "django.contrib.admin.sites", "django.contrib.admin.filters"]
after_api = [name for name in admin_modules + deferred if name in sys.modules]
from app.core.deferred_modules import is_deferred
unused = ["django.contrib.admin", "sqlparse", "ssl", "subprocess", "asyncio", "django.contrib.admindocs.views"]
unrun_after_api = [name for name in unused if is_deferred(name)]
from django.core.management import call_command
# What `zappa manage STAGE migrate` and `... check` run in a container that imported app.wsgi: Django
# asks every app whether it has a `management` submodule, and the admin's checks import its sites.
call_command("migrate", verbosity=0)
call_command("check")
login = get("/admin/")  # a visitor: redirected to the login page (no static manifest needed)
unrun_after_admin = [name for name in unused if is_deferred(name)]
import asyncio

async def answer():
    await asyncio.sleep(0)
    return asyncio.get_running_loop().is_running()

loop_ran = asyncio.run(answer())  # asyncio's real code, once a name only it defines is read
import ssl, sqlparse, subprocess
used_later = [ssl.PROTOCOL_TLS_CLIENT > 0, sqlparse.split("select 1; select 2") == ["select 1;", "select 2"],
              subprocess.run([sys.executable, "-c", "print(7)"], capture_output=True, text=True).stdout.strip() == "7"]
from rest_framework.schemas.generators import simplify_regex  # what /api/schema/ calls
used_later.append(simplify_regex(r"^api/timeslots/(?P<pk>[^/.]+)/$") == "/api/timeslots/<pk>/")
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin
from app.bookings.models import TimeSlot
import simple_history
print(json.dumps({
    "api": api, "header": str(admin.site.site_header), "unrun_after_api": unrun_after_api,
    "unrun_after_admin": unrun_after_admin, "loop_ran": loop_ran, "used_later": used_later,
    "after_api": after_api, "login": login,
    "after_admin": [name for name in admin_modules if name in sys.modules],
    "login_form": admin.site.login_form.__name__,
    "slots_have_history_page": isinstance(admin.site._registry[TimeSlot], SimpleHistoryAdmin),
    "index": reverse("admin:index"),
    "history_version": str(simple_history.__version__),
}))
"""


@pytest.mark.slow
def test_a_served_process_registers_the_admin_on_its_first_admin_request_only(tmp_path):
    """An API cold start imports no admin module, member page, django-filter (no filter asked), WhiteNoise
    (no static file asked), the accounts API, a bookings service (a list changes nothing) nor the e-mail
    delivery (none is sent), and runs none of the modules deferred to their first use; the first /admin/
    request has the admin registered, and the deferred modules work when first used."""
    env = served(tmp_path, AWS_LAMBDA_FUNCTION_NAME="writing-sessions-dev")  # as in a Lambda container
    migrated = run_python(["manage.py", "migrate", "--noinput", "-v0"], **env)
    assert migrated.returncode == 0, migrated.stderr
    result = run_python(["-c", LAZY_ADMIN_SCRIPT], **env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["api"].startswith("200")
    assert answer["after_api"] == []
    # imported by Django at start-up, their code not run by an API request (app/core/start_up_deferrals.py)
    assert answer["unrun_after_api"] == [
        "django.contrib.admin",
        "sqlparse",
        "ssl",
        "subprocess",
        "asyncio",
        "django.contrib.admindocs.views",
    ]
    # migrate and check ran the admin's code (its checks import its sites) and no event loop
    assert "django.contrib.admin" not in answer["unrun_after_admin"]
    assert "asyncio" in answer["unrun_after_admin"]
    assert answer["loop_ran"] is True
    assert answer["used_later"] == [True, True, True, True]
    assert answer["login"].startswith("302")
    assert answer["after_admin"] == [
        "app.accounts.admin",
        "app.bookings.admin",
        "app.store.admin",
        "app.staff.admin",
        "app.security.admin",
        "simple_history.admin",
        "django.contrib.auth.admin",
    ]
    assert answer["login_form"] == "LockoutAdminAuthenticationForm"  # the lock-out still guards /admin/login/
    assert answer["slots_have_history_page"] is True  # app.staff's extensions, registered after the others
    assert answer["index"] == "/admin/"
    assert answer["header"] == "Writing Sessions administration"
    assert answer["history_version"][0].isdigit()  # read from the package metadata when first used


NOT_ON_LAMBDA_SCRIPT = """
import json
from app.wsgi import application
from app.core.deferred_modules import is_deferred
names = ("django.contrib.admin", "sqlparse", "ssl", "subprocess", "asyncio")
print(json.dumps([name for name in names if is_deferred(name)]))
"""


@pytest.mark.slow
def test_a_process_outside_lambda_defers_nothing(tmp_path):
    """A threaded server (runserver) may import a deferred package's submodule on one thread while another
    runs the package's code: app/core/start_up_deferrals.py defers only in a Lambda container."""
    result = run_python(
        ["-c", NOT_ON_LAMBDA_SCRIPT],
        **served(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
