"""Compile the translation catalogs: every `app/locale/<lang>/LC_MESSAGES/*.po` -> `.mo` beside it.

    python scripts/compile_messages.py [--if-stale]

The `.mo` files are built, never committed. Babel (pure Python, a dev-only dependency) compiles
them, because the Lambda build image has no GNU gettext: `deploy.sh` runs this before
`zappa package`, `make venv` / `make run` run it, and the test session runs it (tests/conftest.py)
so that `pytest` alone always sees the current catalog. Fuzzy entries are left out, as msgfmt does.
`--if-stale` skips a catalog whose `.mo` is newer than its `.po`.
"""

import os
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "app" / "locale"


def compile_catalogs(locale_dir: Path = LOCALE_DIR, *, if_stale: bool = False) -> list[Path]:
    """Write each catalog's `.mo`; returns those written."""
    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if if_stale and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        errors = [(message.lineno, error) for message, error in catalog.check() if error]
        if errors:
            raise SystemExit(f"compile_messages: {po_path}: {errors[0]}")
        temporary = mo_path.with_suffix(f".mo.{os.getpid()}.tmp")  # one per test worker
        with temporary.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        temporary.replace(mo_path)  # a concurrent test run never reads a half-written catalog
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_catalogs(if_stale="--if-stale" in sys.argv[1:]):
        print(f"compiled {path.relative_to(LOCALE_DIR.parent.parent)}")
