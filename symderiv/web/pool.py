"""A pool of worker processes for the server's checks: one slow request never blocks the others.

Each worker is a process that runs one job at a time (``worker.py``: the CLI's
own commands on the request's input), started with the server (and again when
one is replaced) and warm before it takes its first job: it has imported SymPy,
NumPy and the checker. Plain processes with JSON lines on a pipe, not
``multiprocessing``: nothing re-imports the server's ``__main__``, and a killed
worker cannot leave a lock held.

``Pool.run`` takes an idle worker, hands it the job and waits for the answer on
a thread (the event loop never blocks). When the request's time is up, or its
client goes away (the caller cancels the task), the worker is killed outright:
a check inside SymPy cannot be interrupted politely, and a killed process
leaves nothing half-done behind. A fresh worker takes its place at once. A
worker that dies by itself (out of memory) is replaced the same way and its
request gets a problem answer, never a hung connection.

Requests beyond ``size`` wait for a worker; beyond ``size + queue`` they are
refused at once (``Busy``, 503) rather than queue without bound.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import pathlib
import subprocess
import sys
import time

from .jobs import Answer

READY = "ready"


class Busy(Exception):
    """Every worker is busy and the waiting line is full."""


class TimeLimit(Exception):
    """The job ran past its time limit; its worker was killed."""


def _environment() -> dict:
    """The server's environment, with this copy of symderiv first on the worker's path."""
    env = dict(os.environ)
    here = str(pathlib.Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([here, *filter(None, [env.get("PYTHONPATH")])])
    return env


class Worker:
    """One worker process (``python -m symderiv.web.worker``), spoken to in JSON lines on its stdin/stdout.

    Its own process group: a Ctrl-C at the server's terminal is the server's to handle."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, "-m", "symderiv.web.worker"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_environment(),
                                        start_new_session=True)
        line = self.process.stdout.readline()        # warm: SymPy, NumPy and the checker imported
        if line.strip() != READY.encode():
            self.kill()
            raise OSError("a worker process did not start")
        self.jobs = 0

    def ask(self, kind: str, body: dict) -> Answer:
        """Send one job and wait for its answer (on a thread: this blocks). EOFError when the worker died."""
        self.process.stdin.write(json.dumps([kind, body]).encode() + b"\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise EOFError("the worker ended")
        status, payload, problem = json.loads(line)
        self.jobs += 1
        return Answer(status, payload, problem)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.process.wait(5)
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()


class Pool:
    """``size`` workers and a waiting line of ``queue`` requests."""

    def __init__(self, size: int = 4, queue: int = 64):
        self.size, self.queue = max(1, size), max(0, queue)
        self._threads = concurrent.futures.ThreadPoolExecutor(max_workers=2 * self.size + 2,
                                                              thread_name_prefix="symderiv-web-pool")
        self._idle: asyncio.Queue | None = None
        self.waiting = 0
        self.busy = 0
        self.replaced = 0          # workers killed (time limit, disconnect) or dead, and started anew

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        workers = await asyncio.gather(*[loop.run_in_executor(self._threads, Worker)
                                         for _ in range(self.size)])
        for w in workers:
            self._idle.put_nowait(w)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        while self._idle is not None and not self._idle.empty():
            await loop.run_in_executor(self._threads, self._idle.get_nowait().kill)
        self._threads.shutdown(wait=False, cancel_futures=True)

    def _replace(self, worker: Worker) -> None:
        """Kill ``worker`` and put a fresh one in its place (off the event loop)."""
        loop = asyncio.get_running_loop()
        self.replaced += 1

        def renew():
            worker.kill()
            return Worker()

        future = loop.run_in_executor(self._threads, renew)
        future.add_done_callback(lambda f: self._idle.put_nowait(f.result()) if not f.cancelled()
                                 and f.exception() is None else None)

    async def run(self, kind: str, body: dict, seconds: float) -> Answer:
        """The job's answer; TimeLimit after ``seconds`` of work; Busy when the line is full. Cancelling
        the calling task (a client gone) kills the worker that was doing the job."""
        if self.waiting >= self.queue and self._idle.empty():
            raise Busy(f"all {self.size} workers are busy and {self.waiting} requests are waiting")
        self.waiting += 1
        try:
            worker = await self._idle.get()
        finally:
            self.waiting -= 1
        self.busy += 1
        started = time.monotonic()
        loop = asyncio.get_running_loop()
        try:
            answer = await asyncio.wait_for(loop.run_in_executor(self._threads, worker.ask, kind, body), seconds)
        except asyncio.TimeoutError:
            self._replace(worker)
            raise TimeLimit(f"gave up: {kind} ran longer than its limit of {seconds:g} s") from None
        except (EOFError, OSError, ValueError):      # the worker died under the job (killed, out of memory)
            self._replace(worker)
            return Answer.refused(f"the worker checking this {kind} ended after {time.monotonic() - started:.1f} s "
                                  "(out of memory?)", 500, "Internal error")
        except BaseException:            # cancelled: the client went away
            self._replace(worker)
            raise
        finally:
            self.busy -= 1
        self._idle.put_nowait(worker)
        return answer
