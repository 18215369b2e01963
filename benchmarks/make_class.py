"""A generated class for ``symderiv grade``: correct derivations in varied notation, errors planted at recorded lines.

    python benchmarks/make_class.py DIR [--n 1000] [--seed 0]

Writes ``DIR/assignment.md`` (a two-layer sigmoid network with cross-entropy;
four required results, 7 points; 0.5 off per other wrong line),
``DIR/submissions/`` (one .md or .tex file per student) and
``DIR/expected.json``: for every file its student id, the lines (``L<n>``,
the checker's id for the display starting on line n) where an error was
planted and what kind, and the score the grading must give. The expected
score is computed here from the plan (required results untouched earn their
points, a planted error on another line costs the penalty), never by
symderiv.

Every submission is the same mathematics, right, written in one of
``NOTATIONS`` (symderiv's layers, U/V/h, W_1/W_2 with E, Nielsen-like C with
a^{(L)}), with optional forward-pass lines, the bias and weight gradients in
either order, the gradient as a fraction or a nabla, as Markdown or LaTeX.
Each error is one ``MUTATIONS`` edit that is wrong under the model whatever
the widths (a scale, a sign, a dropped transpose, a layer shift).
"""
from __future__ import annotations

import argparse
import json
import pathlib
import random

ASSIGNMENT = """---
title: Backprop for a two-layer classifier
depth: 2
hidden: sigmoid
output: sigmoid
loss: bce
expects: \\frac{\\partial J}{\\partial W^{(2)}} | 2
expects: \\frac{\\partial J}{\\partial b^{(2)}} | 1
expects: \\frac{\\partial J}{\\partial W^{(1)}} | 3
expects: \\frac{\\partial J}{\\partial b^{(1)}} | 1
penalty: 0.5
---

# Assignment

A network with one sigmoid hidden layer and a sigmoid output trained with the
binary cross-entropy on one sample (samples as columns). Derive the
gradients of the cost with respect to every weight matrix and bias vector,
with the delta recursion in between.
"""
POINTS = {"dW2": 2, "db2": 1, "dW1": 3, "db1": 1}
PENALTY = 0.5

# How a student writes the network: their symbols and the readings that say what they mean.
NOTATIONS = {
    "layers": {"W1": "W^{(1)}", "W2": "W^{(2)}", "b1": "b^{(1)}", "b2": "b^{(2)}", "h": "a^{(1)}",
               "out": "a^{(2)}", "cost": "J", "reads": []},
    "uvh": {"W1": "U", "W2": "V", "b1": "b^{(1)}", "b2": "b^{(2)}", "h": "h", "out": "\\hat{y}",
            "cost": "\\mathcal{L}", "reads": ["h -> a^{(1)}", "U -> W^{(1)}", "V -> W^{(2)}", "\\mathcal{L} -> J"]},
    "subscripts": {"W1": "W_1", "W2": "W_2", "b1": "b_1", "b2": "b_2", "h": "h", "out": "o", "cost": "E",
                   "reads": ["W_1 -> W^{(1)}", "W_2 -> W^{(2)}", "b_1 -> b^{(1)}", "b_2 -> b^{(2)}", "h -> a^{(1)}",
                             "o -> a^{(2)}"]},
    "cost-c": {"W1": "W^{(1)}", "W2": "W^{(L)}", "b1": "b^{(1)}", "b2": "b^{(L)}", "h": "a^{(1)}", "out": "a^{(L)}",
               "cost": "C", "reads": []},
}


def grad(style: str, cost: str, wrt: str) -> str:
    return f"\\nabla_{{{wrt}}} {cost}" if style == "nabla" else f"\\frac{{\\partial {cost}}}{{\\partial {wrt}}}"


def derivation(n: dict, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, LaTeX) of every line of one correct derivation in notation ``n``."""
    style = rng.choice(["frac", "frac", "nabla"])
    d2, d1 = ("\\delta^{(L)}" if n["W2"].endswith("{(L)}") else "\\delta^{(2)}"), "\\delta^{(1)}"
    t = rng.choice(["T", "\\top"])
    act_prime = rng.choice([f"{n['h']} \\odot (1 - {n['h']})", "\\sigma'(z^{(1)})"])
    lines = []
    if rng.random() < 0.6:
        lines += [("z1", f"z^{{(1)}} = {n['W1']} x + {n['b1']}"), ("h", f"{n['h']} = \\sigma(z^{{(1)}})")]
    lines.append(("d2", f"{d2} = {n['out']} - y"))
    output = [("dW2", f"{grad(style, n['cost'], n['W2'])} = {d2} {_t(n['h'], t)}"),
              ("db2", f"{grad(style, n['cost'], n['b2'])} = {d2}")]
    hidden = [("dW1", f"{grad(style, n['cost'], n['W1'])} = {d1} x^{t}"),
              ("db1", f"{grad(style, n['cost'], n['b1'])} = {d1}")]
    if rng.random() < 0.5:
        output.reverse()
        hidden.reverse()
    lines += output + [("d1", f"{d1} = {_t(n['W2'], t)} {d2} \\odot {act_prime}")] + hidden
    return lines


def _t(symbol: str, t: str) -> str:
    """``symbol`` transposed: braced when it already has a superscript."""
    return f"({symbol})^{t}" if "^" in symbol else f"{symbol}^{t}"


# Edits that make a line wrong whatever the widths: kind -> (line kinds it applies to, edit of the right side).
MUTATIONS = {
    "scale": (None, lambda rhs: f"\\frac{{1}}{{2}} {rhs}" if "\\odot" not in rhs else f"\\frac{{1}}{{2}} ({rhs})"),
    "sign": (None, lambda rhs: f"-{rhs}" if "\\odot" not in rhs and " - " not in rhs else f"-({rhs})"),
    "transpose": ({"dW2", "dW1", "d1"}, lambda rhs: rhs.replace("^T", "").replace("^\\top", "")),
    "layer-shift": ({"db2", "db1"}, lambda rhs: rhs.replace("(1)", "(9)").replace("(2)", "(1)").replace("(L)", "(1)")
                    .replace("(9)", "(2)")),
}


def mutate(kind: str, line: str, rng: random.Random) -> tuple[str, str]:
    """(the line with one planted error, the error's kind)."""
    lhs, rhs = line.split(" = ", 1)
    kinds = [k for k, (where, _) in MUTATIONS.items() if where is None or kind in where]
    chosen = rng.choice(kinds)
    return f"{lhs} = {MUTATIONS[chosen][1](rhs)}", chosen


def render(lines: list[str], fmt: str, n: dict, student: str | None) -> tuple[str, list[int]]:
    """The file's text and the line each display starts on."""
    settings = ([f"student: {student}"] if student else []) + [f"read: {r}" for r in n["reads"]]
    if fmt == "md":
        out = ["---", *settings, "---", "", "# My backprop derivation", ""] if settings else \
            ["# My backprop derivation", ""]
        starts = []
        for k, latex in enumerate(lines):
            out += [f"Step {k + 1}:", ""]
            starts.append(len(out) + 1)
            out += [f"$$ {latex} $$", ""]
        return "\n".join(out) + "\n", starts
    out = [f"% symderiv: {s}" for s in settings] + ["\\documentclass{article}", "\\begin{document}"]
    starts = []
    for k, latex in enumerate(lines):
        out.append("We have")
        if k % 2:                      # the equation on its own line: its id is that line's
            out += ["\\begin{equation}", f"  {latex}", "\\end{equation}"]
            starts.append(len(out) - 1)
        else:
            out.append(f"\\[ {latex} \\]")
            starts.append(len(out))
    out.append("\\end{document}")
    return "\n".join(out) + "\n", starts


def submission(k: int, rng: random.Random) -> tuple[str, str, dict]:
    """(file name, text, plan) of student k."""
    name = rng.choice(list(NOTATIONS))
    n = NOTATIONS[name]
    lines = derivation(n, rng)
    errors = rng.choice([0, 0, 1, 1, 2, 3])
    planted = sorted(rng.sample(range(len(lines)), errors))
    written, kinds = [], {}
    for i, (kind, latex) in enumerate(lines):
        if i in planted:
            latex, kinds[i] = mutate(kind, latex, rng)
        written.append(latex)
    fmt = rng.choice(["md", "md", "tex"])
    student = f"student-{k:04d}" if rng.random() < 0.25 else None
    text, starts = render(written, fmt, n, student)
    filename = f"s{k:04d}.{fmt}"
    wrong_required = {lines[i][0] for i in planted if lines[i][0] in POINTS}
    wrong_other = sum(1 for i in planted if lines[i][0] not in POINTS)
    score = max(0.0, sum(p for q, p in POINTS.items() if q not in wrong_required) - PENALTY * wrong_other)
    plan = {"student": student or f"s{k:04d}", "notation": name, "format": fmt,
            "errors": [{"line": f"L{starts[i]}", "kind": kinds[i], "quantity": lines[i][0]} for i in planted],
            "lines": [f"L{s}" for s in starts], "score": score, "max": float(sum(POINTS.values()))}
    return filename, text, plan


def make_class(folder, n: int = 1000, seed: int = 0) -> dict:
    folder = pathlib.Path(folder)
    subs = folder / "submissions"
    subs.mkdir(parents=True, exist_ok=True)
    (folder / "assignment.md").write_text(ASSIGNMENT, encoding="utf-8")
    rng = random.Random(seed)
    expected = {}
    for k in range(1, n + 1):
        filename, text, plan = submission(k, rng)
        (subs / filename).write_text(text, encoding="utf-8")
        expected[filename] = plan
    (folder / "expected.json").write_text(json.dumps({"seed": seed, "n": n, "submissions": expected}, indent=1),
                                          encoding="utf-8")
    return expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--n", type=int, default=1000, help="number of submissions (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args()
    plans = make_class(args.folder, args.n, args.seed)
    errors = sum(len(p["errors"]) for p in plans.values())
    print(f"{len(plans)} submissions, {errors} planted errors, in {args.folder}")


if __name__ == "__main__":
    main()
