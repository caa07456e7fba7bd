"""The package deploy.sh built from a runtime-only venv, run by its handler in a fresh python3.12 as on Lambda."""

import importlib.util
import json
import sqlite3
import subprocess
import textwrap
import zipfile
from pathlib import Path

import pytest
from rehearse_deploy import TEST_ONLY
from smoke_test_package import FRENCH_LOGIN_REFUSAL, api_gateway_event, main, runtime_libs_dir, smoke_test

MiB = 2**20
ROOT = Path(__file__).resolve().parents[2]


def cached_source(name):
    """`app/__pycache__/urls.cpython-312.pyc` -> `app/urls.py` (None for another interpreter's cache)."""
    try:
        return importlib.util.source_from_cache(name)
    except ValueError:
        return None


def test_the_package_holds_the_project_and_its_runtime_dependencies_only(rehearsal):
    with zipfile.ZipFile(rehearsal.initial_package) as archive:
        names = archive.namelist()
    tops = {name.split("/")[0] for name in names}

    assert {"handler.py", "zappa_settings.py", "settings.py", "manage.py", "app", "django", "staticfiles"} <= tops
    assert not {top for top in tops if top.split("-")[0] in TEST_ONLY}
    assert not {"tests", "docs", "benchmarks", "scripts", ".git", "zappa_settings.json", "boto3", "botocore"} & tops
    assert not {".mypy_cache", ".ruff_cache", ".pytest_cache", "build"} & tops  # the linters' and tests' caches
    assert not [name for name in names if name.endswith(".sqlite3")]
    # No local cache slipped in: each __pycache__ entry is the bytecode of a source shipped beside it.
    cached = [name for name in names if "__pycache__" in name]
    assert cached and all(cached_source(name) in names for name in cached)
    assert "staticfiles/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" not in names  # hashed copy only
    assert "staticfiles/staticfiles.json" in names  # the manifest WhiteNoise serves from
    assert rehearsal.initial_package.stat().st_size <= 20 * MiB


def test_dependencies_ship_as_bytecode_that_stays_valid_in_the_zip(rehearsal):
    # Zappa dates every zip entry 1980-01-01 and /var/task is read-only: timestamp .pyc files would
    # be stale and every cold start would compile Django again. Unchecked-hash .pyc files are not.
    with zipfile.ZipFile(rehearsal.initial_package) as archive:
        names = set(archive.namelist())
        flags = {
            name: int.from_bytes(archive.read(name)[4:8], "little")
            for name in ("django/db/models/base.pyc", "app/__pycache__/urls.cpython-312.pyc")
        }
    assert "django/db/models/base.py" not in names
    assert "app/urls.py" in names  # project code stays readable, beside its bytecode
    assert "django/contrib/auth/migrations/0001_initial.py" in names  # Django loads migrations from source
    assert "django/contrib/auth/migrations/__pycache__/0001_initial.cpython-312.pyc" in names
    assert set(flags.values()) == {0b01}  # hash-based, source never checked


def test_the_handler_answers_healthz_and_migrates_a_temporary_sqlite_database(rehearsal):
    # deploy.sh ran scripts/smoke_test_package.py on this very artifact before shipping it (the
    # failing-smoke-test rehearsal shows that a failure there stops the deploy): its report.
    output = rehearsal.initial.stdout.split("artifact smoke test", 1)[1].split("zappa deploy", 1)[0]

    assert "smoke test: no secret value is in the package" in output
    assert (
        "smoke test passed: migrate created the tables, GET /healthz answered 200, "
        "a refused login answered in French, manage check passed, nothing logged at ERROR level"
    ) in output
    placeholders = output.split("placeholders used for the secrets ", 1)[1].split(".\n", 1)[0]
    assert "SECRET_KEY" in placeholders.split(", ")  # the committed settings hold no secret


def crafted_package(path, settings="APP_MODULE='app.wsgi'\n", handler="def lambda_handler(event, context): pass\n"):
    """A zip holding only a zappa_settings.py and a handler.py: what the smoke test reads first."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("zappa_settings.py", settings)
        archive.writestr("handler.py", handler)
    return path


def test_the_smoke_test_refuses_a_package_that_zappa_made_a_websocket_app(tmp_path, capsys):
    # Zappa 0.63 wrote this line into every package while the build venv was build/lambda-venv: it
    # had found its own handler.py there (tests/deploy/test_websocket_detection.py).
    project = tmp_path / "project"
    found = project / "build/lambda-venv/lib/python3.12/site-packages/zappa/handler.py"
    found.parent.mkdir(parents=True)
    found.write_text("from zappa.websocket import route\n")
    (project / "zappa_settings.json").write_text("{}")
    module = "build.lambda-venv.lib.python3.12.site-packages.zappa.handler"
    package = crafted_package(
        tmp_path / "dev-package.zip", settings=f"APP_MODULE='app.wsgi'\nWEBSOCKET_HANDLER_MODULE='{module}'\n"
    )

    assert main([str(package), "--settings", str(project / "zappa_settings.json")]) == 1
    report = capsys.readouterr().err
    assert f"smoke test FAILED: the package's zappa_settings.py sets WEBSOCKET_HANDLER_MODULE='{module}'" in report
    assert f"imported in {found}" in report  # the file, though its directory python3.12 holds a dot
    assert "the app has no WebSocket routes" in report
    assert "Move that directory out of the project or into a hidden one" in report


def stand_in_handler(error_at_cold_start):
    """A handler.py that answers the smoke test's four events as the app does; with
    `error_at_cold_start`, its import logs what Zappa's did for a WEBSOCKET_HANDLER_MODULE it could not import."""
    return f"""
import json, logging, os, sqlite3
if {error_at_cold_start}:
    logging.getLogger("handler").error("Failed to import WEBSOCKET_HANDLER_MODULE 'build.lambda-venv'")
def lambda_handler(event, context):
    if event.get("manage") == "migrate --noinput":
        with sqlite3.connect(os.environ["SMOKE_SQLITE_PATH"]) as db:
            db.execute("create table accounts_user (id integer)")
            db.execute("create table django_migrations (id integer)")
    elif event.get("path") == "/healthz":
        return {{"statusCode": 200, "body": json.dumps({{"status": "ok"}})}}
    elif event.get("path") == "/api/auth/token/":
        return {{"statusCode": 400, "body": json.dumps({{"detail": "{FRENCH_LOGIN_REFUSAL}."}})}}
"""


@pytest.mark.parametrize("error_at_cold_start", [False, True], ids=["quiet", "error at cold start"])
def test_the_smoke_test_fails_when_the_handler_logs_an_error(error_at_cold_start, tmp_path, python312):
    package = crafted_package(tmp_path / "dev-package.zip", handler=stand_in_handler(error_at_cold_start))
    (tmp_path / "libs").mkdir()
    (tmp_path / "work").mkdir()

    failures, _ = smoke_test(
        package, ROOT / "zappa_settings.json", "dev", python312, tmp_path / "libs", tmp_path / "work"
    )

    if error_at_cold_start:
        assert failures == [
            "logged at ERROR level: ERROR handler: Failed to import WEBSOCKET_HANDLER_MODULE 'build.lambda-venv'"
        ]
    else:
        assert failures == []  # the stand-in passes every other check: only the logged error fails it


@pytest.fixture(scope="module")
def unpacked(rehearsal, runtime_venv, tmp_path_factory):
    """The tested artifact unzipped once, and the runtime's own libraries, for the handler runs below.

    Every run uses `-B`: /var/task is read-only on Lambda, and no run may leave bytecode behind
    that would hide, from the next one, a module the package ships only as source.
    """
    work = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(rehearsal.initial_package) as archive:
        archive.extractall(work / "package")
    libs = runtime_libs_dir(next((runtime_venv / "lib").glob("python3.*/site-packages")), work / "libs")
    return work / "package", libs


def run_packaged_handler(rehearsal, unpacked, python312, tmp_path, path, *python_flags):
    """The package's handler sent one API Gateway event, in a fresh, isolated python3.12."""
    package, libs = unpacked
    env = {
        k: v or "placeholder-value-for-a-secret-that-is-long-enough-0123456789"
        for k, v in rehearsal.expected_environment().items()
    }
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", PATH="/usr/bin:/bin", AWS_REGION="ca-central-1")
    event = api_gateway_event(path, "dev", "ca-central-1")
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); sys.path.append(sys.argv[2]); import handler; "
        "print('RESULT' + json.dumps(handler.lambda_handler(json.loads(sys.argv[3]), None)))"
    )
    proc = subprocess.run(
        [python312, "-I", "-B", *python_flags, "-c", code, str(package), str(libs), json.dumps(event)],
        cwd=package,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return package, json.loads(proc.stdout.split("RESULT", 1)[1]), proc.stderr


def test_the_handler_answers_through_api_gateway_with_the_stage_settings(rehearsal, unpacked, python312, tmp_path):
    """One more request, checked field by field: status, JSON body, HSTS (DEBUG is off)."""
    _, result, _ = run_packaged_handler(rehearsal, unpacked, python312, tmp_path, "/healthz")

    assert result["statusCode"] == 200
    assert json.loads(result["body"])["status"] == "ok"
    assert "max-age" in result["headers"].get("Strict-Transport-Security", "")
    # The database exists but was not migrated: /healthz needs only a connection.
    assert sqlite3.connect(tmp_path / "db.sqlite3").execute("select 1").fetchone() == (1,)


def test_a_cold_start_compiles_no_module_of_the_package(rehearsal, unpacked, python312, tmp_path):
    # /var/task is read-only: whatever the package holds only as source is compiled again at every
    # cold start. `-B` forbids writing bytecode as Lambda does; `-v` names each module's origin.
    package, result, trace = run_packaged_handler(rehearsal, unpacked, python312, tmp_path, "/healthz", "-v")

    assert result["statusCode"] == 200
    marker = "code object from "
    loaded = [line.split(marker, 1)[1].strip("'") for line in trace.splitlines() if marker in line]
    from_package = [path for path in loaded if path.startswith(str(package))]
    assert any(path.endswith("app/__pycache__/urls.cpython-312.pyc") for path in from_package)
    assert any(path.endswith("django/db/models/base.pyc") for path in from_package)
    assert [path for path in from_package if path.endswith(".py")] == []


def run_packaged_events(rehearsal, unpacked, python312, tmp_path, events, **env_overrides):
    """Several events sent in turn to the packaged handler, in one fresh python3.12 (one container)."""
    package, libs = unpacked
    env = {
        k: v or "placeholder-value-for-a-secret-that-is-long-enough-0123456789"
        for k, v in rehearsal.expected_environment().items()
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PATH="/usr/bin:/bin",
        AWS_REGION="ca-central-1",
        AWS_DEFAULT_REGION="ca-central-1",
        AWS_EC2_METADATA_DISABLED="true",
        **env_overrides,
    )
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); sys.path.append(sys.argv[2]); import handler\n"
        "results = [handler.lambda_handler(event, None) for event in json.loads(sys.argv[3])]\n"
        "print('RESULT' + json.dumps(results, default=str))"
    )
    proc = subprocess.run(
        [python312, "-I", "-B", "-c", code, str(package), str(libs), json.dumps(events)],
        cwd=package,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.split("RESULT", 1)[1]), proc.stdout


def scheduled_event(function):
    """What EventBridge sends for a rule Zappa named `<function name>-<dotted path>`."""
    return {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-11-28T12:00:00Z",
        "region": "ca-central-1",
        "resources": [f"arn:aws:events:ca-central-1:123456789012:rule/writing-sessions-dev-{function}"],
        "detail": {},
    }


def test_the_packaged_handler_runs_the_scheduled_functions(rehearsal, unpacked, python312, tmp_path):
    expire_one_token = (
        "import datetime\n"
        "from django.utils import timezone\n"
        "from app.accounts.models import AuthToken, User\n"
        "user = User.objects.create_user(email='old@example.com', password='an-old-passphrase-1')\n"
        "token, _ = AuthToken.objects.issue(user)\n"
        "AuthToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))\n"
        "AuthToken.objects.issue(user)\n"
    )
    results, stdout = run_packaged_events(
        rehearsal,
        unpacked,
        python312,
        tmp_path,
        [
            {"manage": "migrate --noinput"},
            {"raw_command": expire_one_token},
            scheduled_event("app.core.scheduled.clear_expired_tokens"),
            scheduled_event("app.core.scheduled.reconcile_payments"),
        ],
    )

    assert results[2] == {"command": "clear_expired_tokens", "ok": True}
    assert results[3] == {"command": "reconcile_payments", "ok": True}
    assert "clear_expired_tokens: 1 expired token deleted" in stdout
    assert "reconcile_payments: 0 completed, 0 failed" in stdout
    tokens = sqlite3.connect(tmp_path / "db.sqlite3").execute("select count(*) from accounts_authtoken").fetchone()
    assert tokens == (1,)  # the live one stays


def test_the_packaged_handler_routes_an_email_task_to_the_sending_function(rehearsal, unpacked, python312, tmp_path):
    from tests.integrations.recording_server import RecordingServer

    message = {
        "to_email": "nora@example.com",
        "to_name": "Nora",
        "template_setting": "FORGOT_PASSWORD",
        "params": {"first_name": "Nora", "forgot_password_url": "https://x/reset?token=t"},
        "local_template": "emails/forgot_password",
    }
    # What zappa.asynchronous sends when app.core.tasks dispatches the e-mail (tests/core/test_async_email.py).
    task_event = {
        "task_path": "app.core.tasks.send_email",
        "capture_response": False,
        "response_id": None,
        "args": [message],
        "kwargs": {},
        "command": "zappa.asynchronous.route_lambda_task",
    }
    with RecordingServer() as sendinblue:
        sendinblue.reply(201, {"messageId": "<1@relay>"})
        results, _ = run_packaged_events(
            rehearsal,
            unpacked,
            python312,
            tmp_path,
            [task_event],
            EMAIL_SERVICE="True",
            SENDINBLUE_API_KEY="task-test-key",
            SENDINBLUE_API_HOST=f"{sendinblue.url}/v3",
        )

    assert results == [True]
    (sent,) = sendinblue.requests
    assert sent.path == "/v3/smtp/email"
    assert sent.json["templateId"] == 7
    assert sent.json["to"] == [{"email": "nora@example.com", "name": "Nora"}]
    assert sent.json["params"]["forgot_password_url"] == "https://x/reset?token=t"


def test_the_package_draws_a_pdf_receipt_without_fonttools_accelerators_or_other_locales(
    rehearsal, unpacked, python312, tmp_path
):
    # fontTools (fpdf2's dependency) ships Cython sources and .so accelerators of modules it also has
    # in pure Python, and Django and its apps ship ~100 translations: zappa_settings.json leaves
    # them out to keep the package within its budget. fpdf2 must still draw a receipt as
    # app/store/receipt.py does (standard fonts, a table, Latin-1 French), from the package alone.
    with zipfile.ZipFile(rehearsal.initial_package) as archive:
        names = archive.namelist()
    assert [name for name in names if name.startswith("fpdf/")]
    assert not [name for name in names if name.startswith("fontTools/") and name.endswith((".c", ".so"))]
    assert "django/conf/locale/fr/LC_MESSAGES/django.mo" in names
    assert "rest_framework/locale/fr/LC_MESSAGES/django.mo" in names
    assert not [name for name in names if "/locale/de/" in name or "/locale/en_GB/" in name]

    package, libs = unpacked
    code = textwrap.dedent(
        """
        import sys, warnings
        sys.path.insert(0, sys.argv[1])
        sys.path.append(sys.argv[2])
        warnings.simplefilter("ignore")  # no Pillow in the package: fpdf2 says it draws no image
        from fpdf import FPDF

        pdf = FPDF(format="Letter")
        pdf.set_title("Reçu A-1")
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.multi_cell(0, 9, "Séances d'écriture", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        rows = (("Article", "Quantité", "Prix", "Montant"), ("Retraite", "1", "100,00\xa0$", "100,00\xa0$"))
        with pdf.table(col_widths=(90, 25, 35, 35), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT")) as table:
            for cells in rows:
                row = table.row()
                for cell in cells:
                    row.cell(cell)
        pdf.cell(150, 6, "TVQ", align="R")
        pdf.cell(35, 6, "9,98\xa0$", align="R", new_x="LMARGIN", new_y="NEXT")
        data = bytes(pdf.output())
        fonttools = [getattr(m, "__file__", None) or "" for n, m in sys.modules.items() if n.startswith("fontTools")]
        assert all(path.startswith(sys.argv[1]) for path in fonttools), fonttools
        import yaml  # PyYAML without its libyaml accelerator (left out too) still writes YAML

        assert not yaml.__with_libyaml__ and yaml.safe_dump({"titre": "Reçu"}, allow_unicode=True) == "titre: Reçu\\n"
        sys.stdout.buffer.write(data)
        """
    )
    proc = subprocess.run(
        [python312, "-I", "-B", "-c", code, str(package), str(libs)],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert proc.stdout.startswith(b"%PDF-") and proc.stdout.rstrip().endswith(b"%%EOF")
    assert b"Helvetica" in proc.stdout
