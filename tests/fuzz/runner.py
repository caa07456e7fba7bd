"""Drive schemathesis over every operation of the served OpenAPI schema, within a fixed budget.

Imported inside the fuzz test only: schemathesis and hypothesis take seconds to import, and
every other test process (xdist workers included) would pay for it at collection.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# No 5xx, every answer as documented (a documented status, media type, headers and body), and
# every input the schema forbids refused with a 4xx (negative_data_rejection).
CHECKS = [
    not_a_server_error,
    negative_data_rejection,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
REFUSED = {401, 403}


@dataclass
class Report:
    caller: str
    operations: int = 0
    examples: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process's: the fuzzer and the server thread together
    refused: list[str] = field(default_factory=list)  # operations this caller may not use
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"fuzz as {self.caller}: {self.operations} operations ({len(self.refused)} refused to this caller), "
            f"{self.examples} examples, {self.seconds:.1f} s ({self.cpu_seconds:.1f} s CPU), "
            f"{len(self.failures)} failing"
        )


def _describe(label: str, error: BaseException) -> str:
    problems = getattr(error, "exceptions", None) or [error]
    lines = [f"{label}:"]
    for problem in problems:
        lines.append(f"  - {type(problem).__name__}: {str(problem).strip()[:800]}")
    reproduce = re.search(r"curl .*", str(error))
    if reproduce:
        lines.append(f"  reproduce: {reproduce.group(0)[:800]}")
    return "\n".join(lines)


def _probe(session: requests.Session, base_url: str, operation, headers: dict[str, str]) -> int:
    """The status of a bare call (ids 1, no body): 401/403 means the caller is refused before any input is read."""
    path = re.sub(r"\{[^}]+\}", "1", operation.path)
    return session.request(operation.method.upper(), f"{base_url}{path}", headers=headers, timeout=30).status_code


def _fuzz_operation(operation, base_url: str, session: requests.Session, headers: dict[str, str], budget: int) -> int:
    """Run `budget` examples of `operation`; raise the first failure. Returns how many ran."""
    count = 0
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @hypothesis.settings(
        max_examples=budget,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=strategy)
    def call(case):
        nonlocal count
        count += 1
        case.call_and_validate(base_url=base_url, session=session, headers=headers, checks=CHECKS, timeout=30)

    call()
    return count


@dataclass(frozen=True)
class Budget:
    """Examples per operation: `full` where this caller is the least privileged one allowed;
    `covered` where a less privileged caller already fuzzes it in full (the same input handling);
    `refused` where the view refuses this caller before reading any input (checks the refusal)."""

    full: int
    covered: int
    refused: int


HeadersFor = Callable[[], dict[str, str]]


def fuzz(
    base_url: str, caller: str, headers_for: HeadersFor, budget: Budget, lower: HeadersFor | None = None
) -> Report:
    """Fuzz every operation of `base_url`'s schema as `caller`; `headers_for()` gives each operation
    its headers, `lower()` those of the next less privileged caller (None for the anonymous one).

    Positive and negative examples, derandomized (the same run every time), without shrinking
    (bounded time; the failing example is reported as found).
    """
    report = Report(caller)
    started, cpu_started = time.monotonic(), time.process_time()
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/")
    session = requests.Session()
    for result in schema.get_all_operations():
        operation = result.ok()
        report.operations += 1
        headers = headers_for()
        examples = budget.full
        if _probe(session, base_url, operation, headers) in REFUSED:
            report.refused.append(operation.label)
            examples = budget.refused
        elif lower is not None and _probe(session, base_url, operation, lower()) not in REFUSED:
            examples = budget.covered
        try:
            report.examples += _fuzz_operation(operation, base_url, session, headers, examples)
        except (Exception, BaseExceptionGroup) as error:
            report.failures.append(_describe(operation.label, error))
    session.close()  # no keep-alive connection left for the server to close after the test
    report.seconds, report.cpu_seconds = time.monotonic() - started, time.process_time() - cpu_started
    return report
