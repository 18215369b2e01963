"""The HTTP API (symderiv/web): the CLI's JSON and messages over HTTP, problem JSON, limits, the pool.

Each answer is compared with what the CLI prints for the same input (the API is
the CLI's JSON, not a second implementation), and the mathematics is asserted:
the verdict, the expected right-hand side, the shapes of the reading.
"""
from __future__ import annotations

import contextlib
import io
import json
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
from fastapi.testclient import TestClient  # noqa: E402

from symderiv.cli import main  # noqa: E402
from symderiv.web.app import Limits, create_app  # noqa: E402
from web_server import running_server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HALF = r"\delta^{(L)} = \frac{1}{2}(a^{(L)} - y)"          # wrong: a scale of 1/2
RIGHT = r"\delta^{(L)} = a^{(L)} - y"
DOCUMENT = "---\nhidden: tanh\n---\nThe output error:\n$$\n" + RIGHT + "\n$$\nand the gradient\n$$\n" \
           r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} a^{(l-1)}" + "\n$$\n"


def cli(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def cli_line(*argv) -> str:
    """The one line the CLI prints on stderr, without its prefix."""
    code, out, err = cli(*argv)
    assert code == 2, (code, out, err)
    return err.strip().split("error: ", 1)[1]


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Limits(workers=2))) as c:
        yield c


def problem_of(r, status: int) -> dict:
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["title"] and "\n" not in body["detail"]
    return body


# ---------------------------------------------------------------- the CLI's JSON
def test_verify_is_the_cli_json(client):
    r = client.post("/api/verify", json={"formula": HALF})
    assert r.status_code == 200
    got = r.json()
    assert got["verdict"] == "incorrect" and got["expected"] == "a^{(L)} - y"
    assert any(d.startswith("scale: claim = 1/2") for d in got["diagnosis"])
    code, out, _ = cli("verify", "--json", HALF)
    assert code == 1 and got == json.loads(out)


def test_verify_model_keys_are_the_flags(client):
    r = client.post("/api/verify", json={"formula": RIGHT, "model": {"hidden": "tanh", "batch": True,
                                                                      "output": "sigmoid"}})
    got = r.json()
    assert got["verdict"] == "correct" and "hidden tanh" in got["model"] and "batch" in got["model"]
    assert got == json.loads(cli("verify", "--json", "--hidden", "tanh", "--batch", "--output", "sigmoid",
                                 RIGHT)[1])


def test_verify_unverifiable_is_a_verdict_not_an_error(client):
    got = client.post("/api/verify", json={"formula": r"\delta^{(L)} = \foo"}).json()
    assert got["verdict"] == "unverifiable" and "\\foo" in got["reason"]


def test_check_is_the_cli_json(client, tmp_path):
    r = client.post("/api/check", json={"document": DOCUMENT, "format": "md"})
    assert r.status_code == 200
    got = r.json()
    verdicts = {e["id"]: e["verdict"] for e in got["entries"]}
    assert verdicts == {"L6": "correct", "L10": "incorrect"}       # the gradient lacks the transpose
    wrong = got["entries"][1]
    assert wrong["corrected_latex"] and "^T" in wrong["corrected_latex"].replace("^{T}", "^T")
    path = tmp_path / "document.md"
    path.write_text(DOCUMENT)
    code, out, _ = cli("check", str(path), "--json")
    assert code == 1 and got == json.loads(out)


def test_check_model_overrides_the_front_matter(client):
    doc = "---\nhidden: tanh\n---\n$$\n" + r"\delta^{(L)} = (a^{(L)} - y) \odot \sigma'(z^{(L)})" + "\n$$\n"
    # bce with a sigmoid output makes the sigma' factor wrong; mse makes it right
    assert client.post("/api/check", json={"document": doc}).json()["entries"][0]["verdict"] == "incorrect"
    got = client.post("/api/check", json={"document": doc, "model": {"loss": "mse"}}).json()
    assert got["entries"][0]["verdict"] == "correct"


def test_check_latex_document(client):
    doc = "\\documentclass{article}\n\\begin{document}\n\\[\n" + HALF + "\n\\]\n\\end{document}\n"
    got = client.post("/api/check", json={"document": doc, "format": "tex"}).json()
    assert [(e["id"], e["verdict"]) for e in got["entries"]] == [("L4", "incorrect")]
    assert got["entries"][0]["corrected_latex"] == RIGHT


# ---------------------------------------------------------------- the reading (no verdict)
def test_validate_reads_without_judging(client):
    r = client.post("/api/validate", json={"formula": r"\frac{\partial J}{\partial W^{(l)}} = "
                                                      r"\delta^{(l)} (a^{(l-1)})^T", "model": {"batch": True}})
    assert r.status_code == 200
    got = r.json()
    assert "verdict" not in got and set(got) == {"reading", "symbols", "convention", "model", "assumptions"}
    shapes = {s["name"]: s["shape"] for s in got["symbols"]}
    assert shapes["W^{(l)}"] == r"n_{l} \times n_{l-1}"
    assert shapes[r"\delta^{(l)}"] == r"n_{l} \times m"          # batch: one column per sample
    assert shapes[r"\frac{\partial J}{\partial W^{(l)}}"] == shapes["W^{(l)}"]
    roles = {s["name"]: s["role"] for s in got["symbols"]}
    assert roles["W^{(l)}"] == "weight matrix" and roles["J"].startswith("loss")
    assert got["convention"] == "default" and "batch" in got["model"]
    assert any("every valid layer" in a for a in got["assumptions"])


def test_validate_names_the_convention_its_signals_picked(client):
    got = client.post("/api/validate", json={"formula": r"\delta^{(2)} = \Theta^{(2)T} \delta^{(3)} .* "
                                                        r"g'(z^{(2)})"}).json()
    assert got["convention"] == "ng"
    assert any(a.startswith("convention ng") for a in got["assumptions"])


def test_validate_rows_layout_transposes_the_shapes(client):
    got = client.post("/api/validate", json={"formula": RIGHT, "model": {"layout": "rows"}}).json()
    assert {s["name"]: s["shape"] for s in got["symbols"]}[r"\delta^{(L)}"] == r"1 \times n_{L}"


def test_validate_unreadable_formula_is_a_problem_with_its_place(client):
    formula = r"\delta^{(L)} = a^{(L)} -"
    body = problem_of(client.post("/api/validate", json={"formula": formula}), 422)
    assert body["detail"].startswith("unexpected end of the claim")
    assert body["span"][0] == formula.rindex("-")          # the operator with nothing after it


# ---------------------------------------------------------------- problems: the CLI's one line
def test_errors_are_problem_json_with_the_cli_line(client):
    body = problem_of(client.post("/api/verify", json={"formula": RIGHT, "convention": "knuth"}), 422)
    assert body["detail"] == cli_line("verify", "--convention", "knuth", RIGHT)
    body = problem_of(client.post("/api/verify", json={"formula": RIGHT, "model": {"hidden": "swish"}}), 422)
    assert body["detail"] == cli_line("verify", "--hidden", "swish", RIGHT)
    body = problem_of(client.post("/api/check", json={"document": "no maths here\n"}), 422)
    assert body["detail"].endswith("no display math found ($$..$$, \\[..\\], equation, equation*, align, align*)")


def test_malformed_bodies_are_problems(client):
    assert problem_of(client.post("/api/verify", json={}), 422)["detail"] == "formula: Field required"
    problem_of(client.post("/api/verify", content=b"{not json", headers={"content-type": "application/json"}),
               422)
    assert "hiden" in problem_of(client.post("/api/verify", json={"formula": RIGHT, "model": {"hiden": "x"}}),
                                 422)["detail"]
    problem_of(client.post("/api/check", json={"document": "$$ a = b $$", "format": "docx"}), 422)
    problem_of(client.get("/api/nothing"), 404)
    problem_of(client.get("/api/verify"), 405)


def test_body_limit(client):
    big = b'{"formula": "' + b"x" * 2_300_000 + b'"}'
    assert "larger than" in problem_of(client.post("/api/verify", content=big,
                                                   headers={"content-type": "application/json"}), 413)["detail"]

    def chunks():                        # no Content-Length: counted as it streams in
        yield b'{"formula": "'
        for _ in range(30):
            yield b"x" * 100_000
        yield b'"}'
    problem_of(client.post("/api/verify", content=chunks(), headers={"content-type": "application/json"}), 413)
    problem_of(client.post("/api/verify", json={"formula": "x" * 20_001}), 422)     # a formula, not a book


def test_health_version_openapi(client):
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["workers"] == 2
    import symderiv
    assert client.get("/api/version").json()["version"] == symderiv.__version__
    spec = client.get("/openapi.json").json()
    assert {"/api/validate", "/api/verify", "/api/check", "/api/health", "/api/version"} <= set(spec["paths"])
    assert "formula" in spec["components"]["schemas"]["VerifyBody"]["properties"]


def test_report_downloads(client):
    got = client.post("/api/report", json={"formula": HALF, "kind": "md"}).json()
    assert got["name"].endswith(".md") and "a^{(L)} - y" in got["content"]
    tex = client.post("/api/report", json={"document": DOCUMENT, "kind": "tex"}).json()
    assert "\\documentclass" in tex["content"]


# ---------------------------------------------------------------- the pool: limits, isolation, cancelling
SLOW = "---\ndepth: 4\n---\n" + "".join(      # 498 different wrong lines: half a minute of checking
    f"$$\n\\delta^{{({l})}} = {k} W^{{({l + 1})}} \\delta^{{({l + 1})}} \\odot \\sigma'(z^{{({l})}})\n$$\n"
    for k in range(2, 168) for l in range(1, 4))


def test_a_slow_request_neither_blocks_others_nor_outlives_its_limit():
    limits = Limits(workers=2, seconds={"validate": 10.0, "verify": 30.0, "check": 3.0, "report": 30.0})
    with TestClient(create_app(limits)) as c:
        warm = [threading.Thread(target=c.post, args=("/api/validate",), kwargs={"json": {"formula": RIGHT}})
                for _ in range(2)]               # both workers past their warm-up before the clock starts
        for t in warm:
            t.start()
        for t in warm:
            t.join(60)
        slow = {}
        started = time.monotonic()
        thread = threading.Thread(target=lambda: slow.update(r=c.post("/api/check", json={"document": SLOW})))
        thread.start()
        time.sleep(0.3)
        quick = c.post("/api/verify", json={"formula": HALF})
        slow_still_running = thread.is_alive()         # the document takes over 10 s: it is stopped at 3 s
        thread.join(30)
        assert quick.json()["verdict"] == "incorrect" and slow_still_running
        assert 3.0 <= time.monotonic() - started
        body = problem_of(slow["r"], 504)
        assert body["detail"] == "gave up: check ran longer than its limit of 3 s"
        deadline = time.monotonic() + 10
        while c.get("/api/health").json()["replaced"] < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert c.get("/api/health").json()["replaced"] == 1            # the worker was killed and replaced
        assert c.post("/api/verify", json={"formula": RIGHT}).json()["verdict"] == "correct"


@pytest.fixture(scope="module")
def server():
    """A real uvicorn on loopback (for what TestClient cannot do: hang up, curl)."""
    with running_server(Limits(workers=1)) as running:
        yield running


def test_a_client_that_hangs_up_cancels_its_work(server):
    import httpx
    url, srv = server
    body = json.dumps({"document": SLOW}).encode()
    host, port = url.rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port))) as s:
        s.sendall(b"POST /api/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        deadline = time.monotonic() + 5
        while httpx.get(url + "/api/health").json()["busy"] < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert httpx.get(url + "/api/health").json()["busy"] == 1
    deadline = time.monotonic() + 10          # hung up: the worker is killed long before the check would end
    while httpx.get(url + "/api/health").json()["replaced"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    health = httpx.get(url + "/api/health").json()
    assert health["replaced"] == 1 and health["busy"] == 0
    assert httpx.post(url + "/api/verify", json={"formula": HALF}, timeout=30).json()["verdict"] == "incorrect"


def test_the_curl_example_in_the_docs_runs(server):
    """docs/web.md's curl block, against a real server: it prints the verify --json object."""
    url, _ = server
    text = (ROOT / "docs" / "web.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- norun: [^>]*test_web_api[^>]*-->\s*```bash\n(.*?)```", text, re.S).group(1)
    command = block.replace("http://127.0.0.1:8000", url)
    r = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    answers = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    assert answers[0]["verdict"] == "incorrect" and answers[0]["expected"] == "a^{(L)} - y"
    assert any(a.get("status") == 422 for a in answers)       # the error example is a problem


# ---------------------------------------------------------------- the page's files, and notebooks
def test_the_page_needs_no_network(client):
    page = client.get("/")
    assert page.status_code == 200 and "katex.min.js" in page.text
    for name in ("index.html", "app.js", "app.css", "vendor/katex/katex.min.css"):
        text = client.get(f"/static/{name}" if name != "index.html" else "/").text
        assert not re.search(r"(src|href)=[\"']?(https?:)?//|url\((https?:)?//|@import", text), name
    fonts = re.findall(r"url\((fonts/[^)]+\.woff2)\)", client.get("/static/vendor/katex/katex.min.css").text)
    assert fonts and all(client.get(f"/static/vendor/katex/{f}").status_code == 200 for f in set(fonts))
    assert "MIT" in client.get("/static/vendor/katex/LICENSE").text


def test_marks_say_what_the_correction_changed(client):
    got = client.post("/api/marks", json={"source": HALF, "corrected": RIGHT}).json()
    assert got["marked"] and r"\htmlClass{sd-wrong}{\frac{1}{2}}" in got["source"]
    assert got["changes"][0][0].startswith(r"\frac{1}{2}")


def test_a_notebook_shows_verdicts_as_the_page_does():
    import symderiv
    from symderiv.documents.check import check_note
    from symderiv.documents.reader import read_document
    v = symderiv.verify(HALF, symderiv.mlp([3, 4, 2]))
    shown = v._repr_html_()
    assert 'aria-label="verdict: Incorrect"' in shown and "✗" in shown
    assert f"Corrected: ${RIGHT}$" in shown and "Counterexample" in shown
    assert v._repr_markdown_().startswith("**✗ Incorrect**") and RIGHT in v._repr_latex_()
    results = check_note(read_document(DOCUMENT, "markdown", "homework.md"))
    assert [r.verdict for r in results] == ["correct", "incorrect"]      # still a list of results
    page = results._repr_html_()
    assert page.count('class="sd-verdict') == 2 and "1 correct, 1 incorrect" in page


DEFINE = [r"h = \sigma(W_1 x + b_1)", "o = W_2 h", r"J = \frac{1}{2} \|o - y\|^2"]


def test_define_lines_are_the_formulas_model(client):
    wrong = r"\frac{\partial J}{\partial W_2} = (o - y) h"            # h^T missing: 4x1 times 2x1
    got = client.post("/api/verify", json={"formula": wrong, "define": DEFINE}).json()
    argv = [a for d in DEFINE for a in ("--define", d)]
    assert got["verdict"] == "incorrect" and got == json.loads(cli("verify", "--json", *argv, wrong)[1])
    read = client.post("/api/validate", json={"formula": wrong + "^T", "define": DEFINE}).json()
    shapes = {s["name"]: s["shape"] for s in read["symbols"]}
    roles = {s["name"]: s["role"] for s in read["symbols"]}
    assert roles["W_{2}"] == "parameter" and roles["h"] == "defined" and roles["J"] == "cost"
    rows, cols = shapes["W_{2}"].split(r" \times ")
    assert shapes["o"].startswith(rows) and shapes["h"].startswith(cols)       # o = W_2 h: the shapes chain
    body = problem_of(client.post("/api/validate", json={"formula": wrong, "define": [r"h = \sigma(W_1 x +"]}), 422)
    assert body["detail"].startswith("define 'h = \\sigma(W_1 x +'") and "span" not in body


def test_a_notebook_is_checked_cell_by_cell(client):
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["$$\n", HALF + "\n", "$$\n"]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    got = client.post("/api/check", json={"document": json.dumps(notebook), "format": "ipynb",
                                          "name": "week 3/homework"}).json()
    assert got["note"] == "week-3-homework"                # the uploaded file's name, made safe for a file
    assert [(e["verdict"], e["corrected_latex"]) for e in got["entries"]] == [("incorrect", RIGHT)]


@pytest.mark.exhaustive          # a whole server process: about 5 s, beyond the default run's budget for this file
def test_symderiv_serve_starts_answers_and_stops_on_ctrl_c():
    import os
    import signal
    import sys

    import httpx
    from web_server import free_port
    assert cli("serve", "--port", "70000")[2].strip() == "symderiv: error: --port must be between 1 and 65535, got 70000"
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    server = subprocess.Popen([sys.executable, "-m", "symderiv", "serve", "--port", str(port), "--workers", "1"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline, health = time.monotonic() + 60, None
        while health is None and time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).json()
            except httpx.HTTPError:
                time.sleep(0.2)
        assert health == {"status": "ok", "workers": 1, "busy": 0, "waiting": 0, "replaced": 0}
        assert "<title>symderiv" in httpx.get(f"http://127.0.0.1:{port}/").text
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0 and "Traceback" not in err
    assert out.startswith(f"symderiv: serving the page and the API on http://127.0.0.1:{port}/")
