"""``symderiv grade`` on a generated class: is every planted error found, every score right, and how fast?

    python benchmarks/grade_bench.py [--n 1000] [--timing-n 200] [--dir /tmp/class] [--out docs/benchmarks.md]

Makes a class with ``make_class.py``, grades all of it once with 2 local
workers and compares every record with the plan: each planted error must be
reported incorrect at its line (the checker's ``L<n>`` id), no planted line
may be accepted, every unplanted line is counted if it is not found correct,
and every score must equal the plan's. Then it times a fresh grading of the
first ``--timing-n`` submissions on 1 and 2 local workers and on a 2-worker
Dask ``LocalCluster``, and checks the three gradebooks are identical. The
results replace the section between the ``grade`` markers of
``docs/benchmarks.md`` (the rest of that file is other benchmarks').
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import shutil
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from make_class import make_class  # noqa: E402

BEGIN, END = "<!-- grade:begin -->", "<!-- grade:end -->"
LOAD_MARKER = "<!-- benchmarks/load.py writes below this line -->"     # benchmarks/load.py's section follows it


def compare(records: list, expected: dict) -> dict:
    """Planted errors against the records: found at their line, accepted, scores, clean lines flagged."""
    by_file = {r["file"]: r for r in records}
    planted = found = accepted = clean = clean_not_correct = 0
    score_wrong, missing_files, problems = [], [], []
    for name, plan in expected.items():
        r = by_file.get(name)
        if r is None:
            missing_files.append(name)
            continue
        verdicts = {}
        for line in r.get("lines", []):
            verdicts.setdefault(line["id"].split(".")[0], []).append(line["verdict"])
        bad = {e["line"] for e in plan["errors"]}
        for e in plan["errors"]:
            planted += 1
            got = verdicts.get(e["line"], [])
            if "incorrect" in got:
                found += 1
            else:
                problems.append(f"{name} {e['line']} ({e['kind']}): {got or 'no verdict'}")
            if got and all(v == "correct" for v in got):
                accepted += 1
        for line_id in plan["lines"]:
            if line_id not in bad:
                clean += 1
                if verdicts.get(line_id) != ["correct"]:
                    clean_not_correct += 1
                    problems.append(f"{name} {line_id} (no error planted): {verdicts.get(line_id)}")
        if abs(r["score"] - plan["score"]) > 1e-9 or r["student"] != plan["student"]:
            score_wrong.append(f"{name}: {r['student']} {r['score']} != {plan['student']} {plan['score']}")
    return {"submissions": len(expected), "planted": planted, "found": found, "accepted": accepted,
            "clean_lines": clean, "clean_not_correct": clean_not_correct, "scores_wrong": len(score_wrong),
            "missing": len(missing_files), "problems": (problems + score_wrong + missing_files)[:20]}


def timed(subs, assignment, out, **kw) -> tuple[list, dict, float]:
    from symderiv.grade.run import grade_class
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    records, run = grade_class(str(subs), assignment, out, progress=False, **kw)
    return records, run, time.perf_counter() - started


def gradebook(records, run) -> str:
    from symderiv.grade.outputs import gradebook_csv
    return gradebook_csv(records, run["assignment"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--timing-n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dir", default=None, help="where the class and outputs go (default: a temporary folder)")
    parser.add_argument("--out", default="docs/benchmarks.md")
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    base = pathlib.Path(args.dir or tempfile.mkdtemp(prefix="symderiv-class-"))
    plans = make_class(base / "class", args.n, args.seed)
    assignment = base / "class" / "assignment.md"
    records, run, seconds = timed(base / "class" / "submissions", assignment, base / "full", workers=2,
                                  seconds=args.time_limit)
    result = compare(records, plans)
    print(json.dumps(result, indent=1))
    # timing: the first timing_n submissions, graded from scratch three ways
    sample = base / "sample"
    shutil.rmtree(sample, ignore_errors=True)
    sample.mkdir()
    names = sorted(plans)[:args.timing_n]
    for name in names:
        shutil.copy(base / "class" / "submissions" / name, sample / name)
    rows, books = [], {}
    configs = [("local pool, 1 worker", {"workers": 1}), ("local pool, 2 workers", {"workers": 2}),
               ("Dask LocalCluster, 2 workers x 1 thread", {"cluster": 2})]
    for label, cfg in configs:
        if "cluster" in cfg:
            from distributed import LocalCluster
            with LocalCluster(n_workers=cfg["cluster"], threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster:
                recs, r, secs = timed(sample, assignment, base / "t-dask", scheduler=cluster.scheduler_address,
                                      seconds=args.time_limit)
        else:
            recs, r, secs = timed(sample, assignment, base / f"t-{cfg['workers']}", seconds=args.time_limit, **cfg)
        books[label] = gradebook(recs, r)
        rows.append((label, len(recs), secs, len(recs) / secs * 60))
        print(f"{label}: {len(recs)} in {secs:.1f} s = {len(recs) / secs * 60:.0f}/min")
    identical = len(set(books.values())) == 1
    write_section(args, result, seconds, rows, identical, os.getloadavg())


def write_section(args, result, seconds, rows, identical, load) -> None:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    r = result
    lines = [BEGIN, "## Grading a class (`symderiv grade`)", "",
             f"Written by `python benchmarks/grade_bench.py --n {args.n} --timing-n {args.timing_n}` on {now}; "
             f"{os.cpu_count()} logical CPUs shared with other jobs (wall-clock figures; load average "
             f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} over 1 / 5 / 15 minutes at the end), Python "
             f"{platform.python_version()}.", "",
             f"**The class.** `benchmarks/make_class.py` (seed {args.seed}) wrote {r['submissions']} submissions: "
             "the same right derivation in four notations (symderiv's layers; U, V, h, \\mathcal{L}; W_1, W_2, E; "
             "C with layer L), with or without the forward pass, gradients as fractions or nablas, in either order, "
             f"as Markdown or LaTeX; {r['planted']} errors planted (0-3 per file: a scale, a sign, a dropped "
             "transpose, a layer shift) at recorded lines, and each file's expected score computed from the plan.",
             "", f"**Graded** on 2 local workers in {seconds:.0f} s:", "",
             "| measure | result |", "|---|---:|",
             f"| planted errors reported incorrect at their line | {r['found']} of {r['planted']} "
             f"({100 * r['found'] / max(1, r['planted']):.2f}%) |",
             f"| planted errors accepted as correct (false accepts) | {r['accepted']} |",
             f"| lines without a planted error not found correct | {r['clean_not_correct']} of {r['clean_lines']} |",
             f"| scores different from the plan's | {r['scores_wrong']} of {r['submissions']} |", "",
             f"**Throughput** (the first {args.timing_n} submissions graded from scratch each time; each submission in "
             "a forked child with a hard time limit):", "",
             "| runner | submissions | seconds | submissions per minute |", "|---|---:|---:|---:|"]
    lines += [f"| {label} | {n} | {secs:.1f} | {rate:.0f} |" for label, n, secs, rate in rows]
    lines += ["", f"The three gradebooks are {'identical' if identical else 'NOT identical'}.", END]
    section = "\n".join(lines)
    path = pathlib.Path(args.out)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    elif LOAD_MARKER in text:          # benchmarks/load.py owns everything below its marker: stay above it
        at = text.index(LOAD_MARKER)
        text = text[:at].rstrip("\n") + "\n\n" + section + "\n\n" + text[at:]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
