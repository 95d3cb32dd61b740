"""Printing a measured figure beside its baseline, the same way in every benchmark."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def timed(func: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """The best wall time of `repeat` calls, and the last call's result."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - started)
    return best, result


def compare(label: str, unit: str, ours: float, baseline: float, baseline_name: str, goal: float | None = None) -> None:
    """One line: our rate, the baseline's, their ratio, and the goal if the issue names one."""
    ratio = ours / baseline if baseline else float("inf")
    verdict = ""
    if goal is not None:
        verdict = f"  goal >= {goal:.2f}x: {'met' if ratio >= goal else 'NOT met'}"
    print(f"{label:<44} {ours:>12,.0f} {unit}   {baseline_name}: {baseline:>12,.0f} {unit}   ratio {ratio:5.2f}x{verdict}")
