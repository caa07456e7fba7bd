import json

from tests.core.subprocess_env import UNREACHABLE_POSTGRES, run_python


def test_healthz_reports_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["version"]


def test_healthz_is_503_with_json_when_the_database_is_unreachable():
    # A real process outside test mode, pointed at a PostgreSQL port where nothing listens.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz', HTTP_HOST='127.0.0.1');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    result = run_python(["-c", script], DEBUG="True", DATABASE_URL=UNREACHABLE_POSTGRES)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["body"]["database"] == "unreachable"
    assert "nobody" not in result.stdout  # the database URL's user never reaches the client


def test_healthz_reports_the_commit_deploy_sh_recorded(client, db, settings):
    settings.APP_COMMIT = "0123456789abcdef0123456789abcdef01234567"

    assert client.get("/healthz").json()["commit"] == "0123456789abcdef0123456789abcdef01234567"


def test_healthz_refuses_post(client, db):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"  # tells the caller what it may send instead
