"""The fuzzing suite's budget and invariant (issue 15).

`make test` runs every fuzzer with a small, fixed budget (derandomized: the same cases every
time, under a minute in all); `make fuzz` sets CULTUREDATA_FUZZ_EXAMPLES to run each one that
many cases with a fresh random seed (CULTUREDATA_FUZZ_SEED repeats one). The invariant, for
every case: an exit code in 0–4 (never 5, an internal error), no traceback anywhere a person
reads, no HTTP 500 for what the client sent, the server alive after each batch, memory bounded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import seed as fixed_seed

# Read at import: the suite's autouse fixture clears CULTUREDATA_* variables before each test.
LONG_EXAMPLES = int(os.environ.get("CULTUREDATA_FUZZ_EXAMPLES", "0") or 0)
SEED = os.environ.get("CULTUREDATA_FUZZ_SEED", "")
REPORT = os.environ.get("CULTUREDATA_FUZZ_REPORT", "")
# Peak memory a CLI case may take in this process (a decompression bomb took 3.7 GB).
MAX_RSS_BYTES = 1536 * 1024 * 1024

ROOT = Path(__file__).resolve().parents[2]
FAILURE_DIR = ROOT / os.environ.get("CULTUREDATA_FUZZ_FAILURES", "var/fuzz/failures")

COUNTS: Counter[str] = Counter()
FAILURES: Counter[str] = Counter()
# The long run keeps going after a failure, to count them: each distinct one, with an input that shows it.
SIGNATURES: dict[str, str] = {}

F = TypeVar("F", bound=Callable[..., Any])
# No shrinking: a case that hangs the server would take minutes to shrink, and the failure already
# prints the case that broke the invariant (Hypothesis's draws, and the file saved by the long run).
NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]


@dataclass(frozen=True)
class Known:
    """An open finding in code another change is fixing: its fixed reproducer in
    test_fuzz_findings.py is marked xfail(strict=True), so the fix turns it into a failure and
    this entry is then deleted. Only problems matching `pattern` for these kinds are let through."""

    kinds: str  # a regular expression on the fuzzer's kind
    pattern: str  # a regular expression on the problem
    reproducer: str


KNOWN: list[Known] = []
KNOWN_SEEN: Counter[str] = Counter()


def known(kind: str, problem: str) -> Known | None:
    return next((k for k in KNOWN if re.search(k.kinds, kind) and re.search(k.pattern, problem)), None)


def fuzz_settings(examples: int) -> Callable[[F], F]:
    """`examples` cases in the suite (fixed), or the long budget of `make fuzz`."""
    common: dict[str, Any] = {
        "deadline": None, "database": None, "print_blob": True,
        "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                  HealthCheck.data_too_large, HealthCheck.large_base_example],
    }

    def decorate(test: F) -> F:
        if not LONG_EXAMPLES:
            return settings(max_examples=examples, derandomize=True, phases=NO_SHRINK, **common)(test)
        test = settings(max_examples=LONG_EXAMPLES, derandomize=False, phases=NO_SHRINK, **common)(test)
        return fixed_seed(int(SEED))(test) if SEED else test

    return decorate


def count(kind: str) -> None:
    COUNTS[kind] += 1


def check_exit(kind: str, code: int, *texts: str, case: bytes = b"") -> None:
    """One CLI case: an exit code cron understands as the data's fault or the source's, never ours."""
    if code not in (0, 1, 2, 3, 4):
        failed(kind, f"exit {code}: {_last_line(texts)}", case)
    elif any("Traceback" in text for text in texts):
        failed(kind, f"traceback: {_last_line(texts)}", case)
    else:
        count(kind)


def failed(kind: str, problem: str, case: bytes) -> None:
    """Count a broken invariant; the suite stops on it, the long run notes it and goes on."""
    count(kind)
    finding = known(kind, problem)
    if finding is not None:
        KNOWN_SEEN[f"{kind}: {finding.reproducer}"] += 1
        return
    FAILURES[kind] += 1
    signature = f"{kind}: {re.sub(r'[0-9]+', 'N', problem)[:160]}"
    if signature not in SIGNATURES:
        SIGNATURES[signature] = ""
        if case:
            FAILURE_DIR.mkdir(parents=True, exist_ok=True)
            name = hashlib.sha1(signature.encode()).hexdigest()[:12]
            (FAILURE_DIR / name).write_bytes(case)
            SIGNATURES[signature] = str(FAILURE_DIR / name)
    if not LONG_EXAMPLES:
        raise AssertionError(f"{kind}: {problem[:2000]} (input: {SIGNATURES[signature] or '-'})")


def _last_line(texts: tuple[str, ...]) -> str:
    lines = [line for text in texts for line in text.strip().splitlines()[-3:]]
    return " | ".join(lines[-3:])[:2000]


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@pytest.fixture
def bounded_memory() -> Iterator[None]:
    """The test's cases keep this process under the bound (unless an earlier test went past it)."""
    before = peak_rss()
    yield
    assert peak_rss() <= max(before, MAX_RSS_BYTES), f"peak RSS {peak_rss() // 2**20} MiB"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not COUNTS:
        return
    terminalreporter.section("fuzzing: cases per input kind")
    for kind, n in sorted(COUNTS.items()):
        terminalreporter.write_line(f"{kind:<28} {n:>7} cases  {FAILURES[kind]} failed")
    for signature, path in sorted(SIGNATURES.items()):
        terminalreporter.write_line(f"FAILURE {signature}  {path}")
    for finding, n in sorted(KNOWN_SEEN.items()):
        terminalreporter.write_line(f"KNOWN (open, xfail reproducer) {finding}: {n} cases")
    if REPORT:
        report = Path(REPORT) if Path(REPORT).is_absolute() else ROOT / REPORT
        report.write_text(json.dumps({"cases": COUNTS, "failures": FAILURES, "signatures": SIGNATURES,
                                      "known": KNOWN_SEEN},
                                           indent=1, ensure_ascii=False), encoding="utf-8")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The long run goes on after a failure to count them all, and still fails at the end."""
    if LONG_EXAMPLES and FAILURES and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
