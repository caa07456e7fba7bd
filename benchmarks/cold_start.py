"""Lambda cold-start proxy: this project against a bare Django `startproject` with one JSON view.

Each sample is a fresh Python process that goes from nothing to: the WSGI module Lambda enters
imported (settings loaded, app built) -> one response, in-process (no server). For this project
the module is `app/wsgi.py` and the response a member's token-authenticated `GET /api/timeslots/`
listing 50 time slots (checked: 50 results); for the baseline, `bare/wsgi.py` and one JSON view.
The figure is the child's CPU time from its start (interpreter included) to that first answer,
read in the child: the process's exit is not counted (a Lambda container stays alive after its
first answer). A third side, "plain", is this project built with Django's
`get_wsgi_application()` alone: the difference is what app/wsgi.py's cold-start steps save. With
`--against REV`, a fourth side is the project at another commit, checked out in a temporary git
worktree and seeded the same way, measured in the same run. Prints the medians, that saving and
the ratio project/bare (target: at most 1.25), with the commit, the date and the machine's load.

Every side runs in a virtualenv that holds only `requirements.txt`, as the Lambda package does
(test tools such as pytest pull in optional imports that DRF would otherwise load). It is
built once in `build/.bench-venv` and reused while requirements.txt is unchanged. Settings are
production's (DEBUG off).

Every side imports from bytecode, as the Lambda package does (deploy.sh ships every module
compiled): the children write their .pyc files to a temporary PYTHONPYCACHEPREFIX during an
unmeasured warm-up run, whatever PYTHONDONTWRITEBYTECODE says in the caller's environment.
Samples are interleaved (project, plain, bare, ...) so that a busy moment weighs on every side.

    .venv/bin/python benchmarks/cold_start.py [--runs 11] [--against ddf3799]
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from common import production_env, stamp, worktree_at

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_VENV = ROOT / "build" / ".bench-venv"
TARGET = 1.25
SLOTS = 50

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
    cpu = time.process_time()
    t_done = time.perf_counter()
    assert status[0].startswith("200"), (status, body[:300])
    assert EXPECTED is None or len(json.loads(body)["results"]) == EXPECTED, body[:300]
    print(json.dumps({"app": t_app - t0, "request": t_done - t_app, "answered_at": time.time(), "cpu": cpu,
                      "modules": len(sys.modules)}))
    """
)

# Runs in the project's tree (this one or another commit's): migrate, seed as benchmarks/bookings.py
# does (50 upcoming time slots, 15 reservations), print a member's API token.
SEED = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, "benchmarks")
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from bookings import seed
    slots, member = seed()
    print("KEY" + member()[1])
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
    stamp_file = RUNTIME_VENV / "requirements.txt"
    if not python.exists() or not stamp_file.exists() or stamp_file.read_text() != requirements:
        base = subprocess.run([str(ROOT / "scripts" / "find_python.sh")], check=True, capture_output=True, text=True)
        subprocess.run([base.stdout.strip(), "-m", "venv", "--clear", str(RUNTIME_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", "requirements.txt"],
            cwd=ROOT,
            check=True,
        )
        stamp_file.write_text(requirements)
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


def make_project_database(tree, db_path):
    """Migrate and seed a fresh sqlite database for the project in `tree`; its env and a member's token."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(production_env(db_path))  # `python -c` in `tree` finds the project on sys.path ("")
    # As the Lambda runtime sets it in every container: app/wsgi.py defers unused modules there only.
    env["AWS_LAMBDA_FUNCTION_NAME"] = "benchmark"
    out = subprocess.run([PYTHON, "-c", SEED], cwd=tree, env=env, check=True, capture_output=True, text=True)
    return env, out.stdout.split("KEY", 1)[1].strip()


def with_bytecode_cache(env, cache_dir):
    """The child's environment, with bytecode written to and read from `cache_dir`."""
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache_dir)
    return env


def sample(cwd, env, wsgi, path, auth, expected):
    """One fresh process: wall and CPU seconds from its start to its answer, and the child's split.

    The process's exit is not counted: a Lambda container stays alive after its first answer.
    """
    code = f"WSGI = {wsgi!r}\nPATH = {path!r}\nAUTH = {auth!r}\nEXPECTED = {expected!r}\n" + CHILD
    started = time.time()
    out = subprocess.run([PYTHON, "-c", code], cwd=cwd, env=env, check=True, capture_output=True, text=True)
    child = json.loads(out.stdout.strip().splitlines()[-1])
    return child["answered_at"] - started, child["cpu"], child


def report(label, samples):
    wall = statistics.median(s[0] for s in samples)
    cpu = statistics.median(s[1] for s in samples)
    inner = {k: statistics.median(s[2][k] for s in samples) for k in ("app", "request", "modules")}
    print(
        f"{label:<16} median {cpu * 1000:6.0f} ms CPU, {wall * 1000:6.0f} ms wall to the first answer "
        f"(app built in {inner['app'] * 1000:.0f} ms, first response {inner['request'] * 1000:.0f} ms wall; "
        f"{inner['modules']:.0f} modules; {len(samples)} runs)"
    )
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="fresh processes per side (at least 9)")
    parser.add_argument(
        "--against", action="append", default=[], metavar="REV", help="also measure the project at this commit"
    )
    args = parser.parse_args()
    runs = max(args.runs, 9)
    global PYTHON
    PYTHON = runtime_python()
    print(f"Cold start to the first answer, CPU ({stamp()}):")
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        tmp = Path(tmp)
        bare_dir = tmp / "bare"
        bare_dir.mkdir()
        cache = tmp / "pycache"
        bare_env = with_bytecode_cache(make_bare_project(bare_dir), cache)
        sides = {}
        env, key = make_project_database(ROOT, tmp / "project.sqlite3")
        env = with_bytecode_cache(env, cache)
        sides["project"] = (ROOT, env, "app.wsgi", "/api/timeslots/", f"Token {key}", SLOTS)
        sides["plain"] = (ROOT, env, None, "/api/timeslots/", f"Token {key}", SLOTS)
        for index, revision in enumerate(args.against):
            other_tree = stack.enter_context(worktree_at(revision))
            env, key = make_project_database(other_tree, tmp / f"other{index}.sqlite3")
            sides[f"at {revision}"] = (
                other_tree,
                with_bytecode_cache(env, tmp / f"other{index}-pycache"),
                "app.wsgi",
                "/api/timeslots/",
                f"Token {key}",
                SLOTS,
            )
        sides["bare"] = (bare_dir, bare_env, "bare.wsgi", "/hello/", None, None)
        for side in sides.values():
            sample(*side)  # writes bytecode, warms the file cache
        samples = {label: [] for label in sides}
        for _ in range(runs):  # interleaved, so that a busy moment weighs on every side
            for label, side in sides.items():
                samples[label].append(sample(*side))
    medians = {label: report(label, values) for label, values in samples.items()}
    (project_wall, project_cpu), (_, plain_cpu) = medians["project"], medians["plain"]
    bare_wall, bare_cpu = medians["bare"]
    print(
        f"app/wsgi.py's start-up steps save {(plain_cpu - project_cpu) * 1000:.0f} ms CPU "
        "(plain: the same project through get_wsgi_application())"
    )
    for revision in args.against:
        other_cpu = medians[f"at {revision}"][1]
        print(
            f"project at {revision}: ratio to bare {other_cpu / bare_cpu:.2f} CPU; "
            f"this tree saves {(other_cpu - project_cpu) * 1000:.0f} ms CPU against it"
        )
    ratio = project_cpu / bare_cpu
    print(
        f"ratio project/bare: {ratio:.2f} CPU ({project_wall / bare_wall:.2f} wall); "
        f"target <= {TARGET} CPU: {'met' if ratio <= TARGET else 'NOT met'} (both measured in this run)"
    )


if __name__ == "__main__":
    main()
