"""write_secure_env.py: fills a stage's empty values from the environment, never prints one, all or nothing."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "write_secure_env.py"

SETTINGS = {
    "dev": {
        "project_name": "demo",
        "aws_environment_variables": {"DEBUG": "False", "SECRET_KEY": "", "DATABASE_URL": "", "ORGANIZATION": "Demo"},
    },
    "staging": {"extends": "dev", "s3_bucket": "staging-bucket"},
    "production": {
        "extends": "dev",
        "aws_environment_variables": {"DEBUG": "False", "SECRET_KEY": "", "PAYSAFE_PASSWORD": ""},
    },
}
SECRETS = {
    "SECRET_KEY": 'k3y-with "quotes" \\ and é',
    "DATABASE_URL": "postgres://u:p%40ss@db.internal:5432/app",
    "PAYSAFE_PASSWORD": "pay-s3cret-value",
}


@pytest.fixture
def settings_file(tmp_path):
    path = tmp_path / "zappa_settings.json"
    path.write_text(json.dumps(SETTINGS, indent=2, ensure_ascii=False) + "\n")
    return path


def run(settings_file, *args, env=SECRETS):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "PAYSAFE_PASSWORD")}
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--settings", str(settings_file), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def assert_no_value_printed(proc):
    for value in SECRETS.values():
        assert value not in proc.stdout + proc.stderr


def test_fills_the_empty_values_of_the_default_stage_and_keeps_order_and_layout(settings_file):
    proc = run(settings_file)

    assert proc.returncode == 0, proc.stderr
    filled = json.loads(settings_file.read_text())
    env = filled["dev"]["aws_environment_variables"]
    assert env == {
        "DEBUG": "False",
        "SECRET_KEY": SECRETS["SECRET_KEY"],
        "DATABASE_URL": SECRETS["DATABASE_URL"],
        "ORGANIZATION": "Demo",
    }
    assert list(env) == ["DEBUG", "SECRET_KEY", "DATABASE_URL", "ORGANIZATION"]
    assert list(filled) == ["dev", "staging", "production"]
    # The layout is the committed one: only the filled values differ.
    expected = json.loads(json.dumps(SETTINGS))
    expected["dev"]["aws_environment_variables"].update(
        SECRET_KEY=SECRETS["SECRET_KEY"], DATABASE_URL=SECRETS["DATABASE_URL"]
    )
    assert settings_file.read_text() == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    assert "SECRET_KEY" in proc.stdout and "DATABASE_URL" in proc.stdout
    assert_no_value_printed(proc)


def test_a_stage_without_its_own_variables_fills_those_of_the_stage_it_extends(settings_file):
    proc = run(settings_file, "staging")

    assert proc.returncode == 0, proc.stderr
    filled = json.loads(settings_file.read_text())
    assert filled["dev"]["aws_environment_variables"]["DATABASE_URL"] == SECRETS["DATABASE_URL"]
    assert "aws_environment_variables" not in filled["staging"]
    assert filled["production"]["aws_environment_variables"]["SECRET_KEY"] == ""


def test_a_stage_with_its_own_variables_fills_only_those(settings_file):
    proc = run(settings_file, "production")

    assert proc.returncode == 0, proc.stderr
    filled = json.loads(settings_file.read_text())
    assert filled["production"]["aws_environment_variables"]["PAYSAFE_PASSWORD"] == SECRETS["PAYSAFE_PASSWORD"]
    assert filled["dev"]["aws_environment_variables"]["SECRET_KEY"] == ""


def test_a_missing_variable_is_named_and_nothing_is_written(settings_file):
    before = settings_file.read_bytes()
    env = {"SECRET_KEY": SECRETS["SECRET_KEY"], "DATABASE_URL": ""}  # empty counts as missing

    proc = run(settings_file, "dev", "production", env=env)

    assert proc.returncode == 1
    assert "DATABASE_URL" in proc.stderr and "PAYSAFE_PASSWORD" in proc.stderr
    assert "SECRET_KEY" not in proc.stderr  # only the missing ones are named
    assert "Traceback" not in proc.stderr
    assert settings_file.read_bytes() == before
    assert_no_value_printed(proc)


def test_check_reports_what_would_be_filled_without_writing(settings_file):
    before = settings_file.read_bytes()

    proc = run(settings_file, "--check", "dev")

    assert proc.returncode == 0
    assert "SECRET_KEY" in proc.stdout and "DATABASE_URL" in proc.stdout
    assert settings_file.read_bytes() == before
    assert_no_value_printed(proc)

    missing = run(settings_file, "--check", "production", env={})
    assert missing.returncode == 1 and "PAYSAFE_PASSWORD" in missing.stderr


def test_the_file_is_replaced_atomically_and_keeps_its_mode(settings_file):
    settings_file.chmod(0o640)
    inode = settings_file.stat().st_ino

    proc = run(settings_file)

    assert proc.returncode == 0
    # A new file renamed over the old one: a reader never sees a half-written file.
    assert settings_file.stat().st_ino != inode
    assert settings_file.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in settings_file.parent.iterdir()] == ["zappa_settings.json"]


def test_an_unknown_stage_is_a_clear_error(settings_file):
    proc = run(settings_file, "nope")

    assert proc.returncode == 2
    assert "stage 'nope' is not defined" in proc.stderr and "Traceback" not in proc.stderr


def test_names_lists_what_the_stage_takes_from_the_environment(settings_file):
    proc = run(settings_file, "--names", "staging", env={})

    assert proc.returncode == 0
    assert proc.stdout.split() == ["SECRET_KEY", "DATABASE_URL"]


def test_matches_accepts_filled_values_only(settings_file, tmp_path):
    base = tmp_path / "base.json"
    base.write_bytes(settings_file.read_bytes())
    assert run(settings_file).returncode == 0

    assert run(settings_file, "--matches", str(base)).returncode == 0
    edited = json.loads(settings_file.read_text())
    edited["dev"]["aws_environment_variables"]["ORGANIZATION"] = "Changed"
    settings_file.write_text(json.dumps(edited, indent=2) + "\n")
    assert run(settings_file, "--matches", str(base)).returncode == 1
