"""What every benchmark shares: production settings, the stamp printed beside its figures, and
another commit of this repository checked out in a temporary worktree to measure side by side.

A figure means something only with the commit it was measured on, the date and the machine's load
(a 2-core machine shared with other work): `stamp()` gives all three in one line.
"""

import contextlib
import datetime
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def production_env(database: Path | str, **extra: str) -> dict[str, str]:
    """Settings as a deployed stage has them (DEBUG off), with a throwaway sqlite database."""
    return {
        "DJANGO_SETTINGS_MODULE": "settings",
        "DEBUG": "False",
        "SECRET_KEY": "benchmark-only-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DATABASE_URL": f"sqlite:///{database}",
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "False",  # in-process requests are plain HTTP; the stages answer HTTPS
        "THROTTLE_USER": "1000000/min",
        "THROTTLE_ANON": "1000000/min",
        **extra,
    }


def collect_static(tree: Path = ROOT) -> None:
    """Collect the static files into STATIC_ROOT, as deploy.sh does: DEBUG-off pages link to them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(production_env(Path(tempfile.gettempdir()) / "unused-bench.sqlite3"))
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=tree, env=env, check=True)


def commit(tree: Path = ROOT) -> str:
    """The checked-out commit, short, with `+changes` when the tree differs from it."""
    head = git(tree, "rev-parse", "--short", "HEAD")
    dirty = git(tree, "status", "--porcelain", "--untracked-files=no")
    return head + ("+changes" if dirty else "")


def stamp() -> str:
    """`commit abc1234, 2026-12-04 20:50 UTC, load 1.2 3.4 5.6`: printed beside every figure."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"commit {commit()}, {now}, load average {load} (2-core machine)"


def git(tree: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=tree, check=True, capture_output=True, text=True).stdout.strip()


@contextlib.contextmanager
def worktree_at(revision: str):
    """`revision` checked out (detached) in a temporary `git worktree` under /tmp, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-worktree-") as parent:
        path = Path(parent) / "tree"
        git(ROOT, "worktree", "add", "--detach", str(path), revision)
        try:
            yield path
        finally:
            git(ROOT, "worktree", "remove", "--force", str(path))
