"""write_secure_env.py: an owner-only filled copy of the settings; each secret's shape checked, never printed."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "write_secure_env.py"
sys.path.insert(0, str(ROOT))

from write_secure_env import SOURCES, secret_names  # noqa: E402

SETTINGS = {
    "dev": {
        "project_name": "demo",
        "deploy": {
            "secrets": ["SECRET_KEY", "DATABASE_URL", "PAYSAFE_ACCOUNT_NUMBER"],
            "email_templates": ["INVOICE"],
        },
        "aws_environment_variables": {"DEBUG": "False", "ORGANIZATION": "Demo", "INVOICE": "8", "INVOICE_FR": "0"},
    },
    "staging": {"extends": "dev", "s3_bucket": "staging-bucket"},
    "production": {
        "extends": "dev",
        "deploy": {"require_email_templates": True},
        "aws_environment_variables": {"DEBUG": "False", "INVOICE": "8", "INVOICE_FR": "0"},
    },
}
SECRETS = {
    "SECRET_KEY": 'k3y-with "quotes" \\ and é, long enough to pass Django\'s own rule: 50+',
    "DATABASE_URL": "postgres://u:p%40ss@db.internal:5432/app",
    "PAYSAFE_ACCOUNT_NUMBER": "1001234567",
}


@pytest.fixture
def settings_file(tmp_path):
    path = tmp_path / "zappa_settings.json"
    path.write_text(json.dumps(SETTINGS, indent=2, ensure_ascii=False) + "\n")
    return path


def run(settings_file, *args, env=SECRETS):
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    output = settings_file.parent / "secrets" / "filled.json"
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--settings", str(settings_file), "--output", str(output), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def filled(settings_file):
    return json.loads((settings_file.parent / "secrets" / "filled.json").read_text())


def assert_no_value_printed(proc, values=SECRETS):
    for value in values.values():
        assert value not in proc.stdout + proc.stderr


def test_the_copy_holds_the_secrets_and_the_tracked_file_is_untouched(settings_file):
    before = settings_file.read_bytes()

    proc = run(settings_file)

    assert proc.returncode == 0, proc.stderr
    assert settings_file.read_bytes() == before
    env = filled(settings_file)["dev"]["aws_environment_variables"]
    assert env == {**SETTINGS["dev"]["aws_environment_variables"], **SECRETS}
    copy = settings_file.parent / "secrets" / "filled.json"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    assert "SECRET_KEY" in proc.stdout and "DATABASE_URL" in proc.stdout
    assert_no_value_printed(proc)
    assert run(settings_file, "--verify").returncode == 0


def test_a_stage_that_extends_another_gets_its_own_filled_environment(settings_file):
    proc = run(settings_file, "staging")

    assert proc.returncode == 0, proc.stderr
    copy = filled(settings_file)
    assert copy["staging"]["aws_environment_variables"]["DATABASE_URL"] == SECRETS["DATABASE_URL"]
    assert "DATABASE_URL" not in copy["dev"]["aws_environment_variables"]  # only the deployed stage holds secrets


def test_a_missing_variable_is_named_and_nothing_is_written(settings_file):
    proc = run(settings_file, "dev", env={"SECRET_KEY": SECRETS["SECRET_KEY"], "DATABASE_URL": ""})

    assert proc.returncode == 1
    assert "DATABASE_URL" in proc.stderr and "PAYSAFE_ACCOUNT_NUMBER" in proc.stderr
    assert "missing" in proc.stderr and "SECRET_KEY" not in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (settings_file.parent / "secrets" / "filled.json").exists()
    assert_no_value_printed(proc)


@pytest.mark.parametrize(
    ("name", "bad", "said"),
    [
        ("DATABASE_URL", "postgress://u:secretpw@db.internal:5432/app", "known scheme"),
        ("DATABASE_URL", "postgres://u:secretpw@db.internal:port/app", "does not parse"),
        ("DATABASE_URL", "postgres://u:secretpw@/", "no host or no database"),
        ("SECRET_KEY", "short-secret-value", "shorter than 50"),
        ("PAYSAFE_ACCOUNT_NUMBER", "1001-2345-secret", "not a number"),
        ("PAYSAFE_ACCOUNT_NUMBER", "1001234567\n", "control character"),
        ("SECRET_KEY", " " + SECRETS["SECRET_KEY"], "surrounding spaces"),
    ],
)
def test_a_malformed_secret_is_named_never_printed_and_nothing_is_written(settings_file, name, bad, said):
    proc = run(settings_file, env={**SECRETS, name: bad})

    assert proc.returncode == 1
    assert f"{name} " in proc.stderr and said in proc.stderr
    assert_no_value_printed(proc, {name: bad.strip()})
    assert not (settings_file.parent / "secrets" / "filled.json").exists()


def test_production_refuses_unset_or_zero_template_ids_french_included(settings_file):
    proc = run(settings_file, "production")

    assert proc.returncode == 1
    assert "INVOICE_FR" in proc.stderr and "e-mail template" in proc.stderr
    assert "INVOICE," not in proc.stderr and not proc.stderr.rstrip().endswith("INVOICE")
    assert run(settings_file, "dev").returncode == 0  # dev may fall back to the English template


def test_verify_refuses_a_copy_made_from_other_settings_or_edited_by_hand(settings_file):
    assert run(settings_file).returncode == 0
    copy_path = settings_file.parent / "secrets" / "filled.json"
    copy = json.loads(copy_path.read_text())
    copy["dev"]["aws_environment_variables"]["DATABASE_URL"] = "mysql://u:p@h/db"
    copy_path.write_text(json.dumps(copy))
    edited = run(settings_file, "--verify")
    assert edited.returncode == 1 and "DATABASE_URL" in edited.stderr

    assert run(settings_file).returncode == 0
    changed = json.loads(settings_file.read_text())
    changed["dev"]["aws_environment_variables"]["ORGANIZATION"] = "Changed"
    settings_file.write_text(json.dumps(changed))
    stale = run(settings_file, "--verify")
    assert stale.returncode == 1 and "another version of the settings" in stale.stderr


def test_check_reports_without_writing(settings_file):
    proc = run(settings_file, "--check", "dev")

    assert proc.returncode == 0
    assert "SECRET_KEY" in proc.stdout
    assert not (settings_file.parent / "secrets").exists()
    assert_no_value_printed(proc)


def test_an_unknown_stage_is_a_clear_error(settings_file):
    proc = run(settings_file, "nope")

    assert proc.returncode == 2
    assert "stage 'nope' is not defined" in proc.stderr and "Traceback" not in proc.stderr


def test_names_lists_the_stages_secrets_along_extends(settings_file):
    proc = run(settings_file, "--names", "staging", env={})

    assert proc.returncode == 0
    assert proc.stdout.split() == ["SECRET_KEY", "DATABASE_URL", "PAYSAFE_ACCOUNT_NUMBER"]


def test_a_secret_also_in_the_committed_environment_is_refused(settings_file):
    clash = json.loads(json.dumps(SETTINGS))
    clash["dev"]["aws_environment_variables"]["SECRET_KEY"] = ""
    settings_file.write_text(json.dumps(clash))

    proc = run(settings_file, "--names")

    assert proc.returncode == 2 and "SECRET_KEY must not be in aws_environment_variables" in proc.stderr


def test_a_source_is_a_function_from_names_to_values():
    # Another source (SSM, a vault) is one more entry of SOURCES with the same shape.
    source = SOURCES["env"]({"SECRET_KEY": "x" * 60, "DATABASE_URL": ""})

    assert source(secret_names(SETTINGS, "dev"), "dev") == {"SECRET_KEY": "x" * 60}


def test_the_committed_production_stage_is_refused_until_its_template_ids_are_set(tmp_path):
    good = {
        "SECRET_KEY": "k" * 30 + "-0123456789abcdefghij",
        "DATABASE_URL": "postgres://u:p@db.internal:5432/app",
        "SENDINBLUE_API_KEY": "xkeysib-0123456789abcdef",
        "EMAIL_HOST_PASSWORD": "smtp-password",
        "PAYSAFE_ACCOUNT_NUMBER": "1001234567",
        "PAYSAFE_USER": "user",
        "PAYSAFE_PASSWORD": "password",
    }
    clean = {k: v for k, v in os.environ.items() if k not in good and not k.startswith("PRODUCTION_")}
    command = [sys.executable, str(SCRIPT), "--output", str(tmp_path / "copy.json"), "--check"]

    production = subprocess.run([*command, "production"], env={**clean, **good}, capture_output=True, text=True)
    dev = subprocess.run([*command, "dev"], env={**clean, **good}, capture_output=True, text=True)

    assert production.returncode == 1
    for name in ("RESERVATION_CONFIRMED", "RESERVATION_CONFIRMED_FR", "CONFIRM_SIGN_UP_FR", "INVOICE_FR"):
        assert name in production.stderr
    assert dev.returncode == 0, dev.stderr
