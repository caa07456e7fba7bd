"""deploy.sh refuses, before the stage changes, what would hurt it; stops cleanly when interrupted; rolls back truly.

Each probe is another checkout of the rehearsal's repository (same history, same moto stage), so
only what differs from the rehearsed deploy is rebuilt: a refusal happens before the build.
"""

import json
import os
import signal
import subprocess
import time

import pytest

SETTINGS = "zappa_settings.json"


def live(rehearsal):
    configuration = rehearsal.lambda_configuration()
    return configuration["CodeSha256"], configuration["Environment"]["Variables"]


def assert_left_clean(probe, proc):
    """The tracked settings as committed, no secrets' copy on disk, the lock released, no value printed."""
    committed = subprocess.run(
        ["git", "show", f"HEAD:{SETTINGS}"], cwd=probe.repo, capture_output=True, check=True
    ).stdout
    assert (probe.repo / SETTINGS).read_bytes() == committed
    assert not list((probe.repo / "build" / "secrets").glob("*.json")) if (probe.repo / "build").exists() else True
    assert probe.lock_item() is None
    for value in probe.secrets.values():
        assert value not in proc.stdout + proc.stderr


def test_an_older_commit_is_refused_naming_both_and_the_live_code_is_unchanged(rehearsal, tmp_path):
    probe = rehearsal.worktree(tmp_path / "older", rehearsal.initial_commit)
    before = live(rehearsal)

    proc = probe.deploy(timeout=300)

    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert f"{rehearsal.initial_commit} is OLDER than the live {rehearsal.head()}" in proc.stderr
    assert "./deploy.sh dev --allow-older" in proc.stderr
    assert "zappa package" not in proc.stdout  # refused before the build
    assert live(rehearsal) == before
    assert_left_clean(probe, proc)


def test_an_unrelated_commit_is_refused(rehearsal, tmp_path):
    probe = rehearsal.worktree(tmp_path / "unrelated", orphan=True)
    before = live(rehearsal)

    proc = probe.deploy(timeout=300)

    assert proc.returncode == 1
    assert f"{probe.head()} and the live {rehearsal.head()} are unrelated" in proc.stderr
    assert live(rehearsal) == before
    assert_left_clean(probe, proc)


def test_a_dirty_tree_is_refused_naming_the_files(rehearsal, tmp_path):
    probe = rehearsal.worktree(tmp_path / "dirty")
    (probe.repo / "app" / "scratch.py").write_text("DEBUG = True\n")
    with (probe.repo / "settings.py").open("a") as fh:
        fh.write("# a local edit\n")
    before = live(rehearsal)

    proc = probe.deploy(timeout=300)

    assert proc.returncode == 1
    assert "app/scratch.py" in proc.stderr and "settings.py" in proc.stderr
    assert "only committed code ships" in proc.stderr
    assert live(rehearsal) == before
    assert probe.lock_item() is None


def test_a_malformed_secret_is_refused_by_name_before_any_aws_call(rehearsal, tmp_path):
    probe = rehearsal.worktree(tmp_path / "malformed")
    bad = "postgress://rehearsal:not-shown-anywhere@127.0.0.1:5432/app"
    before = live(rehearsal)

    proc = probe.deploy(env=probe.env(DATABASE_URL=bad), timeout=300)

    assert proc.returncode == 1
    assert "DATABASE_URL does not start with a known scheme" in proc.stderr
    assert "not-shown-anywhere" not in proc.stdout + proc.stderr
    assert "] venv" not in proc.stdout  # stopped at the secrets step
    assert live(rehearsal) == before
    assert_left_clean(probe, proc)


def test_initial_on_an_existing_stage_gives_the_safe_command(rehearsal, tmp_path):
    probe = rehearsal.worktree(tmp_path / "initial-again")
    before = live(rehearsal)

    proc = probe.deploy("--initial", timeout=300)

    assert proc.returncode == 1
    assert "stage dev already exists" in proc.stderr
    assert "to update the stage: ./deploy.sh dev" in proc.stderr
    assert "next: zappa undeploy" not in proc.stderr
    assert live(rehearsal) == before
    assert_left_clean(probe, proc)


def test_a_mistyped_option_after_write_secure_env_leaves_no_secret_on_disk(rehearsal, tmp_path):
    probe = rehearsal.worktree(tmp_path / "typo")
    env = probe.env()
    filled = subprocess.run(
        ["python3", "write_secure_env.py", "dev"], cwd=probe.repo, env=env, capture_output=True, text=True
    )
    assert filled.returncode == 0, filled.stderr
    copy = probe.repo / "build" / "secrets" / "zappa_settings.dev.json"
    assert copy.exists()

    proc = probe.deploy("--inital", env=env, timeout=60)

    assert proc.returncode == 2
    assert "unknown option '--inital'" in proc.stderr and "--initial" in proc.stderr
    assert not copy.exists()
    assert_left_clean(probe, proc)


def test_a_second_deploy_of_the_stage_waits_for_the_lock_and_unlock_breaks_a_dead_one(rehearsal, tmp_path):
    probe = rehearsal.worktree(tmp_path / "locked")
    table = "writing-sessions-deploy-locks"
    dynamodb = rehearsal.client("dynamodb")
    held = {"stage": {"S": "dev"}, "owner": {"S": "other"}, "commit": {"S": "c0ffee"}, "host": {"S": "ci-runner"}}
    dynamodb.put_item(
        TableName=table,
        Item={**held, "started": {"N": str(int(time.time()))}, "expires": {"N": str(int(time.time()) + 600)}},
    )
    before = live(rehearsal)

    proc = probe.deploy(timeout=300)

    assert proc.returncode == 1
    assert "another deploy of stage dev holds the lock: commit c0ffee from ci-runner" in proc.stderr
    assert "./deploy.sh dev --unlock" in proc.stderr
    assert live(rehearsal) == before
    assert rehearsal.lock_item()["owner"]["S"] == "other"  # not ours: left alone

    unlocked = probe.deploy("--unlock", timeout=300)

    assert unlocked.returncode == 0, unlocked.stderr
    assert "broken by hand (held by commit c0ffee from ci-runner)" in unlocked.stdout
    assert rehearsal.lock_item() is None


def test_an_expired_lock_is_taken_over(rehearsal):
    dynamodb = rehearsal.client("dynamodb")
    dead = {"stage": {"S": "dev"}, "owner": {"S": "dead"}, "commit": {"S": "c0ffee"}, "host": {"S": "gone"}}
    dynamodb.put_item(
        TableName="writing-sessions-deploy-locks",
        Item={**dead, "started": {"N": "1"}, "expires": {"N": str(int(time.time()) - 1)}},
    )
    state = [str(rehearsal.venv / "bin" / "python"), "scripts/deploy_state.py"]
    env = rehearsal.env()

    taken = subprocess.run(
        [*state, "lock", "dev", "--owner", "me", "--commit", "abc"], cwd=rehearsal.repo, env=env, capture_output=True
    )
    again = subprocess.run(
        [*state, "lock", "dev", "--owner", "other", "--commit", "def"], cwd=rehearsal.repo, env=env, capture_output=True
    )
    subprocess.run([*state, "unlock", "dev", "--owner", "me"], cwd=rehearsal.repo, env=env, check=True)

    assert taken.returncode == 0 and again.returncode == 1
    assert rehearsal.lock_item() is None


# deploy.sh's steps in order. A kill is rehearsed on every test run at those before the stage changes
# (the cheap ones, and the longest build step); DEPLOY_KILL_EVERY_STEP=1 adds those that change it.
STEPS = [
    "checks", "secrets", "venv", "lock", "live commit", "snapshot", "collectstatic", "bytecode: compile the dep",
    "catalogs", "zappa package", "committed", "bytecode: compile what", "artifact smoke test", "release",
    "zappa update", "configuration", "zappa manage migrate", "health check",
]  # fmt: skip
BEFORE_THE_UPDATE = STEPS[: STEPS.index("zappa update")]
KILL_AT = ["checks", "secrets", "venv", "lock", "live commit", "snapshot", "zappa package"]
if os.environ.get("DEPLOY_KILL_EVERY_STEP") == "1":
    KILL_AT += ["release", "zappa update", "configuration", "zappa manage migrate"]


def stopped_at(stderr):
    """The step deploy.sh says it was interrupted at (one of STEPS)."""
    reported = stderr.split('INTERRUPTED (SIGINT) at step "', 1)[1].split('"', 1)[0]
    return next(step for step in STEPS if reported.startswith(step))


def deploy_killed_at(probe, step, sig=signal.SIGINT):
    """Run deploy.sh and send `sig` to its whole process group (as Ctrl-C or a CI cancel does) at `step`."""
    process = subprocess.Popen(
        ["./deploy.sh", "dev"],
        cwd=probe.repo,
        env=probe.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    out = []
    for line in process.stdout:
        out.append(line)
        if f"] {step}" in line:
            os.killpg(process.pid, sig)
            break
    rest, err = process.communicate(timeout=300)
    proc = subprocess.CompletedProcess(process.args, process.returncode, "".join(out) + rest, err)
    return proc


def test_a_deploy_killed_at_each_step_says_where_it_stood_and_leaves_the_settings_as_committed(rehearsal, tmp_path):
    probe = rehearsal.worktree(tmp_path / "killed")
    before = live(rehearsal)
    for step in KILL_AT:
        proc = deploy_killed_at(probe, step)

        assert proc.returncode == 130, (step, proc.stdout[-1500:], proc.stderr[-1500:])
        said = proc.stderr
        # The signal reaches the script a moment after the banner is read: at that step or, on a
        # loaded machine, a quick one after it; never before, and never across the update.
        reached = stopped_at(said)
        assert STEPS.index(step) <= STEPS.index(reached), (step, said[-1500:])
        assert (reached in BEFORE_THE_UPDATE) == (step in BEFORE_THE_UPDATE), (step, reached)
        assert "==== next: " in said
        if reached in BEFORE_THE_UPDATE:
            assert "nothing was changed on AWS" in said
            assert live(rehearsal) == before
        assert_left_clean(probe, proc)


@pytest.fixture
def failing_migrate(tmp_path):
    """`zappa` as on moto, except that `zappa manage STAGE migrate` fails as a broken migration would on Lambda."""
    wrapper = tmp_path / "zappa_failing_migrate"
    wrapper.write_text(
        "#!/usr/bin/env bash\n"
        'if [ "$1" = manage ]; then echo "django.db.utils.ProgrammingError: migration failed" >&2; exit 1; fi\n'
        'exec python3 scripts/zappa_on_moto.py "$@"\n'  # the deploy venv's python, in the project
    )
    wrapper.chmod(0o755)
    return wrapper


def test_a_failure_after_the_update_restores_the_previous_code_and_configuration(rehearsal, tmp_path, failing_migrate):
    probe = rehearsal.worktree(tmp_path / "rollback")
    probe.edit_settings(
        lambda config: config["dev"]["aws_environment_variables"].update(LOG_LEVEL="DEBUG"), "a setting changes"
    )
    before = live(rehearsal)

    proc = probe.deploy(env=probe.env(DEPLOY_ZAPPA=str(failing_migrate)), timeout=600)

    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("==== FAILED: migrate; ROLLED BACK: stage dev runs what it ran before this deploy")
    assert "ROLLBACK FAILED" not in proc.stderr
    assert live(rehearsal) == before  # code and configuration (LOG_LEVEL, APP_COMMIT) as before
    assert json.loads(json.dumps(before[1]))["APP_COMMIT"] == rehearsal.head()
    assert_left_clean(probe, proc)


def test_a_restore_that_cannot_put_the_code_back_says_so_and_fails(rehearsal, tmp_path):
    # A stage last deployed before releases were kept: no copy of the code to go back to.
    configuration = rehearsal.lambda_configuration()
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(
        json.dumps(
            {
                "exists": True,
                "commit": "0" * 40,
                "code_sha256": "an older code's hash",
                "environment": configuration["Environment"]["Variables"],
                "release": None,
            }
        )
    )
    state = [str(rehearsal.venv / "bin" / "python"), "scripts/deploy_state.py", "restore", "dev"]

    proc = subprocess.run(
        [*state, "--snapshot", str(snapshot)], cwd=rehearsal.repo, env=rehearsal.env(), capture_output=True, text=True
    )

    assert proc.returncode == 3
    assert "NOT restored: code (no kept copy of it)" in proc.stderr
    assert "restored" not in proc.stdout
