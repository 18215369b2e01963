"""symderiv grade: scores from planted errors, required results found by meaning, resume, time limits, Dask."""
from __future__ import annotations

import csv
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from make_class import make_class  # noqa: E402
from grade_bench import compare  # noqa: E402

ASSIGNMENT = r"""---
title: Homework 3
expects: \frac{\partial J}{\partial W^{(2)}} | 2
expects: \frac{\partial J}{\partial W^{(1)}} | 3
penalty: 0.5
---
Derive the weight gradients.
"""


def cli(capsys, *argv):
    """The command run in this process (its pool forks this warm process); (exit code, stderr)."""
    from symderiv.cli import main
    capsys.readouterr()
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def _doc(*lines, front=""):
    body = "\n\n".join(f"$$ {line} $$" for line in lines)
    return (f"---\n{front}---\n\n" if front else "") + body + "\n"


@pytest.fixture
def small(tmp_path_factory, capsys):
    """A small class: one right in the student's own symbols, one wrong, one missing a result, one unreadable."""
    base = tmp_path_factory.mktemp("class")
    (base / "a.md").write_text(ASSIGNMENT)
    subs = base / "subs"
    subs.mkdir()
    (subs / "ada.md").write_text(_doc(r"\frac{\partial \mathcal{L}}{\partial V} = \delta^{(2)} h^T",
                                      r"\delta^{(1)} = V^T \delta^{(2)} \odot h \odot (1 - h)",
                                      r"\frac{\partial \mathcal{L}}{\partial U} = \delta^{(1)} x^T",
                                      front="student: Ada L.\nread: h -> a^{(1)}\nread: U -> W^{(1)}\n"
                                            "read: V -> W^{(2)}\nread: \\mathcal{L} -> J\n"))
    (subs / "bob.md").write_text(_doc(r"\frac{\partial J}{\partial W^{(2)}} = \delta^{(2)} a^{(1)}",
                                      r"\delta^{(1)} = -(W^{(2)})^T \delta^{(2)} \odot \sigma'(z^{(1)})",
                                      r"\frac{\partial J}{\partial W^{(1)}} = \delta^{(1)} x^T"))
    (subs / "cy.tex").write_text("\\newcommand{\\dE}[1]{\\frac{\\partial E}{\\partial #1}}\n"     # a macro of their own
                                 "\\[ \\dE{W^{(L)}} = \\delta^{(L)} (a^{(1)})^T \\]\n")
    (subs / "dee.md").write_text("no maths at all\n")
    cell = "---\nstudent: eve\n---\nMy answer:\n\n$$ \\frac{\\partial J}{\\partial W^{(1)}} = \\delta^{(1)} x^T $$\n"
    (subs / "e.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "source": "x = 1"},
                                                        {"cell_type": "markdown", "source": cell}],
                                              "nbformat": 4, "nbformat_minor": 5}))
    out = base / "out"
    code, err = cli(capsys, "grade", subs, "--assignment", base / "a.md", "--out", out, "--workers", 2, "--quiet")
    assert code == 0, err
    return base, out


def test_small_class_scores_and_gradebook(small):
    base, out = small
    with open(out / "gradebook.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["student", r"\frac{\partial J}{\partial W^{(2)}}", r"\frac{\partial J}{\partial W^{(1)}}",
                       "total", "max"]
    book = {r[0]: r[1:] for r in rows[1:]}
    assert book["Ada L."] == ["2", "3", "5", "5"]          # U, V, \mathcal{L} read as W^{(1)}, W^{(2)}, J
    assert book["bob"] == ["0", "3", "2.5", "5"]           # dW2 wrong (a^{(1)} not transposed), delta wrong: -0.5
    assert book["cy"] == ["2", "0", "2", "5"]              # \dE{W^{(L)}}: E, W^{(L)} are J, W^{(2)}; dW1 missing
    assert book["dee"] == ["0", "0", "0", "5"]
    assert book["eve"] == ["0", "3", "3", "5"]             # a notebook's Markdown cell, named by its front matter
    summary = json.loads((out / "summary.json").read_text())
    bob = next(s for s in summary["students"] if s["student"] == "bob")
    dw2 = bob["required"][0]
    assert dw2["status"] == "wrong" and dw2["line"] == "L1" and dw2["codes"]
    assert dw2["correction"] and "^T" in dw2["correction"].replace("^{T}", "^T")
    assert [q["status"] for q in next(s for s in summary["students"] if s["student"] == "cy")["required"]] == \
        ["correct", "missing"]
    dee = next(s for s in summary["students"] if s["student"] == "dee")
    assert dee["status"] == "unusable" and "no display math" in dee["message"]
    for name in ("summary.md", "summary.html", "feedback/bob.md", "feedback/bob.html"):
        assert summary["provenance"]["assignment_sha256"][:16] in (out / name).read_text()
    assert (out / "scores.png").read_bytes()[:4] == b"\x89PNG"
    assert {c["code"] for c in summary["diagnoses"]} >= {"sign"}


def test_required_result_matched_by_meaning_not_text():
    from symderiv.engine.network import NetFlags
    from symderiv.grade.quantity import quantity_of
    flags = NetFlags()
    truth = quantity_of(r"\frac{\partial J}{\partial W^{(2)}_{ij}}", {}, "default", flags)
    assert quantity_of(r"\frac{\partial C}{\partial W^{(L)}_{jk}}", {}, "default", flags) == truth
    assert quantity_of(r"\frac{\partial \mathcal{L}}{\partial V_{ij}}", {"V": "W^{(2)}"}, "default", flags) == truth
    assert quantity_of(r"\frac{\partial J}{\partial W^{(1)}_{ij}}", {}, "default", flags) != truth
    assert quantity_of(r"\frac{\partial J}{\partial W^{(2)}}", {}, "default", flags) != truth   # matrix, not entry


def test_generated_class_every_plant_found_and_every_score_right(tmp_path):
    plans = make_class(tmp_path / "c", n=6, seed=3)
    from symderiv.grade.run import grade_class
    records, run = grade_class(str(tmp_path / "c" / "submissions"), tmp_path / "c" / "assignment.md",
                               tmp_path / "out", workers=2, progress=False)
    result = compare(records, plans)
    assert result["planted"] > 0
    assert result["found"] == result["planted"] and result["accepted"] == 0, result["problems"]
    assert result["scores_wrong"] == 0 and result["clean_not_correct"] == 0, result["problems"]


def test_killed_run_resumes_to_the_same_gradebook(tmp_path, capsys):
    make_class(tmp_path / "c", n=6, seed=5)
    subs, assignment = tmp_path / "c" / "submissions", tmp_path / "c" / "assignment.md"
    code, err = cli(capsys, "grade", subs, "--assignment", assignment, "--out", tmp_path / "whole", "--quiet")
    assert code == 0, err
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "symderiv", "grade", str(subs), "--assignment", str(assignment),
                             "--out", str(out), "--workers", "1", "--quiet"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((out / "students").glob("*.json"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    kept = len(list((out / "students").glob("*.json")))
    assert 2 <= kept < 6 and not (out / "gradebook.csv").exists()
    code, err = cli(capsys, "grade", subs, "--assignment", assignment, "--out", out, "--quiet")
    assert code == 0, err
    assert f"{6 - kept} now, {kept} from earlier records" in err
    assert (out / "gradebook.csv").read_text() == (tmp_path / "whole" / "gradebook.csv").read_text()


def test_slow_submission_costs_its_limit_and_is_reported(tmp_path):
    (tmp_path / "a.md").write_text(ASSIGNMENT)
    subs = tmp_path / "subs"
    subs.mkdir()
    # a huge submission: 400 distinct wrong lines, each checked and corrected (tens of seconds in all)
    (subs / "huge.md").write_text(_doc(*(rf"\delta^{{(1)}} = {k} (W^{{(2)}})^T \delta^{{(2)}} \odot \sigma'(z^{{(1)}})"
                                         for k in range(2, 402))))
    (subs / "fine.md").write_text(_doc(r"\frac{\partial J}{\partial W^{(1)}} = \delta^{(1)} x^T"))
    # a macro bomb and a sum of 10^24 terms: refused by the parser at once (unverifiable, no points)
    (subs / "bomb.tex").write_text("\\def\\x{\\x\\x}\n\\newcommand{\\y}{\\x\\x\\x\\x}\n"
                                   "\\[ \\frac{\\partial J}{\\partial W^{(1)}} = \\y\\y\\y \\]\n"
                                   "\\[ \\frac{\\partial J}{\\partial W^{(2)}} = \\sum_{i=1}^{10^{12}} \\sum_{j=1}^{10^{12}} "
                                   "\\delta^{(2)}_i a^{(1)}_j \\]\n")
    from symderiv.grade.run import grade_class
    records, _ = grade_class(str(subs), tmp_path / "a.md", tmp_path / "out", workers=2, seconds=2.0,
                             progress=False)
    by = {r["student"]: r for r in records}
    assert by["huge"]["status"] == "timeout" and by["huge"]["seconds"] <= 2.0 and by["huge"]["score"] == 0
    assert "time limit of 2 s" in by["huge"]["message"]
    assert by["fine"]["status"] == "graded" and by["fine"]["score"] == 3
    bomb = by["bomb"]
    assert bomb["status"] == "graded" and bomb["score"] == 0 and bomb["seconds"] < 2.0
    assert [q["status"] for q in bomb["required"]] == ["unverifiable", "unverifiable"]


def test_isolation_reports_crash_and_hang():
    from symderiv.grade.isolate import run_isolated
    assert run_isolated(lambda x: {"double": 2 * x}, 21, 5)["double"] == 42
    hung = run_isolated(lambda x: time.sleep(30), None, 0.5)
    assert hung["status"] == "timeout" and hung["seconds"] == 0.5
    died = run_isolated(lambda x: os.kill(os.getpid(), signal.SIGKILL), None, 5)
    assert died["status"] == "crash" and "SIGKILL" in died["message"]
    raised = run_isolated(lambda x: 1 / 0, None, 5)
    assert raised["status"] == "crash" and "ZeroDivisionError" in raised["message"]


@pytest.mark.parametrize("text, message", [
    ("---\ntitle: x\n---\n", "needs at least one 'expects"),
    ("---\nexpects: \\frac{\\partial J}{\\partial W^{(1)}}\n---\n", "expects is 'expects: <LaTeX"),
    ("---\nexpects: \\frac{\\partial J}{\\partial W^{(1)}} | lots\n---\n", "must be a number of points"),
    ("---\nexpects: \\frac{ | 1\n---\n", "not a quantity symderiv can read"),
])
def test_unusable_assignment_is_one_line_exit_2(tmp_path, capsys, text, message):
    (tmp_path / "a.md").write_text(text)
    (tmp_path / "s.md").write_text(_doc("a = b"))
    code, err = cli(capsys, "grade", tmp_path / "s.md", "--assignment", tmp_path / "a.md", "--out", tmp_path / "o")
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


@pytest.mark.exhaustive
def test_dask_local_cluster_gives_the_same_records(tmp_path):
    distributed = pytest.importorskip("distributed")
    plans = make_class(tmp_path / "c", n=10, seed=7)
    from symderiv.grade.outputs import gradebook_csv
    from symderiv.grade.run import grade_class
    args = (str(tmp_path / "c" / "submissions"), tmp_path / "c" / "assignment.md")
    local, run = grade_class(*args, tmp_path / "local", workers=2, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        remote, run_d = grade_class(*args, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=False)
    assert gradebook_csv(remote, run_d["assignment"]) == gradebook_csv(local, run["assignment"])
    strip = lambda rs: [{k: v for k, v in r.items() if k != "seconds"} for r in rs]   # noqa: E731
    assert strip(remote) == strip(local)
    assert compare(remote, plans)["scores_wrong"] == 0


def test_a_lines_codes_are_its_diagnostics_codes_never_its_prose():
    from types import SimpleNamespace
    from symderiv.grade.score import codes_of
    from symderiv.verify.diagnostics import diagnostic
    wrong = SimpleNamespace(verdict="incorrect", diagnostics=[diagnostic("sign"), diagnostic("sign")],
                            diagnosis=["scale: claim = 2 × truth"])
    assert codes_of(wrong) == ["sign"]
    prose_only = SimpleNamespace(verdict="incorrect", diagnostics=[], diagnosis=["transpose: W should be W^T"])
    assert codes_of(prose_only) == ["unexplained"]
    assert codes_of(SimpleNamespace(verdict="correct", diagnostics=[])) == []
    assert codes_of(SimpleNamespace(verdict="incorrect", diagnostics=[{"code": "transpose.whole"}])) == \
        ["transpose.whole"]
