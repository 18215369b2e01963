"""``symderiv serve``: the web page and the HTTP API (symderiv/web), until Ctrl-C."""
from __future__ import annotations

import argparse

from ..errors import UsageError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8000, help="port to listen on")
    p.add_argument("--workers", type=int, default=4, metavar="N", help="worker processes that run the checks")


def run(args) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, got {args.port}")
    if args.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {args.workers}")
    try:                                # serve() imports FastAPI and uvicorn itself
        from ..web import serve
        return serve(args.host, args.port, args.workers)
    except ImportError as exc:          # the server's libraries are dependencies, but a trimmed install may lack them
        raise UsageError(f"symderiv serve needs {exc.name}: pip install fastapi uvicorn") from None
