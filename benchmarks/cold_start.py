"""Lambda cold-start proxy: this project against a bare Django `startproject` with one JSON view.

Each sample is a fresh Python process that goes from nothing to: the WSGI module Lambda enters
imported (settings loaded, app built) -> one response, in-process (no server). For this project
the module is `app/wsgi.py` and the response a token-authenticated API list; for the baseline,
`bare/wsgi.py` and one JSON view. A third side, "plain", is this project built with Django's
`get_wsgi_application()` alone: the difference is what app/wsgi.py's cold-start steps save.
Prints the medians, that saving and the ratio project/bare (target: at most 1.3).

Both sides run in a virtualenv that holds only `requirements.txt`, as the Lambda package does
(test tools such as pytest pull in optional imports that DRF would otherwise load). It is
built once in `build/bench-venv` and reused while requirements.txt is unchanged.

Both sides import from bytecode, as the Lambda package does (deploy.sh ships every module
compiled): the children write their .pyc files to a temporary PYTHONPYCACHEPREFIX during an
unmeasured warm-up run, whatever PYTHONDONTWRITEBYTECODE says in the caller's environment.
Without this, a machine that sets PYTHONDONTWRITEBYTECODE would charge the project for
compiling its own modules in every sample, a cost no Lambda cold start pays.

    .venv/bin/python benchmarks/cold_start.py [--runs 15]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_VENV = ROOT / "build" / "bench-venv"

# Runs in the child: everything from the first import of Django to the end of the response. WSGI
# names the module a deployment enters (for this project app/wsgi.py, Zappa's app_function); None
# builds the app with Django's get_wsgi_application() alone, without that module's start-up steps.
CHILD = textwrap.dedent(
    """
    import time, sys, json, io, importlib
    t0 = time.perf_counter()
    if WSGI:
        application = importlib.import_module(WSGI).application
    else:
        from django.core.wsgi import get_wsgi_application
        application = get_wsgi_application()
    t_app = time.perf_counter()
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": PATH, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "443", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "https", "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr, "HTTP_X_FORWARDED_PROTO": "https",
    }
    if AUTH:
        environ["HTTP_AUTHORIZATION"] = AUTH
    status = []
    body = b"".join(application(environ, lambda s, h, e=None: status.append(s)))
    t_done = time.perf_counter()
    assert status[0].startswith("200"), (status, body[:300])
    print(json.dumps({"app": t_app - t0, "request": t_done - t_app,
                      "answered_at": time.time(), "cpu": time.process_time()}))
    """
)

BARE_VIEWS = """
from django.http import JsonResponse


def hello(request):
    return JsonResponse({"hello": "world"})
"""


def runtime_python():
    """The interpreter of a venv with requirements.txt only (rebuilt when the file changes)."""
    python = RUNTIME_VENV / "bin" / "python"
    requirements = (ROOT / "requirements.txt").read_text()
    stamp = RUNTIME_VENV / "requirements.txt"
    if not python.exists() or not stamp.exists() or stamp.read_text() != requirements:
        base = subprocess.run([str(ROOT / "scripts" / "find_python.sh")], check=True, capture_output=True, text=True)
        subprocess.run([base.stdout.strip(), "-m", "venv", "--clear", str(RUNTIME_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", "requirements.txt"],
            cwd=ROOT,
            check=True,
        )
        stamp.write_text(requirements)
    return str(python)


PYTHON = sys.executable


def make_bare_project(workdir):
    """A bare `django-admin startproject` with one JSON view and its sqlite database migrated."""
    subprocess.run([PYTHON, "-m", "django", "startproject", "bare", str(workdir)], check=True)
    (workdir / "bare" / "views.py").write_text(BARE_VIEWS)
    urls = workdir / "bare" / "urls.py"
    urls.write_text(
        urls.read_text().replace("from django.urls import path", "from django.urls import path\nfrom . import views")
        + "\nurlpatterns.append(path('hello/', views.hello))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bare.settings"}
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=workdir, env=env, check=True)
    settings = workdir / "bare" / "settings.py"
    settings.write_text(settings.read_text().replace("ALLOWED_HOSTS = []", "ALLOWED_HOSTS = ['127.0.0.1']"))
    return env


def make_project_database(db_path):
    """Migrate a fresh sqlite database for this project, with a member, a token and a list to read."""
    env = project_env(db_path)
    setup = textwrap.dedent(
        """
        import django; django.setup()
        from django.core.management import call_command
        call_command("migrate", verbosity=0)
        call_command("load_demo_data", verbosity=0, force=True)
        from app.accounts.models import AuthToken, User
        _, key = AuthToken.objects.issue(User.objects.get(email="member@example.com"))
        print(key)
        """
    )
    out = subprocess.run([PYTHON, "-c", setup], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return env, out.stdout.strip().splitlines()[-1]


def project_env(db_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="settings",
        DEBUG="False",
        SECRET_KEY="benchmark-only-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{db_path}",
        LOG_LEVEL="WARNING",
    )
    return env


def with_bytecode_cache(env, cache_dir):
    """The child's environment, with bytecode written to and read from `cache_dir`."""
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache_dir)
    return env


def sample(cwd, env, wsgi, path, auth):
    """One fresh process: wall and CPU seconds from its start to its answer, and the child's split.

    The process's exit is not counted: a Lambda container stays alive after its first answer.
    """
    code = f"WSGI = {wsgi!r}\nPATH = {path!r}\nAUTH = {auth!r}\n" + CHILD
    started = time.time()
    out = subprocess.run([PYTHON, "-c", code], cwd=cwd, env=env, check=True, capture_output=True, text=True)
    child = json.loads(out.stdout.strip().splitlines()[-1])
    return child["answered_at"] - started, child["cpu"], child


def report(label, samples):
    wall = statistics.median(s[0] for s in samples)
    cpu = statistics.median(s[1] for s in samples)
    inner = {k: statistics.median(s[2][k] for s in samples) for k in ("app", "request")}
    print(
        f"{label:<8} median {wall * 1000:6.0f} ms wall, {cpu * 1000:6.0f} ms CPU per fresh process "
        f"(settings and WSGI app {inner['app'] * 1000:.0f} ms, "
        f"first response {inner['request'] * 1000:.0f} ms; {len(samples)} runs)"
    )
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per project (at least 7)")
    parser.add_argument("--path", default="/api/timeslots/", help="the authenticated API list to request")
    args = parser.parse_args()
    runs = max(args.runs, 7)
    global PYTHON
    PYTHON = runtime_python()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        bare_dir = tmp / "bare"
        bare_dir.mkdir()
        bare_env = make_bare_project(bare_dir)
        project_env_, key = make_project_database(tmp / "project.sqlite3")
        cache = tmp / "pycache"
        project_env_ = with_bytecode_cache(project_env_, cache)
        project_args = (ROOT, project_env_, "app.wsgi", args.path, f"Token {key}")
        plain_args = (ROOT, project_env_, None, args.path, f"Token {key}")
        bare_args = (bare_dir, with_bytecode_cache(bare_env, cache), "bare.wsgi", "/hello/", None)
        sample(*project_args), sample(*plain_args), sample(*bare_args)  # writes bytecode, warms the file cache
        project_samples, plain_samples, bare_samples = [], [], []
        for _ in range(runs):  # interleaved, so that a busy moment weighs on every side
            project_samples.append(sample(*project_args))
            plain_samples.append(sample(*plain_args))
            bare_samples.append(sample(*bare_args))
    project_wall, project_cpu = report("project", project_samples)
    plain_wall, plain_cpu = report("plain", plain_samples)
    bare_wall, bare_cpu = report("bare", bare_samples)
    print(
        f"app/wsgi.py's start-up steps save {(plain_wall - project_wall) * 1000:.0f} ms wall, "
        f"{(plain_cpu - project_cpu) * 1000:.0f} ms CPU (plain: the same project through get_wsgi_application())"
    )
    print(
        f"ratio project/bare: {project_wall / bare_wall:.2f} wall, {project_cpu / bare_cpu:.2f} CPU "
        "(both measured in this run; target <= 1.3)"
    )
    print("[2018 prior art, recorded 2026-11, not this run: 1.9-2.3 s to its first list; not a ratio of this run]")


if __name__ == "__main__":
    main()
