"""Run project commands in a fresh interpreter, as a user or Lambda would."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A PostgreSQL URL where nothing listens: any attempt to use it fails at once.
UNREACHABLE_POSTGRES = "postgres://nobody:wrong@127.0.0.1:1/nowhere"


def clean_env(**overrides):
    """The current environment without the project's settings variables, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    for name in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "TESTING", "TEST_DATABASE_URL"):
        env.pop(name, None)
    env["DJANGO_SETTINGS_MODULE"] = "settings"
    env.update(overrides)
    return env


def run_python(args, timeout=120, **env_overrides):
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean_env(**env_overrides),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
