"""Both pipelines run the whole suite twice: on sqlite (as `make test` does here) and on PostgreSQL
(TEST_DATABASE_URL, the explicit opt-in of settings.py), each through the same `.ci/run`."""

from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_github_actions_has_a_sqlite_job_and_a_postgresql_job():
    jobs = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())["jobs"]
    sqlite, postgres = jobs["test"], jobs["test-postgres"]
    assert "TEST_DATABASE_URL" not in sqlite["env"]
    for job in (sqlite, postgres):
        assert [step["run"] for step in job["steps"] if "run" in step] == [".ci/run"]
        assert job["env"]["CI"] == "true" and job["container"] == sqlite["container"]
    service = postgres["services"]["postgres"]
    assert service["image"].startswith("postgres:")
    suite = urlsplit(postgres["env"]["TEST_DATABASE_URL"])
    assert (suite.scheme, suite.hostname, suite.port) == ("postgres", "postgres", 5432)  # the service
    assert (suite.username, suite.password) == (service["env"]["POSTGRES_USER"], service["env"]["POSTGRES_PASSWORD"])
    # Its own database, apart from the one the concurrency tests copy theirs from.
    assert suite.path != urlsplit(postgres["env"]["POSTGRES_TEST_URL"]).path


def test_travis_runs_the_suite_on_sqlite_then_on_postgresql():
    travis = yaml.safe_load((ROOT / ".travis.yml").read_text())
    sqlite, postgres = travis["script"]
    for run in (sqlite, postgres):
        assert "--network host" in run and "-e CI=true" in run and run.rstrip().endswith(".ci/run")
    assert "TEST_DATABASE_URL" not in sqlite
    url = next(word for word in postgres.split() if word.startswith("TEST_DATABASE_URL=")).split("=", 1)[1]
    suite = urlsplit(url)
    assert (suite.scheme, suite.hostname, suite.port) == ("postgres", "127.0.0.1", 5432)  # the container started
    assert "postgres:15" in " ".join(travis["before_script"])
    assert len(travis["deploy"]) == 1  # one job: the deploy still runs once
