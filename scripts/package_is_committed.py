#!/usr/bin/env python3
"""Refuse a Lambda package that holds a project file git does not have as committed.

    python scripts/package_is_committed.py build/dev-package.zip

deploy.sh refuses a dirty working tree before it builds; this looks at what was actually zipped,
which also catches ignored files (a local settings file, a database, a stray script) that the
stage's exclusions let through. An entry is accepted when it is committed (`git ls-files`), when
the build made it (bytecode, compiled catalogs, collected static files, Zappa's handler and
settings module, an empty `__init__.py` Zappa adds) or when it is not the project's at all (the
packages of the venv). Exit 1 naming the first few offending files.
"""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATED_TOPS = {"staticfiles", "handler.py", "zappa_settings.py", "package_info.json"}


def generated(name: str, data: bytes) -> bool:
    return (
        name.split("/")[0] in GENERATED_TOPS
        or name.endswith((".pyc", ".mo"))
        or "/__pycache__/" in f"/{name}"
        or (name.endswith("__init__.py") and not data.strip())
    )


def uncommitted(package: Path) -> list[str]:
    tracked = set(
        subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\n")
    )
    found = []
    with zipfile.ZipFile(package) as archive:
        for info in archive.infolist():
            name = info.filename
            if name.endswith("/") or not (ROOT / name.split("/")[0]).exists():
                continue  # a folder, or not the project's (a package of the venv)
            if name not in tracked and not generated(name, archive.read(info)):
                found.append(name)
    return found


def main(argv: list[str]) -> int:
    found = uncommitted(Path(argv[0]))
    if found:
        print(
            f"package_is_committed: {len(found)} packaged file(s) are not committed: {', '.join(found[:10])}",
            file=sys.stderr,
        )
        return 1
    print("package_is_committed: every project file in the package is committed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
