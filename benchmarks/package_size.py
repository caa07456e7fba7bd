#!/usr/bin/env python3
"""Size of the `dev` Lambda package against a bare Django 5.2 + Zappa package, built in the same run.

    .venv/bin/python benchmarks/package_size.py [--venv DIR] [--top 12]

The dev package is built by deploy.sh itself (`deploy.sh dev --package-only`: a venv holding
requirements.txt only, `collectstatic`, dependencies compiled to bytecode, `zappa package dev`,
the smoke test). The baseline is `django-admin startproject` in a venv holding
only Django and Zappa (the versions pinned in requirements.txt), packaged with the settings
`zappa init` writes (its default excludes: boto3, botocore, s3transfer, dateutil).
Both use `use_precompiled_packages: false` so that the run is offline. Prints zipped and unzipped
sizes and the largest top-level entries of the dev package. Target: <= 20 MiB zipped and no
larger than the baseline. Needs PyPI (or pip's cache) to build the venvs.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from rehearse_deploy import copy_project  # noqa: E402

MiB = 2**20
FAKE_AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


def python312():
    return subprocess.run(
        [str(ROOT / "scripts" / "find_python.sh")], capture_output=True, text=True, check=True
    ).stdout.strip()


def make_venv(path, requirements):
    if not (path / "bin" / "python").exists():
        subprocess.run([python312(), "-m", "venv", str(path)], check=True)
    subprocess.run(
        [str(path / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", *requirements],
        check=True,
    )
    return path


def run_in_venv(venv, args, cwd, **env):
    full_env = {**os.environ, **FAKE_AWS, **env, "VIRTUAL_ENV": str(venv)}
    full_env["PATH"] = f"{venv / 'bin'}:{full_env['PATH']}"
    full_env.pop("TESTING", None)
    subprocess.run(args, cwd=cwd, env=full_env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def sizes(zip_path):
    with zipfile.ZipFile(zip_path) as archive:
        infos = archive.infolist()
    top = collections.Counter()
    for info in infos:
        top[info.filename.split("/")[0]] += info.compress_size
    return os.path.getsize(zip_path), sum(i.file_size for i in infos), len(infos), top


def pinned(name):
    text = (ROOT / "requirements.txt").read_text()
    return re.search(rf"^{name}==\S+", text, re.M | re.I).group(0)


def build_dev(work, venv):
    """The dev package exactly as deploy.sh builds it (its `--package-only` mode, smoke test included)."""
    project = copy_project(work / "project")
    env = {**os.environ, **FAKE_AWS, "DEPLOY_IN_DOCKER": "0", "DEPLOY_VENV": str(venv), "DEPLOY_REUSE_VENV": "1"}
    for name in ("TESTING", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    subprocess.run(
        ["./deploy.sh", "dev", "--package-only"],
        cwd=project,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return project / "build" / "dev-package.zip"


BARE_VIEW = """
from django.http import JsonResponse


def hello(request):
    return JsonResponse({"hello": "world"})


urlpatterns.append(path("hello/", hello))
"""


def add_single_view(project):
    """The bare project's one JSON view (what benchmarks/lambda_cold_start.py requests), and hosts for API Gateway."""
    with (project / "bare" / "urls.py").open("a") as urls:
        urls.write(BARE_VIEW)
    with (project / "bare" / "settings.py").open("a") as settings:
        settings.write('\nDEBUG = False\nALLOWED_HOSTS = ["*"]\n')


def build_bare(work):
    venv = make_venv(work / "bare-venv", [pinned("Django"), pinned("zappa")])
    project = work / "bare"
    project.mkdir()
    run_in_venv(venv, ["django-admin", "startproject", "bare", "."], project)
    add_single_view(project)
    settings = {
        "bare": {
            "django_settings": "bare.settings",
            "project_name": "bare",
            "runtime": "python3.12",
            "s3_bucket": "bare-benchmark",
            "use_precompiled_packages": False,
            "exclude": ["boto3", "dateutil", "botocore", "s3transfer", "concurrent"],
        }
    }
    (project / "zappa_settings.json").write_text(json.dumps(settings))
    out = work / "bare.zip"
    run_in_venv(venv, ["zappa", "package", "bare", "-o", str(out)], project)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", help="an existing runtime venv (requirements.txt only) to reuse")
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="package-size-") as tmp:
        work = Path(tmp)
        venv = make_venv(Path(args.venv) if args.venv else work / "venv", ["-r", str(ROOT / "requirements.txt")])
        dev = sizes(build_dev(work, venv))
        bare = sizes(build_bare(work))
    from common import stamp

    print(f"Package sizes ({stamp()}):")
    print(f"{'package':<32}{'zipped MiB':>12}{'unzipped MiB':>14}{'files':>8}")
    for label, (zipped, unzipped, files, _) in (("dev (this project)", dev), ("bare Django 5.2 + Zappa", bare)):
        print(f"{label:<32}{zipped / MiB:>12.1f}{unzipped / MiB:>14.1f}{files:>8}")
    print("\nlargest entries of the dev package (zipped MiB):")
    for name, size in dev[3].most_common(args.top):
        print(f"  {name:<40}{size / MiB:>6.2f}")
    verdict = dev[0] <= 20 * MiB and dev[0] <= bare[0]
    print(f"\ntarget (<= 20 MiB and <= baseline): {'met' if verdict else 'NOT met'}")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
