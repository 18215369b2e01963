"""symderiv on the web: ``symderiv serve`` starts the page and the HTTP API on one port.

``app.py`` (routes, problem JSON, limits), ``pool.py`` (worker processes),
``worker.py`` and ``jobs.py`` (what a worker runs: the CLI's own commands),
``reading.py`` (how a formula was read, for ``/api/validate``), ``html.py``
(verdicts as HTML, for Jupyter), ``static/`` (the page, with KaTeX vendored:
no network needed).

FastAPI and uvicorn are imported only by ``create_app`` and ``serve``, so
``import symderiv`` never needs them.
"""
from __future__ import annotations

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def create_app(limits=None):
    """The ASGI app (for uvicorn, or FastAPI's TestClient)."""
    from .app import create_app as make
    return make(limits)


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, workers: int | None = None) -> int:
    """Run the server until Ctrl-C; 0 when it stopped cleanly."""
    import uvicorn

    from .app import Limits
    limits = Limits() if workers is None else Limits(workers=workers)
    print(f"symderiv: serving the page and the API on http://{host}:{port}/ (Ctrl-C stops)", flush=True)
    uvicorn.run(create_app(limits), host=host, port=port, log_level="warning")
    return 0
