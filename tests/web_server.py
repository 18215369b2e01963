"""A real symderiv server (uvicorn, in a thread) on a free loopback port, for the API and browser tests."""
from __future__ import annotations

import contextlib
import socket
import threading
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(limits=None):
    """Yield (base URL, uvicorn.Server) while a server runs; stop it afterwards."""
    import uvicorn

    from symderiv.web.app import Limits, create_app
    port = free_port()
    config = uvicorn.Config(create_app(limits or Limits(workers=1)), host="127.0.0.1", port=port,
                            log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start within 30 s"
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.should_exit = True
        thread.join(15)
