"""What a worker does with one request: the CLI's own commands, run on the request's input.

``/api/verify`` and ``/api/check`` answer with exactly what ``symderiv verify --json``
and ``symderiv check FILE --json`` print: each job turns the request body into the
command line a person would type (``argv_of_verify``, ``argv_of_check``), runs the
CLI's ``main`` in this process with its output captured, and hands back the JSON it
printed, or the one line it printed on stderr (exit 2) as the problem's detail. So
a field the CLI gains, a flag it gains (``--define``), and every message it words
reach the API with no second copy here.

``validate`` (``reading.py``) has no CLI command: it parses, it never checks.

A job returns ``Answer``: an HTTP status and either the JSON body or a problem
(title, detail). Nothing of the user's text is evaluated: it goes, as data, to the
CLI's argument list or into a file the CLI reads.
"""
from __future__ import annotations

import contextlib
import io
import json
import pathlib
import re
import tempfile
from dataclasses import dataclass

PREFIX = "symderiv: "
# front-matter keys a request's "model" may give, and the CLI flag of each (True/False keys are switches)
MODEL_FLAGS = {
    "preset": "--preset", "depth": "--depth", "hidden": "--hidden", "output": "--output", "loss": "--loss",
    "reg": "--reg", "layout": "--layout",
}
SWITCHES = {"batch": ("--batch", None), "bias": (None, "--no-bias")}   # key -> (flag when true, flag when false)
# what a document's settings know beyond the CLI's flags: written to a sidecar (``check --front``)
SIDECAR_KEYS = ("outputs", "read", "title")
FORMATS = {"md": ".md", "markdown": ".md", "tex": ".tex", "latex": ".tex", "ipynb": ".ipynb"}
REPORT_KINDS = ("md", "tex", "pdf")


@dataclass
class Answer:
    """An HTTP status and its body: the CLI's JSON object, or a problem (title, detail) when ``problem``."""
    status: int
    body: dict
    problem: bool = False

    @classmethod
    def refused(cls, detail: str, status: int = 422, title: str = "Input that cannot be used") -> "Answer":
        return cls(status, {"title": title, "detail": detail}, True)


class Refused(Exception):
    """A request body that names no usable command line (an unknown model key, a bad format)."""


# ---------------------------------------------------------------- request -> command line
def _truth(key: str, value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise Refused(f"model key {key!r}: {value!r} must be true or false")


def model_argv(model: dict | None, extra_keys: tuple = ()) -> list[str]:
    """The NET FLAGS of a request's ``model`` (front-matter keys); keys in ``extra_keys`` are left to the
    caller; any other key is refused in one line naming the keys known."""
    argv = []
    for key, value in (model or {}).items():
        if value is None or value == "":
            continue                                  # the page sends empty fields as "default"
        if key in MODEL_FLAGS:
            argv += [MODEL_FLAGS[key], str(value)]
        elif key in SWITCHES:
            flag = SWITCHES[key][0 if _truth(key, value) else 1]
            argv += [flag] if flag else []
        elif key not in extra_keys:
            known = ", ".join([*MODEL_FLAGS, *SWITCHES, *extra_keys])
            raise Refused(f"unknown model key {key!r}; known keys: {known}")
    return argv


def argv_of_verify(body: dict) -> list[str]:
    """``symderiv verify --json [NET FLAGS] [--convention C] [--define D ...] FORMULA``."""
    argv = ["verify", "--json", *model_argv(body.get("model"))]
    if body.get("convention"):
        argv += ["--convention", str(body["convention"])]
    for line in body.get("define") or ():
        argv += ["--define", str(line)]
    return argv + ["--", str(body.get("formula", ""))]


def sidecar_text(model: dict | None) -> str:
    """The ``key: value`` lines of the model keys the CLI has no flag for (``check --front``)."""
    lines = []
    for key in SIDECAR_KEYS:
        values = (model or {}).get(key)
        for value in ([values] if isinstance(values, (str, int)) else values or ()):
            text = " ".join(str(value).split())     # one line each: a newline cannot start another key
            if text:
                lines.append(f"{key}: {text}")
    return "\n".join(lines) + "\n" if lines else ""


def document_file(folder: str, body: dict) -> tuple[pathlib.Path, list[str]]:
    """The request's document written as ``document.<format>`` in ``folder``, and the flags reading it."""
    fmt = str(body.get("format") or "md").lower()
    if fmt not in FORMATS:
        raise Refused(f"format {fmt!r} must be one of md, tex, ipynb")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", str(body.get("name") or "")).strip("-")[:40] or "document"
    path = pathlib.Path(folder) / f"{stem}{FORMATS[fmt]}"      # the uploaded file's name: the report's and ids' name
    path.write_text(str(body.get("document", "")), encoding="utf-8")
    model = body.get("model") or {}
    argv = model_argv(model, extra_keys=SIDECAR_KEYS + ("convention",))
    if model.get("convention") or body.get("convention"):
        argv += ["--convention", str(body.get("convention") or model["convention"])]
    sidecar = sidecar_text(model)
    if sidecar:
        side = pathlib.Path(folder) / "model.symderiv"
        side.write_text(sidecar, encoding="utf-8")
        argv += ["--front", str(side)]
    return path, argv


# ---------------------------------------------------------------- running the CLI
def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``symderiv ARGV`` run in this process."""
    from ..cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def message(stderr: str) -> str:
    """The CLI's one line, without its ``symderiv: error:`` prefix."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    text = lines[-1] if lines else "no answer"
    for prefix in (PREFIX + "error: ", PREFIX):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


def json_answer(code: int, stdout: str, stderr: str) -> Answer:
    """The CLI's JSON (exit 0, 1, or 2 with a verdict), else its one line as a problem."""
    if stdout.strip():
        try:
            return Answer(200, json.loads(stdout))
        except ValueError:
            pass
    if code == 3:
        return Answer.refused(message(stderr), 500, "Internal error")
    return Answer.refused(message(stderr))


def verify(body: dict) -> Answer:
    return json_answer(*run_cli(argv_of_verify(body)))


def check(body: dict) -> Answer:
    with tempfile.TemporaryDirectory(prefix="symderiv-web-") as folder:
        path, argv = document_file(folder, body)
        return json_answer(*run_cli(["check", str(path), "--json", *argv]))


def report(body: dict) -> Answer:
    """``symderiv report FILE --out DIR [--pdf]`` of the request's document, or of its one formula as a
    one-display document: the report file of the kind asked for (``md``, ``tex``; ``pdf`` as base64)."""
    import base64
    kind = str(body.get("kind") or "md")
    if kind not in REPORT_KINDS:
        raise Refused(f"kind {kind!r} must be one of {', '.join(REPORT_KINDS)}")
    if not body.get("document"):
        body = {**body, "document": f"$$\n{body.get('formula') or ''}\n$$\n", "format": "md"}
    body = {**body, "document": with_settings(str(body["document"]), str(body.get("format") or "md"),
                                              {**(body.get("model") or {}), "convention": body.get("convention")})}
    with tempfile.TemporaryDirectory(prefix="symderiv-web-") as folder:
        path, _ = document_file(folder, {**body, "model": {}})
        out = pathlib.Path(folder) / "out"
        code, _, stderr = run_cli(["report", str(path), "--out", str(out), *(["--pdf"] if kind == "pdf" else [])])
        files = sorted(out.glob(f"*.{kind}"), key=lambda f: ("corrected" in f.name, f.name)) if out.is_dir() else []
        if not files:
            return json_answer(code or 2, "", stderr or "report: no file was written")
        data = files[0].read_bytes()
        return Answer(200, {"name": files[0].name, "kind": kind,
                            "content": base64.b64encode(data).decode() if kind == "pdf" else data.decode("utf-8"),
                            "encoding": "base64" if kind == "pdf" else "utf-8"})


def with_settings(text: str, fmt: str, model: dict) -> str:
    """The document with the request's model as its settings, when it states none of its own (a report
    reads only the document's settings)."""
    lines = [f"{key}: {' '.join(str(value).split())}" for key, value in model.items()
             if value not in (None, "") and key != "read" and not isinstance(value, (list, dict))]
    lines += sidecar_text({k: model[k] for k in ("read",) if k in model}).splitlines()
    if not lines or FORMATS.get(fmt.lower()) == ".ipynb":      # a notebook's settings are its own cells
        return text
    if FORMATS.get(fmt.lower()) == ".tex":
        return text if "% symderiv:" in text else "".join(f"% symderiv: {line}\n" for line in lines) + text
    return text if text.lstrip().startswith("---") else "---\n" + "\n".join(lines) + "\n---\n" + text


def validate(body: dict) -> Answer:
    from .reading import Unreadable, reading
    try:
        return Answer(200, reading(body))
    except Unreadable as exc:           # the problem carries where: the page underlines it
        answer = Answer.refused(str(exc))
        if exc.pos is not None:
            answer.body["span"] = [exc.pos, exc.pos + 1]
        return answer


def marks(body: dict) -> Answer:
    from .html import marks as changed
    return Answer(200, changed(str(body.get("source", "")), str(body.get("corrected", ""))))


JOBS = {"verify": verify, "check": check, "validate": validate, "report": report, "marks": marks}


def run(kind: str, body: dict) -> Answer:
    """One job, never an exception: bad input is a 422 problem, a bug of ours a 500 one."""
    try:
        return JOBS[kind](body)
    except Refused as exc:
        return Answer.refused(str(exc))
    except (ValueError, RecursionError) as exc:      # the parser's and the settings' one-line refusals
        return Answer.refused(" ".join(str(exc).split()) or type(exc).__name__)
    except Exception as exc:                         # noqa: BLE001 - one line, never a traceback
        return Answer.refused(f"internal error ({type(exc).__name__}): {exc}", 500, "Internal error")


def warm() -> None:
    """Run one small job of each kind, once per worker before its first request: the imports and the
    caches the checker fills on first use are then paid before anyone waits (about a second)."""
    right = r"\delta^{(L)} = a^{(L)} - y"
    for kind, body in (("validate", {"formula": right}), ("verify", {"formula": right}),
                       ("check", {"document": f"$$\n{right}\n$$\n"})):
        run(kind, body)
