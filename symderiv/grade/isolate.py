"""One submission in a child process with a hard time limit: a crash or a hang costs that student only.

``run_isolated(fn, arg, seconds)`` forks the calling process (so the child
starts with everything the worker has imported and derived: a warm model
costs nothing again), runs ``fn(arg)`` there and sends back its JSON. At the
limit the child is killed (SIGKILL: a C call that never returns to Python is
stopped too) and the answer is a "timeout" record; a child that dies or
raises gives a "crash" record. The same function runs in a local pool's
worker and in a Dask worker's thread, so both give the same records.
"""
from __future__ import annotations

import json
import os
import select
import signal
import time
import traceback

MAX_RECORD_BYTES = 50_000_000


def run_isolated(fn, arg, seconds: float) -> dict:
    """``fn(arg)`` (a JSON-able dict) from a forked child, or a timeout/crash record; ``seconds`` of wall time."""
    read_end, write_end = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:                                   # the child: never returns
        os.close(read_end)
        _child(fn, arg, write_end)
    os.close(write_end)
    data, deadline, timed_out, answered = bytearray(), started + seconds, False, False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_end], [], [], left)
            if not ready:
                continue
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                answered = True
                break
            data += chunk
            if len(data) > MAX_RECORD_BYTES:
                break
    finally:
        os.close(read_end)
        if not answered:                           # timed out, too much output, or the parent interrupted
            _kill(pid)
        status = _reap(pid)
    elapsed = time.monotonic() - started
    if timed_out:
        return {"status": "timeout", "message": f"stopped at its time limit of {seconds:g} s", "seconds": seconds}
    try:
        out = json.loads(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        why = f"the worker process ended with {_describe(status)} before answering"
        return {"status": "crash", "message": why, "seconds": round(elapsed, 3)}
    if isinstance(out, dict) and "__error__" in out:
        return {"status": "crash", "message": out["__error__"], "seconds": round(elapsed, 3)}
    out["seconds"] = round(elapsed, 3)
    return out


def _child(fn, arg, fd: int) -> None:
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is the parent's to handle
        try:
            payload = json.dumps(fn(arg), ensure_ascii=False)
        except BaseException as exc:                      # noqa: BLE001 - reported as this student's crash
            last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
            where = f" at {os.path.basename(last[0].filename)}:{last[0].lineno}" if last else ""
            payload = json.dumps({"__error__": f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}{where}"})
        data = payload.encode("utf-8")
        while data:
            written = os.write(fd, data)
            data = data[written:]
    except BaseException:                                 # noqa: BLE001 - nothing may escape a forked child
        code = 1
    finally:
        os._exit(code)                                    # no atexit handlers, no flushing the parent's buffers


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _reap(pid: int) -> int:
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:
            continue
        except ChildProcessError:
            return 0


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return f"signal {signal.Signals(number).name}"
        except ValueError:
            return f"signal {number}"
    return f"exit code {os.WEXITSTATUS(status)}"
