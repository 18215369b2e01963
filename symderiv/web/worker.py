"""A worker process of the server's pool (pool.py): ``python -m symderiv.web.worker``.

It says ``ready``, warms (one small job of each kind), then reads one job per line on
stdin (``[kind, body]`` in JSON), runs it (jobs.py) and writes the answer as one
line (``[status, body, problem]``), until stdin closes. The pool kills it when a
job runs past its time or its client goes away.
"""
from __future__ import annotations

import json
import signal
import sys

from . import jobs


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)          # the server's Ctrl-C, not ours
    out = sys.stdout.buffer
    sys.stdout = sys.stderr          # nothing but answers on the answer pipe (jobs capture their own output)
    out.write(b"ready\n")           # the server can start; a job sent now waits in the pipe while we warm
    out.flush()
    jobs.warm()
    for line in sys.stdin.buffer:
        try:
            kind, body = json.loads(line)
            answer = jobs.run(kind, body)
            reply = [answer.status, answer.body, answer.problem]
        except (ValueError, TypeError) as exc:
            reply = [500, {"title": "Internal error", "detail": f"a job the worker could not read ({exc})"}, True]
        out.write(json.dumps(reply, ensure_ascii=False).encode() + b"\n")
        out.flush()


if __name__ == "__main__":
    main()
