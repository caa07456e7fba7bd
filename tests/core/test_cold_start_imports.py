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
heavy = ["sib_api_v3_sdk", "boto3", "botocore", "requests", "yaml", "psycopg2", "drf_spectacular.openapi", "storages",
         "fpdf"]
print(json.dumps({"status": status[0], "loaded": [name for name in heavy if name in sys.modules],
                  "gc_enabled": gc.isenabled(), "frozen_at_start_up": gc.get_freeze_count()}))
"""


@pytest.mark.slow
def test_serving_an_api_list_loads_no_payment_email_aws_or_schema_client(tmp_path):
    result = run_python(
        ["-c", SCRIPT],
        DEBUG="False",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"].startswith("200")
    assert answer["loaded"] == []


@pytest.mark.slow
def test_the_garbage_collector_runs_again_once_start_up_is_done(tmp_path):
    """app/wsgi.py pauses it for the cold start, then freezes start-up objects and resumes it."""
    result = run_python(
        ["-c", SCRIPT],
        DEBUG="False",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["gc_enabled"] is True
    assert answer["frozen_at_start_up"] > 50_000  # Django, DRF, the models and the admin

    command = run_python(["manage.py", "shell", "-c", "import gc; print(gc.isenabled())"], DEBUG="True")
    assert command.returncode == 0, command.stderr
    assert command.stdout.strip().splitlines()[-1] == "True"
