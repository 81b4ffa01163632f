"""This machine's speed: a fixed pure-Python loop, timed.

    python bench/bench_machine.py

Machines of the same kind run the same code at speeds up to 70 % apart (the suite's CI figure
went from 238 s to 414 s with no change of code). scripts/test.sh prints this figure before and
after the suite, so a slower CI run can be told from a slower suite: compare the suite's time
divided by this figure. Reference: 0.40 s on the machine where CI's suite took 238 and 261 s
(2026-12-03; docs/architecture.md, «Tests and their time»).
"""
from __future__ import annotations

import time

LOOP = 20_000_000


def yardstick() -> float:
    """Seconds of one run of the loop (the best of two, so a blip in between does not count)."""
    best = float("inf")
    for _ in range(2):
        t = time.perf_counter()
        s = 0
        for i in range(LOOP // 2):
            s += i
        best = min(best, time.perf_counter() - t)
    return 2 * best


if __name__ == "__main__":
    print(f"{yardstick():.2f}")
