"""The HTTP API and the page: ``symderiv serve`` (FastAPI on uvicorn).

Routes (DESIGN.md, "Where people use it"): ``POST /api/validate`` (the reading
only), ``POST /api/verify`` (the ``verify --json`` object), ``POST /api/check``
(the ``check --json`` object), ``POST /api/report`` (a report file),
``GET /api/health``, ``GET /api/version``; the OpenAPI description at
``/openapi.json``; the page at ``/``.

Every error is problem JSON (RFC 9457: ``type``, ``title``, ``status``,
``detail``), its ``detail`` the one line the CLI prints for the same input.
Limits: a body larger than ``Limits.body_bytes`` is refused before it is read
whole (413); each job has a time limit (504, its worker killed); work runs in
a pool of processes (pool.py) whose waiting line is bounded (503); a client
that disconnects cancels its job.
"""
from __future__ import annotations

import asyncio
import contextlib
import http
import pathlib
import shutil
from dataclasses import dataclass, field
from typing import Literal, Optional, Union

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from .pool import Busy, Pool, TimeLimit

STATIC = pathlib.Path(__file__).parent / "static"
PROBLEM = "application/problem+json"
MAX_FORMULA = 20_000           # characters: a formula, not a document (documents go to /api/check)
MAX_DOCUMENT = 1_000_000       # the reader's own limit (documents/reader.py MAX_BYTES)


@dataclass
class Limits:
    """What one request may cost: its body, its time per kind of job; and the pool's size and line."""
    body_bytes: int = 2_200_000                    # a 1 MB document, JSON-escaped
    seconds: dict = field(default_factory=lambda: {"validate": 10.0, "verify": 60.0, "check": 300.0,
                                                   "report": 300.0, "marks": 10.0})
    workers: int = 4
    queue: int = 64


# ---------------------------------------------------------------- bodies (the OpenAPI description)
ModelValue = Union[str, int, bool, list[str]]


class ModelKeys(BaseModel):
    """Front-matter keys (docs/documents.md); each optional, its default shown."""
    model_config = ConfigDict(extra="allow")
    preset: Optional[str] = Field(None, description="a named setting: several keys at once")
    depth: Optional[int] = Field(None, description="weight layers (default 2)", ge=1, le=12)
    hidden: Optional[str] = Field(None, description="hidden activation (default sigmoid)")
    output: Optional[str] = Field(None, description="output activation (default sigmoid)")
    loss: Optional[str] = Field(None, description="bce, ce or mse (default: bce for sigmoid, ce for softmax, "
                                                  "mse for identity)")
    reg: Optional[str] = Field(None, description="none, l2 or l2-sum (default none)")
    batch: Optional[bool] = Field(None, description="J is the mean over m samples (default false)")
    layout: Optional[str] = Field(None, description="columns or rows (default columns)")
    bias: Optional[bool] = Field(None, description="bias terms (default true)")


class VerifyBody(BaseModel):
    formula: str = Field(..., max_length=MAX_FORMULA, description="the formula in LaTeX, LHS = RHS",
                         examples=[r"\delta^{(L)} = \frac{1}{2}(a^{(L)} - y)"])
    model: dict[str, ModelValue] = Field(default_factory=dict, description="front-matter keys (ModelKeys)")
    convention: Optional[str] = Field(None, description="a convention's name, or auto (default)")
    define: list[str] = Field(default_factory=list, description="forward-pass lines stating the model")


class CheckBody(BaseModel):
    document: str = Field(..., max_length=MAX_DOCUMENT, description="the document's text")
    name: Optional[str] = Field(None, max_length=200, description="its file name (names the report and note)")
    format: Literal["md", "tex", "ipynb"] = "md"
    model: dict[str, ModelValue] = Field(default_factory=dict, description="front-matter keys (ModelKeys); "
                                         "given keys override the document's own")
    convention: Optional[str] = None


class ReportBody(BaseModel):
    kind: Literal["md", "tex", "pdf"] = "md"
    formula: Optional[str] = Field(None, max_length=MAX_FORMULA)
    document: Optional[str] = Field(None, max_length=MAX_DOCUMENT)
    name: Optional[str] = Field(None, max_length=200)
    format: Literal["md", "tex", "ipynb"] = "md"
    model: dict[str, ModelValue] = Field(default_factory=dict)
    convention: Optional[str] = None


class MarksBody(BaseModel):
    source: str = Field(..., max_length=MAX_FORMULA, description="a line as written")
    corrected: str = Field(..., max_length=MAX_FORMULA, description="its correction")


class MarksOut(BaseModel):
    source: str
    corrected: str
    changes: list[list[str]]
    marked: bool


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class VerdictOut(Open):
    verdict: Literal["correct", "incorrect", "unverifiable"]
    claim: str
    expected: Optional[str] = None
    diagnosis: list[str] = []
    counterexample: Optional[dict] = None
    reason: str = ""
    convention: str = "default"
    model: str = ""


class EntryOut(Open):
    id: str
    source_latex: str
    verdict: Literal["correct", "incorrect", "unverifiable"]
    reason: str
    corrected_latex: Optional[str] = None


class CheckOut(Open):
    note: str
    entries: list[EntryOut]


class SymbolOut(BaseModel):
    name: str
    role: str
    shape: str


class ReadingOut(BaseModel):
    reading: str
    symbols: list[SymbolOut]
    convention: str
    model: str
    assumptions: list[str]


class ProblemOut(Open):
    type: str = "about:blank"
    title: str
    status: int
    detail: str


# ---------------------------------------------------------------- problems
def problem(status: int, detail: str, title: str | None = None, **extra) -> JSONResponse:
    """An RFC 9457 problem: ``detail`` is one line."""
    title = title or http.HTTPStatus(status).phrase
    body = {"type": "about:blank", "title": title, "status": status, "detail": " ".join(str(detail).split()),
            **extra}
    headers = {"Retry-After": "1"} if status == 503 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


class TooLarge(HTTPException):
    def __init__(self, limit: int):
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodyLimit:
    """Refuse a body over ``limit`` bytes: at once by its Content-Length, else as it streams in."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or ()).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return await problem(413, f"the request body is larger than {self.limit} bytes")(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise TooLarge(self.limit)
            return message
        await self.app(scope, counted, send)


def _validation_line(exc: RequestValidationError) -> str:
    """Pydantic's errors as one line: ``formula: Field required``."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ())[1:]) or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request body is not valid"


# ---------------------------------------------------------------- the app
def create_app(limits: Limits | None = None) -> FastAPI:
    limits = limits or Limits()

    @contextlib.asynccontextmanager
    async def lifespan(app):
        app.state.pool = Pool(limits.workers, limits.queue)
        await app.state.pool.start()
        try:
            yield
        finally:
            await app.state.pool.close()

    app = FastAPI(title="symderiv", version=__version__, lifespan=lifespan,
                  description="Checks backpropagation derivations line by line: the CLI's JSON over HTTP. "
                              "Errors are problem JSON (RFC 9457).",
                  responses={422: {"model": ProblemOut, "description": "input that cannot be used"}})
    app.state.limits = limits
    app.add_middleware(BodyLimit, limit=limits.body_bytes)

    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request, exc):
        return problem(exc.status_code, exc.detail if isinstance(exc.detail, str) else str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_body(request, exc):
        return problem(422, _validation_line(exc), "Input that cannot be used")

    @app.exception_handler(Exception)
    async def internal(request, exc):
        return problem(500, f"internal error ({type(exc).__name__}): {exc}", "Internal error")

    async def run(request: Request, kind: str, body: dict) -> JSONResponse:
        """The job's answer; cancelled (its worker killed) when the client disconnects first."""
        pool: Pool = request.app.state.pool
        job = asyncio.ensure_future(pool.run(kind, body, limits.seconds.get(kind, 60.0)))
        gone = asyncio.ensure_future(_disconnected(request))
        try:
            await asyncio.wait({job, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
        if not job.done():
            job.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await job
            return problem(499, "the client closed the request", "Client closed request")
        try:
            answer = job.result()
        except Busy as exc:
            return problem(503, str(exc), "Busy")
        except TimeLimit as exc:
            return problem(504, str(exc), "Time limit reached")
        if answer.problem:
            return problem(answer.status, answer.body.get("detail", ""), answer.body.get("title"),
                           **{k: v for k, v in answer.body.items() if k not in ("detail", "title")})
        return JSONResponse(answer.body, status_code=answer.status)

    @app.post("/api/validate", response_model=ReadingOut, summary="How a formula is read (no verdict)")
    async def validate(body: VerifyBody, request: Request):
        return await run(request, "validate", body.model_dump())

    @app.post("/api/verify", response_model=VerdictOut, summary="Check one formula (verify --json)")
    async def verify(body: VerifyBody, request: Request):
        return await run(request, "verify", body.model_dump())

    @app.post("/api/check", response_model=CheckOut, summary="Check every line of a document (check --json)")
    async def check(body: CheckBody, request: Request):
        return await run(request, "check", body.model_dump())

    @app.post("/api/report", summary="A report of a formula or a document (.md, .tex, .pdf as base64)")
    async def report(body: ReportBody, request: Request):
        if not body.formula and not body.document:
            return problem(422, "give a formula or a document", "Input that cannot be used")
        return await run(request, "report", body.model_dump())

    @app.post("/api/marks", response_model=MarksOut,
              summary="What a correction changed: both lines with their changed parts wrapped in \\htmlClass")
    async def marks(body: MarksBody, request: Request):
        return await run(request, "marks", body.model_dump())

    @app.get("/api/health", summary="Is the server up, and how busy")
    async def health(request: Request):
        pool: Pool = request.app.state.pool
        return {"status": "ok", "workers": pool.size, "busy": pool.busy, "waiting": pool.waiting,
                "replaced": pool.replaced}

    @app.get("/api/version", summary="symderiv's version and its main libraries'")
    async def version():
        import importlib.metadata as meta
        libraries = {}
        for name in ("sympy", "numpy", "fastapi", "uvicorn"):
            with contextlib.suppress(meta.PackageNotFoundError):
                libraries[name] = meta.version(name)
        return {"name": "symderiv", "version": __version__, **libraries,
                "pdf": shutil.which("pdflatex") is not None}

    @app.get("/api/options", summary="The model keys the page offers, with their choices and defaults")
    async def options():
        return _options()

    @app.get("/", include_in_schema=False)
    async def page():
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _options() -> dict:
    """Front-matter keys with their choices and defaults (from the settings' own tables), and the conventions."""
    from ..documents.settings import FLAG_KEYS
    from ..engine.losses import DEFAULT_LOSS
    from ..engine.network import NetFlags
    from ..engine.presets import PRESETS
    from ..notation.conventions import CONVENTIONS
    base = NetFlags()
    keys = {}
    for key in ("preset", "depth", "hidden", "output", "loss", "reg", "batch", "layout", "bias"):
        choices = list(PRESETS) if key == "preset" else getattr(FLAG_KEYS.get(key), "names", None)
        if key in ("batch", "bias"):
            choices = ["true", "false"]
        default = getattr(base, key, None)
        if key == "loss":
            default = "by output: " + ", ".join(f"{loss} for {out}" for out, loss in DEFAULT_LOSS.items())
        keys[key] = {"choices": choices, "default": "none" if default is None else
                     str(default).lower() if isinstance(default, bool) else str(default)}
    return {"model": keys, "conventions": ["auto", *CONVENTIONS]}


async def _disconnected(request: Request) -> None:
    """Return when the client has gone (the body is already read: the next message is the disconnect)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return
