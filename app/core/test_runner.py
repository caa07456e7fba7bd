"""`manage.py test` runs the pytest suite, so both ways of running the tests agree.

Labels may be dotted modules (`tests.core.test_health`) or pytest paths and node ids.
"""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any


class PytestTestRunner:
    def __init__(self, verbosity: int = 1, failfast: bool = False, keepdb: bool = False, **kwargs: Any) -> None:
        self.verbosity = verbosity
        self.failfast = failfast
        self.keepdb = keepdb

    @classmethod
    def add_arguments(cls, parser: ArgumentParser) -> None:
        parser.add_argument("--keepdb", action="store_true", help="Preserve the test database between runs.")

    def run_tests(self, test_labels: list[str], **kwargs: Any) -> int:
        import pytest

        args = [self._as_path(label) for label in test_labels]
        if self.verbosity == 0:
            args.append("--quiet")
        elif self.verbosity > 1:
            args.append("-" + "v" * (self.verbosity - 1))
        if self.failfast:
            args.append("--exitfirst")
        if self.keepdb:
            args.append("--reuse-db")
        return pytest.main(args)

    @staticmethod
    def _as_path(label: str) -> str:
        candidate = Path(*label.split(".")).with_suffix(".py")
        return str(candidate) if "/" not in label and candidate.exists() else label
