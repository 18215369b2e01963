"""Time limits: ``bounded`` for one SymPy call, ``time_limit`` for a whole command.

SymPy's simplify/solve can run for minutes on an unlucky expression. Every
such call in symderiv goes through ``bounded`` so a check degrades to
"settle it numerically" instead of hanging; the CLI runs each command under
``time_limit`` so that no command runs past its budget, however many calls it
makes.

How the limit is enforced:

* on the main thread (POSIX): SIGALRM. Limits nest: the timer is set to the
  earliest pending deadline, and when it fires, the exception of the *earliest
  expired* deadline is raised, so an enclosing command limit is never
  mistaken for (and swallowed as) an inner call's ``TimedOut``;
* on any other thread: a watchdog timer raises the exception inside the
  calling thread (``PyThreadState_SetAsyncExc``), so the computation stops
  where it is, on its own thread, and its state is not abandoned half-way.

Limits of the design (both mechanisms): the exception is raised between two
Python bytecodes, so a single long C call (one huge NumPy operation, a
blocking read) is interrupted only when it returns to Python; on the main
thread a blocking system call is interrupted at once by the signal. Code that
catches every exception (``except BaseException``) inside the bounded call can
swallow the limit; symderiv's own code does not.
"""
from __future__ import annotations

import ctypes
import signal
import threading
import time


class TimedOut(Exception):
    """The bounded call did not finish in time."""

    def __str__(self):
        return super().__str__() or "time limit reached"


class CommandTimedOut(Exception):
    """A whole command ran past its time limit (``time_limit``); not a TimedOut, so never swallowed."""

    def __str__(self):
        return super().__str__() or "time limit of the command reached"


_local = threading.local()  # per thread: the stack of pending (deadline, exception class)


def _stack() -> list:
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


def bounded(fn, seconds: float = 5.0):
    """Return ``fn()``, or raise TimedOut after ``seconds`` (on any thread)."""
    return _limited(fn, seconds, TimedOut)


def time_limit(fn, seconds: float | None):
    """Return ``fn()``, or raise CommandTimedOut after ``seconds``; None means no limit."""
    if seconds is None:
        return fn()
    return _limited(fn, seconds, CommandTimedOut)


def _limited(fn, seconds: float, exc_class):
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        return _with_alarm(fn, seconds, exc_class)
    return _with_watchdog(fn, seconds, exc_class)


# ---- main thread: SIGALRM --------------------------------------------------------

def _on_alarm(signum, frame):
    now = time.monotonic()
    expired = [entry for entry in _stack() if entry[0] <= now + 1e-4]
    if expired:
        deadline, exc_class, seconds = min(expired, key=lambda entry: entry[0])
        raise exc_class(f"gave up after {seconds:g} s")
    _arm()  # a stray or early signal: wait for the nearest deadline


def _arm() -> None:
    pending = [entry[0] for entry in _stack()]
    if pending:
        signal.setitimer(signal.ITIMER_REAL, max(min(pending) - time.monotonic(), 1e-4))
    else:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _with_alarm(fn, seconds: float, exc_class):
    stack = _stack()
    started = time.monotonic()
    outer = previous = None
    if not stack:  # outermost: keep a timer someone else set (e.g. a test runner's) and give it back
        outer, _ = signal.getitimer(signal.ITIMER_REAL)
        seconds = min(seconds, outer) if outer else seconds
        previous = signal.signal(signal.SIGALRM, _on_alarm)
    entry = (started + seconds, exc_class, seconds)
    stack.append(entry)
    _arm()
    try:
        return fn()
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:  # even if the alarm fires right here, the entry and the handler are restored
            stack.remove(entry)
            if stack:
                _arm()
            else:
                signal.signal(signal.SIGALRM, previous)
                if outer:
                    signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 1e-3))


# ---- other threads: a watchdog that raises inside the calling thread ---------------

def _raise_in(thread_id: int, exc_class) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(exc_class) if exc_class else None)


def _with_watchdog(fn, seconds: float, exc_class):
    caller = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def fire():
        with lock:
            if not state["done"]:
                state["fired"] = True
                _raise_in(caller, exc_class)

    watchdog = threading.Timer(seconds, fire)
    watchdog.daemon = True
    watchdog.start()
    try:
        return fn()
    except exc_class:
        if state["fired"]:
            raise exc_class(f"gave up after {seconds:g} s") from None
        raise
    finally:
        with lock:
            state["done"] = True
            if state["fired"]:
                _raise_in(caller, None)  # clear the exception if it has not been delivered yet
        watchdog.cancel()
