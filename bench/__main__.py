"""`python -m bench [TOPIC…]`: run every bench/<topic>.py's main(), or only the named ones."""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path


def topics() -> list[str]:
    here = Path(__file__).parent
    # report.py serves the others; compare.py runs them in two checkouts (python -m bench.compare).
    return sorted(p.stem for p in here.glob("*.py") if not p.stem.startswith("_") and p.stem not in {"report", "compare"})


def main(argv: list[str]) -> int:
    chosen = argv or topics()
    unknown = sorted(set(chosen) - set(topics()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(topics())}", file=sys.stderr)
        return 2
    for topic in chosen:
        print(f"\n=== bench/{topic}.py ===", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"bench.{topic}").main()
        print(f"--- {topic}: {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
