"""Cold start of the real Lambda package against a bare Django + Zappa package, in the same run.

Ours: the package `make package` builds (build/dev-package.zip), with a sqlite database seeded
as benchmarks/bookings.py seeds it (50 time slots, 15 reservations) and a member's token; each
sample sends one API Gateway event for the member's token-authenticated `GET /api/timeslots/`
(50 slots) and checks the 50 are there. Bare: `django-admin startproject` with one JSON view,
packaged by Zappa as benchmarks/package_size.py builds it; each sample requests that view.

Each sample is a fresh `python3.12 -I -B` (no bytecode may be written: /var/task is read-only on
Lambda) that imports Zappa's `handler` and calls it once. Both sides import from bytecode: ours
ships it (deploy.sh), the bare package gets the same unchecked-hash bytecode once after unzipping
(without it, every bare cold start would compile Django and the comparison would flatter ours).
Samples alternate (ours, bare, ours, ...) so that a busy moment of the machine weighs on both.

Each sample's figures are read in the child, in CPU time: importing Zappa's `handler` module
(werkzeug and the rest of Zappa: the same for both packages, and not this project's to shorten),
then from there to the first answer (the app module imported, Django set up, the request served:
what the project controls). The ratio is of that second part only (target <= 1.25); the handler
import is printed on its own line. The process's exit is not counted: a Lambda container stays
alive after its first answer.

    make package && .venv/bin/python benchmarks/lambda_cold_start.py [--runs 9] [--instructions]

With --instructions, each side's cold start is also run once under valgrind's callgrind, which
counts the instructions of each part: a figure that moves far less from run to run than CPU time
(a finer look at a change), printed beside the ratio, not instead of it.

Building the bare package needs Django and Zappa from PyPI or pip's cache.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import stamp  # noqa: E402
from package_size import build_bare  # noqa: E402
from smoke_test_package import api_gateway_event, default_site_packages, runtime_libs_dir  # noqa: E402

TARGET = 1.25

CHILD = textwrap.dedent(
    """
    import json, sys, time
    c0 = time.process_time()
    sys.path.insert(0, ".")
    sys.path.append(RUNTIME_LIBS)
    import handler
    c1 = time.process_time()
    answer = handler.lambda_handler(EVENT, None)
    c2 = time.process_time()
    assert answer["statusCode"] == 200, answer
    body = json.loads(answer["body"])
    assert EXPECTED_COUNT is None or len(body["results"]) == EXPECTED_COUNT, body
    print(json.dumps({"interpreter": c0, "import": c1 - c0, "first": c2 - c1}))
    """
)

SEED = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, ".")
    sys.path.append(RUNTIME_LIBS)
    sys.path.append(BENCHMARKS)
    import django
    django.setup()
    from bookings import seed
    slots, member = seed()
    print("KEY" + member()[1])
    """
)


def child_code(runtime_libs, event, expected_count):
    return f"RUNTIME_LIBS = {str(runtime_libs)!r}\nEVENT = {event!r}\nEXPECTED_COUNT = {expected_count!r}\n" + CHILD


def run(directory, env, runtime_libs, event, python, expected_count):
    code = child_code(runtime_libs, event, expected_count)
    out = subprocess.run(
        [python, "-I", "-B", "-c", code], cwd=directory, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def unzip(package, into):
    with zipfile.ZipFile(package) as archive:
        archive.extractall(into)
    return into


def prepare_ours(package, tmp, runtime_libs, python):
    directory = unzip(package, tmp / "ours")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "False",
        "SECRET_KEY": "benchmark-only-" + "k" * 40,
        "ALLOWED_HOSTS": ".amazonaws.com",
        "DATABASE_URL": f"sqlite:///{tmp / 'ours.sqlite3'}",
        "LOG_LEVEL": "WARNING",
        "THROTTLE_USER": "1000000/min",
        "AWS_LAMBDA_FUNCTION_NAME": "benchmark",  # the Lambda runtime sets it in every container
    }
    migrate = (
        f'import sys; sys.path.insert(0, "."); sys.path.append({str(runtime_libs)!r}); import handler;'
        'handler.lambda_handler({"manage": "migrate --noinput"}, None)'
    )
    subprocess.run([python, "-I", "-c", migrate], cwd=directory, env=env, check=True, capture_output=True)
    seed = f"RUNTIME_LIBS = {str(runtime_libs)!r}\nBENCHMARKS = {str(ROOT / 'benchmarks')!r}\n" + SEED
    seeded = subprocess.run(
        [python, "-I", "-c", seed],
        cwd=directory,
        env={**env, "DJANGO_SETTINGS_MODULE": "settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    key = seeded.stdout.split("KEY", 1)[1].strip()
    event = api_gateway_event("/api/timeslots/", "dev", "ca-central-1")
    event["headers"]["Authorization"] = f"Token {key}"
    event["multiValueHeaders"]["Authorization"] = [f"Token {key}"]
    return directory, env, event


def prepare_bare(tmp, python):
    directory = unzip(build_bare(tmp), tmp / "bare")
    # The same bytecode deploy.sh gives ours: unchecked-hash, valid whatever the zip's dates.
    subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(directory)],
        check=True,
        capture_output=True,
    )
    env = {"PATH": os.environ.get("PATH", ""), "AWS_LAMBDA_FUNCTION_NAME": "benchmark"}
    return directory, env, api_gateway_event("/hello/", "bare", "ca-central-1")


def instructions(directory, env, event, runtime_libs, python):
    """Instructions (callgrind) of one cold start: importing Zappa's handler, then to the first answer."""
    full = child_code(runtime_libs, event, None)
    import_only = full.split("c1 = time.process_time()")[0]
    counted = []
    for code in (import_only, full):
        with tempfile.TemporaryDirectory() as out:
            callgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/callgrind.out"]
            done = subprocess.run(
                [*callgrind, python, "-I", "-B", "-c", code],
                cwd=directory,
                env={**env, "PYTHONHASHSEED": "0"},  # the same dict and set layouts from run to run
                capture_output=True,
                text=True,
            )
        if done.returncode:  # not CalledProcessError: its message would print the member's token
            sys.exit(f"the cold start failed under valgrind:\n{done.stderr[-2000:]}")
        counted.append(int(re.search(r"Collected : (\d+)", done.stderr).group(1)))
    return counted[0], counted[1] - counted[0]


def median_ms(samples, key=None):
    values = [s["interpreter"] + s["import"] + s["first"] if key is None else s[key] for s in samples]
    return statistics.median(values) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default=str(ROOT / "build" / "dev-package.zip"))
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count each side's instructions once with valgrind's callgrind (about a minute more)",
    )
    args = parser.parse_args()
    if args.instructions and not shutil.which("valgrind"):
        sys.exit("--instructions needs valgrind (apt install valgrind).")
    package = Path(args.package)
    if not package.exists():
        sys.exit(f"{package} not found: run `make package` first.")
    python = subprocess.run(
        [str(ROOT / "scripts" / "find_python.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        runtime_libs = runtime_libs_dir(default_site_packages(), tmp / "runtime")
        ours = prepare_ours(package, tmp, runtime_libs, python)
        bare = prepare_bare(tmp, python)
        # One unmeasured run each: the OS file cache holds both packages, as on a warm Lambda host.
        run(ours[0], ours[1], runtime_libs, ours[2], python, 50)
        run(bare[0], bare[1], runtime_libs, bare[2], python, None)
        ours_samples, bare_samples = [], []
        for _ in range(args.runs):
            ours_samples.append(run(ours[0], ours[1], runtime_libs, ours[2], python, 50))
            bare_samples.append(run(bare[0], bare[1], runtime_libs, bare[2], python, None))
        counts = None
        if args.instructions:
            counts = [instructions(*side, runtime_libs, python) for side in (ours, bare)]
    size = package.stat().st_size / 2**20
    print(f"Lambda package cold start, CPU, {args.runs} interleaved runs each ({stamp()}):")
    if package.resolve() != (ROOT / "build" / "dev-package.zip").resolve():
        # The stamp names this tree's commit; a package given with --package may come from another.
        built = datetime.datetime.fromtimestamp(package.stat().st_mtime, datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        print(f"  ours is {package} (built {built}), not this tree's build/dev-package.zip")
    for label, samples in ((f"ours ({size:.1f} MiB), 50-slot list", ours_samples), ("bare, one view", bare_samples)):
        print(
            f"  {label:<34} Zappa handler import {median_ms(samples, 'import'):5.0f} ms, "
            f"then to the first answer {median_ms(samples, 'first'):5.0f} ms "
            f"(process start to answer: {median_ms(samples):5.0f} ms)"
        )
    ratio = median_ms(ours_samples, "first") / median_ms(bare_samples, "first")
    verdict = "met" if ratio <= TARGET else "NOT met"
    print(
        f"ratio ours/bare, handler imported -> first answer: {ratio:.2f} (medians; target <= {TARGET}: {verdict}); "
        "the handler import is Zappa's, the same on both sides, and not in the ratio"
    )
    if counts:
        (ours_import, ours_first), (bare_import, bare_first) = counts
        print(
            f"instructions (callgrind, one run each; they move by about 0.3 % from run to run, the CPU time by "
            f"several): handler import {ours_import / 1e6:.0f} M against {bare_import / 1e6:.0f} M, then to the "
            f"first answer {ours_first / 1e6:.0f} M against {bare_first / 1e6:.0f} M: ratio "
            f"{ours_first / bare_first:.2f} (not the target's measure, which is CPU time)"
        )


if __name__ == "__main__":
    main()
