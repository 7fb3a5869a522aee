"""Count the work a call does, in a measure that does not depend on the machine or its load.

A test that guards against super-linear behaviour must not time the call: on a busy CI machine a
linear function can take twice as long, and on a fast one a quadratic one can still pass. Instead
it counts interpreter events while the call runs: every Python line executed, every Python call
and every call into C (a regex scan, ``str.split``...). The count is the same on every machine and
under any load, so a test can compare how it grows between input sizes.

What it cannot see is the work *inside* one C call (characters one regex scan visits). A regex
that backtracks catastrophically shows up only as a slow call; the test's pytest timeout is the
safety net for that, and ``benchmarks/text.py`` measures the speed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def count_events(function: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    """Interpreter events (Python lines and calls, C calls) while function(*args) runs."""
    events = 0

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        nonlocal events
        events += 1
        return tracer  # keep tracing lines inside this frame

    def profiler(frame: Any, event: str, arg: Any) -> None:
        nonlocal events
        if event == "c_call":
            events += 1

    old_trace, old_profile = sys.gettrace(), sys.getprofile()
    sys.settrace(tracer)
    sys.setprofile(profiler)
    try:
        function(*args, **kwargs)
    finally:
        sys.settrace(old_trace)
        sys.setprofile(old_profile)
    return events


@dataclass(frozen=True)
class Growth:
    """Work counted at input sizes n, 2n and 4n, and what its growth says about the complexity.

    The first difference (work at 2n minus work at n) cancels any fixed cost (argument checks,
    building a DataFrame). For linear work the next difference is the same again, so ``ratio`` is
    about 2; for quadratic work it is about 4; n log n lies a little above 2.
    """

    sizes: tuple[int, int, int]
    events: tuple[int, int, int]

    @property
    def ratio(self) -> float:
        """(work(4n) - work(2n)) / (work(2n) - work(n)); 0 when the work does not grow at all."""
        first = self.events[1] - self.events[0]
        second = self.events[2] - self.events[1]
        return second / first if first > 0 else 0.0 if second <= 0 else float("inf")

    def is_linear(self, tolerance: float = 2.5) -> bool:
        """True when the work grows no faster than linearly (up to a little n log n)."""
        return self.ratio <= tolerance

    def __str__(self) -> str:
        pairs = ", ".join(f"{n}: {e}" for n, e in zip(self.sizes, self.events, strict=True))
        return f"events by input size {{{pairs}}}, growth ratio {self.ratio:.2f} (linear: 2)"


def growth(function: Callable[[Any], Any], make_input: Callable[[int], Any], n: int) -> Growth:
    """Count function(make_input(k)) for k = n, 2n, 4n, after one warm-up call.

    The warm-up fills caches (the regex cache, lazy imports) so they count against no size.
    """
    function(make_input(n))
    sizes = (n, 2 * n, 4 * n)
    events = tuple(count_events(function, make_input(k)) for k in sizes)
    return Growth(sizes, events)  # type: ignore[arg-type]
