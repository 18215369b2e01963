"""Run a SymPy call with a time limit.

SymPy's simplify/solve can run for minutes on an unlucky expression. Every
such call in symderiv goes through ``bounded`` so a check degrades to
"settle it numerically" instead of hanging.
"""
from __future__ import annotations

import signal
import threading
import time


class TimedOut(Exception):
    """The bounded call did not finish in time."""


def bounded(fn, seconds: float = 5.0):
    """Return ``fn()``, or raise TimedOut after ``seconds``.

    Uses SIGALRM where possible (main thread, POSIX); elsewhere the call runs
    unbounded, which only happens inside library users' worker threads.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return fn()

    def _raise(signum, frame):
        raise TimedOut(f"gave up after {seconds:g} s")

    outer, _ = signal.getitimer(signal.ITIMER_REAL)
    if outer and outer < seconds:
        seconds = outer  # an enclosing limit is shorter: respect it
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # give the enclosing limit back what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 1e-3))
