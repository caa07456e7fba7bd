"""Cold start of the real Lambda package, run as Lambda runs it.

Unpacks the package `make package` builds (build/dev-package.zip) and, in fresh `python3.12 -I -B`
processes (no bytecode may be written: /var/task is read-only on Lambda), imports Zappa's
`handler` and sends one API Gateway event for `GET /api/timeslots/`. Prints the medians of the
handler import, the first response and their sum.

    make package && .venv/bin/python benchmarks/lambda_cold_start.py [--runs 9]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from smoke_test_package import api_gateway_event, default_site_packages, runtime_libs_dir  # noqa: E402

CHILD = textwrap.dedent(
    """
    import json, sys, time
    t0 = time.perf_counter()
    sys.path.insert(0, ".")
    sys.path.append(RUNTIME_LIBS)
    import handler
    t1 = time.perf_counter()
    answer = handler.lambda_handler(EVENT, None)
    t2 = time.perf_counter()
    assert answer["statusCode"] == 200, answer
    print(json.dumps({"import": t1 - t0, "first": t2 - t1}))
    """
)


def run(package_dir, env, runtime_libs, event, python):
    code = f"RUNTIME_LIBS = {str(runtime_libs)!r}\nEVENT = {event!r}\n" + CHILD
    out = subprocess.run(
        [python, "-I", "-B", "-c", code], cwd=package_dir, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default=str(ROOT / "build" / "dev-package.zip"))
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    package = Path(args.package)
    if not package.exists():
        sys.exit(f"{package} not found: run `make package` first.")
    python = subprocess.run(
        [str(ROOT / "scripts" / "find_python.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        package_dir = tmp / "task"
        with zipfile.ZipFile(package) as archive:
            archive.extractall(package_dir)
        runtime_libs = runtime_libs_dir(default_site_packages(), tmp / "runtime")
        env = {
            "PATH": os.environ.get("PATH", ""),
            "DEBUG": "False",
            "SECRET_KEY": "benchmark-only-" + "k" * 40,
            "ALLOWED_HOSTS": ".amazonaws.com",
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "LOG_LEVEL": "WARNING",
        }
        migrate = (
            f'import sys; sys.path.insert(0, "."); sys.path.append({str(runtime_libs)!r}); import handler;'
            'handler.lambda_handler({"manage": "migrate --noinput"}, None)'
        )
        subprocess.run([python, "-I", "-c", migrate], cwd=package_dir, env=env, check=True, capture_output=True)
        event = api_gateway_event("/api/timeslots/", "dev", "ca-central-1")
        samples = [run(package_dir, env, runtime_libs, event, python) for _ in range(args.runs)]
    imports = statistics.median(s["import"] for s in samples)
    first = statistics.median(s["first"] for s in samples)
    total = statistics.median(s["import"] + s["first"] for s in samples)
    size = package.stat().st_size / 2**20
    print(
        f"Lambda package ({size:.1f} MiB): import handler {imports * 1000:.0f} ms, "
        f"first GET /api/timeslots/ {first * 1000:.0f} ms, total {total * 1000:.0f} ms (median of {args.runs})"
    )


if __name__ == "__main__":
    main()
