"""Databases of their own on a real PostgreSQL server, for the tests that must see PostgreSQL itself
(row locks under concurrent requests, integer ranges, limits shared by several processes).

Needs POSTGRES_TEST_URL, a role allowed to CREATE DATABASE; `.ci/run` starts PostgreSQL and sets it.
Without it these tests skip, except in CI (`CI=true`), where they fail: there they must run.

Migrating a database takes seconds; copying one takes a fraction of a second. So the migrations
run once, into a template database named after a fingerprint of every migration and of the pinned
requirements (`<db>_tpl_<fingerprint>`), and each test's database is a copy of it
(`CREATE DATABASE ... TEMPLATE`). A PostgreSQL advisory lock makes the xdist workers build it once
between them; a template whose build was interrupted is never used (it is renamed only when
migrated), and templates of older migrations are dropped. The template stays on the server
between runs, like a cache: `DROP DATABASE` it at will, the next run builds it again.
"""

import hashlib
import json
import os
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.core.subprocess_env import ROOT, run_python

POSTGRES_URL = os.environ.get("POSTGRES_TEST_URL", "")
IN_CI = os.environ.get("CI") == "true"
HOW = (
    "Set POSTGRES_TEST_URL=postgres://writing:writing@127.0.0.1:5432/writing_test "
    "(a role with CREATEDB) to run it; .ci/run starts PostgreSQL and sets it."
)
# Collected in CI even without the URL, so that `database()` fails there instead of skipping.
needs_postgres = pytest.mark.skipif(not POSTGRES_URL and not IN_CI, reason=f"PostgreSQL test skipped. {HOW}")


def skip_or_fail(reason):
    if IN_CI:
        pytest.fail(f"{reason} In CI the PostgreSQL tests must run.")
    pytest.skip(reason)


def _fingerprint():
    """Changes whenever a migration or a pinned requirement (Django, simple-history...) changes."""
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("app/*/migrations/*.py"), ROOT / "requirements.txt"]):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _url(name):
    return urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))


def _base_name():
    return urlsplit(POSTGRES_URL).path.lstrip("/") or "writing_test"


@contextmanager
def _server():
    """An autocommit connection to the maintenance database (CREATE/DROP DATABASE cannot run in a transaction)."""
    if not POSTGRES_URL:
        skip_or_fail(f"PostgreSQL test skipped: POSTGRES_TEST_URL is not set. {HOW}")
    psycopg2 = pytest.importorskip("psycopg2")
    parts = urlsplit(POSTGRES_URL)
    try:
        connection = psycopg2.connect(_url("postgres"), connect_timeout=5)
    except psycopg2.OperationalError as error:
        skip_or_fail(f"PostgreSQL unreachable at {parts.hostname}:{parts.port} ({type(error).__name__}). {HOW}")
    connection.autocommit = True
    try:
        yield connection.cursor()
    finally:
        connection.close()


def _migrated_template(cursor):
    """The name of a migrated template database, built by the first worker that needs it."""
    base = _base_name()
    template = f"{base}_tpl_{_fingerprint()}"
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
    if cursor.fetchone():
        return template
    building = f"{template}_building"
    cursor.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
    cursor.execute(f'CREATE DATABASE "{building}"')
    migrated = run_python(["manage.py", "migrate", "--noinput"], timeout=300, DEBUG="True", DATABASE_URL=_url(building))
    assert migrated.returncode == 0, f"migrating the PostgreSQL template failed: {migrated.stderr[-2000:]}"
    cursor.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
    cursor.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s", [f"{base}_tpl_%", template]
    )
    for (stale,) in cursor.fetchall():
        cursor.execute(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
    return template


@contextmanager
def database(purpose):
    """A migrated database of this test's own (`<db>_<purpose>_<xdist worker>`), dropped afterwards: its URL."""
    name = f"{_base_name()}_{purpose}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    with _server() as cursor:
        # One worker builds the template while the others wait; copies are made under the lock too,
        # as PostgreSQL refuses to copy a database that another session is connected to.
        cursor.execute("SELECT pg_advisory_lock(hashtext('writing-sessions test template'))")
        try:
            template = _migrated_template(cursor)
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext('writing-sessions test template'))")
        try:
            yield _url(name)
        finally:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_race(module, database_url, *args):
    """`python -m module *args` against `database_url` (DEBUG on, the test payment gateway): the
    race scripts' JSON, the last line they print."""
    env = {"DATABASE_URL": database_url, "DEBUG": "True", "PAYMENT_GATEWAY": "test", "LOG_LEVEL": "WARNING"}
    raced = run_python(["-m", module, *args], timeout=300, **env)
    assert raced.returncode == 0, raced.stderr[-2000:]
    return json.loads(raced.stdout.strip().splitlines()[-1])
