"""scripts/secret_sources.py: secrets from the environment or from SSM Parameter Store (moto on 127.0.0.1)."""

import re
from pathlib import Path

import boto3
import pytest
from secret_sources import (
    SecretsMissing,
    SourceUnavailable,
    check_report,
    collect,
    digest,
    from_environment,
    from_ssm,
)

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["SECRET_KEY", "DATABASE_URL", "PAYSAFE_PASSWORD"]


def ssm(endpoint, calls=None):
    client = boto3.client(
        "ssm",
        endpoint_url=endpoint,
        region_name="ca-central-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    if calls is not None:
        client.meta.events.register("before-call.ssm.*", lambda model, **_: calls.append(model.name))
    return client


@pytest.fixture
def project(request, moto_server):
    """A project name of its own per test: the moto server is shared by the whole session."""
    name = re.sub(r"[^a-z0-9]", "-", request.node.name.lower())[:40]
    client = ssm(moto_server.url)

    def put(stage, name_, value, kind="SecureString"):
        client.put_parameter(Name=f"/{name}/{stage}/{name_}", Value=value, Type=kind, Overwrite=True)

    put.name = name
    return put


def test_reads_every_secret_of_the_stage_across_pages_in_one_paginated_call(project, moto_server):
    for index in range(12):  # more than one page (10 a page)
        project("production", f"EXTRA_{index}", f"extra-{index}")
    for name in NAMES:
        project("production", name, f"prod-{name.lower()}")
    project("dev", "SECRET_KEY", "dev-secret-key")
    project("production", "nested/SECRET_KEY", "not-this-one")
    calls = []

    secrets = from_ssm([*NAMES, "EXTRA_11"], "production", project.name, ssm(moto_server.url, calls))

    assert {name: s.value for name, s in secrets.items()} == {
        "SECRET_KEY": "prod-secret_key",
        "DATABASE_URL": "prod-database_url",
        "PAYSAFE_PASSWORD": "prod-paysafe_password",
        "EXTRA_11": "extra-11",
    }
    assert secrets["DATABASE_URL"].origin == f"ssm:/{project.name}/production/DATABASE_URL"
    assert set(calls) == {"GetParametersByPath"} and len(calls) == 2  # 16 parameters: two pages, one request each


def test_a_missing_parameter_gives_nothing_and_names_only_the_missing_ones(project, moto_server):
    project("production", "SECRET_KEY", "prod-secret-value-1")
    project("dev", "DATABASE_URL", "dev-database-value")  # another stage's value is never a fallback

    with pytest.raises(SecretsMissing) as raised:
        collect(NAMES, "production", project.name, "ssm", environ={}, client=ssm(moto_server.url))

    assert raised.value.names == ["DATABASE_URL", "PAYSAFE_PASSWORD"]
    message = str(raised.value)
    assert "DATABASE_URL" in message and f"/{project.name}/production/" in message
    assert "prod-secret-value-1" not in message and "dev-database-value" not in message


def test_an_unreachable_parameter_store_is_a_clear_error_without_values(unused_port):
    client = ssm(f"http://127.0.0.1:{unused_port}")
    client.meta.config.retries = {"max_attempts": 1}

    with pytest.raises(SourceUnavailable, match="unreachable"):
        from_ssm(NAMES, "dev", "demo", client)


def test_a_refused_read_names_the_error_code_only(project, moto_server):
    client = ssm(moto_server.url)

    def deny(**_):
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "secret-ish text"}}, "Get")

    client.meta.events.register("before-call.ssm.GetParametersByPath", deny)
    with pytest.raises(SourceUnavailable) as raised:
        from_ssm(NAMES, "dev", project.name, client)
    assert "AccessDeniedException" in str(raised.value) and "secret-ish" not in str(raised.value)


@pytest.fixture
def unused_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_stage_scoped_environment_name_wins_over_the_plain_one():
    environ = {
        "DATABASE_URL": "postgres://dev-db/app",
        "PRODUCTION_DATABASE_URL": "postgres://prod-db/app",
        "SECRET_KEY": "shared-key",
        "PAYSAFE_PASSWORD": "pw",
    }

    production = from_environment(NAMES, "production", environ)
    dev = from_environment(NAMES, "dev", environ)

    assert production["DATABASE_URL"].value == "postgres://prod-db/app"
    assert production["DATABASE_URL"].origin == "PRODUCTION_DATABASE_URL"
    assert production["SECRET_KEY"].origin == "SECRET_KEY"
    assert dev["DATABASE_URL"].value == "postgres://dev-db/app"
    assert from_environment(["X"], "dev-2", {"DEV_2_X": "v"})["X"].origin == "DEV_2_X"


def test_an_empty_environment_value_is_missing_and_never_printed():
    with pytest.raises(SecretsMissing) as raised:
        from_environment(NAMES, "production", {"SECRET_KEY": "k-value", "PRODUCTION_DATABASE_URL": ""})
    assert raised.value.names == ["DATABASE_URL", "PAYSAFE_PASSWORD"]
    assert "k-value" not in str(raised.value)


def test_the_check_report_tells_two_stages_values_apart_without_printing_them():
    environ = {"DATABASE_URL": "postgres://dev-db/app", "PRODUCTION_DATABASE_URL": "postgres://prod-db/app"}
    dev = check_report(from_environment(["DATABASE_URL"], "dev", environ))
    production = check_report(from_environment(["DATABASE_URL"], "production", environ))
    same = check_report(from_environment(["DATABASE_URL"], "staging", environ))

    assert dev != production
    assert dev == same  # staging has no scoped value: it would get dev's, and the digests show it
    assert production == [f"DATABASE_URL: from PRODUCTION_DATABASE_URL, digest {digest('postgres://prod-db/app')}"]
    for line in dev + production:
        assert "db/app" not in line
    assert len(digest("x")) == 6 and digest("x") == digest("x") != digest("y")


def test_a_secret_in_a_traceback_shows_no_value():
    secret = from_environment(["SECRET_KEY"], "dev", {"SECRET_KEY": "visible-if-leaked"})["SECRET_KEY"]
    assert "visible-if-leaked" not in repr(secret) and "visible-if-leaked" not in repr({"SECRET_KEY": secret})
    assert secret == "visible-if-leaked" and secret.origin == "SECRET_KEY"  # written as the plain value


def test_the_application_never_reads_parameter_store_at_cold_start():
    # The values reach the function as its configuration at deploy time; the app has no SSM code path.
    sources = [ROOT / "settings.py", *sorted((ROOT / "app").rglob("*.py"))]
    readers = [path for path in sources if re.search(r"""["']ssm["']|get_parameters?\(""", path.read_text())]
    assert readers == []
